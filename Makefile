# Entry points for people and CI. CMake + Ninja do the building; see README.md.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all build bootstrap audit check check-minimal check-asan clean fuzz package

all: build

bootstrap:
	scripts/bootstrap

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The Debian package in $(BUILD_DIR) (cpack; layout and units in packaging/CMakeLists.txt).
package: build
	cd $(BUILD_DIR) && cpack -G DEB

# Audit this machine with the shipped policy. Exit 1 (failing checks) is a normal outcome
# of an audit, not a failure of `make`.
audit: bootstrap
	$(MAKE) build
	$(BUILD_DIR)/triad scan; rc=$$?; [ $$rc -le 1 ]

check: bootstrap
	$(MAKE) build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The build without the optional collectors' libraries (every TRIAD_WITH_* option OFF) must
# build and pass its own test suite: left-out collectors are errors, not broken builds.
MINIMAL_BUILD_DIR ?= $(BUILD_DIR)-minimal
check-minimal: bootstrap
	cmake -S . -B $(MINIMAL_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DTRIAD_WITH_SELINUX=OFF -DTRIAD_WITH_ELF=OFF -DTRIAD_WITH_ZLIB=OFF \
	  -DTRIAD_WITH_CRYPTSETUP=OFF -DTRIAD_WITH_OPENSSL=OFF -DTRIAD_WITH_AUDIT=OFF \
	  -DTRIAD_WITH_APT=OFF -DTRIAD_WITH_RPM=OFF -DTRIAD_WITH_NFTABLES=OFF
	cmake --build $(MINIMAL_BUILD_DIR) -j $(JOBS)
	cd $(MINIMAL_BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The whole test suite under AddressSanitizer + UBSan with libstdc++'s assertions
# (_GLIBCXX_ASSERTIONS, which Fedora and Ubuntu builds enable), in its own build dir. Any
# sanitizer report fails the test that triggered it (-fno-sanitize-recover, halt_on_error).
# Slow (about 3x the normal suite); not part of `make check`. Tests excluded under ASan, and
# why, are listed in docs/testing.md; leaks inside third-party libraries (each proved by a
# standalone program) are suppressed in tests/sanitizer/lsan.supp, never triad's own.
ASAN_BUILD_DIR ?= $(BUILD_DIR)-asan
ASAN_EXCLUDE ?= ^fuzz_smoke$$
check-asan: bootstrap
	cmake -S . -B $(ASAN_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRIAD_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
	  -DCMAKE_CXX_FLAGS="-D_GLIBCXX_ASSERTIONS -fno-sanitize-recover=undefined"
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	cd $(ASAN_BUILD_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizer/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -E '$(ASAN_EXCLUDE)'

# Fuzz every parser of untrusted input (libFuzzer, clang, ASan+UBSan; the list is
# tests/fuzz/TARGETS.txt) for FUZZ_SECONDS each, one after the other; each corpus grows in
# $(FUZZ_DIR)/corpus-NAME, seeded from files generated or copied at build time. FUZZ_TARGETS
# picks some ("sshd pam"). A finding stops the run and leaves the input as
# $(FUZZ_DIR)/crash-*, leak-*, timeout-* or oom-*. The policy target links the main build's
# scanner library (the collector table), so the main build comes first.
FUZZ_DIR ?= $(BUILD_DIR)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(shell sed -n 's/^\([a-z][a-z0-9_]*\) .*/\1/p' tests/fuzz/TARGETS.txt)
fuzz: bootstrap
	$(MAKE) build
	cmake -S tests/fuzz -B $(FUZZ_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_DIR)
	set -e; for t in $(FUZZ_TARGETS); do \
	  len=$$(sed -n "s/^$$t //p" tests/fuzz/TARGETS.txt); \
	  seeds=$(FUZZ_DIR)/seeds-$$t; [ $$t = elf ] && seeds=$(FUZZ_DIR)/seeds; [ $$t = luks ] && seeds=$(FUZZ_DIR)/luks/seeds; \
	  mkdir -p $(FUZZ_DIR)/corpus-$$t $$seeds; echo "== $$t"; \
	  $(FUZZ_DIR)/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=$$len -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus-$$t $$seeds; \
	done

clean:
	rm -rf $(BUILD_DIR) $(MINIMAL_BUILD_DIR)
