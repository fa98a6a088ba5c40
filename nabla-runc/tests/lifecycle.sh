# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# lifecycle.sh: the edge cases of the lifecycle, nabla-runc against crun on
# the same bundle in the same boot, and what delete must free.

# rt RUNTIME ARGS...: one call; rc in $rt_rc, stdout+stderr in $WORK/rt.out.
rt() {
	rt_which=$1
	shift
	if [ "$rt_which" = nabla-runc ]; then
		set -- "$NR" --root "$NROOT" "$@"
	elif [ "$1" = create ]; then
		# The test host's root is the initramfs: crun cannot pivot_root.
		shift
		set -- "$CRUN" --root "$CROOT" create --no-pivot "$@"
	else
		set -- "$CRUN" --root "$CROOT" "$@"
	fi
	"$@" > "$WORK/rt.out" 2>&1
	rt_rc=$?
}

# status RUNTIME ID: the status field of `state`, or "none".
status() {
	rt "$1" state "$2"
	if [ $rt_rc -ne 0 ]; then
		echo none
		return
	fi
	sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p' "$WORK/rt.out"
}

# same NAME STEP...: run STEP (a runtime call) with both runtimes on their own
# copy of the bundle; ok when both succeed or both fail. The exit statuses
# and, on a mismatch, both outputs are shown.
same() {
	same_name=$1
	shift
	"$@" nabla-runc
	same_nr=$rt_rc
	cp "$WORK/rt.out" "$WORK/rt.nr"
	"$@" crun
	same_cr=$rt_rc
	if [ $((same_nr == 0)) -eq $((same_cr == 0)) ]; then
		ok "lifecycle: $same_name (nabla-runc $same_nr, crun $same_cr)"
	else
		not_ok "lifecycle: $same_name (nabla-runc $same_nr, crun $same_cr)" \
			"nabla-runc: $(cat "$WORK/rt.nr")" "crun: $(cat "$WORK/rt.out")"
	fi
}

# same_status NAME ID WANT: both runtimes report status WANT for ID.
same_status() {
	s_nr=$(status nabla-runc "$2")
	s_cr=$(status crun "$2")
	if [ "$s_nr" = "$3" ] && [ "$s_cr" = "$3" ]; then
		ok "lifecycle: $1: both $3"
	else
		not_ok "lifecycle: $1: nabla-runc $s_nr, crun $s_cr, want $3"
	fi
}

step_create() { rt "$1" create --bundle "$WORK/b-$1" lc; }
step_create2() { rt "$1" create --bundle "$WORK/b-$1" lc2; }
step_start() { rt "$1" start lc; }
step_delete() { rt "$1" delete lc; }
step_delete_force() { rt "$1" delete --force lc; }
step_kill() { rt "$1" kill lc KILL; }
step_state_unknown() { rt "$1" state nosuch; }
step_start_unknown() { rt "$1" start nosuch; }
step_kill_unknown() { rt "$1" kill nosuch TERM; }
step_delete_unknown() { rt "$1" delete nosuch; }
step_delete_created() { rt "$1" delete lc2; }

stopped_both() {
	[ "$(status nabla-runc lc)" = stopped ] && [ "$(status crun lc)" = stopped ]
}

# Nothing of the container left: its directory under --root, its cgroup,
# a process, a nabla context.
nothing_left() {
	[ -z "$(ls -A "$NROOT" 2>/dev/null)" ] || fail "left in $NROOT: $(ls -A "$NROOT")"
	[ ! -e /sys/fs/cgroup/nabla-test/lc ] || fail "cgroup /nabla-test/lc left"
	[ ! -e /sys/fs/cgroup/nabla-test/lc2 ] || fail "cgroup /nabla-test/lc2 left"
	[ "$(contexts)" -eq 0 ] || fail "$(contexts) nabla contexts left open"
}

# direct_create ID BUNDLE APP ARGS-JSON: nabla-runc create of APP (one of
# the selftests' apps) in $WORK/BUNDLE; sets b and pid.
direct_create() {
	b=$WORK/$2
	bundle "$b" "$APPS/$3"
	bundle_config "$b" "$4"
	"$NR" --root "$NROOT" create --bundle "$b" --pid-file "$b/pid" "$1" || return 1
	pid=$(cat "$b/pid")
}

# The dev backend through nabla-runc alone (crun cannot give it /dev/nabla):
# a context while it runs, none after delete --force; the pid file, the
# state's pid and the cgroup agree.
dev_backend_freed() {
	direct_create dv b-dev yield '["/yield", "--", "idle", "600000"]' || return 1
	"$NR" --root "$NROOT" state dv > "$WORK/st" || return 1
	grep -q "\"pid\": $pid," "$WORK/st" ||
		fail "state's pid is not the pid file's $pid: $(cat "$WORK/st")"
	grep -qx "$pid" /sys/fs/cgroup/nabla-test/b-dev/cgroup.procs ||
		fail "pid $pid not in its cgroup"
	[ "$(cat /sys/fs/cgroup/nabla-test/b-dev/memory.max)" = 50331648 ] ||
		fail "memory.max is not the spec's limit"
	"$NR" --root "$NROOT" start dv || return 1
	wait_until 20 sh -c "grep -q '^owner $pid' /sys/kernel/debug/nabla/*/context" ||
		fail "no nabla context owned by $pid"
	"$NR" --root "$NROOT" delete dv && fail "delete of a running container succeeded"
	"$NR" --root "$NROOT" delete --force dv || return 1
	wait_until 10 sh -c '[ "$(ls -d /sys/kernel/debug/nabla/[0-9]* 2>/dev/null | wc -l)" -eq 0 ]' ||
		fail "a nabla context is still open after delete"
	[ ! -e /sys/fs/cgroup/nabla-test/b-dev ] || fail "cgroup left"
	[ ! -e "$NROOT/dv" ] || fail "$NROOT/dv left"
	grep -q "^$pid signaled 9" /tmp/nabla-reaped.log || fail "no SIGKILL status reaped for $pid"
}

# An application through nabla-runc directly: its exit status reaches the reaper.
exit_status_direct() {
	direct_create ex b-exit exit '["/exit", "--", "exit", "7"]' || return 1
	"$NR" --root "$NROOT" start ex || return 1
	wait_until 20 grep -q "^$pid " /tmp/nabla-reaped.log || fail "pid $pid not reaped"
	grep -q "^$pid exited 7" /tmp/nabla-reaped.log || fail "$(grep "^$pid " /tmp/nabla-reaped.log)"
	[ "$(status nabla-runc ex)" = stopped ] || fail "not stopped after its exit"
	"$NR" --root "$NROOT" delete ex
}

sandbox_stopped() {
	[ "$(status nabla-runc sb)" = stopped ]
}

# A pod's sandbox (the CRI's pause container): held by nabla-runc's init,
# its binary not run; SIGTERM ends it, as it ends pause.
sandbox() {
	b=$WORK/b-sandbox
	rm -rf "$b" && mkdir -p "$b/rootfs"
	bundle_config "$b" '["/pause"]' \
		'"annotations": { "io.kubernetes.cri.container-type": "sandbox" }'
	"$NR" --root "$NROOT" create --bundle "$b" sb || return 1
	"$NR" --root "$NROOT" start sb || return 1
	[ "$(status nabla-runc sb)" = running ] || fail "not running: $(status nabla-runc sb)"
	"$NR" --root "$NROOT" kill sb TERM || return 1
	wait_until 10 sandbox_stopped || fail "SIGTERM did not stop it"
	"$NR" --root "$NROOT" delete sb
}

test_lifecycle() {
	mkdir -p "$NROOT" "$CROOT"
	for r in nabla-runc crun; do
		bundle "$WORK/b-$r" "$APPS/yield"
		# --mem: crun does not size the heap from the memory limit.
		bundle_config "$WORK/b-$r" '["/yield", "--backend=syscall", "--mem=8", "--", "idle", "600000"]'
	done
	same "state of an unknown id fails" step_state_unknown
	same "start of an unknown id fails" step_start_unknown
	same "kill of an unknown id fails" step_kill_unknown
	same "delete of an unknown id fails" step_delete_unknown
	same "create" step_create
	same_status "after create" lc created
	same "create with the same id again fails" step_create
	same_status "after the second create" lc created
	same "start" step_start
	same_status "after start" lc running
	same "start again fails" step_start
	same "delete of a running container without --force fails" step_delete
	same_status "after the refused delete" lc running
	same "kill KILL" step_kill
	if wait_until 10 stopped_both; then
		ok "lifecycle: after kill: both stopped"
	else
		not_ok "lifecycle: after kill: nabla-runc $(status nabla-runc lc), crun $(status crun lc)"
	fi
	same "kill of a stopped container" step_kill
	same "delete of a stopped container" step_delete
	same_status "after delete" lc none
	same "create a second container" step_create2
	same "delete of a created container without --force" step_delete_created
	same_status "after deleting the created one" lc2 none
	check "lifecycle: nothing left after delete (root, cgroups, nabla contexts)" nothing_left
	check "lifecycle: dev backend: context while running, freed by delete --force" dev_backend_freed
	check "lifecycle: the application's exit status (7) reaches the reaper" exit_status_direct
	check "lifecycle: a pod's sandbox container is held until SIGTERM" sandbox
}
