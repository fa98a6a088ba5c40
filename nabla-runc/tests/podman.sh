# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# podman.sh: podman 4.3 (Debian's, with conmon and netavark) running the
# images of make images with --runtime=nabla-runc.

P="podman --runtime=$NR"
SITE=/opt/nabla/runc/site/index.html

podman_load() {
	for i in nabla-hello nabla-httpd nabla-kv nabla-exit nabla-httpd-unikernel; do
		podman load -q -i "$IMAGES/$i.tar" || return 1
	done
	podman images
}

httpd_up() {
	$P run -d --name web -p 8080:80 localhost/nabla-httpd || return 1
	wait_until 30 sh -c "podman logs web 2>&1 | grep -q 'httpd: serving'" ||
		fail "no banner: $(podman logs web 2>&1)"
	$CURL -sf -m 20 http://127.0.0.1:8080/ -o "$WORK/got" || fail "curl through 8080 failed"
	cmp "$WORK/got" "$SITE" || fail "the page differs"
	ip=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' web)
	$CURL -sf -m 20 "http://$ip/" -o "$WORK/got" || fail "curl to the container's $ip failed"
	cmp "$WORK/got" "$SITE"
}

httpd_logs() {
	podman logs web > "$WORK/logs" 2>&1
	grep -q "httpd: serving 1 files .* on 10\\.88\\." "$WORK/logs" || fail "$(cat "$WORK/logs")"
}

httpd_down() {
	$P stop web || return 1
	[ "$(podman inspect -f '{{.State.Status}}' web)" = exited ] || fail "not exited"
	$P rm web || return 1
	[ -z "$(ls -A /run/nabla-runc 2>/dev/null)" ] || fail "left in /run/nabla-runc: $(ls /run/nabla-runc)"
	[ "$(contexts)" -eq 0 ] || fail "nabla contexts left open"
}

# Two annotations: podman's --annotation splits its value at commas.
KV_ANN="--annotation org.nabla.block.storage=/data/kv.img --annotation org.nabla.block-size.storage=16M"
kv_run() {
	$P run -d --name kv -p 6379:6379 -v kvdata:/data $KV_ANN \
		localhost/nabla-kv || return 1
	wait_until 30 sh -c "podman logs kv 2>&1 | grep -q 'kv: listening'" ||
		fail "no banner: $(podman logs kv 2>&1)"
}

kv_keeps_keys() {
	kv_run || return 1
	[ "$(redis-cli -p 6379 SET nabla containers)" = OK ] || fail "SET failed"
	$P rm -f kv || return 1
	kv_run || return 1
	v=$(redis-cli -p 6379 GET nabla)
	[ "$v" = containers ] || fail "after rm and run, GET gave '$v'"
	$P rm -f kv
}

# exit_status WANT ARGS...: podman run --rm of the exit/sys image, without
# a network (no interface: nothing added to the command line; and podman
# is faster without netavark).
exit_status() {
	want=$1
	shift
	$P run --rm --network none localhost/nabla-exit "$@" > "$WORK/ex" 2>&1
	rc=$?
	[ $rc -eq "$want" ] || fail "status $rc, want $want: $(cat "$WORK/ex")"
}

hello_runs() {
	$P run --rm localhost/nabla-hello > "$WORK/hello" 2>&1 || fail "$(cat "$WORK/hello")"
	grep -q 'Solo5 application: hello, world' "$WORK/hello" || fail "$(cat "$WORK/hello")"
	grep -q '^cmdline: 10\.88\.[0-9.]*/16 gw=10\.88\.0\.1' "$WORK/hello" ||
		fail "no address on its command line: $(cat "$WORK/hello")"
}

# httpd as a freestanding unikernel: nabla-runc runs it with the tender.
unikernel() {
	$P run -d --name uk -p 8082:80 localhost/nabla-httpd-unikernel || return 1
	wait_until 30 sh -c "podman logs uk 2>&1 | grep -q 'httpd: serving'" ||
		fail "no banner: $(podman logs uk 2>&1)"
	$CURL -sf -m 20 http://127.0.0.1:8082/ -o "$WORK/got" || fail "curl through 8082 failed"
	cmp "$WORK/got" "$SITE" || fail "the page differs"
	$P rm -f uk > /dev/null
}

# Without nabla.ko: the syscall backend, said in the log, and httpd still served.
fallback() {
	rmmod nabla || fail "rmmod nabla failed"
	$P run -d --name web2 -p 8081:80 localhost/nabla-httpd
	rc=$?
	if [ $rc -eq 0 ]; then
		wait_until 30 sh -c "podman logs web2 2>&1 | grep -q 'httpd: serving'"
		$CURL -sf -m 20 http://127.0.0.1:8081/ -o "$WORK/got" && cmp "$WORK/got" "$SITE"
		rc=$?
		podman logs web2 > "$WORK/logs" 2>&1
		$P rm -f web2 > /dev/null
	fi
	insmod "$NABLA_KO" || fail "insmod nabla.ko failed"
	[ $rc -eq 0 ] || fail "httpd on the syscall backend was not served: $(cat "$WORK/logs")"
	grep -q 'falling back to the syscall backend' "$WORK/logs" ||
		fail "the fallback is not in the log: $(cat "$WORK/logs")"
}

test_podman() {
	check "podman: load the images" podman_load
	check "podman: run -d -p 8080:80 nabla-httpd, curl through the published port" httpd_up
	check "podman: logs show the console" httpd_logs
	check "podman: stop, rm: nothing left (root, nabla contexts)" httpd_down
	check "podman: kv keeps its keys on a volume across rm and a new run" kv_keeps_keys
	check "podman: run --rm nabla-hello: exit 0, the engine's address on its command line" hello_runs
	check "podman: run --rm: exit status 7" exit_status 7 /apps/exit -- exit 7
	check "podman: run --rm: solo5_abort() is 255" exit_status 255 /apps/exit -- abort
	check "podman: run --rm: a forbidden system call is SIGSYS (159)" exit_status 159 /apps/sys -- 39
	check "podman: httpd as a Solo5 unikernel, run by the tender nabla-run" unikernel
	check "podman: without nabla.ko: the syscall backend, said in the log" fallback
}
