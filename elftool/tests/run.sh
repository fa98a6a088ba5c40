#!/bin/sh
# SPDX-License-Identifier: ISC
#
# nabla-elftool's unit tests, on the build machine (KTAP): gen-manifest on
# good and bad JSON manifests (Solo5's format; every error names the file
# and line, exits 1 and leaves no output file), and query-manifest on
# unikernels linked with the generated note, which must give the manifest
# back. Usage: run.sh NABLA-ELFTOOL
set -u
tool=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/elftool-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }

# good NAME JSON: gen-manifest succeeds and the C compiles.
good() {
	printf '%s' "$2" > "$tmp/$1.json"
	if "$tool" gen-manifest "$tmp/$1.json" "$tmp/$1.c" 2> "$tmp/err" &&
	   cc -c -I"$top/include" -o "$tmp/$1.o" "$tmp/$1.c" 2>> "$tmp/err"; then
		ok "gen-manifest accepts $1"
	else
		not_ok "gen-manifest accepts $1"; sed 's/^/# /' "$tmp/err"
	fi
}

# bad NAME JSON MESSAGE: exit 1, MESSAGE on stderr, no output file.
bad() {
	printf '%s' "$2" > "$tmp/$1.json"
	rm -f "$tmp/$1.c"
	"$tool" gen-manifest "$tmp/$1.json" "$tmp/$1.c" 2> "$tmp/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -qF -- "$3" "$tmp/err" && [ ! -e "$tmp/$1.c" ]; then
		ok "gen-manifest refuses $1"
	else
		not_ok "gen-manifest refuses $1 (status $rc, want '$3')"
		sed 's/^/# /' "$tmp/err"
	fi
}

devices() {	# N TYPE: a devices array of N entries
	i=0 sep=
	printf '['
	while [ $i -lt "$1" ]; do
		printf '%s{"name":"d%d","type":"%s"}' "$sep" $i "$2"
		sep=, i=$((i + 1))
	done
	printf ']'
}

echo "TAP version 13"
good empty '{"type":"solo5.manifest","version":1,"devices":[]}'
good two '{ "type": "solo5.manifest", "version": 1, "devices": [
  { "name": "service0", "type": "NET_BASIC" },
  { "name": "storage_1-x", "type": "BLOCK_BASIC" } ] }'
good max "{\"type\":\"solo5.manifest\",\"version\":1,\"devices\":$(devices 63 BLOCK_BASIC)}"
good escapes '{"type":"solo5.manifest","version":1,"devices":[{"name":"\u0061b","type":"NET_BASIC"}]}'

bad too_many "{\"type\":\"solo5.manifest\",\"version\":1,\"devices\":$(devices 64 NET_BASIC)}" \
	".devices: 64 devices, at most 63"
bad version '{"type":"solo5.manifest",
"version":2,"devices":[]}' "version.json:2: .version: 2, expected 1"
bad type '{"type":"solo5.abi","version":1,"devices":[]}' '.type: expected "solo5.manifest"'
bad no_devices '{"type":"solo5.manifest","version":1}' 'missing "devices"'
bad unknown_key '{"type":"solo5.manifest","version":1,"devices":[],"x":1}' 'unknown key "x"'
bad dup_key '{"type":"solo5.manifest","version":1,"version":1,"devices":[]}' 'key "version" given twice'
bad dev_type '{"type":"solo5.manifest","version":1,"devices":[{"name":"a","type":"PCI_BASIC"}]}' \
	'expected "NET_BASIC" or "BLOCK_BASIC"'
bad name_chars '{"type":"solo5.manifest","version":1,"devices":[{"name":"a b","type":"NET_BASIC"}]}' \
	'"a b": 1 to 67 of A-Z a-z 0-9 _ -'
bad name_empty '{"type":"solo5.manifest","version":1,"devices":[{"name":"","type":"NET_BASIC"}]}' \
	'"": 1 to 67'
bad name_long "{\"type\":\"solo5.manifest\",\"version\":1,\"devices\":[{\"name\":\"$(printf 'a%.0s' $(seq 68))\",\"type\":\"NET_BASIC\"}]}" \
	'1 to 67 of'
bad name_twice '{"type":"solo5.manifest","version":1,"devices":[{"name":"a","type":"NET_BASIC"},
{"name":"a","type":"BLOCK_BASIC"}]}' 'name_twice.json:2: .devices[].name: "a" used twice'
bad dev_key '{"type":"solo5.manifest","version":1,"devices":[{"name":"a","type":"NET_BASIC","mac":"x"}]}' \
	'unknown key "mac"'
bad version_real '{"type":"solo5.manifest","version":1.0,"devices":[]}' 'expected an integer, got a number'
bad syntax '{"type":"solo5.manifest",,}' 'syntax.json:1: expected a key'
bad trailing '{"type":"solo5.manifest","version":1,"devices":[]} x' 'text after the end'
bad unterminated '{"type":"solo5.manifest' 'without its closing quote'
bad nul '{"type":"solo5.manifest\u0000","version":1,"devices":[]}' 'a bad escape'
bad deep "$(printf '[%.0s' $(seq 40))" 'nested deeper than 32'
bad empty_file '' 'expected a value'

# query-manifest gives back what gen-manifest was given, from a linked
# unikernel; and refuses a file without a manifest.
uk() {	# NAME: link hello with the manifest NAME.o
	ld -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
		-T "$top/bindings/nabla/solo5_nabla.lds" \
		"$top/bindings/nabla/solo5_nabla.o" "$tmp/hello.o" "$tmp/$1.o" \
		-o "$tmp/$1.nabla"
}
printf 'int solo5_app_main(const void *si) { (void)si; return 0; }\n' > "$tmp/hello.c"
if cc -ffreestanding -fno-pie -c -o "$tmp/hello.o" "$tmp/hello.c" &&
   uk two && "$tool" query-manifest "$tmp/two.nabla" > "$tmp/out" &&
   tr -d ' \n' < "$tmp/out" | grep -qF \
   '"devices":[{"name":"service0","type":"NET_BASIC"},{"name":"storage_1-x","type":"BLOCK_BASIC"}]}'; then
	ok "query-manifest gives the manifest back"
else
	not_ok "query-manifest gives the manifest back"; sed 's/^/# /' "$tmp/out"
fi
if uk max && [ "$("$tool" query-manifest "$tmp/max.nabla" | grep -c '"name"')" -eq 63 ] &&
   uk empty && "$tool" query-manifest "$tmp/empty.nabla" | tr -d ' \n' | grep -qF '"devices":[]}'; then
	ok "query-manifest of 63 devices and of none"
else
	not_ok "query-manifest of 63 devices and of none"
fi
if ! "$tool" query-manifest "$tmp/hello.o" 2> "$tmp/err" && grep -q 'not a static executable' "$tmp/err" &&
   ! "$tool" query-manifest /bin/true 2> "$tmp/err" && grep -q 'not a static executable' "$tmp/err"; then
	ok "query-manifest refuses files that are not unikernels"
else
	not_ok "query-manifest refuses files that are not unikernels"; sed 's/^/# /' "$tmp/err"
fi
echo "1..$n"
[ $failed -eq 0 ]
