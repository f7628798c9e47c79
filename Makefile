# Entry points for people and CI. CMake + Ninja do the building; see README.md.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all build bootstrap audit check check-minimal clean fuzz fuzz-packages package

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

# Fuzz the ELF reader (libFuzzer, clang, ASan+UBSan) for FUZZ_SECONDS; the corpus grows in
# $(FUZZ_DIR)/corpus, seeded from files generated at build time.
FUZZ_DIR ?= $(BUILD_DIR)/fuzz
FUZZ_SECONDS ?= 60
fuzz: bootstrap
	cmake -S tests/fuzz -B $(FUZZ_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_DIR)
	mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/elf_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds

# The same for the package-database parsers and the CVE feed reader (issue 11), FUZZ_SECONDS each.
fuzz-packages: bootstrap
	cmake -S tests/fuzz -B $(FUZZ_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_DIR) --target packages_fuzz cve_fuzz
	for t in packages cve; do mkdir -p $(FUZZ_DIR)/$$t-corpus && \
	  $(FUZZ_DIR)/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	    $(FUZZ_DIR)/$$t-corpus $(FUZZ_DIR)/$$t-seeds || exit 1; done

clean:
	rm -rf $(BUILD_DIR) $(MINIMAL_BUILD_DIR)
