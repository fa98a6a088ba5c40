#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [SECTION...]: containers_test.sh under the reaper (the tests read
# the exit statuses it logs), its KTAP nested as run_kselftest.sh nests a
# program's, so that testhost/tally counts each case.
here=$(dirname "$0")
echo "# selftests: nabla-runc: containers_test.sh"
{
	"$here/reaper" /tmp/nabla-reaped.log sh "$here/containers_test.sh" "$@"
	echo $? > /tmp/containers.rc
} 2>&1 | sed 's/^/# /'
rc=$(cat /tmp/containers.rc)
if [ $rc -eq 0 ]; then
	echo "ok 1 selftests: nabla-runc: containers_test.sh"
else
	echo "not ok 1 selftests: nabla-runc: containers_test.sh # exit=$rc"
fi
exit $rc
