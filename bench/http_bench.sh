#!/usr/bin/env bash
# HTTP throughput of shiori's top page against nginx returning the same bytes,
# gzip-compressed by both (as browsers ask for it) unless GZIP=0.
#
#   bench/http_bench.sh [PATH/TO/shiori]       (default: build/gateway/shiori)
#
# Environment:
#   DURATION=5        seconds per wrk run
#   ROUNDS=3          rounds; each round measures every CONNS value on both servers
#   CONNS="32 256"    wrk connection counts
#   THREADS=2         wrk threads
#   SHIORI_THREADS=   if set, shiori's config file has [server] threads = N
#                     (empty: the server default, one per core); the file
#                     always sets connections_per_address = 0 (wrk is one address)
#   NGINX_LOG=file    nginx access log: "file" (unbuffered, in $TMP), "buffered"
#                     (buffer=16k flush=50ms: what shiori's log does, see
#                     gateway/access_log.h) or "off"
#   NGINX_MODE=return how nginx holds the body: "return" (return 200 '...', from
#                     the config in memory) or "file" (static file via try_files;
#                     with GZIP=1 also gzip_static with shiori's own gzip bytes
#                     beside it, so that nginx compresses nothing either);
#                     a body containing '$' forces "file"
#   LOG_CHECK=1       before the rounds, measure shiori once per CONNS with its
#                     access log to a file and to /dev/null (0 to skip)
#   GZIP=1            wrk sends Accept-Encoding: gzip and nginx compresses the
#                     page (gzip on, gzip_comp_level as shiori's kGzipLevel in
#                     gateway/http.h, gzip_vary on); both answers are checked to
#                     be gzip and to inflate to the same page before the rounds.
#                     0: no Accept-Encoding, the plain page from both
#
# Everything runs on 127.0.0.1 in a temporary directory that is removed at exit.
# shiori's access log (stderr) goes to a file in that directory for the rounds,
# as in production. Output is Markdown, ready for docs/performance.md.
set -euo pipefail

die() { echo "http_bench: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${1:-$root/build/gateway/shiori}

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-"32 256"}
THREADS=${THREADS:-2}
SHIORI_THREADS=${SHIORI_THREADS:-}
NGINX_LOG=${NGINX_LOG:-file}
NGINX_MODE=${NGINX_MODE:-return}
LOG_CHECK=${LOG_CHECK:-1}
GZIP=${GZIP:-1}

[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive whole number of seconds"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive number"
for c in $CONNS; do
  [[ $c =~ ^[1-9][0-9]*$ ]] || die "CONNS must be positive numbers, got '$c'"
  (( c >= THREADS )) || die "each CONNS value must be >= THREADS ($THREADS), got $c"
  (( c <= 1000 )) || die "CONNS above 1000 exceed nginx worker_connections 1024 and shiori's connection_limit"
done
[[ -z $SHIORI_THREADS || $SHIORI_THREADS =~ ^[0-9]+$ ]] || die "SHIORI_THREADS must be a number"
[[ $NGINX_LOG == file || $NGINX_LOG == buffered || $NGINX_LOG == off ]] ||
  die "NGINX_LOG must be 'file', 'buffered' or 'off'"
[[ $NGINX_MODE == return || $NGINX_MODE == file ]] || die "NGINX_MODE must be 'return' or 'file'"
[[ $GZIP == 0 || $GZIP == 1 ]] || die "GZIP must be 0 or 1"
gzip_level=$(sed -n 's/.*kGzipLevel = \([0-9]\);.*/\1/p' "$root/gateway/http.h")
[[ -n $gzip_level ]] || die "cannot read kGzipLevel from gateway/http.h"
wrk_headers=()
[[ $GZIP == 1 ]] && wrk_headers=(-H "Accept-Encoding: gzip")

need() {  # need COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  local p
  for p in /usr/sbin /sbin /usr/local/sbin; do
    [[ -x $p/$1 ]] && { PATH=$PATH:$p; return 0; }
  done
  die "$1 not found; install it with: apt-get install -y $2"
}
need wrk wrk
need nginx nginx-light
need curl curl
need timeout coreutils
need gzip gzip
[[ -x $bin ]] || die "$bin: not an executable; build shiori first (cmake -S . -B build && cmake --build build) or pass its path"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[[ -f $here/nginx.conf.in ]] || die "$here/nginx.conf.in is missing"

TMP=$(mktemp -d /tmp/shiori-bench.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do stop_pid "$p"; done  # stop_pid edits pids; the loop keeps its copy
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free TCP port on 127.0.0.1, not one handed out before by this script.
used_ports=" "
free_port() {
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 40000))
    [[ $used_ports == *" $p "* ]] && continue
    if command -v ss >/dev/null 2>&1; then
      [[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]] || continue
    elif (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      continue
    fi
    used_ports+="$p "
    echo "$p"
    return 0
  done
  die "no free port found"
}

stop_pid() {  # TERM, up to 5 s, then KILL
  local i
  kill -TERM "$1" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local keep=() p
  for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  pids=("${keep[@]}")
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# "anon X MB + file Y MB": file-backed pages are mostly shared libraries.
rss_split() { awk '/^RssAnon:/ {a = $2} /^RssFile:/ {f = $2} /^RssShmem:/ {s = $2} END {printf "anon %.1f + file %.1f + shmem %.1f MB", a / 1024, f / 1024, s / 1024}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f MB", k / 1024}'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# start_shiori PORT STDERR_FILE -> sets shiori_pid
start_shiori() {
  local port=$1 errfile=$2 out="$TMP/shiori.$1.out" i
  local args=(serve --demo --db "$TMP/bench.db" --listen "127.0.0.1:$port" --staff-listen 127.0.0.1:0
    --config "$TMP/shiori.toml")
  "$bin" "${args[@]}" >"$out" 2>"$errfile" </dev/null &
  shiori_pid=$!
  pids+=("$shiori_pid")
  for ((i = 0; i < 600; i++)); do  # at most 60 s (first start creates the demo library)
    grep -q 'listening on' "$out" 2>/dev/null && return 0
    kill -0 "$shiori_pid" 2>/dev/null || { cat "$out" "$errfile" >&2 || true; die "shiori exited during start-up"; }
    sleep 0.1
  done
  die "shiori did not print 'listening on' within 60 s"
}

# run_wrk URL CONNS DURATION -> sets w_rps w_p99_ms w_errs w_non2xx w_stall
run_wrk() {
  local url=$1 c=$2 d=$3 out
  out=$(timeout -k 5 $((d + 30)) wrk -t"$THREADS" -c"$c" -d"${d}s" --latency "${wrk_headers[@]}" "$url" 2>&1) || {
    echo "$out" >&2
    die "wrk failed or ran over time against $url"
  }
  w_rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  w_p99_ms=$(awk '$1 == "99%" {
      v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
      printf "%.2f", v * f }' <<<"$out")
  w_errs=$(awk '/Socket errors:/ { n = 0; for (i = 3; i <= NF; i += 2) { x = $(i + 1); gsub(/,/, "", x); n += x } print n }' <<<"$out")
  w_non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  w_errs=${w_errs:-0}
  w_non2xx=${w_non2xx:-0}
  [[ -n $w_rps && -n $w_p99_ms ]] || { echo "$out" >&2; die "cannot parse wrk output"; }
  w_stall=""
  if ((w_errs > 0 || w_non2xx > 0)) || awk -v r="$w_rps" 'BEGIN {exit !(r < 1000)}'; then
    w_stall="STALL"
    ((w_errs > 0)) && w_stall+=" ($w_errs socket errors/timeouts)"
    ((w_non2xx > 0)) && w_stall+=" ($w_non2xx non-2xx)"
    awk -v r="$w_rps" 'BEGIN {exit !(r < 1000)}' && w_stall+=" (<1000 req/s)"
  fi
  return 0
}

fmt_rps() { awk -v r="$1" 'BEGIN {printf "%.0f", r}'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.4f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

load_before=$(load)
cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
[[ -n $cpu_model ]] || cpu_model=$(awk -F': *' '/^(Hardware|cpu model|Model)/ {print $2; exit}' /proc/cpuinfo)
machine="nproc $(nproc), ${cpu_model:-unknown CPU}, Linux $(uname -r)"

# wrk is one client address (127.0.0.1): no per-address limit.
printf '[server]\nconnections_per_address = 0\n' >"$TMP/shiori.toml"
if [[ -n $SHIORI_THREADS ]]; then
  printf 'threads = %s\n' "$SHIORI_THREADS" >>"$TMP/shiori.toml"
fi

# --- shiori --------------------------------------------------------------------
# A first start creates the demo library (Argon2 hashes of the demo passwords);
# it is stopped again so the measured server starts on an existing database, as
# in production.
start_shiori "$(free_port)" "$TMP/create.log"
sleep 0.5
rss_create=$(rss_kb "$shiori_pid")
stop_pid "$shiori_pid"

port=$(free_port)
start_shiori "$port" "$TMP/access.log"
main_pid=$shiori_pid
sleep 0.5  # let start-up allocations settle before the idle reading
rss_idle=$(rss_kb "$main_pid")
split_idle=$(rss_split "$main_pid")

curl -sS --max-time 10 -o "$TMP/body" -D "$TMP/headers" "http://127.0.0.1:$port/" || die "cannot fetch / from shiori"
head -1 "$TMP/headers" | grep -q ' 200' || { cat "$TMP/headers" >&2; die "shiori answered / without 200"; }
body_bytes=$(wc -c <"$TMP/body")
if [[ $GZIP == 1 ]]; then  # shiori's gzip form, for nginx's gzip_static in "file" mode
  curl -sS --max-time 10 -H "Accept-Encoding: gzip" -o "$TMP/body.gz" "http://127.0.0.1:$port/" ||
    die "cannot fetch / from shiori with gzip"
fi

# --- nginx ---------------------------------------------------------------------
port2=$(free_port)
ng="$TMP/nginx"
mkdir -p "$ng/html"
if [[ $NGINX_MODE == return ]] && grep -q '\$' "$TMP/body"; then
  NGINX_MODE=file  # nginx has no escape for '$' in a return string
fi
case $NGINX_LOG in
  file) ng_log="$ng/access.log" ;;
  buffered) ng_log="$ng/access.log combined buffer=16k flush=50ms" ;;  # shiori's policy (gateway/access_log.h)
  *) ng_log=off ;;
esac
if [[ $GZIP == 1 ]]; then
  # text/html is always among gzip_types.
  ng_gzip="gzip on; gzip_comp_level $gzip_level; gzip_vary on; gzip_min_length 0;"
else
  ng_gzip="gzip off;"
fi
sed -e "s|@PREFIX@|$ng|g" -e "s|@PORT@|$port2|g" -e "s|@ACCESS_LOG@|$ng_log|g" -e "s|@GZIP@|$ng_gzip|g" \
  "$here/nginx.conf.in" >"$ng/template.conf"
{
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line == *@BODY_DIRECTIVE@* ]]; then
      if [[ $NGINX_MODE == return ]]; then
        printf "            return 200 '"
        # Inside nginx single quotes only \ and ' need a backslash.
        sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" "$TMP/body"
        printf "';\n"
      else
        printf '            types { }\n            root %s;\n            try_files /index.html =404;\n' "$ng/html"
        if [[ $GZIP == 1 ]]; then printf '            gzip_static on;\n'; fi
      fi
    else
      printf '%s\n' "$line"
    fi
  done <"$ng/template.conf"
} >"$ng/nginx.conf"
cp "$TMP/body" "$ng/html/index.html"
# nginx's worker (nobody when run as root) must reach the file: mktemp made $TMP 0700.
[[ $NGINX_MODE == file ]] && chmod o+x "$TMP"
if [[ $GZIP == 1 ]]; then cp "$TMP/body.gz" "$ng/html/index.html.gz"; fi
timeout 10 nginx -t -q -p "$ng" -c "$ng/nginx.conf" -e "$ng/error.log" || { cat "$ng/error.log" >&2 || true; die "nginx rejected $ng/nginx.conf"; }
nginx -p "$ng" -c "$ng/nginx.conf" -e "$ng/error.log" </dev/null >"$ng/stdout" 2>&1 &
nginx_pid=$!
pids+=("$nginx_pid")
for ((i = 0; i < 100; i++)); do
  curl -s --max-time 2 -o "$ng/body" "http://127.0.0.1:$port2/" 2>/dev/null && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$ng/stdout" "$ng/error.log" >&2 || true; die "nginx exited during start-up"; }
  sleep 0.1
done
[[ -f $ng/body ]] || die "nginx did not answer on 127.0.0.1:$port2 (see $ng/error.log)"
cmp -s "$TMP/body" "$ng/body" || die "nginx does not return the same bytes as shiori (see $ng/nginx.conf)"

# What wrk is sent: with GZIP=1 both must answer gzip, with Vary, inflating to
# the very page; with GZIP=0 both answer plain.
check_answer() {  # check_answer NAME URL
  local name=$1 url=$2 f="$TMP/check.$1"
  curl -sS --max-time 10 "${wrk_headers[@]}" -o "$f.body" -D "$f.headers" "$url" || die "cannot fetch / from $name"
  if [[ $GZIP == 1 ]]; then
    grep -qi '^content-encoding: gzip' "$f.headers" || { cat "$f.headers" >&2; die "$name did not answer gzip"; }
    grep -qi '^vary: accept-encoding' "$f.headers" || { cat "$f.headers" >&2; die "$name sent no Vary: Accept-Encoding"; }
    gzip -dc <"$f.body" >"$f.inflated" || die "$name's gzip body does not inflate"
    cmp -s "$f.inflated" "$TMP/body" || die "$name's gzip body does not inflate to the page"
  else
    ! grep -qi '^content-encoding:' "$f.headers" || { cat "$f.headers" >&2; die "$name answered compressed without being asked"; }
    cmp -s "$f.body" "$TMP/body" || die "$name's plain answer is not the page"
  fi
  wc -c <"$f.body"
}

url1="http://127.0.0.1:$port/"
url2="http://127.0.0.1:$port2/"
sent1=$(check_answer shiori "$url1")
sent2=$(check_answer nginx "$url2")
max_c=$(tr ' ' '\n' <<<"$CONNS" | grep -v '^$' | sort -n | tail -1)

echo "# shiori vs nginx, GET / ($body_bytes bytes)"
echo
if [[ $GZIP == 1 ]]; then
  if [[ $NGINX_MODE == file ]]; then
    echo "- gzip: wrk sends Accept-Encoding: gzip; shiori sends its kept gzip form ($sent1 bytes), nginx the same bytes from index.html.gz (gzip_static, $sent2 bytes); both checked to inflate to the page"
  else
    echo "- gzip: wrk sends Accept-Encoding: gzip; shiori sends its kept gzip form ($sent1 bytes), nginx compresses each answer at gzip_comp_level $gzip_level ($sent2 bytes); both checked to inflate to the page"
  fi
else
  echo "- gzip: off (GZIP=0): no Accept-Encoding, the plain page from both ($sent1 / $sent2 bytes)"
fi
echo "- machine: $machine"
echo "- load average before: $load_before"
echo "- shiori: $bin, threads ${SHIORI_THREADS:-default (one per core)}, access log to a file"
echo "- nginx $(nginx -v 2>&1 | sed 's|.*/||'): 1 worker, body by $([[ $NGINX_MODE == return ]] && echo "'return 200' from its config (memory)" || echo "a static file (page cache)"), access log $(case $NGINX_LOG in file) echo "to a file (unbuffered)" ;; buffered) echo "to a file, buffer=16k flush=50ms" ;; *) echo off ;; esac)"
echo "- wrk: -t$THREADS, ${DURATION}s per run, $ROUNDS rounds, connections: $CONNS"
echo

# Warm-up, not counted: a second each at the highest concurrency.
run_wrk "$url1" "$max_c" 1
run_wrk "$url2" "$max_c" 1

# --- access log cost -------------------------------------------------------------
if [[ $LOG_CHECK == 1 ]]; then
  port3=$(free_port)
  start_shiori "$port3" /dev/null
  nolog_pid=$shiori_pid
  run_wrk "http://127.0.0.1:$port3/" "$max_c" 1
  echo "## Access log cost (shiori, one run each)"
  echo
  echo "| conns | log to file req/s | log to /dev/null req/s | file / null |"
  echo "|---:|---:|---:|---:|"
  for c in $CONNS; do
    run_wrk "$url1" "$c" "$DURATION"
    on=$w_rps on_s=$w_stall
    run_wrk "http://127.0.0.1:$port3/" "$c" "$DURATION"
    off=$w_rps off_s=$w_stall
    printf '| %s | %s%s | %s%s | %s |\n' "$c" "$(fmt_rps "$on")" "${on_s:+ $on_s}" \
      "$(fmt_rps "$off")" "${off_s:+ $off_s}" "$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.2f", a / b}')"
  done
  echo
  stop_pid "$nolog_pid"
fi

# --- rounds ----------------------------------------------------------------------
echo "## Runs"
echo
echo "| round | conns | shiori req/s | shiori p99 | nginx req/s | nginx p99 | shiori / nginx | note |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|"
declare -A ratios s_rps n_rps s_p99 n_p99 stalls
for ((r = 1; r <= ROUNDS; r++)); do
  for c in $CONNS; do
    run_wrk "$url1" "$c" "$DURATION"
    a=$w_rps ap=$w_p99_ms as=$w_stall
    run_wrk "$url2" "$c" "$DURATION"
    b=$w_rps bp=$w_p99_ms bs=$w_stall
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}')
    note=""
    [[ -n $as ]] && note+="shiori $as"
    [[ -n $bs ]] && note+="${note:+; }nginx $bs"
    [[ -n $note ]] && stalls[$c]=$((${stalls[$c]:-0} + 1))
    ratios[$c]+="$ratio "
    s_rps[$c]+="$a "
    n_rps[$c]+="$b "
    s_p99[$c]+="$ap "
    n_p99[$c]+="$bp "
    printf '| %d | %d | %s | %s ms | %s | %s ms | %s | %s |\n' "$r" "$c" "$(fmt_rps "$a")" "$ap" "$(fmt_rps "$b")" "$bp" "$ratio" "$note"
  done
done
echo

rss_after=$(rss_kb "$main_pid")
split_after=$(rss_split "$main_pid")
rss_peak=$(hwm_kb "$main_pid")
load_after=$(load)

# --- summary ---------------------------------------------------------------------
echo "## Summary (medians over $ROUNDS rounds)"
echo
echo "| conns | shiori req/s | shiori p99 | nginx req/s | nginx p99 | shiori / nginx | runs with a stall |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for c in $CONNS; do
  printf '| %d | %s | %.2f ms | %s | %.2f ms | %.2f | %d |\n' "$c" \
    "$(fmt_rps "$(median <<<"${s_rps[$c]}")")" "$(median <<<"${s_p99[$c]}")" \
    "$(fmt_rps "$(median <<<"${n_rps[$c]}")")" "$(median <<<"${n_p99[$c]}")" \
    "$(median <<<"${ratios[$c]}")" "${stalls[$c]:-0}"
done
echo
echo "| shiori memory | VmRSS | of which |"
echo "|---|---:|---|"
echo "| idle, after start-up on the existing database, before any request | $(mb "$rss_idle") | $split_idle |"
echo "| after the load | $(mb "$rss_after") | $split_after |"
echo "| peak (VmHWM) of that process | $(mb "$rss_peak") | |"
echo "| the first start (created the demo library), idle | $(mb "$rss_create") | |"
echo
echo "- command: \`$(env | grep -E '^(DURATION|ROUNDS|CONNS|THREADS|SHIORI_THREADS|NGINX_LOG|NGINX_MODE|LOG_CHECK|GZIP)=' | sort | sed -E 's/^([A-Z_]+)=(.*)$/\1="\2"/' | tr '\n' ' ')bench/http_bench.sh ${1:-}\`"
echo "- wrk: \`wrk -t$THREADS -c<conns> -d${DURATION}s --latency ${wrk_headers[*]:+-H 'Accept-Encoding: gzip' }http://127.0.0.1:<port>/\`"
echo "- machine: $machine"
echo "- load average before: $load_before; after: $load_after"
echo "- shiori access log lines written: $(wc -l <"$TMP/access.log")"
