# Makefile — the wasyncio build (GNU make). `build.sh` is the front door: it
# checks (or installs) the toolchain, sets up emcc's environment, then runs
# `make -j$(nproc) TARGET`. Running make directly works too once that is done.
#
#   make [all]     native, wasm, wasi, bundle
#   make native    native library, tests, examples, benchmarks: plain
#                  (build/native) and ASan+UBSan (build/native-asan)
#   make wasm      the runtime (dist/wasyncio.mjs/.wasm), wasm tests, test
#                  modules (build/wasm/modules), demo modules
#                  (build/wasm/demos), examples and benchmarks (build/wasm)
#   make web       what the demo pages need (npm start): runtime, demos,
#                  examples, bundle
#   make wasi      WASI builds (build/wasi), if clang and wasi-libc are there
#   make bundle    dist/wasyncio.js, dist/worker.js (esbuild)
#   make constants bindings/constants.js (C constants and struct layouts for JS)
#   make cc CC_SRCS='a.c b.c' CC_OUT=/abs/out [CC_FLAGS='emcc flags']
#                  your C with the runtime into OUT.mjs + OUT.wasm
#   make clean
#
# Variables: CC (native compiler; default gcc, else clang), EMCC, WASM_OPT,
# WASYNCIO_DEBUG=1 (wasm objects in build/wasm-debug with debug info, a glue
# with assertions), WASYNCIO_STACK_CHECK=0 (wasm without the per-frame C
# stack checks: only to measure their cost), V=1 (print whole commands).
#
# Dependencies are tracked per object (-MMD -MP depfiles); each toolchain's
# flags are kept in a config file, so changing them rebuilds what they built.

.SUFFIXES:
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-builtin-variables
.DEFAULT_GOAL := all

B := build
say = $(if $(V),,@printf '  %-7s %s\n' '$1' '$2';)

# ---------------------------------------------------------------------------
# Tools and flags
# ---------------------------------------------------------------------------
ifneq ($(filter default undefined,$(origin CC)),)
CC := $(if $(shell command -v gcc),gcc,clang)
endif
EMCC ?= emcc
# Debian's emcc needs node-acorn from /usr/share/nodejs, where a Nodesource
# node does not look (build.sh sets this too).
ifeq ($(findstring /usr/share/nodejs,$(NODE_PATH)),)
export NODE_PATH := /usr/share/nodejs$(if $(NODE_PATH),:$(NODE_PATH))
endif
WASM_OPT ?= wasm-opt
CLANG ?= clang
ESBUILD ?= node_modules/.bin/esbuild
NODE ?= node

CFLAGS_COMMON := -std=c11 -Wall -Wextra -Werror -Iruntime/include -Iruntime/src
DEPFLAGS := -MMD -MP

# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------
# Every runtime/src/*.c except the coroutine backends (one per target).
RUNTIME_SRCS := $(filter-out runtime/src/coro_%,$(wildcard runtime/src/*.c))
TEST_SRCS := $(wildcard tests/c/*.c)
# Programs with main(): examples, benchmarks, test programs.
EXAMPLE_SRCS := $(wildcard runtime/examples/*.c)
PROGRAM_SRCS := $(EXAMPLE_SRCS) $(wildcard bench/c/*.c tests/c/programs/*.c)
# Modules without main() that JS loads with Runtime.create({ module }).
DEMO_SRCS := $(wildcard web/demos/c/*.c)
MODULE_SRCS := $(wildcard tests/c/modules/*.c)

name = $(basename $(notdir $1))

# A file holding a configuration (tools and flags), rewritten when make
# starts only if the configuration changed: what depends on it is rebuilt
# exactly then. $(eval $(call config,FILE,VARIABLE_NAME))
# Compared with whitespace collapsed: an empty variable between flags must
# not make two environments (a shell, an npm script) disagree and rebuild.
define config
ifneq ($$(strip $$(file <$1)),$$(strip $$($2)))
$$(shell mkdir -p $(dir $1))
$$(file >$1,$$(strip $$($2)))
endif
endef
FORCE:
.PHONY: FORCE

# Objects keep their source path under the variant's obj/ directory.
# $(call objs,OBJDIR,SOURCES)
objs = $(patsubst %,$1/%.o,$(basename $2))

# ---------------------------------------------------------------------------
# Native: library, tests, examples, benchmarks (plain and ASan+UBSan)
# ---------------------------------------------------------------------------
# Resolve every symbol at load time: glibc's lazy PLT binding runs
# _dl_runtime_resolve_xsavec on the caller's stack, which saves the whole
# XSAVE area (1-2.5 KB) there - on a small coroutine stack that jumps past
# the stack canary and silently corrupts the heap.
NATIVE_LDFLAGS := -Wl,-z,now
NATIVE_LIB_SRCS := $(RUNTIME_SRCS) runtime/src/coro_native.c $(wildcard runtime/host/native/*.c) \
  $(if $(filter x86_64,$(shell uname -m)),runtime/src/coro_switch_x86_64.S)

# $(call native_variant,NAME): flags in NAME_FLAGS, outputs in build/NAME
define native_variant
$1_DIR := $(B)/$1
$1_LIB_OBJS := $$(call objs,$$($1_DIR)/obj,$(NATIVE_LIB_SRCS))
$1_TEST_OBJS := $$(call objs,$$($1_DIR)/obj,$(TEST_SRCS))
$1_PROGS := $$(foreach s,$(PROGRAM_SRCS),$$($1_DIR)/$$(call name,$$s))
$1_OUTPUTS := $$($1_DIR)/libwasyncio.a $$($1_DIR)/wasyncio_tests $$($1_PROGS)
$1_CONFIG := $(CC) $$($1_FLAGS) $(CFLAGS_COMMON) $(NATIVE_LDFLAGS)
ALL_OBJS += $$($1_LIB_OBJS) $$($1_TEST_OBJS) $$(call objs,$$($1_DIR)/obj,$(PROGRAM_SRCS))

$$(eval $$(call config,$$($1_DIR)/config,$1_CONFIG))

$$($1_DIR)/obj/%.o: %.c $$($1_DIR)/config
	$$(call say,CC,$$@)mkdir -p $$(@D) && $(CC) $(CFLAGS_COMMON) $$($1_FLAGS) $$(NATIVE_EXTRA) $(DEPFLAGS) -c $$< -o $$@
$$($1_DIR)/obj/%.o: %.S $$($1_DIR)/config
	$$(call say,AS,$$@)mkdir -p $$(@D) && $(CC) $(CFLAGS_COMMON) $$($1_FLAGS) $(DEPFLAGS) -c $$< -o $$@
$$($1_TEST_OBJS): NATIVE_EXTRA := -Itests/c

$$($1_DIR)/libwasyncio.a: $$($1_LIB_OBJS)
	$$(call say,AR,$$@)rm -f $$@ && ar rcs $$@ $$^
$$($1_DIR)/wasyncio_tests: $$($1_TEST_OBJS) $$($1_DIR)/libwasyncio.a
	$$(call say,LD,$$@)$(CC) $$($1_FLAGS) $(NATIVE_LDFLAGS) -o $$@ $$^ -lm
$$(foreach s,$(PROGRAM_SRCS),$$(eval $$(call native_program,$1,$$s)))
endef

# $(call native_program,VARIANT,SOURCE)
define native_program
$$($1_DIR)/$$(call name,$2): $$(call objs,$$($1_DIR)/obj,$2) $$($1_DIR)/libwasyncio.a
	$$(call say,LD,$$@)$(CC) $$($1_FLAGS) $(NATIVE_LDFLAGS) -o $$@ $$^ -lm
endef

# -fstack-clash-protection: a frame bigger than a page touches each page on
# the way down, so it faults in the guard page below a task's stack instead
# of jumping over it into other memory (coro_native.c then names the task).
# Code of your own that runs in tasks needs it too.
NATIVE_STACK_FLAGS := -fstack-clash-protection
native_FLAGS := -O2 -g $(NATIVE_STACK_FLAGS)
native-asan_FLAGS := -O1 -g -fno-omit-frame-pointer $(NATIVE_STACK_FLAGS) -fsanitize=address,undefined -fno-sanitize-recover=undefined
$(eval $(call native_variant,native))
$(eval $(call native_variant,native-asan))

native: $(native_OUTPUTS) $(native-asan_OUTPUTS)
	@:
.PHONY: native

# libFuzzer target (clang; with ASan and UBSan): random sequences of C API
# calls (tests/fuzz/api_fuzz.c). `make fuzz` builds it; `npm run fuzz` runs
# it for FUZZ_SECONDS (600) on the corpus in build/fuzz/corpus; npm test
# runs it briefly (tests/js/fuzz.test.mjs).
FUZZ_CC := $(shell command -v clang-14 || command -v clang)
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer $(NATIVE_STACK_FLAGS) \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(B)/fuzz/api_fuzz: tests/fuzz/api_fuzz.c $(NATIVE_LIB_SRCS) $(wildcard runtime/src/*.h runtime/include/*.h runtime/include/wasyncio/*.h)
	$(call say,FUZZ,$@)mkdir -p $(@D) && $(FUZZ_CC) $(CFLAGS_COMMON) $(FUZZ_FLAGS) $(NATIVE_LDFLAGS) $(filter %.c %.S,$^) -lm -o $@
fuzz: $(B)/fuzz/api_fuzz
.PHONY: fuzz

# ---------------------------------------------------------------------------
# Asyncify: the functions it must leave alone
# ---------------------------------------------------------------------------
# Functions marked WA_NOT_ASYNCIFIED in the runtime's sources (see
# internal.h): the marker must start the line of the function's definition,
# and the name is taken from that line. A marker the collector cannot read,
# two marked functions with one name, or a marked function missing from a
# linked module (see asyncify below) fails the build.
# $(call not_asyncified,OUT,SOURCES)
define not_asyncified
$1: $2
	$$(call say,GEN,$$@)mkdir -p $$(@D) && awk ' \
	  /WA_NOT_ASYNCIFIED/ && !/^[ \t]*(\*|\/\*|\/\/|#)/ { \
	    s = $$$$0; \
	    if (s !~ /^(WA_[A-Z_]+[ \t]+)*WA_NOT_ASYNCIFIED[ \t]/ || s !~ /\(/) { \
	      printf "%s:%d: WA_NOT_ASYNCIFIED must start the line that defines the function\n", FILENAME, FNR > "/dev/stderr"; \
	      bad = 1; next } \
	    sub(/\(.*/, "", s); sub(/[ \t]+$$$$/, "", s); n = split(s, w, /[^A-Za-z0-9_]+/); \
	    print w[n], FILENAME ":" FNR } \
	  END { exit bad }' $$^ > $$@.tmp && \
	LC_ALL=C sort -o $$@.tmp $$@.tmp && \
	dup=$$$$(cut -d' ' -f1 $$@.tmp | uniq -d) && \
	if [ -n "$$$$dup" ]; then echo "error: more than one function marked WA_NOT_ASYNCIFIED is named" $$$$dup >&2; exit 1; fi && \
	if [ ! -s $$@.tmp ]; then echo "error: no function is marked WA_NOT_ASYNCIFIED in the runtime sources" >&2; exit 1; fi && \
	mv $$@.tmp $$@
endef

# $(call asyncify,IN.wasm,OUT.wasm,NAMES_FILE): check that every name in
# NAMES_FILE is a function of the linked module (linked with its names kept),
# then run Asyncify leaving those uninstrumented, optimise (-O4: +15-20%
# coroutine switches over -O2 for +1.5% size) and strip the names.
define asyncify
$(WASM_OPT) $1 --print-function-map 2>/dev/null | sed 's/^[0-9]*://' | LC_ALL=C sort -u > $2.funcs && \
missing=$$(cut -d' ' -f1 $3 | LC_ALL=C comm -23 - $2.funcs) && rm -f $2.funcs && \
if [ -n "$$missing" ]; then \
  for f in $$missing; do \
    echo "error: $$(grep "^$$f " $3 | cut -d' ' -f2): $$f is marked WA_NOT_ASYNCIFIED but $2 has no function of that name (renamed? the marker must start the line that defines it)" >&2; \
  done; exit 1; fi && \
$(WASM_OPT) $1 --asyncify --pass-arg=asyncify-ignore-imports \
  --pass-arg=asyncify-removelist@$$(cut -d' ' -f1 $3 | paste -sd, -) -O4 --strip-debug -o $2
endef

# ---------------------------------------------------------------------------
# wasm (Emscripten): runtime objects, then modules linked with Asyncify
# ---------------------------------------------------------------------------
EMCFLAGS := $(CFLAGS_COMMON) -O2
EMLINK_DEBUG :=
WASM_DIR := $(B)/wasm
# WASYNCIO_DEBUG=1: objects with debug info and a glue with assertions, in
# build/wasm-debug. (Every build checks each C stack frame against the
# running task's stack: see stack_check below.)
ifeq ($(WASYNCIO_DEBUG),1)
WASM_DIR := $(B)/wasm-debug
EMCFLAGS += -g2
EMLINK_DEBUG := -sASSERTIONS=1
endif

# $(call stack_check,IN.wasm,OUT.wat,OPTIONS): per-frame C stack checks (a
# frame that would leave the running task's stack stops before it writes;
# runtime/host/stack_check.mjs); OUT is text for the next wasm-opt.
# WASYNCIO_STACK_CHECK=0 copies instead: only to measure what the checks
# cost (an overflow then corrupts memory silently).
STACK_CHECK_TOOL := runtime/host/stack_check.mjs
define stack_check
$(if $(filter 0,$(WASYNCIO_STACK_CHECK)),cp $1 $2,$(NODE) $(STACK_CHECK_TOOL) $1 $2 $3)
endef
JSLIBS := $(wildcard runtime/host/emscripten/library_*.js)
# Exports the JS host and bindings call (besides EMSCRIPTEN_KEEPALIVE ones).
EXPORTED_RUNTIME := UTF8ToString,stringToUTF8,lengthBytesUTF8
WASM_LINK_FLAGS := -sMODULARIZE -sEXPORT_ES6 -sENVIRONMENT=web,worker -sALLOW_MEMORY_GROWTH \
  -sTOTAL_STACK=1MB $(EMLINK_DEBUG) -sEXPORTED_RUNTIME_METHODS=$(EXPORTED_RUNTIME)

WASM_RT_SRCS := $(RUNTIME_SRCS) runtime/src/coro_asyncify.c $(wildcard runtime/host/emscripten/*.c)
WASM_OBJ := $(WASM_DIR)/obj
WASM_RT_OBJS := $(call objs,$(WASM_OBJ),$(WASM_RT_SRCS) runtime/src/sp.S)
WASM_CONFIG := $(WASM_DIR)/config
WASM_NOT_ASYNCIFIED := $(WASM_DIR)/not-asyncified.txt
ALL_OBJS += $(WASM_RT_OBJS) $(call objs,$(WASM_OBJ),$(TEST_SRCS) $(PROGRAM_SRCS) $(DEMO_SRCS) $(MODULE_SRCS))

WASM_CONFIG_TEXT := $(EMCC) $(EMCFLAGS) $(WASM_LINK_FLAGS) stack-check=$(WASYNCIO_STACK_CHECK)
$(eval $(call config,$(WASM_CONFIG),WASM_CONFIG_TEXT))
$(eval $(call not_asyncified,$(WASM_NOT_ASYNCIFIED),$(WASM_RT_SRCS)))

$(WASM_OBJ)/%.o: %.c $(WASM_CONFIG)
	$(call say,EMCC,$@)mkdir -p $(@D) && $(EMCC) $(EMCFLAGS) $(WASM_EXTRA) $(DEPFLAGS) -c $< -o $@
$(WASM_OBJ)/%.o: %.S $(WASM_CONFIG)
	$(call say,EMCC,$@)mkdir -p $(@D) && $(EMCC) $(DEPFLAGS) -c $< -o $@
$(call objs,$(WASM_OBJ),$(TEST_SRCS)): WASM_EXTRA := -Itests/c
$(call objs,$(WASM_OBJ),$(DEMO_SRCS)): WASM_EXTRA := -Iweb/demos/c

# Links with emcc (names kept for the passes), adds the stack checks (an
# overflow calls the JS host's wa__stack_overflow, which names the task),
# then Asyncify (see above).
# $(call wasm_link,OUT_BASE,OBJS,EXTRA_EMCC_FLAGS)
define wasm_link
$(call say,LINK,$1.wasm)mkdir -p $(dir $1) && \
$(EMCC) -O2 --profiling-funcs $2 -o $1.mjs $(JSLIBS:%=--js-library %) $(WASM_LINK_FLAGS) $3 && \
$(call stack_check,$1.wasm,$1.checked.wat,--handler wa__stack_overflow) && \
$(call asyncify,$1.checked.wat,$1.wasm,$(WASM_NOT_ASYNCIFIED)) && rm -f $1.checked.wat
endef
WASM_LINK_DEPS := $(WASM_RT_OBJS) $(JSLIBS) $(WASM_CONFIG) $(WASM_NOT_ASYNCIFIED) $(STACK_CHECK_TOOL)

# $(call wasm_module,OUT_BASE,SOURCE,EXTRA_EMCC_FLAGS): one C file + the runtime
define wasm_module
$1.mjs $1.wasm &: $(call objs,$(WASM_OBJ),$2) $(WASM_LINK_DEPS)
	$$(call wasm_link,$1,$(call objs,$(WASM_OBJ),$2) $(WASM_RT_OBJS),$3)
endef

dist/wasyncio.mjs dist/wasyncio.wasm &: $(WASM_LINK_DEPS)
	$(call wasm_link,dist/wasyncio,$(WASM_RT_OBJS),-sEXPORT_NAME=createWasyncioModule --no-entry)

WASM_TEST_OBJS := $(call objs,$(WASM_OBJ),$(TEST_SRCS))
$(B)/wasm/wasyncio_tests.mjs $(B)/wasm/wasyncio_tests.wasm &: $(WASM_TEST_OBJS) $(WASM_LINK_DEPS)
	$(call wasm_link,$(B)/wasm/wasyncio_tests,$(WASM_TEST_OBJS) $(WASM_RT_OBJS),-sEXIT_RUNTIME=0)

# Demo modules (no main): the pages in web/demos/ load them with
# Runtime.create({ module: '/wasm/demos/NAME.mjs' }).
$(foreach s,$(DEMO_SRCS),$(eval $(call wasm_module,$(B)/wasm/demos/$(call name,$s),$s,--no-entry)))
# Test modules (no main): C coroutines and jobs the JS tests load with
# Runtime.create({ module: 'build/wasm/modules/NAME.mjs' }).
$(foreach s,$(MODULE_SRCS),$(eval $(call wasm_module,$(B)/wasm/modules/$(call name,$s),$s,--no-entry)))
# Examples, benchmarks and test programs (with main).
$(foreach s,$(PROGRAM_SRCS),$(eval $(call wasm_module,$(B)/wasm/$(call name,$s),$s,)))

wasm_outputs = $(foreach s,$1,$2/$(call name,$s).wasm)
WEB_OUTPUTS := dist/wasyncio.wasm $(call wasm_outputs,$(DEMO_SRCS),$(B)/wasm/demos) \
  $(call wasm_outputs,$(EXAMPLE_SRCS),$(B)/wasm)
WASM_OUTPUTS := $(WEB_OUTPUTS) $(B)/wasm/wasyncio_tests.wasm \
  $(call wasm_outputs,$(MODULE_SRCS),$(B)/wasm/modules) $(call wasm_outputs,$(PROGRAM_SRCS),$(B)/wasm)

wasm: $(WASM_OUTPUTS) constants
	@:
web: $(WEB_OUTPUTS) bundle
	@:
.PHONY: wasm web

# ---------------------------------------------------------------------------
# WASI (wasmtime, wasmer, node:wasi): clang + wasi-libc, Asyncify after link.
# Compiled with -O2 but linked without -O (clang would run wasm-opt itself and
# strip the names the Asyncify lists need).
# ---------------------------------------------------------------------------
WASI_SYSROOT := --target=wasm32-wasi --sysroot=/usr
WASI_CFLAGS := $(WASI_SYSROOT) -isystem /usr/include/wasm32-wasi $(CFLAGS_COMMON) -O2
WASI_RT_SRCS := $(RUNTIME_SRCS) runtime/src/coro_asyncify.c $(wildcard runtime/host/native/*.c)
WASI_RT_OBJS := $(call objs,$(B)/wasi/obj,$(WASI_RT_SRCS) runtime/src/sp.S)
WASI_TEST_OBJS := $(call objs,$(B)/wasi/obj,$(TEST_SRCS))
WASI_PROGRAM_SRCS := $(wildcard runtime/examples/three_tasks.c bench/c/bench_core.c \
  tests/c/programs/timer_edges.c tests/c/programs/overflow.c)
ALL_OBJS += $(WASI_RT_OBJS) $(WASI_TEST_OBJS) $(call objs,$(B)/wasi/obj,$(WASI_PROGRAM_SRCS))

WASI_CONFIG_TEXT := $(CLANG) $(WASI_CFLAGS)
$(eval $(call config,$(B)/wasi/config,WASI_CONFIG_TEXT))
$(eval $(call not_asyncified,$(B)/wasi/not-asyncified.txt,$(WASI_RT_SRCS)))

$(B)/wasi/obj/%.o: %.c $(B)/wasi/config
	$(call say,CC,$@)mkdir -p $(@D) && $(CLANG) $(WASI_CFLAGS) $(WASI_EXTRA) $(DEPFLAGS) -c $< -o $@
$(B)/wasi/obj/%.o: %.S $(B)/wasi/config
	$(call say,AS,$@)mkdir -p $(@D) && $(CLANG) --target=wasm32-wasi $(DEPFLAGS) -c $< -o $@
$(WASI_TEST_OBJS): WASI_EXTRA := -Itests/c

# $(call wasi_link,OUT,OBJS): with the stack checks (always: the runtime
# needs its limits import rewritten); no JS here, an overflowing frame traps.
define wasi_link
$(call say,LINK,$1)$(CLANG) $(WASI_SYSROOT) -L/usr/lib/wasm32-wasi $2 -o $1.tmp.wasm && \
$(NODE) $(STACK_CHECK_TOOL) $1.tmp.wasm $1.checked.wat && \
$(call asyncify,$1.checked.wat,$1,$(B)/wasi/not-asyncified.txt); st=$$?; rm -f $1.tmp.wasm $1.checked.wat; exit $$st
endef
WASI_LINK_DEPS := $(WASI_RT_OBJS) $(B)/wasi/config $(B)/wasi/not-asyncified.txt $(STACK_CHECK_TOOL)

$(B)/wasi/wasyncio_tests.wasm: $(WASI_TEST_OBJS) $(WASI_LINK_DEPS)
	$(call wasi_link,$@,$(WASI_TEST_OBJS) $(WASI_RT_OBJS))
$(foreach s,$(WASI_PROGRAM_SRCS),$(eval \
  $(B)/wasi/$(call name,$s).wasm: $(call objs,$(B)/wasi/obj,$s) $(WASI_LINK_DEPS)))
$(foreach s,$(WASI_PROGRAM_SRCS),$(B)/wasi/$(call name,$s).wasm):
	$(call wasi_link,$@,$< $(WASI_RT_OBJS))

ifneq ($(and $(wildcard /usr/include/wasm32-wasi/stdio.h),$(shell command -v $(CLANG))),)
wasi: $(B)/wasi/wasyncio_tests.wasm $(foreach s,$(WASI_PROGRAM_SRCS),$(B)/wasi/$(call name,$s).wasm)
	@:
else
wasi:
	@echo '[build] WASI: skipped (needs clang and Debian'"'"'s wasi-libc)' >&2
endif
.PHONY: wasi

# ---------------------------------------------------------------------------
# Constants for JS: bindings/constants.js, generated from the headers
# ---------------------------------------------------------------------------
# tools/constants.c prints the constants and struct layouts the JS bindings
# need; it is built for wasm32 (the layout JS reads) as a standalone WASI
# program and run by node. The constants' names are read from the headers.
PUBLIC_HEADERS := runtime/include/wasyncio.h $(wildcard runtime/include/wasyncio/*.h)

# (The npm package ships bindings/constants.js and not the generator.)
ifneq ($(wildcard tools/constants.c),)
$(B)/constants/names.h: $(PUBLIC_HEADERS)
	$(call say,GEN,$@)mkdir -p $(@D) && sed -nE \
	  -e 's/^[ \t]+(WA_[A-Z0-9_]+)[ \t]*=.*/CONST(\1)/p' \
	  -e 's/^#define[ \t]+(WA_[A-Z0-9_]+)[ \t]+[0-9].*/CONST(\1)/p' $^ > $@
$(B)/constants/constants.o: tools/constants.c $(B)/constants/names.h $(WASM_CONFIG)
	$(call say,EMCC,$@)$(EMCC) $(CFLAGS_COMMON) -I$(B)/constants $(DEPFLAGS) -c $< -o $@
$(B)/constants/constants.wasm: $(B)/constants/constants.o
	$(call say,LINK,$@)$(EMCC) $< -sSTANDALONE_WASM -o $@
bindings/constants.js: $(B)/constants/constants.wasm
	$(call say,GEN,$@)$(NODE) runtime/host/wasi/run-node.mjs $< > $@.tmp && mv $@.tmp $@
ALL_OBJS += $(B)/constants/constants.o
endif

constants: bindings/constants.js
	@:
.PHONY: constants

# ---------------------------------------------------------------------------
# The npm package's entry points: bindings/ bundled into one file per
# platform, next to the runtime (so their relative URLs still resolve):
# dist/wasyncio.node.js + dist/worker.node.js for Node (`#platform` resolved
# with the "node" condition), dist/wasyncio.js + dist/worker.js for browsers
# without a bundler (no `node:*` import in them). Bundlers get bindings/
# itself (package.json "exports"): they resolve `#platform`, tree-shake per
# module and emit the assets named by `new URL(…, import.meta.url)`. The glue
# (dist/wasyncio.mjs) stays a separate, lazily imported file. The browser
# bundles drop whitespace and comments (a page downloads them: 83 -> 57 KiB
# gzipped) but never rename: the names users read (classes in errors, stack
# traces, console.log) stay the source's, and the source map points back at
# bindings/. The Node bundles are left as written. Needs esbuild (a dev
# dependency); BUNDLE_STRICT=1 fails without it.
# ---------------------------------------------------------------------------
BINDINGS := $(sort $(wildcard bindings/*.js) bindings/constants.js)
ESBUILD_FLAGS := --bundle --format=esm --keep-names --sourcemap \
  --external:../dist/wasyncio.mjs --log-level=warning
ESBUILD_WEB := $(ESBUILD_FLAGS) --platform=neutral --minify-whitespace --minify-syntax
ESBUILD_NODE := $(ESBUILD_FLAGS) --platform=node --external:'node:*'

dist/wasyncio.js: bindings/index.js $(BINDINGS)
	$(call say,BUNDLE,$@)$(ESBUILD) $< $(ESBUILD_WEB) --outfile=$@
dist/worker.js: bindings/worker.js $(BINDINGS)
	$(call say,BUNDLE,$@)$(ESBUILD) $< $(ESBUILD_WEB) --outfile=$@
dist/wasyncio.node.js: bindings/index.js $(BINDINGS)
	$(call say,BUNDLE,$@)$(ESBUILD) $< $(ESBUILD_NODE) --outfile=$@
dist/worker.node.js: bindings/worker.js $(BINDINGS)
	$(call say,BUNDLE,$@)$(ESBUILD) $< $(ESBUILD_NODE) --outfile=$@

ifneq ($(wildcard $(ESBUILD)),)
bundle: dist/wasyncio.js dist/worker.js dist/wasyncio.node.js dist/worker.node.js
	@:
else ifeq ($(BUNDLE_STRICT),1)
bundle:
	@echo '[build] error: esbuild is missing: run npm ci' >&2; exit 1
else
bundle: constants
	@echo '[build] bundle: skipped (no esbuild; run npm ci) - the sources in bindings/ work as they are' >&2
endif
.PHONY: bundle

# ---------------------------------------------------------------------------
# Your own C with the runtime (build.sh cc): CC_SRCS, CC_OUT (absolute
# paths, no spaces), CC_FLAGS (emcc flags for compiling and linking).
# Always rebuilt; the objects are removed after the link.
# ---------------------------------------------------------------------------
CC_OBJS := $(foreach s,$(CC_SRCS),$(CC_OUT).$(call name,$s).o)
define user_object
$(CC_OUT).$(call name,$1).o: $1 $(WASM_CONFIG) FORCE
	$$(call say,EMCC,$$@)mkdir -p $$(@D) && $(EMCC) $(EMCFLAGS) $(CC_FLAGS) -c $$< -o $$@
endef
$(foreach s,$(CC_SRCS),$(eval $(call user_object,$s)))

cc: $(CC_OBJS) $(WASM_LINK_DEPS)
	@[ -n '$(CC_SRCS)' ] && [ -n '$(CC_OUT)' ] || { echo 'usage: make cc CC_SRCS=... CC_OUT=... [CC_FLAGS=...]' >&2; exit 1; }
	$(call wasm_link,$(CC_OUT),$(CC_OBJS) $(WASM_RT_OBJS),$(CC_FLAGS)); st=$$?; rm -f $(CC_OBJS); exit $$st
.PHONY: cc

# ---------------------------------------------------------------------------
all: native wasm wasi bundle
	@:
clean:
	rm -rf $(B) dist $(if $(wildcard tools/constants.c),bindings/constants.js)
.PHONY: all clean

# Depfiles: read if there, never remade.
%.d: ;
-include $(ALL_OBJS:.o=.d)
