# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# badinput.sh: each bad bundle gets exit status 1, exactly one line on
# stderr that says what is wrong, and leaves nothing behind (no state
# directory, no cgroup, so no process in it, no nabla context).

# refused NAME WANT-IN-MESSAGE: create of $WORK/bad as "bad".
refused() {
	"$NR" --root "$NROOT" create --bundle "$WORK/bad" bad > "$WORK/bad.out" 2> "$WORK/bad.err"
	rc=$?
	lines=$(wc -l < "$WORK/bad.err")
	if [ $rc -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$2" "$WORK/bad.err" ||
	   [ -e "$NROOT/bad" ] || [ -e /sys/fs/cgroup/nabla-test/bad ] ||
	   [ "$(contexts)" -ne 0 ]; then
		not_ok "badinput: $1" "status $rc, $lines line(s) on stderr:" \
			"$(cat "$WORK/bad.err")" "left: $(ls -A "$NROOT" 2>/dev/null)"
	else
		ok "badinput: $1: $(cat "$WORK/bad.err")"
	fi
}

test_badinput() {
	mkdir -p "$NROOT"
	b=$WORK/bad

	bundle "$b" "$APPS/hello"
	bundle_config "$b" '["/hello"]'
	sed -i 's/"process":/"notprocess":/' "$b/config.json"
	refused "config.json without process" "notprocess"
	cat > "$b/config.json" <<'EOF'
{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },
  "linux": { "namespaces": [ { "type": "mount" } ] } }
EOF
	refused "config.json missing process" "process: missing"

	bundle_config "$b" '["/hello"]'
	sed -i 's/{ "type": "ipc" }/{ "type": "time-travel" }/' "$b/config.json"
	refused "unknown namespace type" "unknown namespace type 'time-travel'"

	bundle_config "$b" '["/hello"]'
	sed -i 's|"path": "rootfs"|"path": "../outside"|' "$b/config.json"
	mkdir -p "$WORK/outside"
	refused "root.path outside the bundle" "outside the bundle"

	bundle_config "$b" '["/../../../bin/busybox"]'
	refused "process.args[0] outside the container's root" "outside the container's root"

	cp /bin/busybox "$b/rootfs/busybox"
	bundle_config "$b" '["/busybox", "true"]'
	refused "a binary that is not a nabla application" "not a nabla application"

	bundle_config "$b" '["/hello"]'
	printf '{ "ociVersion": "1.0.2", "process": { "args": ["/hello"' > "$b/config.json"
	refused "malformed JSON" "config.json: line"

	bundle_config "$b" '["/hello"]'
	sed -i 's/"cwd": "\/",/"cwd": "\/", "apparmorProfile": "x",/' "$b/config.json"
	refused "an unsupported field is named" "process.apparmorProfile: not supported"

	bundle_config "$b" '["/hello"]' '"annotations": { "org.nabla.block.storage": "data.img" }'
	refused "a block annotation with a relative path" "org.nabla.block.storage"
	bundle_config "$b" '["/hello"]' '"annotations": { "org.nabla.block-size.x": "1M" }'
	refused "a block size for no block device" "org.nabla.block-size.x"

	bundle_config "$b" '["/hello"]'
	sed -i 's/"limit": 50331648/"limit": 8388608/' "$b/config.json"
	refused "a memory limit with no room for the heap" "memory.limit"
}
