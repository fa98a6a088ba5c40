# SPDX-License-Identifier: GPL-2.0
"""The figures of the isolation measurement, from decoded trace events
(tracecmd.read_events: (ts, cpu, pid, kind, name, depth, module)):

* strict_functions(): the functions in call trees rooted at the tasks' own
  kernel entries (system calls and exceptions; every root of a kernel
  thread), without interrupt and softirq subtrees;
* honest_functions(): those rules over the workload's tasks and the kernel
  threads working for it together, without the host's receive processing
  of what the workload sent: the figure no move of work from one thread
  to another can lower or raise (bench/tests proves it on synthetic
  traces);
* subsystem(): the kernel subsystem of a function, by a name-prefix table.
"""

import collections
import re

# ---- kernel subsystems by function name -------------------------------------
# First match wins. Names are Debian's 6.1/6.12 symbols (".isra.0" and the
# like are stripped first).
SUBSYSTEMS = [
    ('nabla module', r'^nabla_|\[nabla\]'),
    ('seccomp', r'seccomp|^populate_seccomp_data'),
    ('syscall entry/exit', r'^(x64_sys_call|do_syscall|syscall_|exit_to_user_mode|'
     r'__x64_sys_|__ia32_sys|fpregs_assert|switch_fpu_return|restore_fpregs|'
     r'mem_cgroup_handle_over_high|blkcg_maybe_throttle|__rseq|rseq_|'
     r'arch_exit_to_user_mode|do_user_addr_fault|exc_|handle_mm_fault|'
     r'__handle_mm_fault|fpu__)'),
    ('security (LSM)', r'^(security_|tomoyo_|apparmor_|aa_|bpf_lsm_|'
     r'selinux_|cap_|lsm_)'),
    ('tun/tap', r'^tun_|^__tun_|^tap_'),
    ('veth', r'^veth_'),
    # do_compat_epoll_pwait.part.0 is do_epoll_pwait.part.0 on 6.1 and 7.2
    # (one address, two symbols), and trace-cmd names it so.
    ('poll/wait', r'^(do_sys_poll|do_poll|poll_|__pollwait|ep_|do_epoll|do_compat_epoll|'
     r'core_sys_select|do_select|__x64_sys_ppoll|poll_select|'
     r'prepare_to_wait|finish_wait|add_wait_queue|remove_wait_queue|'
     r'__wake_up|autoremove_wake|default_wake|woken_wake|wait_woken|'
     r'pollwake|init_waitqueue|__init_waitqueue)'),
    ('networking', r'^(__netif|netif_|napi_|__napi|net_|__dev_|dev_|'
     r'skb_|__skb|kfree_skb|consume_skb|__kfree_skb|alloc_skb|__alloc_skb|'
     r'build_skb|__build_skb|eth_|ip_|__ip|ipv4_|icmp|arp_|neigh_|__neigh|'
     r'inet_|sk_|sock_|tcp_|udp_|raw_|packet_|fib_|rt_|dst_|nf_|netdev_|'
     r'__netdev|validate_xmit|sch_|qdisc_|pfifo|__qdisc|rps_|'
     r'process_backlog|enqueue_to_backlog|__copy_skb|csum_|'
     r'__kmalloc_reserve|kmalloc_reserve|page_frag|gro_|inet_gro|'
     r'dev_gro|__dev_queue|br_|rtnl_|__rtnl)'),
    ('block layer', r'^(blk_|__blk|bio_|__bio|submit_bio|bvec_|bdev_|'
     r'blkdev_|__blkdev|brd_|loop_|disk_|part_|elv_|dd_|bfq_|kyber_|'
     r'set_capacity|should_fail_bio|ktime_get_with_offset|'
     r'__submit_bio|iov_iter_get_pages|bio_iov|rq_qos|wbt_)'),
    ('page cache/filemap', r'^(filemap_|__filemap|folio_|__folio|page_cache|'
     r'pagecache_|generic_perform_write|generic_file_|__generic_file|'
     r'generic_write|mark_buffer|__mark_inode|mark_page|set_page_dirty|'
     r'balance_dirty|block_write|__block_write|block_read|'
     r'create_empty_buffers|alloc_buffer|__find_get_block|'
     r'find_get_|find_lock|grab_cache|add_to_page_cache|'
     r'workingset_|lru_|__lru|mapping_|xa_|xas_|__xa|'
     r'shmem_|simple_write|iomap_|buffer_|__buffer|end_buffer|'
     r'touch_atime|atime_|file_update_time|file_modified|file_remove_privs|'
     r'inode_needs_update_time|__mark|unlock_page|put_page|'
     r'mark_page_accessed|copy_page_to_iter|copy_page_from_iter|'
     r'fault_in_|invalidate_|truncate_|release_pages|'
     r'node_dirty|wb_|writeback|__writeback|dirty_)'),
    ('VFS/fs', r'^(vfs_|__vfs|ksys_|do_sys_|__fdget|__fget|fget|fput|'
     r'__fput|fdget|rw_verify_area|__x64_sys_(read|write|pread|pwrite)|'
     r'do_vfs_ioctl|__x64_sys_ioctl|file_|new_sync|__kernel_write|'
     r'iov_iter|import_|_copy_to_iter|_copy_from_iter|copy_to_iter|'
     r'copy_from_iter|fsnotify|__fsnotify|inode_|generic_|'
     r'__check_object_size|check_stack_object|__virt_addr_valid|'
     r'check_heap_object|__check_heap_object|rw_|do_iter|'
     r'ext4_|kiocb_|init_sync_kiocb|__kiocb|dnotify|anon_|'
     r'put_timespec|get_timespec|set_normalized_timespec|'
     r'poll_select_finish|chrdev_|misc_)'),
    ('scheduler', r'^(schedule|__schedule|__cond_resched|_cond_resched|'
     r'preempt_|pick_next|put_prev|set_next|enqueue_|dequeue_|'
     r'update_|__update|check_preempt|resched_|ttwu|try_to_wake|'
     r'wake_up|__wake_up|select_task_rq|finish_task_switch|'
     r'psi_|cpuacct|cgroup_|sched_|__sched|rcu_note|'
     r'context_switch|switch_mm|load_new_mm_cr3|switch_ldt|'
     r'__switch_to|save_fpregs|native_sched|kick_process|'
     r'migrate_|set_task_cpu|place_entity|reweight|clear_buddies|'
     r'hrtick|newidle|idle_|do_idle|cpuidle|pick_|task_|'
     r'account_|reweight_|avg_|attach_entity|detach_entity|'
     r'__enqueue|__dequeue|__calc_delta|calc_|raw_spin_rq|'
     r'_raw_spin_rq|update_curr|yield|do_sched|io_schedule|'
     r'mutex_|__mutex|down_|up_|rwsem|__down|__up|'
     r'finish_wait|prepare_to_wait|wake_q|__wake_q|'
     r'native_queued|queued_|_raw_|__raw|raw_|'
     r'__lock|lock_|_lock|__local_bh|local_bh|__rcu|rcu_read|'
     r'__srcu|srcu_|kthread)'),
    ('timers/time', r'^(hrtimer|__hrtimer|ktime_|timekeeping|tick_|'
     r'clockevents|lapic_|read_tsc|native_read_tsc|kvm_clock|'
     r'pvclock|__x64_sys_clock|posix_|do_clock|clock_|timerqueue|'
     r'get_nohz|timer_|__timer|mod_timer|del_timer|__mod_timer|'
     r'jiffies|get_jiffies|current_time|ns_to|timespec|'
     r'do_nanosleep|schedule_hrtimeout|usleep|msleep|run_timer|'
     r'enqueue_hrtimer|__remove_hrtimer|calc_wheel|'
     r'lock_timer|unlock_timer|get_next_timer|'
     r'__next_timer|forward_timer|trigger_dyntick|'
     r'sched_clock|local_clock|native_sched_clock)'),
    ('memory', r'^(kmem_|kmalloc|__kmalloc|kfree|__kfree|kzalloc|'
     r'slab_|__slab|___slab|kmemleak|memcg_|mem_cgroup|__mem_cgroup|'
     r'obj_cgroup|__obj_cgroup|mod_memcg|__mod_memcg|page_counter|'
     r'alloc_pages|__alloc_pages|get_page_from_freelist|free_|'
     r'__free|rmqueue|__rmqueue|mempool_|vmalloc|__vmalloc|'
     r'clear_page|copy_page|memcpy|memset|memmove|__memcpy|'
     r'_copy_to_user|_copy_from_user|copy_user|__copy_user|'
     r'__put_user|__get_user|should_failslab|fs_reclaim|'
     r'percpu_counter|__percpu|pcpu_|refill_obj|get_obj|'
     r'mod_objcg|__mod_lruvec|mod_lruvec|lruvec|__count_memcg|'
     r'count_memcg|handle_pte|do_anonymous|do_fault|'
     r'__pte|pte_|pmd_|pud_|p4d_|vma_|find_vma|lock_vma|'
     r'mmap_|__get_free|get_zeroed|page_|__page|'
     r'__mod_node_page|mod_node_page|__inc_node|__dec_node|'
     r'set_pte|do_set_pte|__do_fault|up_read|down_read|'
     r'get_mem_cgroup|kvfree|kvmalloc|__kvmalloc|ksize|'
     r'__ksize|build_detached_freelist|kvfree_)'),
    ('interrupts/softirq/RCU', r'^(irq_|__irq|do_softirq|__do_softirq|'
     r'handle_softirqs|invoke_softirq|__local_bh_enable|local_bh_enable|'
     r'_local_bh_enable|raise_softirq|__raise_softirq|wakeup_softirqd|'
     r'rcu_|__rcu|call_rcu|note_gp|tasklet_|'
     r'irqentry_|sysvec_|__sysvec|asm_|handle_irq|handle_edge|'
     r'handle_fasteoi|generic_handle|ack_|apic_|native_apic|'
     r'x2apic|smp_call|generic_smp|flush_smp|'
     r'__flush_smp|irq_work|__irq_work|kvm_)'),
]
_SUB_RE = [(name, re.compile(rx)) for name, rx in SUBSYSTEMS]


def subsystem(fn):
    base = re.sub(r'\.(isra|constprop|part|cold|lto_priv)\.\d+', '', fn)
    for name, rx in _SUB_RE:
        if rx.search(base):
            return name
    return 'other'


# ---- strict figure: call trees of the workload's own kernel entries -----------
# Roots (depth 0 of a task's graph) that are its own system calls or
# exceptions, and roots or subtrees that are interrupt or softirq work done
# on the task's time. Return-to-user work (exit_to_user_mode_prepare...)
# belongs to whichever entry it returns from.
SYSCALL_ROOT = re.compile(
    r'^(x64_sys_call|do_syscall_64|__x64_sys_|__ia32_sys_|__do_sys_|'
    r'syscall_trace_enter|__secure_computing|syscall_enter_from_user_mode|'
    r'syscall_exit_to_user_mode|syscall_exit_work|__syscall_|'
    r'entry_SYSCALL)')
EXC_ROOT = re.compile(
    r'^(exc_|asm_exc_|do_user_addr_fault|handle_mm_fault|do_page_fault|'
    r'do_int3|do_trap|do_error_trap|math_error|fpu__|handle_page_fault)')
IRQ_ROOT = re.compile(
    r'^(asm_|sysvec_|__sysvec_|irq_enter|irq_exit|__irq_exit|__do_softirq|'
    r'do_softirq|handle_softirqs|invoke_softirq|irqentry_|common_interrupt|'
    r'__common_interrupt|handle_irq|handle_edge_irq|handle_fasteoi_irq|'
    r'generic_handle_irq|run_timer_softirq|net_rx_action|rcu_core|'
    r'tasklet_|smp_apic_timer|hrtimer_interrupt|__hrtimer_run_queues|'
    r'tick_sched|timer_interrupt|do_IRQ|__napi_poll|'
    r'__sysvec|local_apic_timer|irq_work_run|flush_smp_call|'
    r'__flush_smp_call|generic_smp_call|rcu_sched_clock_irq|'
    r'update_process_times|scheduler_tick|account_process_tick)')
# The host's own network stack receiving a frame the workload sent: tun
# runs it in the writer's system call (netif_receive_skb), veth in the
# softirq its transmit raises (already left out as softirq). The "path"
# figure leaves it out of both: the kernel code of the backend's own path.
HOST_RX = re.compile(
    r'^(netif_receive_skb|__netif_receive_skb|netif_receive_skb_list|'
    r'__netif_receive_skb_list|process_backlog|ip_rcv|ip_list_rcv|ipv6_rcv|'
    r'arp_rcv)')
BASE = re.compile(r'\.(isra|constprop|part|cold|lto_priv)\.\d+')


def strict_functions(events, pids, kthreads=frozenset()):
    """Function names in trees rooted at the tasks' own work, without
    interrupt/softirq subtrees; returns (keep, path, roots), path being
    keep without the host's receive processing (HOST_RX subtrees).

    The own work of a user task (@pids) is its system call and exception
    entries. A kernel thread (@kthreads, a subset of @pids) has no entry
    of its own: every root of it is its work except interrupt and softirq
    roots. Each task's events are read in its own time order, and its
    roots are its calls at the lowest depth it reaches in the trace (0 for
    a user task, its loop's calls for a kernel thread, whose outer frames
    began before the trace). A task's events before its first root are
    left out: they continue a call whose root was not traced (the system
    call a task slept in, or a softirq a kernel thread was in when tracing
    began), so their context cannot be told."""
    keep, path = set(), set()
    roots = collections.Counter()
    by_pid = collections.defaultdict(list)
    for ev in events:
        if ev[3] == 'f' and ev[2] in pids:
            by_pid[ev[2]].append(ev)
    cls = {}

    def classify(name):
        base = BASE.sub('', name)
        c = (base, bool(SYSCALL_ROOT.search(base)), bool(EXC_ROOT.search(base)),
             bool(IRQ_ROOT.search(base)), bool(HOST_RX.search(base)))
        cls[name] = c
        return c

    for pid, evs in by_pid.items():
        evs.sort(key=lambda e: e[0])
        kthread = pid in kthreads
        context = None
        low = min(e[5] for e in evs)
        stack = []      # (depth, irq, rx) of open ancestors, flags inherited
        for ts, cpu, _, _, name, depth, mod in evs:
            if context is None and depth != low:
                continue
            base, is_sys, is_exc, is_irq, is_rx = cls.get(name) or classify(name)
            while stack and stack[-1][0] >= depth:
                stack.pop()
            if depth == low:
                stack = []
                context = context or ('kthread' if kthread else 'syscall')
                if is_sys and not kthread:
                    context = 'syscall'
                elif is_exc and not kthread:
                    context = 'exception'
                elif is_irq:
                    context = 'irq'
                elif kthread:
                    context = 'kthread'
                roots[(context, base)] += 1
            irq = is_irq or bool(stack and stack[-1][1])
            rx = is_rx or bool(stack and stack[-1][2])
            stack.append((depth, irq, rx))
            if context != 'irq' and not irq:
                fn = fullname(name, mod)
                keep.add(fn)
                if not rx:
                    path.add(fn)
    return keep, path, roots


def honest_functions(events, pids, helpers):
    """The honest figure's functions: the strict rules over the workload's
    tasks and the kernel threads working for it together (whichever of
    them runs a function, it counts once), without the host's receive
    processing of what the workload sent (the peer end's work, wherever it
    runs: a softirq, tun's write, a transmit thread)."""
    _, path, _ = strict_functions(events, set(pids) | set(helpers), frozenset(helpers))
    return path


def fullname(name, mod):
    return name + (' [%s]' % mod if mod else '')
