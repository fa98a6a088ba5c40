#!/bin/sh
# SPDX-License-Identifier: ISC
#
# demo.sh: both example applications at once, each confined by libnabla on
# its own link, driven by the usual clients, and a short report of what the
# clients measured; then httpd again as a freestanding unikernel run by
# nabla-run.
#
#   demo.sh [dev|syscall]   (default: dev when /dev/nabla exists)
#
# httpd serves a small site from a tar archive on its block device (curl,
# then ab -c 64); kv keeps its data in a log on its block device
# (redis-cli, redis-benchmark -t set,get -n 10000 -c 16, then SIGKILL and a
# restart: the data must still be there). Exit status 0 only if every step
# worked with zero errors.

. "$(dirname "$0")/tests/lib.sh"

trap cleanup EXIT INT TERM

if [ -n "$1" ]; then
	backend=$1
elif [ -c /dev/nabla ]; then
	backend=dev
else
	backend=syscall
fi
START_SECS=${START_SECS:-30}
AB_REQUESTS=${AB_REQUESTS:-5000}
status=0
report=$WORK/report

say() {
	echo "=== demo: $*"
}
fail() {
	say "FAILED: $*"
	status=1
}
line() {
	echo "$*" >> "$report"
}

if ! why=$(backend_ok "$backend"); then
	say "backend $backend unavailable: $why"
	exit 1
fi
for t in curl ab redis-cli redis-benchmark; do
	have "$t" || { say "missing client: $t"; exit 1; }
done
say "backend: $backend, applications from $NABLA_EXAMPLES"

# ---- start both applications ----

mkdir -p "$WORK/site"
make_site "$WORK/site" "$WORK/site.tar"
new_image "$WORK/kv.img" 64

link_up "$backend" h 1 || { say "cannot create the httpd link"; exit 1; }
HTTPD_IP=$APP_IP
app_start httpd "$backend" "$WORK/httpd.log" "$WORK/site.tar"
HTTPD_PID=$APP_PID
if ! wait_for "$WORK/httpd.log" '^httpd: serving' "$START_SECS"; then
	sed 's/^/[httpd console] /' "$WORK/httpd.log"
	say "FAILED: httpd did not start"
	exit 1
fi
sed 's/^/[httpd console] /' "$WORK/httpd.log"

link_up "$backend" k 2 || { say "cannot create the kv link"; exit 1; }
KV_IP=$APP_IP
KV_IFACE=$IFACE KV_MAC=$APP_MAC
app_start kv "$backend" "$WORK/kv.log" "$WORK/kv.img"
KV_PID=$APP_PID
if ! wait_for "$WORK/kv.log" '^kv: listening' "$START_SECS"; then
	sed 's/^/[kv console] /' "$WORK/kv.log"
	say "FAILED: kv did not start"
	exit 1
fi
sed 's/^/[kv console] /' "$WORK/kv.log"

# ---- httpd ----

say "curl http://$HTTPD_IP/"
timeout 30 curl -s "http://$HTTPD_IP/" || fail "curl"
timeout 30 curl -s "http://$HTTPD_IP/img/big.bin" -o "$WORK/big" &&
	cmp -s "$WORK/big" "$WORK/site/img/big.bin" || fail "big.bin differs"
say "ab -c 64 -n $AB_REQUESTS http://$HTTPD_IP/index.html"
timeout 600 ab -q -c 64 -n "$AB_REQUESTS" "http://$HTTPD_IP/index.html" \
	> "$WORK/ab" 2>&1 || fail "ab exited with an error"
grep -E '^(Complete|Failed|Non-2xx|Requests per|Time per|Transfer rate)' "$WORK/ab"
ab_done=$(sed -n 's/^Complete requests: *//p' "$WORK/ab")
ab_failed=$(sed -n 's/^Failed requests: *//p' "$WORK/ab")
ab_rps=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$WORK/ab")
ab_ms=$(sed -n 's/^Time per request: *\([0-9.]*\) \[ms\] (mean)$/\1/p' "$WORK/ab")
[ "$ab_done" = "$AB_REQUESTS" ] && [ "$ab_failed" = 0 ] &&
	! grep -q '^Non-2xx' "$WORK/ab" || fail "ab saw failed requests"
line "httpd  ab -c 64: ${ab_done:-0} requests served, ${ab_failed:-?} failed, ${ab_rps:-?} requests/s, ${ab_ms:-?} ms mean per request"

# ---- kv ----

APP_IP=$KV_IP
say "redis-cli -h $KV_IP"
r1=$(timeout 20 redis-cli -h "$KV_IP" SET demo:greeting "hello from nabla")
r2=$(timeout 20 redis-cli -h "$KV_IP" GET demo:greeting)
r3=$(timeout 20 redis-cli -h "$KV_IP" INCR demo:visits)
echo "SET -> $r1, GET -> $r2, INCR -> $r3"
[ "$r1" = OK ] && [ "$r2" = "hello from nabla" ] && [ "$r3" = 1 ] ||
	fail "redis-cli round trips"
say "redis-benchmark -t set,get -n 10000 -c 16"
timeout 600 redis-benchmark -h "$KV_IP" -t set,get -n 10000 -c 16 -r 10000 \
	--csv > "$WORK/bench" 2>&1
bench_rc=$?
cat "$WORK/bench"
if [ $bench_rc -ne 0 ] || grep -qi error "$WORK/bench"; then
	fail "redis-benchmark reported errors"
	bench_errors=yes
else
	bench_errors=0
fi
# CSV: "test","rps","avg_latency_ms","min","p50","p95","p99","max"
for t in SET GET; do
	set -- $(grep "^\"$t\"" "$WORK/bench" | tr -d '"' | tr ',' ' ')
	line "kv     redis-benchmark $t: ${2:-?} requests/s, latency avg ${3:-?} ms, p50 ${5:-?} ms, p99 ${7:-?} ms, errors $bench_errors"
done

keys_before=$(timeout 20 redis-cli -h "$KV_IP" DBSIZE)
say "kill -9 kv ($keys_before keys), restart it from its log"
APP_PID=$KV_PID
app_kill
IFACE=$KV_IFACE APP_MAC=$KV_MAC
app_start kv "$backend" "$WORK/kv.log" "$WORK/kv.img"
wait_for "$WORK/kv.log" '^kv: listening' "$START_SECS" || fail "kv did not restart"
sed 's/^/[kv console] /' "$WORK/kv.log"
keys_after=$(timeout 20 redis-cli -h "$KV_IP" DBSIZE)
g=$(timeout 20 redis-cli -h "$KV_IP" GET demo:greeting)
v=$(timeout 20 redis-cli -h "$KV_IP" INCR demo:visits)
[ -n "$keys_before" ] && [ "$keys_after" = "$keys_before" ] &&
	[ "$g" = "hello from nabla" ] && [ "$v" = 2 ] ||
	fail "kv data after the restart: $keys_after keys (was $keys_before), greeting '$g', visits $v"
line "kv     after SIGKILL + restart: $keys_after of $keys_before keys back, demo:greeting = '$g'"

kill -0 "$HTTPD_PID" 2>/dev/null || fail "httpd is no longer running"

# ---- the same httpd as a freestanding unikernel, run by nabla-run ----

link_up "$backend" u 3 || { say "cannot create the unikernel's link"; exit 1; }
say "nabla-run httpd.nabla$([ "$backend" = dev ] || echo _syscall): the same httpd, freestanding (no glibc)"
UNIKERNEL=yes
app_start httpd "$backend" "$WORK/uk.log" "$WORK/site.tar"
UNIKERNEL=
if wait_for "$WORK/uk.log" '^httpd: serving' "$START_SECS"; then
	sed 's/^/[unikernel console] /' "$WORK/uk.log"
	timeout 30 curl -s "http://$APP_IP/img/big.bin" -o "$WORK/big" &&
		cmp -s "$WORK/big" "$WORK/site/img/big.bin" &&
		line "httpd  as a unikernel (nabla-run): big.bin served byte for byte" ||
		fail "the unikernel httpd did not serve big.bin"
else
	sed 's/^/[unikernel console] /' "$WORK/uk.log"
	fail "the unikernel httpd did not start"
fi

echo
say "report (backend: $backend)"
cat "$report"
if [ $status -eq 0 ]; then
	say "all steps passed, 0 errors"
fi
exit $status
