#!/bin/sh
# Runs every test against the build in $1: unit tests (ctest), then the
# API tests (Node's test runner) against the real server binary.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."

# In a sanitizer build any report must fail the run, in the unit tests and
# in every server and CLI process the API tests start (they inherit the
# environment). Reports go to files in $san_dir as well as aborting the
# process, because an API test that stops its server in after() does not
# look at the exit status: whatever lands in $san_dir fails the run.
# Harmless for an ordinary build.
san_dir=$(mktemp -d "${TMPDIR:-/tmp}/yunwei-san.XXXXXX")
trap 'rm -rf "$san_dir"' EXIT
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:check_initialization_order=1:log_path=$san_dir/asan}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:log_path=$san_dir/ubsan}
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp:print_suppressions=0}
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

rc=0
echo "== unit tests"
ctest --test-dir "$build" --output-on-failure || rc=1
echo "== API tests"
YUNWEI_BIN="$PWD/$build/yunwei" node --test --test-concurrency=2 tests/api/ || rc=1
echo "== browser tests"
YUNWEI_BIN="$PWD/$build/yunwei" node --test --test-concurrency=2 tests/e2e/ || rc=1
for f in "$san_dir"/*; do
	[ -e "$f" ] || continue
	echo "== sanitizer report $f" >&2
	cat "$f" >&2
	rc=1
done
exit $rc
