#!/bin/sh
# Runs every test against the build in $1: unit tests (ctest), then the
# API tests (Node's test runner) against the real server binary.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
# Sanitizer builds: any report fails the run; h2o's own exit-time pools are suppressed.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
echo "== unit tests"
ctest --test-dir "$build" --output-on-failure
echo "== API tests"
YUNWEI_BIN="$PWD/$build/yunwei" node --test --test-concurrency=2 tests/api/
echo "== browser tests"
YUNWEI_BIN="$PWD/$build/yunwei" node --test --test-concurrency=2 tests/e2e/
