#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh: the benchmark inside the test host (busybox sh, run by
# bench/run through testhost/run, and by testhost/demo for make demo's
# side-by-side: bench/README). Every row of both backends runs in this
# one boot. Results go to a tar archive written raw onto the virtio disk
# OUT_DEV, which bench/run unpacks on the host.
#
#   guest.sh OUT_DEV REPS [WORKLOADS] [OPTIONS]
#   environment: TPUT (requests of each throughput run, default 10000),
#   TRACE_CLIENT (below)
#
# WORKLOADS (default: "speed ping blk-dev blk-file kv httpd"):
#   speed     the speed rows (bench/apps/speed), nop tracer, REPS runs of
#             each backend, alternating
#   ping      pingd answering 300 busybox pings
#   blk-dev   blkloop, 300 4 KiB writes and reads on /dev/ram0 (brd)
#   blk-file  the same on a file in tmpfs
#   httpd     examples/httpd under 300 curl requests (one connection each);
#             and, untraced, before the tracer is set up: ab -c 16 (see
#             load_client)
#   kv        examples/kv under 300 redis-cli SETs; and, untraced, before
#             the tracer is set up: redis-benchmark SET and GET, -c 16
#   W+rps     workload W with the host end's receive steered to the load
#             CPU (RPS), device and syscall backends: not in the default set
# OPTIONS (default: all): the ways to run each workload that apply to it
# (options_of), in turn within each repetition:
#   dev           libnabla's device backend (/dev/nabla)
#   syscall       libnabla's syscall backend (a tap, pread/pwrite)
#   linux         an ordinary Linux process doing the same: Debian's
#                 redis-server (defaults), lighttpd serving the same site,
#                 tools/echod (AF_PACKET), tools/blkio (pread/pwrite
#                 through the page cache); the clients in a network
#                 namespace at the other end of the veth pair
#   linux-fsync   kv: redis-server with appendonly yes, appendfsync always,
#                 its directory on ext2 on /dev/ram1
#   linux-direct  blk-*: tools/blkio with O_DIRECT
#   tender        httpd, kv (and the speed rows): the same sources as
#                 freestanding unikernels (NAME.nabla, nabla's bindings) run
#                 by nabla-run on /dev/nabla
#   container     the linux option's process in a network namespace of its
#                 own under podman's default seccomp profile (tools/sandbox)
# CPUs: with two or more, the application runs on the work CPU (the one
# the kernel command line isolated, if any: bench/run boots with
# isolcpus/rcu_nocbs for it unless told --cpus shared; else CPU
# 1) and everything else of the benchmark (this script, the clients, the
# tracer's readers) on CPU 0, the same for both backends.
# Isolation workloads run REPS times under each backend, traced with
# function_graph (funcgraph-irqs off) on the workload's threads only, from
# after its banner and a warm-up until the load has been answered.
# TRACE_CLIENT=tput (make demo's side-by-side, testhost/demo): the traced
# window of kv and httpd offers COUNT requests of the throughput run's
# client instead (redis-benchmark SET and GET, ab; 16 connections), so
# that one client's figures and the functions it makes the server reach
# stand side by side. Without a function_graph tracer, no traced run is
# made (info: function_graph=WHY).

OUT_DEV=${1:?usage: guest.sh OUT_DEV REPS [WORKLOADS] [OPTIONS]}
REPS=${2:-3}
WORKLOADS=${3:-speed ping blk-dev blk-file kv httpd}
OPTIONS=${4:-dev syscall tender linux linux-fsync linux-direct container}
BENCH=/opt/nabla/bench
EX=/opt/nabla/examples
T=/sys/kernel/tracing
OUT=/tmp/bench-out
COUNT=300
# Requests of each throughput run (kv_load, httpd_load); make demo takes
# fewer (testhost/demo).
TPUT=${TPUT:-10000}
TRACE_CLIENT=${TRACE_CLIENT:-bench}
IP=/usr/sbin/ip

mkdir -p "$OUT/iso" "$OUT/speed" "$OUT/tput"

# tracer_missing: why the traced runs cannot be made here, if they cannot.
tracer_missing() {
	if [ ! -r "$T/available_tracers" ]; then
		echo "no tracefs at $T"
	elif ! grep -qw function_graph "$T/available_tracers"; then
		echo "the kernel has no function_graph tracer (available_tracers: $(cat "$T/available_tracers"))"
	else
		return 1
	fi
}

# The work CPU and the load CPU (masks for taskset), see the header.
WORK_MASK= LOAD_MASK=
# (nproc counts only the CPUs this shell may use: not the isolated one.)
NCPUS=$(grep -c '^processor' /proc/cpuinfo)
if [ "$NCPUS" -ge 2 ]; then
	work_cpu=$(cut -d, -f1 /sys/devices/system/cpu/isolated 2>/dev/null | cut -d- -f1)
	[ -n "$work_cpu" ] || work_cpu=1
	WORK_MASK=$(printf %x $((1 << work_cpu)))
	LOAD_MASK=1
	[ "$work_cpu" != 0 ] || LOAD_MASK=2
	taskset -p "$LOAD_MASK" $$ > /dev/null
fi
exec 3>&1
log() { echo "bench: [$(cut -d" " -f1 /proc/uptime)] $*" >&3; echo "[$(cut -d" " -f1 /proc/uptime)] $*" >> "$OUT/guest.log"; }

# ---- set-up -----------------------------------------------------------------

# The virtio disk for the results (virtio_blk is a module on Debian's
# cloud kernels; bench/run brings it and its dependencies).
if [ -r $BENCH/modules/list ]; then
	while read -r ko; do
		insmod "$BENCH/modules/$ko" 2>/dev/null
	done < $BENCH/modules/list
fi
i=0
while [ ! -b "$OUT_DEV" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -b "$OUT_DEV" ] || { echo "bench: no results disk $OUT_DEV"; exit 1; }

# ip netns keeps its namespaces under /run/netns; the test host has no /run.
mkdir -p /run

# No IPv6 chatter (router solicitations, MLD) on the links: it would be
# traced as load that is not the workload's.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null

# brd allocates and zeroes the page behind a sector at the sector's first
# write. Without this, whichever run wrote a page of /dev/ram0 or
# /dev/ram1 first in the boot paid for it: the device backend's first
# speed run (about 5000 guest instructions per 4 KiB written, 1.8 and
# 3.7 times its other runs' write rows; bench/results/icount.md), and
# the first traced run the page allocator's functions. Every page of
# both devices is written once here, before anything is measured, and
# the clean page cache that leaves is dropped.
for d in ram0 ram1; do
	sectors=$(cat /sys/block/$d/size 2>/dev/null) || continue
	dd if=/dev/zero of=/dev/$d bs=1048576 count=$((sectors / 2048)) 2>/dev/null ||
		echo "bench: cannot fill /dev/$d"
done
sync
echo 1 > /proc/sys/vm/drop_caches

{
	echo "kernel=$(uname -r)"
	echo "cpus=$NCPUS"
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "reps=$REPS"
	echo "count=$COUNT"
	echo "tput_requests=$TPUT"
	echo "trace_client=$TRACE_CLIENT"
	echo "function_graph=$(tracer_missing || echo yes)"
	echo "workloads=$WORKLOADS"
	echo "options=$OPTIONS"
	echo "nabla=$([ -c /dev/nabla ] && echo yes || echo no)"
	echo "cmdline=$(cat /proc/cmdline)"
	echo "isolated=$(cat /sys/devices/system/cpu/isolated 2>/dev/null)"
	echo "nohz_full=$(cat /sys/devices/system/cpu/nohz_full 2>/dev/null)"
	echo "work_mask=$WORK_MASK"
	echo "load_mask=$LOAD_MASK"
} > "$OUT/info"

# ---- results: appended to the disk as they come -----------------------------------
# Each batch of files is a tar archive written after the previous one
# (bench/run reads them all with tar --ignore-zeros), then removed from
# tmpfs: a run cut short by the boot's timeout still leaves what it did.
DISK_BLOCKS=0
save() {	# FILE... (relative to $OUT)
	(cd "$OUT" && tar -cf /tmp/bench-batch.tar "$@") || { log "tar failed: $*"; return 1; }
	sz=$(stat -c %s /tmp/bench-batch.tar)
	# In 1 MiB writes at a byte offset: with 512-byte writes, saving a
	# traced window's pages (about 20 MB) took 20-25 s in make demo
	# (6.1, machine load about 6), with 1 MiB ones 2-3 s (load about 5).
	dd if=/tmp/bench-batch.tar of="$OUT_DEV" bs=1048576 seek=$((DISK_BLOCKS * 512)) \
		oflag=seek_bytes conv=notrunc 2>/dev/null || { log "cannot write $OUT_DEV"; return 1; }
	DISK_BLOCKS=$((DISK_BLOCKS + (sz + 511) / 512))
	rm -f /tmp/bench-batch.tar
	(cd "$OUT" && rm -rf "$@")
}

save info

# ---- links and applications ------------------------------------------------------

LINKS=
APP_PID=
# link_up BACKEND: the application's interface IFACE; host end 10.78.1.1.
# With RPS=1 the host end's receive processing is steered to the load CPU
# (the application is on the work CPU): what the host stack does with the
# workload's frames then runs there, not in the workload's context.
link_up() {
	link_make "$1" || return 1
	[ "$RPS" = 1 ] || return 0
	echo "${LOAD_MASK:-1}" > "/sys/class/net/$LINKS/queues/rx-0/rps_cpus" || return 1
}
# The Linux options: the veth pair with the server's end (nba, 10.78.1.2)
# in the host's namespace and the clients' (nbh) in namespace "cli"
# (linux), or the server's in namespace "ctr" (container); SERVER_IP=0
# leaves the server's end without an address (echod answers for it).
# CLIENT prefixes the clients' commands, SANDBOX the server's.
CLIENT= SANDBOX= NETNS= SERVER_IP=1
link_make() {
	CLIENT= SANDBOX= NETNS=
	case $1 in
	dev)
		$IP link add nbh type veth peer name nba || return 1
		$IP addr add 10.78.1.1/24 dev nbh
		$IP link set nba up
		$IP link set nbh up
		LINKS=nbh IFACE=nba
		;;
	syscall)
		$IP tuntap add nbt mode tap || return 1
		$IP addr add 10.78.1.1/24 dev nbt
		$IP link set nbt up
		LINKS=nbt IFACE=nbt
		;;
	linux|linux-*) link_ns cli nbh 10.78.1.1/24 nba 10.78.1.2/24 || return 1
		CLIENT="$IP netns exec cli" ;;
	container) link_ns ctr nba 10.78.1.2/24 nbh 10.78.1.1/24 || return 1
		SANDBOX="$BENCH/sandbox --netns /run/netns/ctr --seccomp $BENCH/container.rules --" ;;
	esac
}
# link_ns NS IF_IN_NS ADDR IF_HERE ADDR: the veth pair nba/nbh across NS;
# the server's end (nba) gets its address only if SERVER_IP=1.
link_ns() {
	$IP netns add "$1" || return 1
	NETNS=$1
	$IP -n "$1" link set lo up
	$IP netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	$IP netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	$IP link add nbh type veth peer name nba || return 1
	LINKS="nbh nba" IFACE=nba
	$IP link set "$2" netns "$1" || return 1
	[ "$2" = nba ] && [ "$SERVER_IP" = 0 ] || $IP -n "$1" addr add "$3" dev "$2"
	[ "$4" = nba ] && [ "$SERVER_IP" = 0 ] || $IP addr add "$5" dev "$4"
	$IP -n "$1" link set "$2" up
	$IP link set "$4" up
}
link_down() {
	for l in $LINKS; do
		$IP link del "$l" 2>/dev/null
	done
	[ -z "$NETNS" ] || $IP netns del "$NETNS"
	LINKS= NETNS=
}
APP_MAC=02:6e:62:00:01:02
APP_IP=10.78.1.2

# app_start LOG BIN ARG...: start a Solo5 application, console in LOG.
# For the isolation workloads (CONSOLE_PIPE=1) the console is a pipe,
# copied into LOG by a cat on the load CPU: what the application reaches
# for a console line is then pipe_write, not a tmpfs file's page cache
# (the same for both backends). The speed rows write to the file itself.
RPS=0
CAT_PID=
CONSOLE_PIPE=0
app_start() {
	as_log=$1
	shift
	if [ -n "$WORK_MASK" ]; then
		set -- taskset "$WORK_MASK" "$@"
	fi
	if [ "$CONSOLE_PIPE" = 1 ]; then
		rm -f /tmp/bench-console
		mkfifo /tmp/bench-console
		cat /tmp/bench-console > "$as_log" &
		CAT_PID=$!
		"$@" > /tmp/bench-console 2>&1 &
	else
		"$@" > "$as_log" 2>&1 &
	fi
	APP_PID=$!
}
app_stop() {
	[ -n "$APP_PID" ] || return 0
	kill -9 "$APP_PID" 2>/dev/null
	wait "$APP_PID" 2>/dev/null
	[ -z "$CAT_PID" ] || wait "$CAT_PID" 2>/dev/null
	APP_PID= CAT_PID=
}
# wait_for LOG PATTERN SECONDS
wait_for() {
	wf=0
	while [ $wf -lt $(($3 * 10)) ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		kill -0 "$APP_PID" 2>/dev/null || return 1
		sleep 0.1
		wf=$((wf + 1))
	done
	return 1
}

# ---- tracing -------------------------------------------------------------------

tr_set() { echo "$2" > "$T/$1" || log "cannot set $1 to $2"; }

# Nothing below patches kernel text once trace_setup is done: the tracer,
# the pid filter's scheduler probe and the sys_enter event are switched on
# once, and each run only adds its pids, sets an event filter and toggles
# tracing_on. (Registering and unregistering them for every run patched
# text under TCG often enough to hit an int3 Oops on 6.12.) The pid list
# starts with an idle placeholder (a sleep that never wakes) so that it is
# never empty, and only grows: earlier workloads are dead by then.
IDLE_PID=
WORK_PIDS=
trace_setup() {
	tr_set tracing_on 0
	tr_set current_tracer nop
	tr_set buffer_size_kb 32768
	tr_set trace_clock global
	# The method of the nabla measurements: interrupt handlers run on
	# behalf of others are not the workload's.
	tr_set options/funcgraph-irqs 0
	tr_set options/funcgraph-proc 1
	[ -e $T/options/function-fork ] && tr_set options/function-fork 0
	sleep 1000000 &
	IDLE_PID=$!
	tr_set set_ftrace_pid "$IDLE_PID"
	tr_set events/raw_syscalls/sys_enter/filter "common_pid == $IDLE_PID"
	tr_set events/raw_syscalls/sys_enter/enable 1
	tr_set current_tracer function_graph
	: > "$T/trace"
	# What the host needs to read the raw pages (bench/tracecmd.py): a
	# trace.dat without data (the header page and event formats, the
	# kallsyms with the modules loaded by now, the tracer's options),
	# into which trace-cmd restore puts each run's pages.
	mkdir -p "$OUT/format"
	trace-cmd restore -c -o "$OUT/format/head.dat" > "$OUT/format/restore.log" 2>&1 ||
		log "trace-cmd restore -c failed: $(tail -n 1 "$OUT/format/restore.log")"
	save format
}

# trace_start PID: every thread of PID, its system calls as events too.
# The module's kernel threads (named "nabla-...", e.g. the transmit thread
# "nabla-tx/CTX.HANDLE" of an attached net device), which work on the
# workload's behalf, are traced as well (helpers= in the meta file): the
# honest figure counts them with the workload, the per-task one does not.
trace_start() {
	WORK_PIDS=
	HELPER_PIDS=
	filter=
	for task in /proc/"$1"/task/*; do
		tid=${task##*/}
		echo "$tid" >> "$T/set_ftrace_pid"
		WORK_PIDS="$WORK_PIDS $tid"
		filter="${filter:+$filter || }common_pid == $tid"
	done
	for comm in $(grep -l '^nabla-' /proc/[0-9]*/comm 2>/dev/null); do
		tid=${comm#/proc/}
		tid=${tid%/comm}
		echo "$tid" >> "$T/set_ftrace_pid"
		HELPER_PIDS="$HELPER_PIDS $tid"
	done
	echo "$filter" > "$T/events/raw_syscalls/sys_enter/filter"
	: > "$T/trace"
	echo 1 > "$T/tracing_on"
}

# trace_stop NAME: the raw trace into iso/NAME.cpuN.raw, with its metadata.
trace_stop() {
	echo 0 > "$T/tracing_on"
	log "  traced; reading the trace"
	{
		echo "pids=$WORK_PIDS"
		echo "helpers=$HELPER_PIDS"
		for c in $T/per_cpu/cpu*; do
			echo "${c##*/} $(grep -E '^(overrun|entries|dropped events)' "$c/stats" | tr '\n' ' ')"
		done
	} > "$OUT/iso/$1.meta"
	# The raw ring buffer pages, as trace-cmd record's per-CPU files hold
	# them (the host puts them into format/head.dat with trace-cmd
	# restore and reads them with trace-cmd report, bench/tracecmd.py).
	# Not trace-cmd extract: it took 4-17 s a run under TCG where
	# rawcopy took 0.4-4 s (one boot, bench/README "Method"); formatting
	# the text trace here took tens of seconds a run.
	for c in $T/per_cpu/cpu*; do
		$BENCH/rawcopy "$c/trace_pipe_raw" "$OUT/iso/$1.${c##*/}.raw" > /dev/null ||
			log "rawcopy ${c##*/} failed"
	done
	log "  trace saved"
}

# ---- isolation workloads -----------------------------------------------------------
# Each: iso_NAME BACKEND TAG; returns non-zero when the run failed (then
# the run is recorded as failed and not counted).

iso_ping() {
	SERVER_IP=0
	link_up "$1" || return 1
	case $1 in
	dev|syscall)
		app_start "$OUT/iso/$2.console" $BENCH/apps/pingd --backend="$1" \
			--net:service0="$IFACE" --net-mac:service0=$APP_MAC -- "$APP_IP/24"
		ready='^pingd: ready' ;;
	*)	app_start "$OUT/iso/$2.console" $SANDBOX $BENCH/echod nba $APP_IP
		ready='^echod: ready' ;;
	esac
	wait_for "$OUT/iso/$2.console" "$ready" 30 || return 1
	$CLIENT ping -c 5 -i 0.05 -W 5 -q $APP_IP > /dev/null 2>&1 || return 1
	sleep 0.5
	log "  warm"
	trace_start "$APP_PID"
	# busybox ping waits only max(1 s, 2 round trips) for replies after
	# its last request, and under load a reply or two came later than
	# that (the traces showed them sent and delivered): a few requests
	# more, and the run counts when at least COUNT replies came back.
	$CLIENT ping -c $((COUNT + 3)) -i 0.01 -W 5 -q $APP_IP > "$OUT/iso/$2.client" 2>&1
	trace_stop "$2"
	got=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$OUT/iso/$2.client")
	[ "${got:-0}" -ge $COUNT ]
}

iso_blk() {	# OPTION TAG PATH
	case $1 in
	dev|syscall)
		app_start "$OUT/iso/$2.console" $BENCH/apps/blkloop --backend="$1" \
			--block:storage="$3" -- $COUNT 5000 ;;
	linux)	app_start "$OUT/iso/$2.console" $BENCH/blkio "$3" $COUNT 5000 ;;
	linux-direct)
		app_start "$OUT/iso/$2.console" $BENCH/blkio --direct "$3" $COUNT 5000 ;;
	esac
	if ! wait_for "$OUT/iso/$2.console" '^blkloop: warm' 60; then
		# tools/blkio on a file system without O_DIRECT.
		grep -q '^blkloop: skip' "$OUT/iso/$2.console" && return 2
		return 1
	fi
	trace_start "$APP_PID"
	wait_for "$OUT/iso/$2.console" '^blkloop: done' 120
	rc=$?
	trace_stop "$2"
	return $rc
}
iso_blk_dev() { iso_blk "$1" "$2" /dev/ram0; }
iso_blk_file() {
	[ -e /tmp/blk.img ] || dd if=/dev/zero of=/tmp/blk.img bs=1048576 count=16 2>/dev/null
	iso_blk "$1" "$2" /tmp/blk.img
}

make_site() {
	[ -e /tmp/site.tar ] && return 0
	mkdir -p /tmp/site/sub
	printf '<!doctype html>\n<title>nabla</title>\n<p>Served by a Solo5 unikernel on libnabla.</p>\n' \
		> /tmp/site/index.html
	printf 'sub index\n' > /tmp/site/sub/index.html
	(cd /tmp/site && tar -cf /tmp/site.tar index.html sub)
	# lighttpd serves the same files, from tmpfs.
	cat > /tmp/lighttpd.conf <<-EOF
	server.document-root = "/tmp/site"
	server.bind = "$APP_IP"
	server.port = 80
	index-file.names = ( "index.html" )
	mimetype.assign = ( ".html" => "text/html" )
	EOF
}

# start_example NAME OPTION LOG BLOCK: examples/NAME, by libnabla's backend
# OPTION, or (tender) NAME.nabla run by nabla-run on /dev/nabla, on IFACE.
start_example() {
	if [ "$2" = tender ]; then
		app_start "$3" /opt/nabla/bin/nabla-run --mem=128 \
			--net:service0="$IFACE" --net-mac:service0=$APP_MAC \
			--block:storage="$4" "$EX/$1/$1.nabla" --solo5:quiet "$APP_IP/24"
	else
		app_start "$3" "$EX/$1/$1" --backend="$2" \
			--net:service0="$IFACE" --net-mac:service0=$APP_MAC \
			--block:storage="$4" -- "$APP_IP/24"
	fi
}
# The link a backend or option needs: the tender's is the dev backend's.
link_of() { [ "$1" = tender ] && echo dev || echo "$1"; }

# httpd_up OPTION LOG: httpd (or lighttpd) for OPTION serving the site,
# answering and warmed up.
httpd_up() {
	[ -x $EX/httpd/httpd ] || { log "no $EX/httpd/httpd"; return 2; }
	command -v curl > /dev/null || { log "no curl in the guest"; return 2; }
	make_site
	# The site on a real block device (brd): its bios are the device path.
	dd if=/tmp/site.tar of=/dev/ram0 bs=65536 conv=notrunc 2>/dev/null
	dd if=/dev/zero of=/dev/ram0 bs=65536 seek=$(( ($(stat -c %s /tmp/site.tar) + 65535) / 65536 )) count=16 2>/dev/null
	link_up "$(link_of "$1")" || return 1
	case $1 in
	dev|syscall|tender)
		start_example httpd "$1" "$2" /dev/ram0
		ready='^httpd: serving' ;;
	*)	[ -x /usr/sbin/lighttpd ] || { log "no lighttpd in the guest"; return 2; }
		app_start "$2" $SANDBOX /usr/sbin/lighttpd -D -f /tmp/lighttpd.conf
		ready='server started' ;;
	esac
	wait_for "$2" "$ready" 60 || return 1
	$CLIENT curl -s -H 'Connection: close' "http://$APP_IP/" "http://$APP_IP/" \
		"http://$APP_IP/sub/index.html" > /dev/null || return 1
	sleep 0.5
}

iso_httpd() {
	httpd_up "$1" "$OUT/iso/$2.console" || return $?
	if [ "$TRACE_CLIENT" = tput ]; then
		trace_start "$APP_PID"
		httpd_load "$OUT/iso/$2.client" $COUNT
		rc=$?
		trace_stop "$2"
		load_log "$OUT/iso/$2.client"
		return $rc
	fi
	urls=
	i=0
	while [ $i -lt $COUNT ]; do
		urls="$urls -o /dev/null http://$APP_IP/index.html"
		i=$((i + 1))
	done
	trace_start "$APP_PID"
	# shellcheck disable=SC2086 # one word per URL
	$CLIENT curl -sS --max-time 120 -H 'Connection: close' -w '%{http_code}\n' $urls \
		> "$OUT/iso/$2.client" 2>&1
	rc=$?
	trace_stop "$2"
	[ "$(grep -c '^200$' "$OUT/iso/$2.client")" = $COUNT ] || rc=1
	return $rc
}

# kv_server OPTION LOG: the kv workload's server for OPTION. redis-server
# keeps its defaults but for what a server reached over the network needs
# (no protected mode, the address) and, for linux-fsync, its append-only
# file with an fsync per write on ext2 on /dev/ram1 (a completed write is
# on the device, as kv's log is).
kv_server() {
	case $1 in
	dev|syscall|tender)
		start_example kv "$1" "$2" /dev/ram1
		ready='^kv: listening' ;;
	*)	[ -x /usr/bin/redis-server ] || { log "no redis-server in the guest"; return 2; }
		set -- "$1" "$2" --bind $APP_IP --port 6379 --protected-mode no
		if [ "$1" = linux-fsync ]; then
			mke2fs -q /dev/ram1 > /dev/null && mkdir -p /mnt/kv &&
				mount -t ext2 /dev/ram1 /mnt/kv || return 1
			set -- "$@" --dir /mnt/kv --appendonly yes --appendfsync always
		else
			rm -rf /tmp/redis && mkdir -p /tmp/redis
			set -- "$@" --dir /tmp/redis
		fi
		log_file=$2
		shift 2
		app_start "$log_file" $SANDBOX /usr/bin/redis-server "$@"
		ready='Ready to accept connections' ;;
	esac
}

# kv_up OPTION LOG: kv's server for OPTION on a fresh log and link,
# answering and warmed up.
kv_up() {
	[ -x $EX/kv/kv ] || { log "no $EX/kv/kv"; return 2; }
	command -v redis-cli > /dev/null || { log "no redis-cli in the guest"; return 2; }
	# A fresh log on a real block device (brd) for every run.
	dd if=/dev/zero of=/dev/ram1 bs=1048576 count=4 2>/dev/null
	link_up "$(link_of "$1")" || return 1
	kv_server "$1" "$2" || return $?
	wait_for "$2" "$ready" 60 || return 1
	# SET and GET: make demo's traced window (TRACE_CLIENT=tput) reads
	# too.
	$CLIENT redis-cli -h $APP_IP -r 5 SET warm up > /dev/null 2>&1 || return 1
	$CLIENT redis-cli -h $APP_IP -r 5 GET warm > /dev/null 2>&1 || return 1
	sleep 0.5
}

iso_kv() {
	kv_up "$1" "$OUT/iso/$2.console" || return $?
	trace_start "$APP_PID"
	if [ "$TRACE_CLIENT" = tput ]; then
		kv_load "$OUT/iso/$2.client" $COUNT
		rc=$?
		trace_stop "$2"
		load_log "$OUT/iso/$2.client"
		return $rc
	fi
	$CLIENT redis-cli -h $APP_IP -r $COUNT SET bench:key value-of-the-benchmark \
		> "$OUT/iso/$2.client" 2>&1
	rc=$?
	trace_stop "$2"
	[ "$(grep -c '^OK$' "$OUT/iso/$2.client")" = $COUNT ] || rc=1
	return $rc
}

# options_of WORKLOAD: the options that apply to it, among OPTIONS.
options_of() {
	case $1 in
	*+rps) o="dev syscall" ;;
	ping) o="dev syscall linux container" ;;
	httpd) o="dev syscall tender linux container" ;;
	kv) o="dev syscall tender linux linux-fsync container" ;;
	blk-*) o="dev syscall linux linux-direct" ;;
	esac
	for b in $o; do
		[ "$b" != tender ] || [ -x "$EX/$1/$1.nabla" ] || continue
		case " $OPTIONS " in *" $b "*) echo "$b" ;; esac
	done
}

# run_all KIND WORKLOAD[+rps]: REPS runs of the workload under each option
# that applies, options alternating within a repetition: KIND iso, traced
# (iso_WORKLOAD), or tput, the throughput (tput_WORKLOAD). Each run's
# files are KIND/TAG.*, its outcome in KIND/TAG.status.
run_all() {
	RPS=0
	CONSOLE_PIPE=1
	case $2 in *+rps) RPS=1 ;; esac
	fn=$1_$(echo "${2%+rps}" | tr - _)
	what=isolation
	[ "$1" = iso ] || what=throughput
	skipped=
	r=1
	while [ $r -le "$REPS" ]; do
		for b in $(options_of "$2"); do
			case " $skipped " in *" $b "*) continue ;; esac
			tag=$2-$b-$r
			log "$what $tag"
			SERVER_IP=1
			$fn $b "$tag"
			rc=$?
			app_stop
			link_down
			! grep -q ' /mnt/kv ' /proc/mounts || umount /mnt/kv
			if [ $rc -eq 2 ]; then
				echo "skipped" > "$OUT/$1/$tag.status"
				log "$what $tag: skipped"
				skipped="$skipped $b"
			elif [ $rc -ne 0 ]; then
				echo "failed $rc" > "$OUT/$1/$tag.status"
				log "$what $tag: FAILED (console follows)"
				tail -n 5 "$OUT/$1/$tag.console" 2>/dev/null | sed 's/^/  | /' >&3
			else
				echo "ok" > "$OUT/$1/$tag.status"
			fi
			save $(cd "$OUT" && ls -d "$1/$tag".*)
		done
		r=$((r + 1))
	done
}

# ---- throughput --------------------------------------------------------------------
# kv and httpd under each option that applies: requests per second from
# the clients' side ($CLIENT, the load CPU), 16 connections, TPUT
# requests, REPS runs, options alternating (run_all). Measured before
# trace_setup, so with no tracer hooks in any function (once the
# function_graph tracer is set, every call of every task goes through its
# trampoline even with tracing off). Each run: tput/TAG.status, the
# server's console and the client's output with its exit status
# (tput/TAG.client); bench/report reads the rates and checks for errors.

tput_kv() {	# OPTION TAG
	kv_up "$1" "$OUT/tput/$2.console" || return $?
	kv_load "$OUT/tput/$2.client" $TPUT
	load_log "$OUT/tput/$2.client" $?
}
tput_httpd() {	# OPTION TAG
	httpd_up "$1" "$OUT/tput/$2.console" || return $?
	httpd_load "$OUT/tput/$2.client" $TPUT
	load_log "$OUT/tput/$2.client" $?
}
# kv_load FILE N, httpd_load FILE N: the throughput client, N requests
# over 16 connections (with TRACE_CLIENT=tput, the traced window's too).
kv_load() { load_client "$1" redis-benchmark -h $APP_IP -t set,get -n "$2" -c 16 --csv; }
httpd_load() { load_client "$1" ab -q -c 16 -n "$2" "http://$APP_IP/index.html"; }
# load_client FILE COMMAND...: the client's output and "exit=STATUS" in
# FILE (bench/report's parse_tput checks it: errors, failed or short runs
# do not count); fails if the client did.
load_client() {
	tc_out=$1
	shift
	# shellcheck disable=SC2086 # CLIENT is a command prefix
	timeout 300 $CLIENT "$@" > "$tc_out" 2>&1
	tc_rc=$?
	echo "exit=$tc_rc" >> "$tc_out"
	return $tc_rc
}
# load_log FILE [STATUS]: the figures of a load_client run in the log (for
# a traced window, after trace_stop: the window ends with the client);
# returns STATUS.
load_log() {
	log "  $(tr '\r' '\n' < "$1" | grep -E '^"(SET|GET)"|^Requests per second|^Failed|^ *99%' | tr -s ' \n' ' ')"
	return "${2:-0}"
}

# ---- speed -------------------------------------------------------------------------

run_speed() {
	r=1
	while [ $r -le "$REPS" ]; do
		for b in dev syscall tender; do
			tag=$b-$r
			[ $b != tender ] || [ -r $BENCH/apps/speed.nabla ] || continue
			log "speed $tag"
			link_up "$(link_of $b)" || { log "speed $tag: no link"; continue; }
			if [ $b = tender ]; then
				app_start "$OUT/speed/$tag.console" /opt/nabla/bin/nabla-run \
					--mem=128 --net:service0="$IFACE" \
					--net-mac:service0=$APP_MAC --block:storage=/dev/ram0 \
					$BENCH/apps/speed.nabla --solo5:quiet $COUNT 10.78.1.1 $APP_IP
			else
				app_start "$OUT/speed/$tag.console" $BENCH/apps/speed --backend=$b \
					--net:service0="$IFACE" --net-mac:service0=$APP_MAC \
					--block:storage=/dev/ram0 -- $COUNT 10.78.1.1 $APP_IP
			fi
			i=0
			while kill -0 "$APP_PID" 2>/dev/null && [ $i -lt 3000 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			app_stop
			link_down
			grep -q '^speed: end' "$OUT/speed/$tag.console" ||
				log "speed $tag: FAILED: $(tail -n 2 "$OUT/speed/$tag.console")"
			save "speed/$tag.console"
		done
		# The block rows at the device backend's durability: O_DIRECT.
		log "speed odirect-$r"
		$BENCH/odirect /dev/ram0 $COUNT > "$OUT/speed/odirect-$r.console" 2>&1 ||
			log "speed odirect-$r: FAILED: $(tail -n 2 "$OUT/speed/odirect-$r.console")"
		save "speed/odirect-$r.console"
		r=$((r + 1))
	done
}

# ---- main --------------------------------------------------------------------------

start=$(date +%s)
for w in $WORKLOADS; do
	[ "$w" = speed ] && run_speed
done
for w in $WORKLOADS; do
	case $w in kv|httpd) run_all tput "$w" ;; esac
done
if why=$(tracer_missing); then
	log "no traced runs: $why"
else
	trace_setup
	for w in $WORKLOADS; do
		[ "$w" = speed ] || run_all iso "$w"
	done
	tr_set tracing_on 0
fi
log "done in $(( $(date +%s) - start )) s"
save guest.log
sync
echo "bench: results written ($DISK_BLOCKS blocks)"
exit 0
