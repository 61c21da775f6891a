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
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  curl python3 python3-aiosmtpd
  clang-14 libclang-rt-14-dev
  wrk nginx-light
)

log() { printf 'setup: %s\n' "$*" >&2; }

install_missing() {
  local missing=()
  local p
  for p in "${PACKAGES[@]}"; do
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
