#!/bin/sh
# SPDX-License-Identifier: ISC
#
# fetch.sh: fetch and unpack Debian's lwip source package into a cache
# directory, without touching the machine's apt configuration.
#
# Usage: fetch.sh CACHE_DIR
# Leaves the unpacked tree at CACHE_DIR/lwip-src (a symlink to the versioned
# directory) and prints its path. Does nothing if it is already there.
#
# Debian's binary liblwip is built for threads (NO_SYS=0, malloc, pthreads)
# and cannot run confined, so we build lwIP ourselves from its source
# package. The deb-src URI is read from the machine's own sources so that no
# mirror is hard-coded here.

set -eu

cache=${1:?usage: fetch.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

if [ -f "$cache/lwip-src/src/core/tcp.c" ]; then
	echo "$cache/lwip-src"
	exit 0
fi

suite=bookworm
sources=/etc/apt/sources.list.d/debian.sources

# First URI of a deb822 stanza that carries the main suite, else the first
# "deb" line of a classic sources.list.
uri=
if [ -r "$sources" ]; then
	uri=$(awk -v suite="$suite" '
		/^[ \t]*$/ { if (u != "" && s) { print u; exit } u = ""; s = 0; next }
		/^URIs:/ { u = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) s = 1 }
		END { if (u != "" && s) print u }' "$sources" | head -n 1)
fi
if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
	uri=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit }
		   $1 == "deb" && $2 ~ /^\[/ { for (i = 2; i <= NF; i++)
			if ($i ~ /\]$/) { print $(i + 1); exit } }' \
		/etc/apt/sources.list)
fi
if [ -z "$uri" ]; then
	echo "fetch.sh: no Debian URI found in $sources or /etc/apt/sources.list" >&2
	exit 1
fi

apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$cache/download"
echo "deb-src $uri $suite main" > "$apt_dir/sources.list"

apt_opts="-o Dir::Etc::SourceList=$apt_dir/sources.list
	-o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists=$apt_dir/lists
	-o Debug::NoLocking=true"

# shellcheck disable=SC2086 # apt_opts is a word list on purpose
apt-get -q $apt_opts update >&2
# shellcheck disable=SC2086
(cd "$cache/download" && apt-get -q $apt_opts source --download-only lwip >&2)

dsc=$(ls "$cache"/download/lwip_*.dsc | head -n 1)
rm -rf "$cache/lwip-unpack"
dpkg-source --no-check -x "$dsc" "$cache/lwip-unpack" >&2
rm -f "$cache/lwip-src"
ln -s lwip-unpack "$cache/lwip-src"
echo "$cache/lwip-src"
