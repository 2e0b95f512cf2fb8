#!/usr/bin/env bash
# build.sh — build wasyncio.
#
#   ./build.sh                 build what is out of date: the native library,
#                              tests and examples (plain and ASan+UBSan), the
#                              wasm runtime (dist/) and wasm tests, and the
#                              WASI builds (build/wasi/)
#   ./build.sh web             only what the demo pages need (npm start)
#   ./build.sh deps [browser]  only check (and, as root with apt, install) the
#                              toolchain; `browser` adds Chromium for e2e tests
#   ./build.sh cc FILE.c... -o OUT [emcc flags]
#                              compile your own C with the runtime into
#                              OUT.mjs + OUT.wasm, loadable by the JS bindings
#   ./build.sh clean           remove build/ and dist/
#
# Environment: CC (native compiler, default gcc or clang), JOBS (parallel
# compiles, default: number of cores), WASYNCIO_FORCE=1 (rebuild everything),
# WASYNCIO_DEBUG=1 (wasm objects with debug info and assertions, for
# `build.sh cc`), WASYNCIO_STACK_CHECK=0 (wasm without per-frame C stack
# checks: only to measure what they cost).
set -euo pipefail
CALLER_PWD=$(pwd)
cd "$(dirname "$0")"
ROOT=$(pwd)

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
APT_BUILD=(emscripten binaryen clang lld wasi-libc libclang-rt-14-dev-wasm32 gcc libc6-dev)
APT_BROWSER=(chromium)

ensure_tools() {
  local want_browser=${1:-}
  local missing=()
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

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
# newer OUT IN...: true if OUT is missing or older than any input
newer() {
  local out=$1; shift
  [ "${WASYNCIO_FORCE:-0}" = 1 ] && return 0
  [ -e "$out" ] || return 0
  local f
  for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
  return 1
}

# Every runtime/src/*.c except the coroutine backends (one per target).
RUNTIME_C=()
for f in runtime/src/*.c; do
  case "$f" in */coro_*) ;; *) RUNTIME_C+=("$(basename "${f%.c}")") ;; esac
done
HEADERS=(runtime/include/wasyncio.h runtime/src/*.h)
CFLAGS_COMMON=(-std=c11 -Wall -Wextra -Werror -Iruntime/include -Iruntime/src)
TEST_C=(tests/c/*.c)

native_cc() { if [ -n "${CC:-}" ]; then echo "$CC"; elif have gcc; then echo gcc; else echo clang; fi; }

# compile_set DIR CC FLAGS... -- SOURCES...: objects into DIR, in parallel
compile_set() {
  local dir=$1 cc=$2; shift 2
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  mkdir -p "$dir"
  local pids=() src obj n=0
  for src in "$@"; do
    obj="$dir/$(basename "${src%.*}").o"
    if newer "$obj" "$src" "${HEADERS[@]}" build.sh; then
      "$cc" "${flags[@]}" -c "$src" -o "$obj" &
      pids+=($!)
      n=$((n + 1))
      if [ $((n % JOBS)) -eq 0 ]; then for p in "${pids[@]}"; do wait "$p" || exit 1; done; pids=(); fi
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || exit 1; done
}

objs_of() { local dir=$1; shift; local s; for s in "$@"; do printf '%s ' "$dir/$(basename "${s%.*}").o"; done; }

# ---------------------------------------------------------------------------
# Native: library, tests, examples, benchmarks
# ---------------------------------------------------------------------------
# Resolve every symbol at load time: glibc's lazy PLT binding runs
# _dl_runtime_resolve_xsavec on the caller's stack, which saves the whole
# XSAVE area (1-2.5 KB) there - on a small coroutine stack that jumps past
# the stack canary and silently corrupts the heap.
NATIVE_LDFLAGS=(-Wl,-z,now)
native_variant() { # NAME CFLAGS...
  local name=$1; shift
  local cc; cc=$(native_cc)
  local dir=build/$name
  local srcs=()
  for f in "${RUNTIME_C[@]}"; do srcs+=("runtime/src/$f.c"); done
  srcs+=(runtime/src/coro_native.c runtime/host/native/*.c)
  if [ "$(uname -m)" = x86_64 ]; then srcs+=(runtime/src/coro_switch_x86_64.S); fi
  compile_set "$dir/obj" "$cc" "${CFLAGS_COMMON[@]}" "$@" -- "${srcs[@]}"
  local objs; objs=$(objs_of "$dir/obj" "${srcs[@]}")
  # shellcheck disable=SC2086
  if newer "$dir/libwasyncio.a" $objs; then rm -f "$dir/libwasyncio.a"; ar rcs "$dir/libwasyncio.a" $objs; fi
  compile_set "$dir/tobj" "$cc" "${CFLAGS_COMMON[@]}" -Itests/c "$@" -- "${TEST_C[@]}"
  local tobjs; tobjs=$(objs_of "$dir/tobj" "${TEST_C[@]}")
  # shellcheck disable=SC2086
  if newer "$dir/wasyncio_tests" $tobjs "$dir/libwasyncio.a"; then
    "$cc" "$@" "${NATIVE_LDFLAGS[@]}" -o "$dir/wasyncio_tests" $tobjs "$dir/libwasyncio.a" -lm
  fi
  local ex
  for ex in runtime/examples/*.c bench/c/*.c tests/c/programs/*.c; do
    [ -e "$ex" ] || continue
    local out="$dir/$(basename "${ex%.c}")"
    if newer "$out" "$ex" "$dir/libwasyncio.a"; then
      "$cc" "${CFLAGS_COMMON[@]}" "$@" "${NATIVE_LDFLAGS[@]}" -o "$out" "$ex" "$dir/libwasyncio.a" -lm
    fi
  done
}

# -fstack-clash-protection: a frame bigger than a page touches each page on
# the way down, so it faults in the guard page below a task's stack instead
# of jumping over it into other memory (coro_native.c then names the task).
# Code of your own that runs in tasks needs it too.
NATIVE_STACK_FLAGS=(-fstack-clash-protection)
build_native() {
  log "native ($(native_cc)): library, tests, examples"
  native_variant native -O2 -g "${NATIVE_STACK_FLAGS[@]}"
  log "native ASan+UBSan: tests"
  native_variant native-asan -O1 -g -fno-omit-frame-pointer "${NATIVE_STACK_FLAGS[@]}" \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined
}

# ---------------------------------------------------------------------------
# wasm (Emscripten): runtime objects, then modules linked with Asyncify
# ---------------------------------------------------------------------------
WASM_OBJ=build/wasm/obj
EMCFLAGS=("${CFLAGS_COMMON[@]}" -O2)
EMLINK_DEBUG=()
# WASYNCIO_DEBUG=1: objects with debug info and a glue with assertions, in
# build/wasm-debug. (Every build checks each C stack frame against the
# running task's stack: runtime/host/stack_check.mjs.)
if [ "${WASYNCIO_DEBUG:-0}" = 1 ]; then
  WASM_OBJ=build/wasm-debug/obj
  EMCFLAGS+=(-g2)
  EMLINK_DEBUG=(-sASSERTIONS=1)
fi

# stack_checked IN.wasm OUT [--handler NAME]: per-frame stack checks (an
# overflowing frame stops before it writes); OUT is text for the next
# wasm-opt. WASYNCIO_STACK_CHECK=0 skips them (only to measure their cost:
# an overflow then corrupts memory silently).
stack_checked() {
  local in=$1 out=$2; shift 2
  if [ "${WASYNCIO_STACK_CHECK:-1}" = 0 ]; then cp "$in" "$out"; return; fi
  node runtime/host/stack_check.mjs "$in" "$out" "$@"
}
JSLIBS=(runtime/host/emscripten/library_*.js)
# Exports the JS host and bindings call (besides EMSCRIPTEN_KEEPALIVE ones).
EXPORTED_RUNTIME=UTF8ToString,stringToUTF8,lengthBytesUTF8

wasm_runtime_objs() {
  local srcs=()
  for f in "${RUNTIME_C[@]}"; do srcs+=("runtime/src/$f.c"); done
  srcs+=(runtime/src/coro_asyncify.c runtime/host/emscripten/*.c)
  compile_set "$WASM_OBJ" emcc "${EMCFLAGS[@]}" -- "${srcs[@]}"
  if newer "$WASM_OBJ/sp.o" runtime/src/sp.S; then emcc -c runtime/src/sp.S -o "$WASM_OBJ/sp.o"; fi
  WASM_RUNTIME_OBJS="$(objs_of "$WASM_OBJ" "${srcs[@]}") $WASM_OBJ/sp.o"
}

# Functions Asyncify must leave alone: the resume function (an unwind stops
# there, see coro_asyncify.c) and the scheduler code that only ever runs on
# the main stack, never between a coroutine's entry and its yield —
# instrumenting them would only slow every callback and step down.
ASYNCIFY_REMOVE="wa__coro_resume_impl,wa_run_once,wa__host_turn,wa__task_step,task_wakeup,task_timer_fired,run_slot,run_cb_inline"

# wasm_link OUT_BASE OBJS... -- EXTRA_EMCC_FLAGS...
# Links with emcc (names kept for the pass), then runs Asyncify with the
# scheduler's resume function left uninstrumented (coro_asyncify.c), then
# optimises (-O4: +15-20% coroutine switches over -O2 for +1.5% size) and
# strips names.
wasm_link() {
  local out=$1; shift
  local objs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do objs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  mkdir -p "$(dirname "$out")"
  local jsl=()
  for l in "${JSLIBS[@]}"; do jsl+=(--js-library "$l"); done
  emcc -O2 --profiling-funcs "${objs[@]}" -o "$out.mjs" "${jsl[@]}" \
    -sMODULARIZE -sEXPORT_ES6 -sENVIRONMENT=web,worker -sALLOW_MEMORY_GROWTH \
    -sTOTAL_STACK=1MB "${EMLINK_DEBUG[@]}" \
    -sEXPORTED_RUNTIME_METHODS="$EXPORTED_RUNTIME" "$@"
  stack_checked "$out.wasm" "$out.checked.wat" --handler wa__stack_overflow
  wasm-opt "$out.checked.wat" --asyncify --pass-arg=asyncify-ignore-imports \
    --pass-arg=asyncify-removelist@"$ASYNCIFY_REMOVE" -O4 --strip-debug -o "$out.wasm"
  rm -f "$out.checked.wat"
}

# Link jobs run in the background, JOBS at a time (each is emcc + wasm-opt).
LINK_PIDS=()
link_bg() {
  "$@" &
  LINK_PIDS+=($!)
  if [ ${#LINK_PIDS[@]} -ge "$JOBS" ]; then wait_links; fi
}
wait_links() {
  local p
  for p in "${LINK_PIDS[@]}"; do wait "$p" || exit 1; done
  LINK_PIDS=()
}

# compile_link BASE SRC EXTRA_CFLAGS -- LINK_FLAGS...: one C file + the runtime
compile_link() {
  local base=$1 src=$2 cflags=$3; shift 3
  [ "${1:-}" = -- ] && shift
  # shellcheck disable=SC2086
  emcc "${EMCFLAGS[@]}" $cflags -c "$src" -o "$base.o"
  # shellcheck disable=SC2086
  wasm_link "$base" "$base.o" $WASM_RUNTIME_OBJS -- "$@"
}

# build_wasm [web]: `web` builds only what the demo pages need (npm start)
build_wasm() {
  local only=${1:-}
  local what="runtime, tests, examples"
  [ -n "$only" ] && what="runtime and demos"
  log "wasm (emcc $(emcc --version 2>/dev/null | head -1 | sed 's/.*) //')): $what"
  wasm_runtime_objs
  # shellcheck disable=SC2086
  local deps=($WASM_RUNTIME_OBJS "${JSLIBS[@]}" build.sh)
  if newer dist/wasyncio.wasm "${deps[@]}"; then
    # shellcheck disable=SC2086
    link_bg wasm_link dist/wasyncio $WASM_RUNTIME_OBJS -- -sEXPORT_NAME=createWasyncioModule --no-entry
  fi
  local ex base
  # Demo modules (no main): the pages in web/demos/ load them with
  # Runtime.create({ module: '/wasm/demos/NAME.mjs' }).
  mkdir -p build/wasm/demos build/wasm/modules
  for ex in web/demos/c/*.c; do
    [ -e "$ex" ] || continue
    base=build/wasm/demos/$(basename "${ex%.c}")
    if newer "$base.wasm" "$ex" web/demos/c/*.h "${deps[@]}"; then
      link_bg compile_link "$base" "$ex" -Iweb/demos/c -- --no-entry
    fi
  done
  # Examples, benchmarks and test programs (with main)
  local progs=(runtime/examples/*.c)
  [ -z "$only" ] && progs+=(bench/c/*.c tests/c/programs/*.c)
  for ex in "${progs[@]}"; do
    [ -e "$ex" ] || continue
    base=build/wasm/$(basename "${ex%.c}")
    if newer "$base.wasm" "$ex" "${deps[@]}"; then link_bg compile_link "$base" "$ex" ""; fi
  done
  if [ -z "$only" ]; then
    compile_set build/wasm/tobj emcc "${EMCFLAGS[@]}" -Itests/c -- "${TEST_C[@]}"
    local tobjs; tobjs=$(objs_of build/wasm/tobj "${TEST_C[@]}")
    # shellcheck disable=SC2086
    if newer build/wasm/wasyncio_tests.wasm $tobjs "${deps[@]}"; then
      # shellcheck disable=SC2086
      link_bg wasm_link build/wasm/wasyncio_tests $tobjs $WASM_RUNTIME_OBJS -- -sEXIT_RUNTIME=0
    fi
    # Test modules (no main): C coroutines and jobs the JS tests load with
    # Runtime.create({ module: 'build/wasm/modules/NAME.mjs' })
    for ex in tests/c/modules/*.c; do
      [ -e "$ex" ] || continue
      base=build/wasm/modules/$(basename "${ex%.c}")
      if newer "$base.wasm" "$ex" "${deps[@]}"; then link_bg compile_link "$base" "$ex" "" -- --no-entry; fi
    done
  fi
  wait_links
}

# ---------------------------------------------------------------------------
# WASI (wasmtime, wasmer, node:wasi): clang + wasi-libc, Asyncify after link.
# Compiled with -O2 but linked without -O (clang would run wasm-opt itself and
# strip the names the Asyncify lists need).
# ---------------------------------------------------------------------------
WASI_CFLAGS=(--target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi "${CFLAGS_COMMON[@]}" -O2)

wasi_link() { # OUT OBJS...
  local out=$1; shift
  clang --target=wasm32-wasi --sysroot=/usr -L/usr/lib/wasm32-wasi "$@" -o "$out.tmp.wasm"
  # no JS here: an overflowing frame traps (unreachable)
  WASYNCIO_STACK_CHECK=1 stack_checked "$out.tmp.wasm" "$out.checked.wat"
  wasm-opt "$out.checked.wat" --asyncify --pass-arg=asyncify-ignore-imports \
    --pass-arg=asyncify-removelist@"$ASYNCIFY_REMOVE" -O4 --strip-debug -o "$out" 2>&1 |
    grep -v 'non-existing function name' >&2 || true
  rm -f "$out.tmp.wasm" "$out.checked.wat"
}

build_wasi() {
  if [ ! -f /usr/include/wasm32-wasi/stdio.h ] || ! have clang; then
    log "WASI: skipped (needs clang and Debian's wasi-libc)"
    return 0
  fi
  log "WASI (clang $(clang --version | head -1 | sed 's/.*version //;s/ .*//')): runtime, tests, examples"
  local srcs=()
  for f in "${RUNTIME_C[@]}"; do srcs+=("runtime/src/$f.c"); done
  srcs+=(runtime/src/coro_asyncify.c runtime/host/native/*.c)
  compile_set build/wasi/obj clang "${WASI_CFLAGS[@]}" -- "${srcs[@]}"
  if newer build/wasi/obj/sp.o runtime/src/sp.S; then clang --target=wasm32-wasi -c runtime/src/sp.S -o build/wasi/obj/sp.o; fi
  local objs; objs="$(objs_of build/wasi/obj "${srcs[@]}") build/wasi/obj/sp.o"
  compile_set build/wasi/tobj clang "${WASI_CFLAGS[@]}" -Itests/c -- "${TEST_C[@]}"
  local tobjs; tobjs=$(objs_of build/wasi/tobj "${TEST_C[@]}")
  # shellcheck disable=SC2086
  if newer build/wasi/wasyncio_tests.wasm $tobjs $objs; then wasi_link build/wasi/wasyncio_tests.wasm $tobjs $objs; fi
  local ex
  for ex in runtime/examples/three_tasks.c bench/c/bench_core.c tests/c/programs/timer_edges.c tests/c/programs/overflow.c; do
    local base; base=build/wasi/$(basename "${ex%.c}")
    if newer "$base.wasm" "$ex" $objs; then
      clang "${WASI_CFLAGS[@]}" -c "$ex" -o "$base.o"
      # shellcheck disable=SC2086
      wasi_link "$base.wasm" "$base.o" $objs
    fi
  done
}

# ---------------------------------------------------------------------------
# The npm package's entry points: bindings/ bundled and minified into
# dist/wasyncio.js and dist/worker.js (next to the runtime, so their relative
# URLs still resolve). One file loads faster (Node and browsers) and weighs
# a third gzipped. Needs esbuild (a dev dependency); `strict` fails without.
# ---------------------------------------------------------------------------
bundle_js() {
  local esbuild=node_modules/.bin/esbuild
  if [ ! -x "$esbuild" ]; then
    [ "${1:-}" = strict ] && die "esbuild is missing: run npm ci"
    log "bundle: skipped (no esbuild; run npm ci) — the sources in bindings/ work as they are"
    return 0
  fi
  if newer dist/wasyncio.js bindings/*.js build.sh || newer dist/worker.js bindings/*.js build.sh; then
    log "bundle: dist/wasyncio.js, dist/worker.js"
    local common=(--bundle --format=esm --platform=neutral --minify --sourcemap --external:'node:*' --log-level=warning)
    "$esbuild" bindings/index.js "${common[@]}" --outfile=dist/wasyncio.js
    "$esbuild" bindings/worker.js "${common[@]}" --outfile=dist/worker.js
  fi
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
  ensure_tools
  wasm_runtime_objs
  local objs=() s
  mkdir -p "$(dirname "$out")"
  for s in "${srcs[@]}"; do
    local o; o="$out.$(basename "${s%.c}").o"
    emcc "${EMCFLAGS[@]}" "${extra[@]}" -c "$s" -o "$o"
    objs+=("$o")
  done
  # shellcheck disable=SC2086
  wasm_link "$out" "${objs[@]}" $WASM_RUNTIME_OBJS -- "${extra[@]}"
  rm -f "${objs[@]}"
  log "built $out.mjs + $out.wasm"
}

case "${1:-all}" in
  all)
    ensure_tools
    build_native
    build_wasm
    build_wasi
    bundle_js
    log "done"
    ;;
  bundle) bundle_js strict ;;
  wasi) ensure_tools; build_wasi ;;
  native) ensure_tools; build_native ;;
  wasm) ensure_tools; build_wasm; bundle_js ;;
  web) ensure_tools; build_wasm web; bundle_js ;;
  deps)
    ensure_tools "${2:-}"
    # The browser tests need playwright-core (a dev dependency, no download).
    if [ "${2:-}" = browser ] && [ ! -d node_modules/playwright-core ]; then
      log "installing npm dev dependencies (npm ci)"
      npm ci --no-audit --no-fund >/dev/null
    fi
    ;;
  cc) shift; user_cc "$@" ;;
  clean) rm -rf build dist ;;
  *) die "unknown command '$1' (all | native | wasm | web | wasi | bundle | deps [browser] | cc | clean)" ;;
esac
