#!/bin/sh
# SPDX-License-Identifier: ISC
#
# apps_test.sh: the example applications, confined by libnabla, driven by
# real clients over a real link, under each backend. KTAP on stdout.
#
#   apps_test.sh [dev] [syscall]      (default: both)
#
# lwIP answers ping (ICMP echo) and ARP.
# httpd (site.tar on the block device): curl gets each file byte for byte,
# HEAD gets the length and no body, 404 for a missing path, 400 for a path
# that climbs above the root, one connection for two requests (keep-alive),
# ab -c 64 with 0 failed requests.
# kv (log on the block device): redis-cli round trips of every command,
# redis-benchmark -t set,get -n 10000 -c 16 with no error, SIGKILL while
# clients write and every acknowledged key back with its value after the
# restart, a torn record at the tail of the log discarded with a console
# message and the rest served.
#
# Needs root, ip, curl, ab, redis-cli, redis-benchmark; the dev backend
# needs /dev/nabla, the syscall backend /dev/net/tun. Addresses: 10.77.x.y
# on links this script creates and removes.
#
# The block devices are files in a temporary directory, or with
# APPS_BLOCK=ram the test host's ramdisks (brd): the site on /dev/ram0, the
# kv log on /dev/ram1 (their contents are overwritten).

. "$(dirname "$0")/lib.sh"

BACKENDS=${*:-dev syscall}
TESTS_PER_BACKEND=13
# Time for an application to print its banner (TCG guests are slow).
START_SECS=${START_SECS:-30}
AB_REQUESTS=${AB_REQUESTS:-2000}
APPS_BLOCK=${APPS_BLOCK:-file}

# A signal (kselftest's timeout sends TERM) ends the run: cleaning up
# and going on would run the remaining tests without their directory.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Diagnostics of passing tests go to fd 3: the KTAP stream.
exec 3>&1

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
		echo "# $why"
	done
}
skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}
# check NAME COMMAND...: ok if COMMAND succeeds, else not ok with the end
# of its output. Runs in this shell (no subshell): it may restart the
# application, and APP_PID must follow.
check() {
	check_name=$1
	shift
	if "$@" > "$WORK/check.out" 2>&1; then
		ok "$check_name"
	else
		not_ok "$check_name" "$(tail -n 5 "$WORK/check.out")"
	fi
}
# fail_rest WHY NAME...: not ok for every remaining test of a block
fail_rest() {
	fr_why=$1
	shift
	for fr_t in "$@"; do
		not_ok "$fr_t" "$fr_why"
	done
}
show_console() {
	sed 's/^/# console: /' "$1" | tail -n 8
}

# ---- httpd ----

app_ping() {
	timeout 30 ping -c 3 -W 5 "$APP_IP" > "$WORK/ping" 2>&1 ||
		{ cat "$WORK/ping"; return 1; }
	grep -q ' 0% packet loss' "$WORK/ping" || { cat "$WORK/ping"; return 1; }
}

httpd_get() {
	for f in index.html style.css img/big.bin; do
		timeout 60 curl -sf "http://$APP_IP/$f" -o "$WORK/got" ||
			{ echo "curl $f failed"; return 1; }
		cmp "$WORK/got" "$WORK/site/$f" || { echo "$f differs"; return 1; }
	done
	timeout 60 curl -sf "http://$APP_IP/" -o "$WORK/got" &&
		cmp "$WORK/got" "$WORK/site/index.html" || { echo "/ is not index.html"; return 1; }
}

httpd_head() {
	size=$(wc -c < "$WORK/site/img/big.bin" | tr -d ' ')
	timeout 30 curl -sfI "http://$APP_IP/img/big.bin" > "$WORK/head" || return 1
	grep -qi "^content-length: $size" "$WORK/head" || { cat "$WORK/head"; return 1; }
	grep -qi '^content-type: text/html' "$WORK/head" && return 1
	timeout 30 curl -sfI "http://$APP_IP/index.html" | grep -qi '^content-type: text/html'
}

http_status() {
	timeout 30 curl -s -o /dev/null -w '%{http_code}' "$@"
}

httpd_404() {
	s=$(http_status "http://$APP_IP/no/such/file.html")
	[ "$s" = 404 ] || { echo "status $s"; return 1; }
}

httpd_400() {
	s=$(http_status --path-as-is "http://$APP_IP/../etc/passwd")
	[ "$s" = 400 ] || { echo "status $s for ../"; return 1; }
	s=$(http_status -X BREW "http://$APP_IP/index.html")
	[ "$s" = 405 ] || { echo "status $s for BREW"; return 1; }
}

httpd_keepalive() {
	c=$(timeout 30 curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' \
		"http://$APP_IP/index.html" "http://$APP_IP/style.css")
	[ "$c" = "1 0 " ] || { echo "connections per request: $c"; return 1; }
}

httpd_ab() {
	timeout 300 ab -q -c 64 -n "$AB_REQUESTS" "http://$APP_IP/index.html" \
		> "$WORK/ab" 2>&1 || { cat "$WORK/ab"; return 1; }
	grep -q "^Complete requests: *$AB_REQUESTS\$" "$WORK/ab" &&
		grep -q '^Failed requests: *0$' "$WORK/ab" &&
		! grep -q '^Non-2xx' "$WORK/ab" || { cat "$WORK/ab"; return 1; }
	grep -E '^(Requests per second|Time per request)' "$WORK/ab" |
		sed 's/^/# ab: /' >&3
}

test_httpd() {
	b=$1
	log=$WORK/httpd-$b.log
	if ! have curl || ! have ab; then
		for t in httpd_start ping httpd_get httpd_head httpd_404 httpd_400 \
			 httpd_keepalive httpd_ab; do
			skip "${t}_$b" "curl or ab (apache2-utils) missing"
		done
		return
	fi
	site=$WORK/site.tar
	if [ "$APPS_BLOCK" = ram ]; then
		site=/dev/ram0
		dd if="$WORK/site.tar" of=$site bs=65536 conv=fsync 2>/dev/null &&
			dd if=/dev/zero of=$site bs=65536 count=4 conv=fsync \
				seek=$(( ($(wc -c < "$WORK/site.tar") + 65535) / 65536 )) \
				2>/dev/null
	fi
	if ! link_up "$b" h 1; then
		fail_rest "cannot create the link" httpd_start_$b ping_$b httpd_get_$b \
			httpd_head_$b httpd_404_$b httpd_400_$b httpd_keepalive_$b \
			httpd_ab_$b
		links_down
		return
	fi
	app_start httpd "$b" "$log" "$site"
	if wait_for "$log" '^httpd: serving' "$START_SECS"; then
		ok "httpd_start_$b"
	else
		not_ok "httpd_start_$b" "no banner in ${START_SECS}s"
		show_console "$log"
	fi
	check "ping_$b" app_ping
	check "httpd_get_$b" httpd_get
	check "httpd_head_$b" httpd_head
	check "httpd_404_$b" httpd_404
	check "httpd_400_$b" httpd_400
	check "httpd_keepalive_$b" httpd_keepalive
	check "httpd_ab_$b" httpd_ab
	kill -0 "$APP_PID" 2>/dev/null || { echo "# httpd died:"; show_console "$log"; }
	app_kill
	links_down
}

# ---- kv ----

rcli() {
	timeout 20 redis-cli -h "$APP_IP" "$@"
}

# expect WANT COMMAND...: the redis-cli reply is WANT
expect() {
	want=$1
	shift
	got=$(rcli "$@" 2>&1)
	[ "$got" = "$want" ] || { echo "$*: got '$got', want '$want'"; return 1; }
}

kv_commands() {
	expect PONG PING &&
	expect OK SET greeting "hello nabla" &&
	expect "hello nabla" GET greeting &&
	expect 1 INCR counter && expect 2 INCR counter &&
	expect 1 EXISTS greeting &&
	expect 2 DBSIZE &&
	expect 1 DEL greeting && expect 0 EXISTS greeting &&
	expect "" GET greeting &&
	expect "ERR unknown command 'HGETALL'" HGETALL x &&
	expect OK SET word abc &&
	expect "ERR value is not an integer or out of range" INCR word &&
	expect OK FLUSHALL && expect 0 DBSIZE &&
	expect OK SET counter 41 && expect 42 INCR counter &&
	# inline and pipelined requests on one connection
	printf 'PING\r\nSET inl ine\r\nGET inl\r\n' > "$WORK/inline" &&
	out=$(timeout 20 redis-cli -h "$APP_IP" < "$WORK/inline" | tr '\n' ' ') &&
	[ "$out" = "PONG OK ine " ] || { echo "pipelined: '$out'"; return 1; }
}

kv_benchmark() {
	timeout 600 redis-benchmark -h "$APP_IP" -t set,get -n 10000 -c 16 -q \
		> "$WORK/bench" 2>&1
	rc=$?
	tr '\r' '\n' < "$WORK/bench" | grep -E '^(SET|GET): .* requests per second' \
		> "$WORK/bench.res"
	[ $rc -eq 0 ] && ! grep -qi error "$WORK/bench" &&
		[ "$(wc -l < "$WORK/bench.res")" -eq 2 ] ||
		{ tr '\r' '\n' < "$WORK/bench" | tail -n 5; return 1; }
	sed 's/^/# redis-benchmark: /' "$WORK/bench.res" >&3
}

# One writer: SET unique keys until $WORK/run disappears; log each key
# whose +OK came back (acknowledged).
writer() {
	i=0
	while [ -e "$WORK/run" ] && [ $i -lt 5000 ]; do
		k="w$1:$i" v="v$1.$i.$$"
		r=$(timeout 5 redis-cli -h "$APP_IP" SET "$k" "$v" 2>/dev/null)
		[ "$r" = OK ] && echo "$k $v" >> "$WORK/ack.$1"
		i=$((i + 1))
	done
}

kv_crash() {
	b=$1 log=$2 img=$3
	: > "$WORK/run"
	rm -f "$WORK"/ack.*
	# load besides the writers; killed below (not through timeout(1), so
	# that the signal reaches it and no SET lands after the restart)
	redis-benchmark -h "$APP_IP" -t set -n 1000000 -r 100000 -c 16 -q \
		> /dev/null 2>&1 &
	bench=$!
	wpids=""
	for w in 1 2 3 4; do
		writer $w &
		wpids="$wpids $!"
	done
	# let writes be acknowledged, then SIGKILL mid-stream
	i=0
	while [ $i -lt 100 ]; do
		sleep 0.1
		[ "$(cat "$WORK"/ack.* 2>/dev/null | wc -l)" -ge 40 ] && break
		i=$((i + 1))
	done
	app_kill
	rm -f "$WORK/run"
	kill -9 "$bench" 2>/dev/null
	wait "$bench" 2>/dev/null
	for p in $wpids; do wait "$p"; done
	cat "$WORK"/ack.* > "$WORK/acked" 2>/dev/null
	acked=$(wc -l < "$WORK/acked" | tr -d ' ')
	[ "$acked" -gt 0 ] || { echo "no write was acknowledged before the kill"; return 1; }
	app_start kv "$b" "$log" "$img"
	wait_for "$log" '^kv: listening' "$START_SECS" ||
		{ echo "no restart"; cat "$log"; return 1; }
	awk '{ print "GET " $1 }' "$WORK/acked" > "$WORK/gets"
	timeout 120 redis-cli -h "$APP_IP" < "$WORK/gets" > "$WORK/values"
	awk '{ print $2 }' "$WORK/acked" > "$WORK/want"
	cmp -s "$WORK/want" "$WORK/values" ||
		{ echo "acknowledged writes lost:"; paste -d' ' "$WORK/acked" "$WORK/values" |
			awk '$2 != $3' | head -n 5; return 1; }
	echo "# kv: $acked acknowledged writes, all back after SIGKILL" >&3
	grep 'log replayed' "$log" | sed 's/^/# console: /' >&3
}

# The log's tail offset from the last start's console line.
log_tail() {
	sed -n 's/^kv: log replayed: .*, \([0-9]*\) of [0-9]* bytes used.*/\1/p' "$1" | tail -n 1
}

kv_torn_tail() {
	b=$1 log=$2 img=$3
	k=torn:key v=0123456789abcde
	expect OK SET "$k" "$v" || return 1
	app_kill
	app_start kv "$b" "$log" "$img"
	wait_for "$log" '^kv: listening' "$START_SECS" || { cat "$log"; return 1; }
	tail=$(log_tail "$log")
	[ -n "$tail" ] || { echo "no tail offset on the console"; cat "$log"; return 1; }
	app_kill
	rec=$((tail - 32 - ${#k} - ${#v}))
	# tear the last record: its final 10 bytes never reached the device
	# (fsync: the device backend reads a block device below its page cache)
	dd if=/dev/zero of="$img" bs=1 seek=$((tail - 10)) count=10 \
		conv=notrunc,fsync 2>/dev/null || { echo "dd failed on $img"; return 1; }
	app_start kv "$b" "$log" "$img"
	wait_for "$log" '^kv: listening' "$START_SECS" ||
		{ echo "no restart after the tear"; cat "$log"; return 1; }
	grep -q "torn record at offset $rec (bad checksum): discarded" "$log" ||
		{ echo "no torn-record message for offset $rec"; cat "$log"; return 1; }
	expect "" GET "$k" || return 1
	first=$(head -n 1 "$WORK/acked")
	expect "${first#* }" GET "${first%% *}" || return 1
	expect OK SET after:tear yes && expect yes GET after:tear
}

test_kv() {
	b=$1
	log=$WORK/kv-$b.log
	img=$WORK/kv-$b.img
	if ! have redis-cli || ! have redis-benchmark; then
		for t in start commands benchmark crash torn_tail; do
			skip "kv_${t}_$b" "redis-cli or redis-benchmark (redis-tools) missing"
		done
		return
	fi
	if [ "$APPS_BLOCK" = ram ]; then
		img=/dev/ram1
		dd if=/dev/zero of=$img bs=1048576 count=1 conv=fsync 2>/dev/null	# reformat
	else
		new_image "$img" 64
	fi
	if ! link_up "$b" k 2; then
		fail_rest "cannot create the link" kv_start_$b kv_commands_$b \
			kv_benchmark_$b kv_crash_$b kv_torn_tail_$b
		links_down
		return
	fi
	app_start kv "$b" "$log" "$img"
	if wait_for "$log" '^kv: listening' "$START_SECS"; then
		ok "kv_start_$b"
	else
		not_ok "kv_start_$b" "no banner in ${START_SECS}s"
		show_console "$log"
	fi
	check "kv_commands_$b" kv_commands
	check "kv_benchmark_$b" kv_benchmark
	check "kv_crash_$b" kv_crash "$b" "$log" "$img"
	check "kv_torn_tail_$b" kv_torn_tail "$b" "$log" "$img"
	kill -0 "$APP_PID" 2>/dev/null || { echo "# kv died:"; show_console "$log"; }
	app_kill
	links_down
}

# ---- main ----

echo "KTAP version 1"
count=0
for b in $BACKENDS; do
	count=$((count + TESTS_PER_BACKEND))
done
echo "1..$count"

mkdir -p "$WORK/site"
make_site "$WORK/site" "$WORK/site.tar"

for b in $BACKENDS; do
	if why=$(backend_ok "$b"); then
		for a in httpd kv; do
			[ -x "$(app_bin $a)" ] || echo "# missing $(app_bin $a)"
		done
		test_httpd "$b"
		test_kv "$b"
	else
		for t in httpd_start ping httpd_get httpd_head httpd_404 httpd_400 \
			 httpd_keepalive httpd_ab kv_start kv_commands kv_benchmark \
			 kv_crash kv_torn_tail; do
			skip "${t}_$b" "$why"
		done
	fi
done

echo "# $fails of $n failed"
[ $fails -eq 0 ]
