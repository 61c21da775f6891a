#!/usr/bin/env bash
# shiori set-up: installs the Debian packages the project needs (only those
# missing), builds, and then either starts the demo server or runs the tests.
#
#   ./setup.sh demo   install, build (release) and serve the demo library on 127.0.0.1:8080
#   ./setup.sh test   install, build (sanitizers) and run the whole test suite
#   ./setup.sh deps   install only
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)

# Build, run and test dependencies, all from Debian 12.
PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libmicrohttpd-dev libsqlite3-dev sqlite3 libicu-dev libsodium-dev libcurl4-openssl-dev
  libtomlplusplus-dev libcli11-dev libfmt-dev
  libyaz-dev idzebra-2.0-examples
  # Opened with dlopen on first use (import, mail), so not pulled in by a link:
  libyaz5 libxml2 libcurl4
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  curl python3 python3-aiosmtpd
  clang-14 libclang-rt-14-dev
  wrk nginx-light
  chromium fonts-ipafont-gothic w3m nodejs npm
  libqrencode-dev zbar-tools
)

log() { printf 'setup: %s\n' "$*" >&2; }

# A package whose command is already there from elsewhere counts as present:
# a newer nodejs (as on our machines) bundles npm and conflicts with Debian's.
provided() {
  case $1 in
    nodejs) command -v node >/dev/null ;;
    npm) command -v npm >/dev/null ;;
    *) return 1 ;;
  esac
}

install_missing() {
  local missing=()
  local p
  for p in "${PACKAGES[@]}"; do
    if provided "$p"; then
      continue
    fi
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    log "missing packages: ${missing[*]}; run as root or install them with apt-get"
    exit 1
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The browser tests' npm packages (playwright-core, axe-core), exactly as the
# committed lock says; only when node_modules is missing or the lock changed,
# so a machine that has them needs no network.
browser_deps() {
  local dir="$ROOT/tests/browser" sum
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$dir/node_modules/.lock-sha256" ] && [ "$(cat "$dir/node_modules/.lock-sha256")" = "$sum" ]; then
    return 0
  fi
  log "npm ci in tests/browser"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$sum" >"$dir/node_modules/.lock-sha256"
}

build() {  # build DIR [cmake args...]
  local dir=$1
  shift
  cmake -S "$ROOT" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)" -- --no-print-directory >/dev/null
}

case "${1:-}" in
  deps)
    install_missing
    ;;
  demo)
    install_missing
    build "$ROOT/build" -DCMAKE_BUILD_TYPE=Release -DSHIORI_TESTS=OFF
    log "built $ROOT/build/gateway/shiori; starting the demo on http://127.0.0.1:8080/"
    exec "$ROOT/build/gateway/shiori" serve --config "$ROOT/conf/shiori.toml" \
      --db "$ROOT/build/demo.db" --listen 127.0.0.1:8080 --demo
    ;;
  test)
    install_missing
    browser_deps
    build "$ROOT/build-test" -DCMAKE_BUILD_TYPE=Debug -DSHIORI_SANITIZE=ON -DSHIORI_TESTS=ON
    # The fuzzers first (bounded, about a minute), then every test; the
    # closing summary is ctest's.
    FUZZ_BUILD="$ROOT/build-fuzz" "$ROOT/tests/fuzz/run.sh"
    cd "$ROOT/build-test"
    exec ctest --output-on-failure --timeout 600 -j "$(nproc)"
    ;;
  *)
    echo "usage: ./setup.sh demo|test|deps" >&2
    exit 2
    ;;
esac
