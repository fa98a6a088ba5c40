#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# engines-setup.sh: in the test host, what podman and containerd need
# beyond the guest every test gets (testhost/init): the kernel modules of
# nabla-runc/tests/engines' tree, cgroup v2 with its controllers for
# children, /etc files, storage and run directories on tmpfs, the engines'
# configuration (cgroupfs, vfs storage, file events). Run once per boot by
# the container tests, before anything else. Idempotent.
set -e
[ -e /run/nabla-engines ] && exit 0
# It mounts over /run and /var/lib: never on a machine that is not the test host.
[ -e /etc/nabla/cmd ] && [ -e /etc/nabla/engine-modules ] ||
	{ echo "engines-setup: not in the test host (no /etc/nabla/cmd): refused" >&2; exit 1; }

fail() { echo "engines-setup: $*" >&2; exit 1; }
mounted() { grep -q " $1 " /proc/mounts; }

while read -r ko; do
	insmod "$ko" 2>/dev/null || grep -q "^$(basename "$ko" .ko) " /proc/modules ||
		fail "insmod $ko"
done < /etc/nabla/engine-modules

mkdir -p /sys/fs/cgroup /run /var/lib /var/tmp /etc/cni/net.d
mounted /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup ||
	fail "mount cgroup2"
for c in cpu memory pids; do
	echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control || fail "cgroup controller $c"
done
mounted /run || mount -t tmpfs -o mode=755 run /run
mounted /var/lib || mount -t tmpfs -o mode=755 varlib /var/lib
mounted /var/tmp || mount -t tmpfs -o mode=1777 vartmp /var/tmp
ln -sfn /run /var/run

[ -e /etc/passwd ] || echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd
[ -e /etc/group ] || echo 'root:x:0:' > /etc/group
[ -e /etc/hosts ] || printf '127.0.0.1 localhost\n::1 localhost\n' > /etc/hosts
[ -e /etc/resolv.conf ] || echo 'nameserver 127.0.0.1' > /etc/resolv.conf
[ -e /etc/nsswitch.conf ] || printf 'hosts: files dns\n' > /etc/nsswitch.conf
[ -e /etc/machine-id ] || echo 6e61626c61746573746d616368696e65 > /etc/machine-id

# podman: cgroupfs (no systemd here), events to a file, vfs storage (the
# images are one static binary), and no pivot_root: the test host's root is
# the initramfs, which cannot be pivoted away from.
cat > /etc/containers/containers.conf <<'CONF'
[containers]
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
no_pivot_root = true
CONF
cat > /etc/containers/storage.conf <<'CONF'
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
CONF

# containerd: its default configuration, state under /run and /var/lib.
mkdir -p /etc/containerd /var/lib/containerd /run/containerd
touch /run/nabla-engines
