#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# containers_test.sh: nabla-runc in the test host, KTAP on stdout.
#
#   containers_test.sh [lifecycle] [badinput] [podman] [containerd]
#                                   (default: all four)
#
# Needs the tree of nabla-runc/tests/engines (podman, containerd, crun,
# nabla-runc in /usr/local/sbin, the images in /opt/nabla/images) and runs
# engines-setup.sh first.
#
# lifecycle   nabla-runc and crun on the same bundle (a libnabla program on
#             the syscall backend, which both can run), in the same boot:
#             every step's success or failure and the states must agree;
#             plus what only nabla-runc promises: nothing left in --root,
#             no cgroup, no nabla context after delete.
# badinput    each bad config.json: exit status 1, one line on stderr,
#             nothing left behind.
# podman      httpd through a published port, logs, stop, rm; kv's keys
#             on a volume across rm and a new run; exit statuses (0, 7,
#             255 for abort, 159 for SIGSYS); the fallback to the syscall
#             backend with nabla.ko unloaded.
# containerd  ctr run --runc-binary=nabla-runc through the runc v2 shim:
#             hello's exit status, httpd in a network namespace given by
#             path (as the CRI plugin gives one).

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

SECTIONS=${*:-lifecycle badinput podman containerd}

sh "$HERE/engines-setup.sh" || { echo "Bail out! engines-setup.sh failed"; exit 1; }
echo "TAP version 13"

for sec in $SECTIONS; do
	case $sec in
	lifecycle|badinput|podman|containerd) . "$HERE/$sec.sh" ;;
	*) echo "Bail out! unknown section $sec"; exit 1 ;;
	esac
	sec_t0=$(date +%s)
	"test_$sec"
	echo "# $sec: $(( $(date +%s) - sec_t0 )) s"
done
echo "1..$n"
echo "# containers: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
