#!/usr/bin/env bash
# Catalogue search: shiori (db::Search over SQLite FTS5) against Groonga on
# the same synthetic catalogue and the same queries.
#
#   bench/search_bench.sh [BUILD_DIR]     (default: build; needs -DSHIORI_BENCH=ON)
#
# Environment:
#   SIZES="100000 1000000"  catalogue sizes (records) to run
#   WORK=/tmp/shiori-search-bench   where data, databases and results go
#                           (generated catalogues are kept and reused)
#   SEED=20240601           generator seed
#   ROUNDS=3                measured rounds over the 2,100 queries (after one warm-up)
#   VARIANTS="auto kana"    Groonga set-ups: auto = NormalizerAuto, readings as
#                           given; kana = NormalizerNFKC150 with unify_kana and
#                           readings without word spaces (shiori's folding)
#   DIAG=1                  search_bench --diag (where the time goes); 0 to skip
#   KNOWN=0                 search_bench --known KNOWN: that many records searched by
#                           their exact title, title and volume, and reading (is the
#                           book on the first page?); 0 to skip
#   VARIANTS_FTS=0          1: search_bench --fts-variants (index size with other
#                           FTS5 options; rebuilds the index four times)
#   REUSE=0                 1: query the databases a previous run left (no load,
#                           no optimize, no Groonga load), to repeat noisy runs
#
# Needs: python3, groonga (apt-get install groonga-bin), Debian's enamdict and
# edict (apt-get install enamdict edict). Groonga runs as an HTTP server on
# 127.0.0.1 (a free port), one per variant, stopped at exit.
# Output is Markdown, ready for docs/performance.md; it is also left in
# $WORK/report.md.
set -euo pipefail

die() { echo "search_bench: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
bin=$build/bench/search_bench
gen=$here/catalog_gen.py

SIZES=${SIZES:-"100000 1000000"}
WORK=${WORK:-/tmp/shiori-search-bench}
SEED=${SEED:-20240601}
ROUNDS=${ROUNDS:-3}
VARIANTS=${VARIANTS:-"auto kana"}
DIAG=${DIAG:-1}
KNOWN=${KNOWN:-0}
VARIANTS_FTS=${VARIANTS_FTS:-0}
REUSE=${REUSE:-0}

[[ -x $bin ]] || die "$bin not found; configure with -DSHIORI_BENCH=ON and build the search_bench target"
command -v python3 >/dev/null || die "python3 not found"
command -v groonga >/dev/null || die "groonga not found; apt-get install -y groonga-bin"
[[ -r /usr/share/edict/enamdict && -r /usr/share/edict/edict ]] ||
  die "enamdict/edict not found; apt-get install -y enamdict edict"
for n in $SIZES; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "SIZES must be record counts, got '$n'"; done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
[[ $KNOWN =~ ^[0-9]+$ ]] || die "KNOWN must be a number of records, got '$KNOWN'"
for v in $VARIANTS; do [[ $v == auto || $v == kana ]] || die "VARIANTS: auto and/or kana, got '$v'"; done

grn_pid=
cleanup() {
  if [[ -n $grn_pid ]]; then
    kill "$grn_pid" 2>/dev/null || true
    wait "$grn_pid" 2>/dev/null || true
  fi
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
secs() { python3 -c 'import sys,time; print("%.1f" % (time.time() - float(sys.argv[1])))' "$1"; }
now() { python3 -c 'import time; print(time.time())'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

main() {
trap cleanup EXIT
echo "## Catalogue search — run of $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"\
     "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);"\
     "$(groonga --version | head -1 | cut -d' ' -f1-2); SQLite: see search_bench's first line."

for n in $SIZES; do
  dir=$WORK/$n
  mkdir -p "$dir"
  if [[ -s $dir/gen.json ]] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["records"]==int(sys.argv[2]) and d["seed"]==int(sys.argv[3]) else 1)' "$dir/gen.json" "$n" "$SEED"; then
    echo >&2 "search_bench: reusing $dir/catalog.tsv"
  else
    echo >&2 "search_bench: generating $n records"
    python3 "$gen" generate --records "$n" --seed "$SEED" --out "$dir" >&2
  fi

  echo
  echo "### $n records"
  echo
  echo "Catalogue: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%d records, %d copies (rows), %.0f%% with an ISBN, generated in %.0f s" % (d["records"], d["rows"], 100*d["isbn_share"], d["seconds"]))' "$dir/gen.json")."
  echo
  echo "shiori (load before: $(load))"
  echo
  echo '```'
  diag=(); [[ $DIAG == 1 ]] && diag+=(--diag)
  [[ $VARIANTS_FTS == 1 ]] && diag+=(--fts-variants)
  [[ $REUSE == 1 ]] && diag+=(--reuse)
  [[ $KNOWN != 0 ]] && diag+=(--known "$KNOWN")
  "$bin" --tsv "$dir/catalog.tsv" --queries "$dir/queries.tsv" --db "$dir/shiori.db" \
    --out "$dir/shiori.json" --rounds "$ROUNDS" "${diag[@]}" | tee "$dir/shiori.txt"
  echo '```'
  echo
  echo "(load after: $(load))"

  groonga_args=()
  for v in $VARIANTS; do
    g=$dir/groonga-$v
    if [[ $REUSE == 1 && -e $g/db ]]; then
      t_load="(reused)" t_index="(reused)"
    else
      rm -rf "$g"
      mkdir -p "$g"
      python3 "$gen" groonga-load "$dir" --variant "$v" >"$g/load.grn"
      python3 "$gen" groonga-index --variant "$v" >"$g/index.grn"
      t0=$(now)
      groonga -n "$g/db" <"$g/load.grn" >"$g/load.out"
      t_load=$(secs "$t0")
      grep -q '^\[\[0,' "$g/load.out" || die "groonga load failed: $(head -c 300 "$g/load.out")"
      rm -f "$g/load.grn"
      data_kb=$(du -sk "$g" | cut -f1)
      t0=$(now)
      groonga "$g/db" <"$g/index.grn" >"$g/index.out"
      t_index=$(secs "$t0")
      grep -v '^\[\[0,' "$g/index.out" | grep -q . && die "groonga index failed: $(cat "$g/index.out")"
      echo "$(( ($(du -sk "$g" | cut -f1) - data_kb) * 1024 ))" >"$g/index.bytes"
    fi
    size=$(( $(du -sk "$g" | cut -f1) * 1024 ))  # disk use: Groonga's files are sparse
    index_bytes=$(cat "$g/index.bytes" 2>/dev/null || echo -1)
    port=$(free_port)
    groonga -s --protocol http --bind-address 127.0.0.1 --port "$port" "$g/db" >"$g/server.log" 2>&1 &
    grn_pid=$!
    for _ in $(seq 100); do
      python3 -c 'import http.client,sys; c=http.client.HTTPConnection("127.0.0.1",int(sys.argv[1]),timeout=1); c.request("GET","/d/status"); sys.exit(0 if c.getresponse().status==200 else 1)' "$port" 2>/dev/null && break
      sleep 0.1
    done
    echo
    echo "Groonga $v: load (groonga -n, JSON from a file, parsing included) $t_load s, index columns $t_index s,"\
         "database $(python3 -c "print('%.1f MB' % ($size/1e6) + (', of which the index columns %.1f MB' % ($index_bytes/1e6) if $index_bytes >= 0 else ''))") (disk use); queries over HTTP on 127.0.0.1 (load before: $(load))"
    echo
    echo '```'
    python3 "$gen" groonga-run "$dir" "$port" "$dir/groonga-$v.json" --rounds "$ROUNDS"
    echo "groonga server peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$grn_pid/status)"
    echo '```'
    kill "$grn_pid"
    wait "$grn_pid" 2>/dev/null || true
    grn_pid=
    groonga_args+=("$v=$dir/groonga-$v.json")
  done
  echo
  echo "Side by side (after optimize; shiori in-process, Groonga's own elapsed time per select;"\
       "times in ms):"
  echo
  python3 "$gen" compare "$dir/shiori.json" "${groonga_args[@]}"
done
}

mkdir -p "$WORK"
main | tee "$WORK/report.md"
