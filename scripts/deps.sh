#!/bin/sh
# Install the Debian packages yunwei needs to build, run and test.
# fonts-noto-cjk: without a CJK font, chromium draws the UI's Chinese as
# boxes in screenshots and browser tests.
# Does nothing (and needs no root) when everything is already there.
set -eu

pkgs="build-essential pkg-config cmake ninja-build
libh2o-evloop-dev libuv1-dev libssl-dev zlib1g-dev
libjansson-dev libsqlite3-dev libsodium-dev libcurl4-openssl-dev
libcmocka-dev clang libclang-rt-14-dev wrk sqlite3 curl
tzdata fonts-noto-cjk"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

# The browser tests: Debian's chromium (playwright-core drives it and never
# downloads a browser of its own) and the npm packages of package-lock.json,
# installed again when the lock file is newer than what node_modules holds.
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
	echo "deps: installing: chromium"
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium
fi
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$root/package-lock.json" ] &&
   { [ ! -f "$root/node_modules/.package-lock.json" ] ||
     [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; }; then
	echo "deps: npm ci"
	(cd "$root" && npm ci --no-audit --no-fund)
fi
