#!/usr/bin/env bash
# Page weight: prints, for every page of the patron journey (search, record,
# cart, reservation, the three lists, password change, logout) and each device
# class (docomo 1.0, FOMA, au, SoftBank, smartphone, PC), the bytes shiori
# sends, as a Markdown table: each page uncompressed, then the whole journey on
# the wire without Accept-Encoding and as the device asks (smartphones and PCs
# for gzip, the phones for nothing). Each device walks the journey on its own
# fresh demo library on a loopback port.
#
#   bench/page_weight.sh [path/to/shiori]    (default: build/gateway/shiori)
#
# docs/page-weight.md holds the latest output.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${SHIORI_BIN:-build/gateway/shiori}}
if [ ! -x "$BIN" ]; then
  echo "page_weight: no shiori at $BIN (build it, or pass its path)" >&2
  exit 1
fi
exec python3 bench/page_weight.py "$BIN"
