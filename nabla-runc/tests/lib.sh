# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# lib.sh: helpers of the container tests (sourced; busybox sh).

NR=/usr/local/sbin/nabla-runc
CRUN=/usr/bin/crun
IP=/usr/sbin/ip
CURL=/usr/bin/curl
IMAGES=/opt/nabla/images
APPS=/opt/nabla/selftests/apps
EXAMPLES=/opt/nabla/examples
NROOT=/run/nabla-runc-test
CROOT=/run/crun-test
WORK=$(mktemp -d /tmp/nabla-containers.XXXXXX)

n=0
fails=0
ok() {
	n=$((n + 1))
	echo "ok $n $1"
}
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n $1"
	shift
	for why in "$@"; do
		printf '%s\n' "$why" | sed 's/^/# /'
	done
}
skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}
# check NAME COMMAND...: ok when COMMAND succeeds, else not ok with its output.
check() {
	check_name=$1
	shift
	check_t0=$(date +%s)
	if "$@" > "$WORK/check.out" 2>&1; then
		ok "$check_name"
	else
		not_ok "$check_name" "$(tail -n 12 "$WORK/check.out")"
	fi
	echo "# $(( $(date +%s) - check_t0 )) s"
}
fail() {
	echo "$*"
	return 1
}

# Open nabla contexts (debugfs: one directory per context).
contexts() {
	ls -d /sys/kernel/debug/nabla/[0-9]* 2>/dev/null | wc -l
}

# wait_until SECONDS COMMAND...: COMMAND succeeds within SECONDS.
wait_until() {
	wu_t=$1
	shift
	while [ "$wu_t" -gt 0 ]; do
		"$@" > /dev/null 2>&1 && return 0
		sleep 1
		wu_t=$((wu_t - 1))
	done
	"$@"
}

# A bundle DIR whose rootfs holds PROGRAM (from the selftests' apps or
# the examples) and whose config.json is made by bundle_config.
bundle() {
	rm -rf "$1"
	mkdir -p "$1/rootfs"
	cp "$2" "$1/rootfs/"
}

# bundle_config DIR ARGS-JSON [EXTRA-JSON]: config.json as engines write it
# (namespaces, cgroupsPath, mounts), EXTRA merged at the top level.
bundle_config() {
	cat > "$1/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": { "args": $2, "cwd": "/", "env": ["PATH=/"],
               "user": { "uid": 0, "gid": 0 },
               "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ] },
  "root": { "path": "rootfs" },
  "hostname": "nabla",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"] },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] }
  ],
  "linux": {
    "cgroupsPath": "/nabla-test/$(basename "$1")",
    "resources": { "memory": { "limit": 50331648 }, "pids": { "limit": 64 } },
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "network" },
                    { "type": "ipc" }, { "type": "uts" } ]
  }${3:+,
  $3}
}
EOF
}
