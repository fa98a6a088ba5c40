#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz, inside the test host (fuzz/run boots it): afl-fuzz drives
# nabla-fuzz for DURATION seconds, then trinity runs against /dev/nabla
# for TRINITY seconds, and everything the host needs for the report is
# written as a tar archive to DISK.
# usage: guest.sh DURATION TRINITY DISK
set -u
duration=$1 trinity_secs=$2 disk=$3
F=/opt/nabla/fuzz
W=/tmp/fuzz
mkdir -p "$W/saved" "$W/trinity"
cd "$W" || exit 1

# The module's text addresses, for the line coverage (fuzz/cover.py).
grep '^nabla ' /proc/modules > "$W/modules"
for s in /sys/module/nabla/sections/.text*; do
	echo "$(basename "$s") $(cat "$s")"
done > "$W/sections"

# afl-fuzz's own checks that do not apply here: no core files wanted, no
# CPU frequency governor, no free CPU to bind to (two, shared with the
# kernel's own work). The target is not built by afl-cc: its coverage
# comes from KCOV, through the fork server nabla-fuzz runs itself.
# Every seed runs at start-up (a short calibration, AFL_FAST_CAL): without
# that, afl-fuzz knows a seed's coverage only once it picks it, and at two
# inputs a second a 5-minute run picked few of them (the kernel-log sink,
# which a seed reaches, was never counted).
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_MAP_SIZE=65536 AFL_FAST_CAL=1
export AFL_FORKSRV_INIT_TMOUT=60000
echo "fuzz: afl-fuzz for ${duration}s ($(ls "$F/seeds" | wc -l) seeds)"
/usr/bin/afl-fuzz -i "$F/seeds" -o "$W/afl" -t 10000 -m none -V "$duration" -- \
	"$F/nabla-fuzz" --afl --pcmap "$W/pcmap" --save "$W/saved" > "$W/afl.log" 2>&1 &
afl=$!
# Progress on the console, once a minute.
while kill -0 "$afl" 2>/dev/null; do
	sleep 60
	s=$W/afl/default/fuzzer_stats
	[ -r "$s" ] && awk '/^(run_time|execs_done|execs_per_sec|corpus_count|edges_found|saved_crashes|saved_hangs) / {
		printf "%s=%s ", $1, $3 } END { print "" }' "$s" | sed 's/^/fuzz: /'
done
wait "$afl"
echo "fuzz: afl-fuzz ended with status $?"
tail -n 5 "$W/afl.log"

# trinity: random system calls, with /dev/nabla as the victim file, for a
# bounded time; the ones that take a file descriptor get nabla's among
# others. As root it needs --dangerous; -X would drop to nobody, who
# cannot open the node.
if [ "$trinity_secs" -gt 0 ]; then
	echo "fuzz: trinity for ${trinity_secs}s"
	timeout -s INT "$trinity_secs" /usr/bin/trinity --dangerous -q -C 2 \
		-V /dev/nabla -l "$W/trinity" --stats \
		-c ioctl -c dup -c dup2 -c dup3 -c fcntl -c read -c write \
		-c readv -c writev -c mmap -c poll -c lseek -c newfstat -c fsync \
		> "$W/trinity.log" 2>&1
	echo "fuzz: trinity ended with status $?"
	tail -n 5 "$W/trinity.log"
fi

cp /proc/sys/kernel/tainted "$W/tainted"
tar -cf "$disk" -C "$W" modules sections pcmap saved afl.log trinity.log tainted \
	afl/default/fuzzer_stats afl/default/plot_data afl/default/queue \
	afl/default/crashes afl/default/hangs 2>/dev/null
sync
# A kernel report found by the fuzzer fails the run (the console has it too).
[ -z "$(ls "$W/saved")" ]
