#!/usr/bin/env bash
# shiori set-up: installs the Debian 12 packages a step needs (only those
# missing), builds, and then either starts the demo server or runs the tests.
#
#   ./setup.sh demo   install what building and running needs, build (release),
#                     serve the demo library on 127.0.0.1:8080
#   ./setup.sh test   install that and what the tests and benchmarks need, build
#                     (sanitizers), run the fuzzers and the whole test suite
#   ./setup.sh build  install what building and running needs, build (release)
#                     into build/ and stop: the start of a library's own server
#                     (docs/operations.md, "Starting your library")
#   ./setup.sh deps   install both lists, build nothing
#
# Each long step prints one line as it starts (and the build a line per file
# it compiles); a step with nothing to do prints nothing.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)

# Building and running shiori: the compiler, CMake and the -dev libraries it
# links, and the libraries it opens with dlopen on first use (libyaz5 and
# libxml2 for a MARC import, libcurl4 for mail), which no link pulls in.
DEMO_PACKAGES=(
  build-essential cmake pkg-config ca-certificates
  libmicrohttpd-dev libsqlite3-dev libicu-dev libsodium-dev libcurl4-openssl-dev
  libtomlplusplus-dev libcli11-dev libfmt-dev libyaz-dev libqrencode-dev zlib1g-dev
  libyaz5 libxml2 libcurl4
)

# Testing and measuring it: GoogleTest, clang for the fuzzers, the SMTP sink,
# glibc's charmaps (locales: the CP932 table tests read WINDOWS-31J from it),
# Chromium with Node.js for the browser journey, w3m, zbar for reading the QR
# codes, the benchmarks' peers (nginx, wrk, Google Benchmark, sqlite3), and
# openssl for the self-signed certificate of the HTTPS test (nginx with
# conf/nginx-shiori.conf in front of the server, tests/integration/tls_test.cc).
TEST_PACKAGES=(
  git googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  curl python3 python3-aiosmtpd locales sqlite3
  chromium fonts-ipafont-gothic nodejs npm w3m zbar-tools
  wrk nginx-light openssl
)

log() { printf 'setup: %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

# A package whose command is already there from elsewhere counts as present:
# a newer nodejs from another source bundles npm and conflicts with Debian's.
provided() {
  case $1 in
    nodejs) command -v node >/dev/null ;;
    npm) command -v npm >/dev/null ;;
    *) return 1 ;;
  esac
}

install_missing() {  # install_missing PACKAGE...
  local missing=() p out
  for p in "$@"; do
    provided "$p" && continue
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    fail "missing packages: ${missing[*]}; run as root or install them with apt-get"
  fi
  export DEBIAN_FRONTEND=noninteractive
  out=$(mktemp)
  log "updating the package lists (apt-get update)"
  apt-get update -qq >"$out" 2>&1 || { cat "$out" >&2; rm -f "$out"; fail "apt-get update failed"; }
  log "installing ${#missing[@]} packages: ${missing[*]}"
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$out" 2>&1; then
    tail -n 30 "$out" >&2
    rm -f "$out"
    fail "apt-get install failed"
  fi
  rm -f "$out"
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
  log "installing the browser tests' npm packages (npm ci in tests/browser)"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$sum" >"$dir/node_modules/.lock-sha256"
}

# build DIR LABEL [cmake configure args...] [-- cmake --build args...]
# Prints one line per file compiled ("setup: build-test [ 42%] db/search.cc")
# and per program linked, nothing when all is up to date; the whole output is
# in DIR/build.log, and its end is shown when the build fails.
build() {
  local dir=$1 label=$2
  shift 2
  local configure=() targets=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do configure+=("$1"); shift; done
  [ $# -gt 0 ] && shift && targets=("$@")
  mkdir -p "$dir"
  local logfile="$dir/build.log"
  if ! cmake -S "$ROOT" -B "$dir" "${configure[@]}" >"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2
    fail "configuring $label failed (log: $logfile)"
  fi
  if ! cmake --build "$dir" -j "$(nproc)" "${targets[@]}" -- --no-print-directory 2>&1 |
      tee -a "$logfile" |
      awk -v label="$label" '
        /^\[ *[0-9]+%\] Building (CXX|C) object / {
          pct = substr($0, 1, index($0, "]"))
          obj = $NF; sub(/\.o$/, "", obj); sub(/CMakeFiles\/[^\/]*\.dir\//, "", obj)
          printf "setup: %s %s %s\n", label, pct, obj > "/dev/stderr"; fflush("/dev/stderr")
        }
        /^\[ *[0-9]+%\] Linking / {
          pct = substr($0, 1, index($0, "]"))
          printf "setup: %s %s linking %s\n", label, pct, $NF > "/dev/stderr"; fflush("/dev/stderr")
        }'; then
    grep -E -B2 -A8 'error|Error' "$logfile" | tail -n 60 >&2 || tail -n 60 "$logfile" >&2
    fail "building $label failed (log: $logfile)"
  fi
}

case "${1:-}" in
  deps)
    install_missing "${DEMO_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ;;
  build)
    install_missing "${DEMO_PACKAGES[@]}"
    build "$ROOT/build" build -DCMAKE_BUILD_TYPE=Release -DSHIORI_TESTS=OFF
    log "built $ROOT/build/gateway/shiori"
    ;;
  demo)
    install_missing "${DEMO_PACKAGES[@]}"
    build "$ROOT/build" build -DCMAKE_BUILD_TYPE=Release -DSHIORI_TESTS=OFF
    log "starting the demo on http://127.0.0.1:8080/ (Ctrl-C stops it)"
    exec "$ROOT/build/gateway/shiori" serve --config "$ROOT/conf/shiori.toml" \
      --db "$ROOT/build/demo.db" --listen 127.0.0.1:8080 --demo
    ;;
  test)
    install_missing "${DEMO_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    browser_deps
    build "$ROOT/build-test" build-test -DCMAKE_BUILD_TYPE=Debug -DSHIORI_SANITIZE=ON -DSHIORI_TESTS=ON
    # The fuzzers first (tests/fuzz/targets.txt, 20 s each), then every
    # test; the closing summary is ctest's.
    read -r -a fuzz_targets < <("$ROOT/tests/fuzz/run.sh" --list)
    CC=clang-14 CXX=clang++-14 build "$ROOT/build-fuzz" build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DSHIORI_TESTS=OFF -DSHIORI_FUZZ=ON -- --target "${fuzz_targets[@]}"
    FUZZ_BUILD="$ROOT/build-fuzz" FUZZ_BUILT=1 "$ROOT/tests/fuzz/run.sh"
    log "running the tests (ctest; each line is one test)"
    cd "$ROOT/build-test"
    exec ctest --output-on-failure --timeout 600 -j "$(nproc)"
    ;;
  *)
    echo "usage: ./setup.sh demo|test|build|deps" >&2
    exit 2
    ;;
esac
