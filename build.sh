#!/usr/bin/env bash
# build.sh — build wasyncio: checks (and, as root with apt, installs) the
# toolchain, sets up emcc's environment, then runs make (see Makefile).
#
#   ./build.sh                 build what is out of date: the native library,
#                              tests and examples (plain and ASan+UBSan), the
#                              wasm runtime (dist/) and wasm tests, the WASI
#                              builds (build/wasi/) and the JS bundle
#   ./build.sh web             only what the demo pages need (npm start)
#   ./build.sh native | wasm | wasi | bundle
#                              one part (wasm includes the bundle)
#   ./build.sh deps [browser]  only check (and, as root with apt, install) the
#                              toolchain; `browser` adds Chromium for e2e tests
#   ./build.sh cc FILE.c... -o OUT [emcc flags]
#                              compile your own C with the runtime into
#                              OUT.mjs + OUT.wasm, loadable by the JS bindings
#   ./build.sh clean           remove build/ and dist/
#
# Environment: CC (native compiler, default gcc or clang), JOBS (parallel
# jobs, default: number of cores), WASYNCIO_FORCE=1 (rebuild everything),
# WASYNCIO_DEBUG=1 (wasm objects with debug info and assertions, for
# `build.sh cc`), WASYNCIO_STACK_CHECK=0 (wasm without the per-frame C stack
# checks: only to measure their cost), V=1 (show whole commands).
set -euo pipefail
CALLER_PWD=$(pwd)
cd "$(dirname "$0")"

# Debian's emcc needs node-acorn from /usr/share/nodejs, where a Nodesource
# node does not look.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
# Non-root users cannot write Debian's emscripten cache.
if [ ! -w /usr/share/emscripten/cache ] 2>/dev/null && [ -z "${EM_CACHE:-}" ]; then
  export EM_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/emscripten"
  if [ ! -d "$EM_CACHE" ] && [ -d /usr/share/emscripten/cache ]; then
    mkdir -p "$(dirname "$EM_CACHE")" && cp -r /usr/share/emscripten/cache "$EM_CACHE"
  fi
fi

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
log() { printf '\033[1m[build]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[build] error:\033[0m %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------
# Toolchain
# ---------------------------------------------------------------------------
APT_BUILD=(make emscripten binaryen clang lld wasi-libc libclang-rt-14-dev-wasm32 gcc libc6-dev)
APT_BROWSER=(chromium)

ensure_tools() {
  local want_browser=${1:-}
  local missing=()
  have make || missing+=(make)
  have gcc || have clang || missing+=(gcc libc6-dev)
  have emcc || missing+=(emscripten)
  have wasm-opt || missing+=(binaryen)
  have node || die "node is required (Node 18 or newer)"
  [ -d /usr/share/nodejs/acorn ] || [ -d /usr/lib/nodejs/acorn ] || ! have emcc || missing+=(node-acorn)
  if [ -n "$want_browser" ] && [ ! -x /usr/bin/chromium ]; then missing+=("${APT_BROWSER[@]}"); fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && have apt-get; then
    log "installing missing Debian packages: ${missing[*]} (and the rest of the toolchain)"
    local pkgs=("${missing[@]}")
    for p in "${APT_BUILD[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || pkgs+=("$p"); done
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null || die "apt-get install ${pkgs[*]} failed"
  else
    die "missing tools. Install them with:
    sudo apt-get install ${APT_BUILD[*]}${want_browser:+ ${APT_BROWSER[*]}}
(Debian 12 packages; emscripten 3.1.6 and binaryen 108 are known to work)"
  fi
}

# make TARGET... [VAR=value...], in parallel
run_make() {
  local flags=(--no-print-directory -j"$JOBS")
  [ "${WASYNCIO_FORCE:-0}" = 1 ] && flags+=(-B)
  make "${flags[@]}" "$@"
}

# ./build.sh cc FILE.c... -o OUT [emcc flags]
user_cc() {
  local srcs=() out="" extra=()
  abs() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$CALLER_PWD" "$1" ;; esac; }
  while [ $# -gt 0 ]; do
    case "$1" in
      -o) out=$(abs "$2"); shift 2 ;;
      *.c) srcs+=("$(abs "$1")"); shift ;;
      -I*) extra+=("-I$(abs "${1#-I}")"); shift ;;
      *) extra+=("$1"); shift ;;
    esac
  done
  [ ${#srcs[@]} -gt 0 ] && [ -n "$out" ] || die "usage: ./build.sh cc FILE.c... -o OUT [emcc flags]"
  local a
  for a in "${srcs[@]}" "$out" "${extra[@]}"; do
    case "$a" in *[[:space:]]*) die "cc: paths and flags cannot contain spaces (make cannot handle them): '$a'" ;; esac
  done
  ensure_tools
  run_make cc CC_SRCS="${srcs[*]}" CC_OUT="$out" CC_FLAGS="${extra[*]}"
  log "built $out.mjs + $out.wasm"
}

case "${1:-all}" in
  all) ensure_tools; run_make all; log "done" ;;
  native | wasi | web) ensure_tools; run_make "$1" ;;
  wasm) ensure_tools; run_make wasm bundle ;;
  bundle) run_make bundle BUNDLE_STRICT=1 ;;
  deps)
    ensure_tools "${2:-}"
    # The browser tests need playwright-core (a dev dependency, no download).
    if [ "${2:-}" = browser ] && [ ! -d node_modules/playwright-core ]; then
      log "installing npm dev dependencies (npm ci)"
      npm ci --no-audit --no-fund >/dev/null
    fi
    ;;
  cc) shift; user_cc "$@" ;;
  clean) run_make clean ;;
  *) die "unknown command '$1' (all | native | wasm | web | wasi | bundle | deps [browser] | cc | clean)" ;;
esac
