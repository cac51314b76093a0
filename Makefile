# The commands people type. The build itself is CMake + Ninja.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
DB ?= var/yunwei.db
LISTEN ?= 127.0.0.1:8080
N ?= 100000

.PHONY: all build deps run test test-unit test-api test-asan fuzz bench clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD)

# Builds, creates the database with demo data on first run, and serves.
run: build
	@if [ ! -f $(DB) ]; then $(BUILD)/yunwei init --db $(DB) --demo; fi
	$(BUILD)/yunwei serve --db $(DB) --listen $(LISTEN)

test: build
	@scripts/test.sh $(BUILD)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DYW_SANITIZE=ON
	ninja -C $(ASAN_BUILD)
	scripts/test.sh $(ASAN_BUILD)

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DYW_FUZZ=ON
	ninja -C $(FUZZ_BUILD)
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@scripts/bench.sh $(BUILD) $(N)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
