# Entry points for people and CI. CMake + Ninja do the building; see README.md.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all build bootstrap audit check clean

all: build

bootstrap:
	scripts/bootstrap

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Audit this machine with the shipped policy. Exit 1 (failing checks) is a normal outcome
# of an audit, not a failure of `make`.
audit: bootstrap
	$(MAKE) build
	$(BUILD_DIR)/triad scan; rc=$$?; [ $$rc -le 1 ]

check: bootstrap
	$(MAKE) build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
