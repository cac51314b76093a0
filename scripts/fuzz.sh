#!/bin/sh
# Runs every libFuzzer target in BUILD (default build-fuzz) for SECONDS
# each (default 20) on a scratch copy of its seed corpus under
# fuzz/corpus/<target>/, and fails on the first crash, leak, sanitizer
# report or timeout. The crashing input is kept in fuzz/artifacts/.
#
#	scripts/fuzz.sh build-fuzz 60
set -eu
build=${1:-build-fuzz}
seconds=${2:-20}
cd "$(dirname "$0")/.."

found=0
work=$(mktemp -d "${TMPDIR:-/tmp}/yunwei-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p fuzz/artifacts
for bin in "$build"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	found=$((found + 1))
	mkdir -p "$work/$name"
	if [ -d "fuzz/corpus/$name" ]; then
		cp fuzz/corpus/"$name"/* "$work/$name"/
	fi
	echo "== $name for ${seconds}s ($(ls "$work/$name" | wc -l) seeds)"
	# halt_on_error: UBSan findings abort like ASan's; the fuzzer's own
	# flags set the time and memory limits for one input.
	if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	     ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	     "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	            -max_len=8192 -print_final_stats=1 \
	            -artifact_prefix="$PWD/fuzz/artifacts/$name-" \
	            "$work/$name" >"$work/$name.log" 2>&1; then
		tail -60 "$work/$name.log" >&2
		echo "FAIL: $name found a crash; input saved under fuzz/artifacts/" >&2
		exit 1
	fi
	grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$work/$name.log" | tr '\n' ' '
	echo
done
if [ "$found" -eq 0 ]; then
	echo "no fuzz targets in $build (configure with -DYW_FUZZ=ON)" >&2
	exit 1
fi
echo "fuzzing passed: $found targets, ${seconds}s each"
