# SPDX-License-Identifier: Apache-2.0
# Two commands do all set-up on a fresh Debian machine:
#   make run   -- install missing packages, build, start nedbd (make demo: the quickstart)
#   make test  -- install missing packages, build, run the whole test suite (CTest),
#                 then the sanitizer (ASan+UBSan) build of the suite, then the fuzzers
JOBS ?= $(shell nproc)
# The main build is Release (what users build), the sanitizer build Debug, the
# fuzz build RelWithDebInfo with clang. Warnings are errors here and in CI
# (NEDB_WERROR defaults OFF for a user's own cmake build).
BUILD_TYPE ?= Release
WERROR ?= ON
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz

.PHONY: all deps build run test test-fast test-asan fuzz bench format install clean demo

all: build

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DNEDB_WERROR=$(WERROR)
	cmake --build $(BUILD) -j $(JOBS)

# nedbd with its defaults (NEDBD_HOST/PORT/DATA/TOKEN apply; docs/SERVER.md).
run: build
	$(BUILD)/server/nedbd

# The C++ quickstart (examples/quickstart.cc) against ./mydata.
demo: build
	$(BUILD)/examples/quickstart ./mydata

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNEDB_SANITIZE=ON -DNEDB_BUILD_BENCH=OFF \
	  -DNEDB_WERROR=$(WERROR)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	# LargeInputsAreFast bounds parse time (meaningless under the sanitizers); install_test
	# links an uninstrumented consumer against the library.
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -E 'LargeInputsAreFast|install_test'

# libFuzzer targets (clang, ASan + UBSan), FUZZ_SECONDS each (60 in CI).
fuzz: deps
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} FUZZ_CMAKE_ARGS="-DNEDB_WERROR=$(WERROR) $${FUZZ_CMAKE_ARGS:-}" \
	  ./scripts/run-fuzz.sh

test: test-fast test-asan fuzz

bench: build
	./bench/run.sh

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
