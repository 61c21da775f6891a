#!/usr/bin/env bash
# Search pages through the real server: wrk against `shiori serve` on a
# catalogue database (the 1M one bench/search_bench.sh leaves, say), the same
# query as a PC sends it (UTF-8; a new visitor each time, and a returning
# one with its session cookie) and as an old i-mode phone does (Shift_JIS,
# no cookies, 5 KB pages). What a patron waits for: the FTS5 search, the
# page, its encoding, HTTP.
#
#   bench/search_http_bench.sh DB [PATH/TO/shiori]   (default: build/gateway/shiori)
#
# Environment:
#   DURATION=5   seconds per wrk run
#   CONNS=32     wrk connections
#   THREADS=2    wrk threads
#   QUERIES      one query a class, "class=text" separated by ';' (default
#                below); each is asked over and over, so the pages it touches
#                stay in memory: a hot query, not a cold one.
#
# The database is opened by the server as it is (migrations run if it is
# older); searches write nothing. Everything runs on 127.0.0.1; the server's
# log goes to a temporary directory removed at exit. Output is Markdown.
set -euo pipefail

die() { echo "search_http_bench: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
db=${1:-}
bin=${2:-$root/build/gateway/shiori}
DURATION=${DURATION:-5}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
QUERIES=${QUERIES:-"1char=猫;2char=宮沢;3char+=ウイスキー;kana=すずきこうじろう;isbn=4-08-006542-6;latin=Linux"}

[[ -n $db && -r $db ]] || die "usage: search_http_bench.sh DB [PATH/TO/shiori] (DB must exist)"
[[ -x $bin ]] || die "$bin not found; build it first"
command -v wrk >/dev/null || die "wrk not found; apt-get install -y wrk"
command -v python3 >/dev/null || die "python3 not found"
[[ $DURATION =~ ^[1-9][0-9]*$ && $CONNS =~ ^[1-9][0-9]*$ ]] || die "DURATION and CONNS must be positive numbers"

TMP=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# wrk is one client address: no per-address limit.
printf '[server]\nconnections_per_address = 0\n' >"$TMP/shiori.toml"
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --staff-listen 127.0.0.1:0 --config "$TMP/shiori.toml" >"$TMP/out" 2>"$TMP/err" </dev/null &
pid=$!
for ((i = 0; i < 1200; i++)); do  # a migration of a large catalogue may take a while
  grep -q 'listening on' "$TMP/out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$TMP/out" "$TMP/err" >&2; die "shiori exited during start-up"; }
  sleep 0.1
done
grep -q 'listening on' "$TMP/out" || die "shiori did not start within 120 s"

# url DEVICE TEXT: the search URL as the device's form sends it (_c is the
# charset probe 表ソ in the device's encoding).
url() {
  python3 - "$1" "$2" "$port" <<'EOF'
import sys, urllib.parse
device, text, port = sys.argv[1], sys.argv[2], sys.argv[3]
enc = "cp932" if device == "docomo" else "utf-8"
q = lambda s: urllib.parse.quote(s.encode(enc), safe="")
print(f"http://127.0.0.1:{port}/search?_c={q('表ソ')}&q={q(text)}")
EOF
}

ua_pc="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
ua_docomo="DoCoMo/1.0/N503i"

# one DEVICE URL -> "req/s | p50 | p99 | bytes". Device "pc+cookie": the PC
# sends back the session cookie its first request got, as a browser does
# (without it, every PC results page starts a session: the cart buttons'
# forms need its CSRF token, and that is a database write).
one() {
  local ua=$ua_pc out bytes cookie=()
  [[ $1 == docomo ]] && ua=$ua_docomo
  if [[ $1 == pc+cookie ]]; then
    local c
    c=$(curl -s -o /dev/null -D - -A "$ua" "$2" | tr -d '\r' |
      awk 'tolower($1) == "set-cookie:" {split($2, a, ";"); print a[1]; exit}')
    [[ -n $c ]] && cookie=(-H "Cookie: $c")  # (none: the page has no form)
  fi
  bytes=$(curl -s -o /dev/null -w '%{size_download} %{http_code}' -A "$ua" "${cookie[@]}" "$2")
  [[ ${bytes#* } == 200 ]] || die "$2 answered ${bytes#* }"
  out=$(timeout -k 5 $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency \
    -H "User-Agent: $ua" "${cookie[@]}" "$2" 2>&1) || { echo "$out" >&2; die "wrk failed against $2"; }
  grep -q 'Non-2xx\|Socket errors' <<<"$out" && { echo "$out" >&2; die "errors against $2"; }
  awk -v bytes="${bytes% *}" '
    function ms(v,  u, f) { u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : -1; return v * f }
    /^Requests\/sec:/ {rps = $2}
    $1 == "50%" {p50 = ms($2)}
    $1 == "99%" {p99 = ms($2)}
    END {printf "%.0f | %.2f | %.2f | %d", rps, p50, p99, bytes}' <<<"$out"
}

command -v curl >/dev/null || die "curl not found"
echo "## Search pages over HTTP — run of $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Database $(basename "$db") ($(du -h "$db" | cut -f1)); $(nproc) cores; wrk -t$THREADS -c$CONNS -d${DURATION}s;"\
     "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| class | query | device | req/s | p50 ms | p99 ms | page bytes |"
echo "|---|---|---|---:|---:|---:|---:|"
IFS=';' read -ra pairs <<<"$QUERIES"
for pair in "${pairs[@]}"; do
  cls=${pair%%=*} text=${pair#*=}
  for device in pc pc+cookie docomo; do
    echo "| $cls | $text | $device | $(one "$device" "$(url "$device" "$text")") |"
  done
done
echo
echo "server RSS after the runs: $(awk '/^VmRSS:/ {printf "%.1f MB", $2 / 1024}' "/proc/$pid/status")"\
     "(peak $(awk '/^VmHWM:/ {printf "%.1f MB", $2 / 1024}' "/proc/$pid/status")); load after: $(cut -d' ' -f1-3 /proc/loadavg)"
