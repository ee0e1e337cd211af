# Convenience wrapper around CMake. `make check` does all set-up on a fresh
# Debian machine: installs missing packages, configures, builds, runs every test.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
PLEX_WERROR ?= OFF

.PHONY: all deps build check regen check-asan check-clang check-valgrind lint bench fuzz install demo clean format \
	format-check deb

all: build

deps:
	@scripts/install-deps.sh build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DPLEX_WERROR=$(PLEX_WERROR) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
check-asan:
	@$(MAKE) --no-print-directory check BUILD=build-asan CMAKE_FLAGS="-DPLEX_SANITIZER=address -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)"

# The whole suite built by clang/clang++ with warnings as errors (configured
# every time, so an old build-clang cache cannot turn -Werror off).
check-clang:
	@scripts/install-deps.sh clang
	cmake -S . -B build-clang -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DPLEX_WERROR=ON $(CMAKE_FLAGS)
	cmake --build build-clang -j $(JOBS)
	cd build-clang && ctest --output-on-failure -j $(JOBS)

# clang-tidy 14 and cppcheck 2.10 over src/ (lib, cli, sim); any finding fails.
# Configuration: .clang-tidy and scripts/cppcheck-suppressions.txt.
lint:
	@scripts/install-deps.sh lint
	JOBS=$(JOBS) scripts/lint.sh

# The suite under valgrind memcheck (ctest -T memcheck).
check-valgrind: build
	cd $(BUILD) && ctest -T memcheck --output-on-failure -j $(JOBS) -L memcheck

bench:
	@scripts/install-deps.sh bench
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DPLEX_BUILD_BENCHMARKS=ON -DPLEX_BUILD_TESTS=OFF $(CMAKE_FLAGS)
	cmake --build build-bench -j $(JOBS)
	bench/run.sh build-bench

FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-deps.sh fuzz
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLEX_BUILD_FUZZERS=ON -DPLEX_BUILD_TESTS=OFF -DPLEX_BUILD_CLI=OFF -DPLEX_BUILD_EXAMPLES=OFF
	cmake --build build-fuzz -j $(JOBS)
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# Sign in against the bundled plex.tv emulator: installs what is missing,
# builds, runs the real `plex login` screen, then `plex whoami`.
demo:
	@BUILD="$(BUILD)" JOBS="$(JOBS)" PLEX_WERROR="$(PLEX_WERROR)" CMAKE_FLAGS="$(CMAKE_FLAGS)" scripts/demo.sh

install: build
	cmake --install $(BUILD)

# Debian packages libplex0, libplex-dev, plex and plexsim of HEAD, into build-deb/
# (installs the packaging tools and build dependencies; docs/packaging.md).
# DEB_BUILD_OPTIONS=nocheck skips the test suite inside the package build.
deb:
	JOBS=$(JOBS) scripts/deb-build.sh

# Regenerate the model code from src/lib/*/*.model (scripts/modelgen.py);
# ctest's models_in_sync fails when a generated file is stale.
regen:
	python3 scripts/modelgen.py

# Every C file but the generated ones (scripts/modelgen.py writes those; ctest
# models_in_sync keeps them as it writes them).
FORMATTED = $$(git ls-files '*.c' '*.h' | grep -v -e '\.gen\.[ch]$$' -e '^include/plex/[a-z]*/models\.h$$')

format:
	clang-format -i $(FORMATTED)

# clang-format 14 with the committed .clang-format; any difference fails (CI).
format-check:
	@scripts/install-deps.sh lint
	clang-format --dry-run --Werror $(FORMATTED)

clean:
	rm -rf build build-asan build-bench build-clang build-deb build-fuzz build-lint
