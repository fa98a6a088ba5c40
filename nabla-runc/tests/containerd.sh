# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# containerd.sh: containerd 1.6 (Debian's) and its io.containerd.runc.v2
# shim, told by ctr to use nabla-runc (--runc-binary), the runtime entry a
# Kubernetes RuntimeClass selects. The network namespace is given by path,
# as the CRI plugin gives the one CNI made; here ip makes it and a veth.
#
# Not --no-pivot: with it, Debian's ctr 1.6 sends task options that carry
# no BinaryName, and the shim runs "runc" whatever --runc-binary says
# (README.md, "What the engines call").

CTR="ctr run --snapshotter native --runc-binary=$NR"
CNS=nabla-ctr
CHOST=10.78.1.1
CAPP=10.78.1.2

containerd_up() {
	containerd > /tmp/containerd.log 2>&1 &
	echo $! > /tmp/containerd.pid
	wait_until 30 ctr version || return 1
	for i in nabla-hello nabla-httpd nabla-exit; do
		ctr image import --snapshotter native "$IMAGES/$i.tar" || return 1
	done
	ctr image ls -q | grep -q '^localhost/nabla-httpd:latest$' || fail "$(ctr image ls)"
}

ctr_hello() {
	$CTR --rm localhost/nabla-hello:latest hello1 > "$WORK/hello" 2>&1 ||
		fail "status $?: $(cat "$WORK/hello")"
	grep -q 'Solo5 application: hello, world' "$WORK/hello" || fail "$(cat "$WORK/hello")"
}

ctr_exit_status() {
	$CTR --rm --annotation org.nabla.net=none localhost/nabla-exit:latest ex1 \
		/apps/exit -- exit 9 > "$WORK/ex" 2>&1
	rc=$?
	[ $rc -eq 9 ] || fail "status $rc, want 9: $(cat "$WORK/ex")"
}

ctr_httpd() {
	$IP netns add $CNS || return 1
	$IP link add nbctr0 type veth peer name eth0 netns $CNS || return 1
	$IP addr add $CHOST/24 dev nbctr0 && $IP link set nbctr0 up || return 1
	$IP -n $CNS addr add $CAPP/24 dev eth0 && $IP -n $CNS link set eth0 up || return 1
	$IP -n $CNS route add default via $CHOST || return 1
	$CTR -d --with-ns network:/var/run/netns/$CNS localhost/nabla-httpd:latest web1 ||
		return 1
	wait_until 30 $CURL -sf -m 5 "http://$CAPP/" -o "$WORK/got" || fail "curl http://$CAPP/ failed"
	cmp "$WORK/got" /opt/nabla/runc/site/index.html || fail "the page differs"
}

ctr_httpd_down() {
	ctr task kill -s SIGKILL web1 || return 1
	wait_until 20 sh -c "ctr task ls | grep -q 'web1 .*STOPPED'" || fail "$(ctr task ls)"
	ctr task delete web1 && ctr container delete web1 || return 1
	[ -z "$(ls -A /run/containerd/runc/default 2>/dev/null)" ] ||
		fail "left in the shim's --root: $(ls /run/containerd/runc/default)"
	[ "$(contexts)" -eq 0 ] || fail "nabla contexts left open"
	$IP -n $CNS link show eth0 > /dev/null || fail "eth0 did not come back to its namespace"
	$IP netns del $CNS
}

test_containerd() {
	check "containerd: start, import the images" containerd_up
	check "containerd: ctr run --runc-binary=nabla-runc --rm nabla-hello" ctr_hello
	check "containerd: ctr run --rm: the exit status (9) reaches ctr" ctr_exit_status
	check "containerd: httpd in a network namespace given by path, curl" ctr_httpd
	check "containerd: task kill, delete: nothing left, eth0 back in its namespace" ctr_httpd_down
	kill "$(cat /tmp/containerd.pid)" 2>/dev/null
}
