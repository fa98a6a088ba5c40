#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [REPS]: in the test host (the engines' tree), two measurements,
# one line of results each at the end (bench/containers keeps them):
#
# start-up: from `create` to the first answered HTTP request, nabla-runc
#   running examples/httpd (dev backend) against crun running busybox
#   httpd, each from a rootfs of the same size (the smaller one padded),
#   the same config.json (pid, mount, ipc, uts namespaces, the network one
#   by path with a veth, a 64 MiB memory limit, the same mounts; httpd's
#   heap 8 MiB), REPS
#   times (default 5) alternating; median of each and their ratio.
# memory per running container: the processes' proportional set size
#   (Pss, /proc/PID/smaps_rollup) plus the kernel memory the container
#   added (Slab + KernelStack + PageTables of /proc/meminfo, after less
#   before), and for nabla the module's own per-context figures from
#   debugfs (bounce pages, registered pages).
# busybox httpd listens on 8080: the config gives no capabilities, and
# without CAP_NET_BIND_SERVICE root in the container may not bind port 80
# (nabla's httpd has its own stack and answers on 80).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
REPS=${1:-5}
FA=$HERE/firstanswer
NS=nabla-bench
sh "$HERE/engines-setup.sh" || exit 1
mkdir -p "$NROOT" "$CROOT"

# The two rootfs, the same size.
nb=$WORK/nabla cb=$WORK/crun
mkdir -p "$nb/rootfs" "$cb/rootfs/www"
cp "$EXAMPLES/httpd/httpd" "$nb/rootfs/"
mkdir -p "$WORK/site" && cp /opt/nabla/runc/site/index.html "$WORK/site/"
tar -C "$WORK/site" -cf "$nb/rootfs/site.tar" .
cp /bin/busybox "$cb/rootfs/" && cp /opt/nabla/runc/site/index.html "$cb/rootfs/www/"
sn=$(du -sk "$nb/rootfs" | cut -f1)
sc=$(du -sk "$cb/rootfs" | cut -f1)
if [ "$sn" -lt "$sc" ]; then pad=$nb; d=$((sc - sn)); else pad=$cb; d=$((sn - sc)); fi
[ "$d" -gt 0 ] && dd if=/dev/zero of="$pad/rootfs/pad" bs=1k count="$d" 2> /dev/null
echo "# rootfs: nabla $(du -sk "$nb/rootfs" | cut -f1) KiB, crun $(du -sk "$cb/rootfs" | cut -f1) KiB"

config() {
	ann=
	[ -z "${4:-}" ] || ann="\"annotations\": $4,"
	cat > "$1/config.json" <<EOF2
{ "ociVersion": "1.0.2",
  "process": { "args": $2, "cwd": "/", "env": ["PATH=/"], "user": { "uid": 0, "gid": 0 } },
  "root": { "path": "rootfs" }, $ann
  "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" },
              { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755"] } ],
  "linux": { "cgroupsPath": "/bench/$3",
             "resources": { "memory": { "limit": 67108864 } },
             "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" },
                             { "type": "uts" }, { "type": "network", "path": "/var/run/netns/$NS" } ] } }
EOF2
}
# The heap httpd is given: libnabla maps and populates all of it before the
# seal, so it is resident; 8 MiB serves this site (the default would be the
# memory limit less 16 MiB).
config "$nb" '["/httpd", "--block:storage=/site.tar"]' nabla '{ "org.nabla.mem": "8" }'
config "$cb" '["/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]' crun

net_up() {
	$IP netns add $NS && $IP link add nbb0 type veth peer name eth0 netns $NS &&
	$IP addr add 10.79.1.1/24 dev nbb0 && $IP link set nbb0 up &&
	$IP -n $NS addr add 10.79.1.2/24 dev eth0 && $IP -n $NS link set eth0 up &&
	$IP -n $NS link set lo up
}
net_down() {
	$IP link del nbb0 2> /dev/null
	$IP netns del $NS 2> /dev/null
}

kmem() {
	awk '/^(Slab|KernelStack|PageTables):/ { s += $2 } END { print s }' /proc/meminfo
}

# run RUNTIME: one start-up; prints "MS PSS_KIB KERNEL_KIB [MODULE...]".
run() {
	if [ "$1" = nabla ]; then
		c="$NR --root $NROOT" b=$nb
		create="$c create --bundle $b bench" port=80
	else
		c="$CRUN --root $CROOT" b=$cb
		create="$c create --no-pivot --bundle $b bench" port=8080
	fi
	net_up || return 1
	sync
	k0=$(kmem)
	# The container keeps its stdio: a file, not this shell's pipe.
	if ! $FA 10.79.1.2 $port sh -c "$create > $WORK/$1.console 2>&1 && $c start bench" \
		> "$WORK/ms" 2>&1; then
		cat "$WORK/ms" "$WORK/$1.console"
		$c delete --force bench
		net_down
		return 1
	fi
	ms=$(cat "$WORK/ms")
	sleep 2
	k1=$(kmem)
	pid=$($c state bench | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
	pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")
	mod=
	if [ "$1" = nabla ]; then
		ctx=$(grep -l "^owner $pid\$" /sys/kernel/debug/nabla/*/context | head -n 1)
		d=$(dirname "$ctx")
		mod="bounce_pages=$(sed -n 's/^bounce_pages //p' "$ctx")"
		mod="$mod registered_pages=$(sed -n 's/^registered_pages //p' "$ctx")"
	fi
	$c delete --force bench > /dev/null
	net_down
	echo "$ms $pss $((k1 - k0)) $mod"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

: > "$WORK/nabla.txt"
: > "$WORK/crun.txt"
i=0
while [ $i -lt "$REPS" ]; do
	for r in nabla crun; do
		run $r > "$WORK/line" || { cat "$WORK/line"; echo "bench: $r failed"; exit 1; }
		line=$(cat "$WORK/line")
		echo "# $r: ms pss_kib kernel_kib: $line"
		echo "$line" >> "$WORK/$r.txt"
	done
	i=$((i + 1))
done
for r in nabla crun; do
	eval "${r}_ms=\$(cut -d' ' -f1 < \"\$WORK/$r.txt\" | median)"
	eval "${r}_pss=\$(cut -d' ' -f2 < \"\$WORK/$r.txt\" | median)"
	eval "${r}_k=\$(cut -d' ' -f3 < \"\$WORK/$r.txt\" | median)"
done
mod=$(tail -n 1 "$WORK/nabla.txt" | cut -d' ' -f4-)
echo "CONTAINERS-START: nabla-runc httpd $nabla_ms ms, crun busybox httpd $crun_ms ms (median of $REPS), ratio $(awk "BEGIN { printf \"%.2f\", $nabla_ms / $crun_ms }")"
echo "CONTAINERS-MEMORY: nabla-runc httpd Pss $nabla_pss KiB + kernel $nabla_k KiB ($mod), crun busybox httpd Pss $crun_pss KiB + kernel $crun_k KiB (medians), ratio $(awk "BEGIN { printf \"%.2f\", ($nabla_pss + $nabla_k) / ($crun_pss + $crun_k) }")"
