#!/bin/sh
# SPDX-License-Identifier: ISC
#
# apps_unikernel_test.sh: httpd and kv built as freestanding unikernels
# (NAME.nabla, NAME.nabla_syscall: the same sources, nabla's bindings,
# lwIP and the examples' small libc, no glibc) and run by nabla-run on
# each backend: curl gets each file byte for byte; redis-cli round trips,
# and the data are back after SIGKILL and a restart. KTAP on stdout. The
# libnabla builds of the same applications get the full set
# (apps_test.sh).
#
#   apps_unikernel_test.sh [dev] [syscall]      (default: both)

. "$(dirname "$0")/lib.sh"

BACKENDS=${*:-dev syscall}
START_SECS=${START_SECS:-30}
UNIKERNEL=yes

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"
	[ -f "$2" ] && sed 's/^/# /' "$2" | tail -n 8
}
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
check() {	# NAME LOG COMMAND...
	c_name=$1 c_log=$2
	shift 2
	if "$@" > "$WORK/check.out" 2>&1; then
		ok "$c_name"
	else
		cat "$c_log" >> "$WORK/check.out"
		not_ok "$c_name" "$WORK/check.out"
	fi
}

httpd_get() {
	for f in index.html img/big.bin; do
		timeout 60 curl -sf "http://$APP_IP/$f" -o "$WORK/got" ||
			{ echo "curl $f failed"; return 1; }
		cmp "$WORK/got" "$WORK/site/$f" || { echo "$f differs"; return 1; }
	done
}

kv_round_trips() {
	[ "$(timeout 20 redis-cli -h "$APP_IP" SET uk:greeting hello)" = OK ] &&
	[ "$(timeout 20 redis-cli -h "$APP_IP" GET uk:greeting)" = hello ] &&
	[ "$(timeout 20 redis-cli -h "$APP_IP" INCR uk:n)" = 1 ]
}

kv_restart() {	# BACKEND LOG IMAGE
	app_kill
	app_start kv "$1" "$2" "$3"
	wait_for "$2" '^kv: listening' "$START_SECS" || { echo "no restart"; return 1; }
	[ "$(timeout 20 redis-cli -h "$APP_IP" GET uk:greeting)" = hello ] &&
	[ "$(timeout 20 redis-cli -h "$APP_IP" INCR uk:n)" = 2 ]
}

run_backend() {
	b=$1
	link_up "$b" u 3 || { not_ok "uk_link_$b"; return; }
	log=$WORK/httpd-$b.log
	app_start httpd "$b" "$log" "$WORK/site.tar"
	check "uk_httpd_start_$b" "$log" wait_for "$log" '^httpd: serving' "$START_SECS"
	check "uk_httpd_get_$b" "$log" httpd_get
	app_kill
	if ! have redis-cli; then
		skip "uk_kv_round_trips_$b" "redis-cli (redis-tools) missing"
		skip "uk_kv_restart_$b" "redis-cli (redis-tools) missing"
		links_down
		return
	fi
	log=$WORK/kv-$b.log
	new_image "$WORK/kv-$b.img" 16
	app_start kv "$b" "$log" "$WORK/kv-$b.img"
	wait_for "$log" '^kv: listening' "$START_SECS"
	check "uk_kv_round_trips_$b" "$log" kv_round_trips
	check "uk_kv_restart_$b" "$log" kv_restart "$b" "$log" "$WORK/kv-$b.img"
	app_kill
	links_down
}

echo "KTAP version 1"
echo "1..$(($(echo $BACKENDS | wc -w) * 4))"
mkdir -p "$WORK/site"
make_site "$WORK/site" "$WORK/site.tar"
for b in $BACKENDS; do
	if why=$(backend_ok "$b"); then
		run_backend "$b"
	else
		for t in httpd_start httpd_get kv_round_trips kv_restart; do
			skip "uk_${t}_$b" "$why"
		done
	fi
done
echo "# $fails of $n failed"
[ $fails -eq 0 ]
