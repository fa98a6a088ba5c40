# SPDX-License-Identifier: ISC
# shellcheck shell=sh
#
# lib.sh: helpers shared by the application tests and the demo: networks
# for each libnabla backend, starting an application confined and waiting
# for its banner, the block images. Sourced, not run. POSIX sh (busybox).
#
# Layout of a "link" (one application's network), named by a short tag:
#   syscall backend: tap nb<tag>t, host end 10.77.<n>.1/24
#   dev backend:     veth pair nb<tag>h (host end, 10.77.<n>.1/24) and
#                    nb<tag>a (the application's end, no address)
# The application is 10.77.<n>.2/24 with the MAC 02:6e:62:00:<n>:02, fixed
# so that restarts do not leave stale neighbour entries behind.

# Where the applications are: $NABLA_EXAMPLES/<name>/<name>. Default: the
# test host's install, else the examples/ directory this file lives under
# (found from the sourcing script: examples/demo.sh or examples/tests/*).
: "${NABLA_EXAMPLES:=}"
if [ -z "$NABLA_EXAMPLES" ]; then
	if [ -d /opt/nabla/examples/kv ]; then
		NABLA_EXAMPLES=/opt/nabla/examples
	else
		for d in "$(dirname "$0")" "$(dirname "$0")/.."; do
			[ -d "$d/kv" ] && NABLA_EXAMPLES=$(cd "$d" && pwd) && break
		done
	fi
fi

# iproute2's ip (busybox's applet cannot make veth or tap links; busybox sh
# may prefer its applet to a PATH lookup, so the path is explicit).
IP=ip
for c in /usr/sbin/ip /sbin/ip /bin/ip /usr/bin/ip; do
	if "$c" -V 2>&1 | grep -q iproute2; then
		IP=$c
		break
	fi
done

app_bin() {
	echo "$NABLA_EXAMPLES/$1/$1"
}

# Work directory, removed at exit by cleanup.
WORK=$(mktemp -d /tmp/nabla-apps.XXXXXX)
LINKS=""
PIDS=""

cleanup() {
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=""
	for l in $LINKS; do
		"$IP" link del "$l" 2>/dev/null
	done
	LINKS=""
	rm -rf "$WORK"
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# backend_ok BACKEND: 0 if the backend can run here, else prints why not.
backend_ok() {
	case $1 in
	dev)
		[ -c /dev/nabla ] || { echo "no /dev/nabla (nabla.ko not loaded)"; return 1; }
		;;
	syscall)
		[ -c /dev/net/tun ] || { echo "no /dev/net/tun"; return 1; }
		;;
	*)
		echo "unknown backend $1"; return 1
		;;
	esac
	return 0
}

# link_up BACKEND TAG N: create the link; sets IFACE (the application's
# interface), HOST_IP, APP_IP, APP_MAC.
link_up() {
	lu_tag=$2
	HOST_IP=10.77.$3.1
	APP_IP=10.77.$3.2
	APP_MAC=02:6e:62:00:$(printf '%02x' "$3"):02
	if [ "$1" = dev ]; then
		"$IP" link add "nb${lu_tag}h" type veth peer name "nb${lu_tag}a" || return 1
		LINKS="$LINKS nb${lu_tag}h"
		"$IP" addr add "$HOST_IP/24" dev "nb${lu_tag}h" || return 1
		"$IP" link set "nb${lu_tag}a" up || return 1
		"$IP" link set "nb${lu_tag}h" up || return 1
		IFACE=nb${lu_tag}a
	else
		"$IP" tuntap add "nb${lu_tag}t" mode tap || return 1
		LINKS="$LINKS nb${lu_tag}t"
		"$IP" addr add "$HOST_IP/24" dev "nb${lu_tag}t" || return 1
		"$IP" link set "nb${lu_tag}t" up || return 1
		IFACE=nb${lu_tag}t
	fi
	return 0
}

links_down() {
	for l in $LINKS; do
		"$IP" link del "$l" 2>/dev/null
	done
	LINKS=""
}

# nabla-run, for UNIKERNEL=yes: the test host's, else this tree's.
NABLA_RUN=${NABLA_RUN:-/opt/nabla/bin/nabla-run}
[ -x "$NABLA_RUN" ] || NABLA_RUN=$NABLA_EXAMPLES/../tenders/nabla/nabla-run

# app_start NAME BACKEND LOG BLOCK [ARG...]: start an application confined,
# its console in LOG; sets APP_PID. Uses IFACE, APP_IP, APP_MAC. With
# UNIKERNEL=yes, the application built as a freestanding unikernel
# (NAME.nabla for the dev backend, NAME.nabla_syscall), run by nabla-run.
app_start() {
	as_bin=$(app_bin "$1") as_backend=$2 as_log=$3 as_blk=$4
	shift 4
	# Emptied here, not by the child's redirection: wait_for must not see
	# the previous run's banner before the child gets to run.
	: > "$as_log"
	if [ "${UNIKERNEL:-}" = yes ]; then
		as_uk=$as_bin.nabla
		[ "$as_backend" = dev ] || as_uk=${as_uk}_syscall
		"$NABLA_RUN" --mem=128 --net:service0="$IFACE" \
			--net-mac:service0="$APP_MAC" --block:storage="$as_blk" \
			"$as_uk" --solo5:quiet "$APP_IP/24" "$@" >> "$as_log" 2>&1 &
	else
		"$as_bin" --backend="$as_backend" --net:service0="$IFACE" \
			--net-mac:service0="$APP_MAC" --block:storage="$as_blk" \
			-- "$APP_IP/24" "$@" >> "$as_log" 2>&1 &
	fi
	APP_PID=$!
	PIDS="$PIDS $APP_PID"
}

# wait_for LOG PATTERN SECONDS: wait until LOG has a line matching PATTERN
# (grep -E), or the process APP_PID died, or the time is up.
wait_for() {
	wf_i=0
	while [ "$wf_i" -lt $(($3 * 10)) ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		kill -0 "$APP_PID" 2>/dev/null || { grep -qE "$2" "$1"; return $?; }
		sleep 0.1
		wf_i=$((wf_i + 1))
	done
	return 1
}

# app_kill: SIGKILL the application and reap it.
app_kill() {
	kill -9 "$APP_PID" 2>/dev/null
	wait "$APP_PID" 2>/dev/null
	ak_rest=""
	for ak_p in $PIDS; do
		[ "$ak_p" = "$APP_PID" ] || ak_rest="$ak_rest $ak_p"
	done
	PIDS=$ak_rest
	for ak_l in $LINKS; do
		"$IP" neigh flush dev "$ak_l" 2>/dev/null
	done
	return 0
}

# A fresh block image for kv of SIZE MiB (zeros: kv formats it).
new_image() {
	dd if=/dev/zero of="$1" bs=1048576 count="$2" 2>/dev/null
}

# make_site DIR TAR: a small web site and its tar archive.
make_site() {
	mkdir -p "$1/sub" "$1/img"
	printf '<!doctype html>\n<title>nabla</title>\n<p>Served by a Solo5 unikernel on libnabla.</p>\n' \
		> "$1/index.html"
	printf 'body { font-family: sans-serif }\n' > "$1/style.css"
	printf 'sub index\n' > "$1/sub/index.html"
	# 200 KiB of varied bytes: spans many reads and TCP windows
	ms_i=0
	while [ $ms_i -lt 200 ]; do
		printf '%01023d\n' "$ms_i"
		ms_i=$((ms_i + 1))
	done > "$1/img/big.bin"
	(cd "$1" && tar -cf "$2" index.html style.css sub img)
}
