# hilcap: the two commands a new user runs are `make demo` and `make test`.
# Both install any missing Debian package first (scripts/ensure-deps.sh), then
# configure meson once and rebuild incrementally after that.

JOBS       ?= $(shell nproc)
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
MESON_TEST  = meson test --print-errorlogs --num-processes $(JOBS)
# Sanitizer builds: fail on the first UB report; line tables are enough for
# symbolized stack traces and compile much faster than full debug info.
SANITIZER_ARGS = -fno-sanitize-recover=all -gline-tables-only
# The three test builds are unity builds: each target's sources compile in
# groups of 12 as one source, so that the heavy headers (nlohmann/json, gtest,
# fmt, <regex>) are parsed and their templates instantiated once per group, not
# once per file; this more than halves the compile time. A target whose files
# cannot share a unity source says so (override_options) in its meson.build.
UNITY_ARGS = -Dunity=on -Dunity_size=12
# The gcc tree keeps -O2 (what ships, and the qemu suite's real-time serve) but
# emits line tables only (-g1): backtraces and gdb still name file:line, and
# the libraries compile about 30 % faster than with full -g. For locals in a
# debugger, configure a tree of your own (`meson setup build-debug`).
MAIN_ARGS = -Dcpp_args=-g1 -Dc_args=-g1

.PHONY: all deps build demo test test-main test-asan test-tsan soak fuzz-soak bench format format-check clean

all: build

deps:
	@scripts/ensure-deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(UNITY_ARGS) $(MAIN_ARGS)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD) -j $(JOBS)

# The default scenario (configs/default.json), headless, and its report. Only
# the hilcap executable (and the libraries it links) is built for it: a
# newcomer does not wait for the tests and benchmarks.
# The target is named by its path and type: the shared library libhilcap is
# also called "hilcap", and meson refuses the bare name as ambiguous.
demo: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD) -j $(JOBS) sim/hilcap:executable
	$(BUILD)/sim/hilcap run

# The whole suite, then again under AddressSanitizer + UndefinedBehaviorSanitizer
# (clang, with the libFuzzer targets fuzzing briefly; not the qemu suite, whose
# host under test is the guest kernel), then the concurrency tests under
# ThreadSanitizer. Each phase is timed; the table is printed at the end
# (scripts/timed-phases.sh), the packages' install being the first phase and
# `make demo` the second: CI runs a newcomer's first command too (it once
# failed to build from a fresh clone while every test passed), and the table
# shows how long a fresh clone takes to its first report. Then where the time
# went in each tree: compile CPU, the largest steps, the tests' wall time and
# how much of it ran one test at a time (scripts/build-time-profile.py).
test:
	@scripts/timed-phases.sh "$(MAKE)" deps demo test-main test-asan test-tsan; status=$$?; \
	  echo; scripts/build-time-profile.py $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) || true; exit $$status

test-main: build
	$(MESON_TEST) -C $(BUILD)

$(ASAN_BUILD)/build.ninja: | deps
	CC=clang CXX=clang++ meson setup $(ASAN_BUILD) $(UNITY_ARGS) -Db_sanitize=address,undefined \
	  -Db_lundef=false -Dfuzz=true -Dbench=disabled -Doptimization=1 -Ddebug=false \
	  -Dcpp_args="$(SANITIZER_ARGS)" -Dc_args="$(SANITIZER_ARGS)"

test-asan: deps $(ASAN_BUILD)/build.ninja
	meson compile -C $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MESON_TEST) -C $(ASAN_BUILD) --no-suite hardware --no-suite qemu

$(TSAN_BUILD)/build.ninja: | deps
	CC=clang CXX=clang++ meson setup $(TSAN_BUILD) $(UNITY_ARGS) -Db_sanitize=thread \
	  -Db_lundef=false -Dbench=disabled -Dumockdev=disabled -Dlibusb=disabled \
	  -Doptimization=0 -Ddebug=false -Dcpp_args=-gline-tables-only -Dc_args=-gline-tables-only

# Only what the concurrency suite runs is built under ThreadSanitizer (without
# umockdev the usb suite cannot run there, so libusb is left out as well), at
# -O0: ThreadSanitizer sees the same races there, the suite runs in seconds
# either way, and the libraries compile in 60 % of -O1's time.
test-tsan: deps $(TSAN_BUILD)/build.ninja
	meson compile -C $(TSAN_BUILD) -j $(JOBS) concurrency-tests
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  $(MESON_TEST) -C $(TSAN_BUILD) --no-rebuild --suite concurrency

# Soaks, not part of `make test`: a three-minute isochronous capture from the
# fake camera with bounded memory (tests/usb/iso_soak.sh), and each of the
# four fuzzers (descriptor, payload, probe, scenario) for ten minutes, one
# after the other, in the sanitizer build (tests/fuzz/README.md).
soak: build
	$(MESON_TEST) -C $(BUILD) --suite soak --num-processes 1

fuzz-soak: deps $(ASAN_BUILD)/build.ninja
	meson compile -C $(ASAN_BUILD) -j $(JOBS) tests/fuzz/fuzz-descriptor tests/fuzz/fuzz-payload \
	  tests/fuzz/fuzz-probe tests/fuzz/fuzz-scenario
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  meson test --print-errorlogs --num-processes 1 -C $(ASAN_BUILD) --no-rebuild --suite fuzz-soak

bench: deps
	[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release -Dbench=enabled
	meson compile -C build-bench -j $(JOBS)
	meson test -C build-bench --benchmark --verbose

format:
	git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-bench
