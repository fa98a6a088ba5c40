# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the bench's instrument: the reading of trace-cmd's
output (tracecmd.py), the strict and honest figures and the subsystem
table (figures.py) and the report's reading of a run (bench/report), on
synthetic traces whose every event is known, written as trace-cmd report
prints them (`trace-cmd report -R -l -t`, `trace-cmd report -f`).

    python3 -m unittest discover -s bench/tests -v
"""

import gzip
import importlib.machinery
import importlib.util
import os
import sys
import tempfile
import unittest

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH)
import figures  # noqa: E402
import tracecmd  # noqa: E402


def load_report():
    # bench/report reads sys.argv[1] as its results folder when imported.
    saved, sys.argv = sys.argv, [sys.argv[0]]
    try:
        loader = importlib.machinery.SourceFileLoader(
            'bench_report', os.path.join(BENCH, 'report'))
        spec = importlib.util.spec_from_loader('bench_report', loader)
        mod = importlib.util.module_from_spec(spec)
        loader.exec_module(mod)
        return mod
    finally:
        sys.argv = saved


report = load_report()

# Lines as trace-cmd 3.1.6 printed them for a 6.12 trace (report -R -l
# -t): an entry, its exit, a system call, a page that lost events, then
# an entry in a module and one of an event the figures do not read.
REPORT = [
    '           <...>-183     1-0x0    45.115624763: funcgraph_entry:       '
    'func=lock_mm_and_find_vma depth=0',
    '           <...>-183     1-0x0    45.116028213: funcgraph_exit:        '
    'func=down_read_trylock depth=1 overrun=0 calltime=af700b3ed rettime=af701b629',
    '           <...>-183     1-0x0    45.116855535: sys_enter:             '
    'id=15 args=ARRAY[11, 00, 00, 00, 00, 00, 00, 00]',
    'CPU:0 [EVENTS DROPPED]',
    '   speed-176     0-0x1     7.549682448: funcgraph_entry:       func=nabla_ioctl depth=2',
    '   speed-176     0-0x1     7.549682500: sched_switch:          prev_comm=speed prev_pid=176',
    'CPU:1 [12 EVENTS DROPPED]',
]
# report -f: the kallsyms of the trace.dat, "[module]" after a module's.
FUNCTIONS = [
    'ffffffff9de00010 lock_mm_and_find_vma',
    'ffffffffc040d5a0 nabla_ioctl [nabla]',
    'ffffffffc040e000 virtio_net_hdr_to_skb.constprop.0 [tun]',
    'ffffffff9e000000 virtio_net_hdr_to_skb.constprop.0',
]


def line(pid, cpu, ts, event, fields, comm='app'):
    """One event as trace-cmd report -R -l -t prints it."""
    return '%16s-%-7d %3d-0x0 %6d.%09d: %s: %s' % (
        comm, pid, cpu, ts // 1000000000, ts % 1000000000, event, fields)


class TraceCmdTest(unittest.TestCase):
    def test_report_lines(self):
        out = []
        lost = tracecmd.parse(REPORT, tracecmd.modules(FUNCTIONS), out)
        self.assertEqual(lost, 2)
        self.assertEqual(out, [
            (45115624763, 1, 183, 'f', 'lock_mm_and_find_vma', 0, ''),
            (45116855535, 1, 183, 's', 15, 0, ''),
            (7549682448, 0, 176, 'f', 'nabla_ioctl', 2, 'nabla'),
        ])

    def test_comm_with_dashes_and_spaces(self):
        out = []
        tracecmd.parse([line(7, 3, 1000000001, 'funcgraph_entry', 'func=schedule depth=1',
                             comm='kworker/u8:0-ev ts-1')], {}, out)
        self.assertEqual(out, [(1000000001, 3, 7, 'f', 'schedule', 1, '')])

    def test_short_fraction_is_scaled(self):
        out = []
        tracecmd.parse(['  a-1     0-0x0    45.115625: sys_enter: id=1'], {}, out)
        self.assertEqual(out[0][0], 45115625000)

    def test_an_unknown_line_is_an_error(self):
        # An entry or system call printed otherwise than this reader
        # expects must not become a run with fewer functions.
        for bad in ('   a-1     0-0x0    45.115625: funcgraph_entry: function=f level=0',
                    '   a-1     0 45.115625: funcgraph_entry: func=f depth=0',
                    '   a-1     0-0x0    45.115625: sys_enter: NR 15 (11, 0)'):
            with self.assertRaises(tracecmd.TraceCmdError, msg=bad):
                tracecmd.parse(['cpus=2', bad], {}, [])

    def test_modules(self):
        mods = tracecmd.modules(FUNCTIONS)
        self.assertEqual(mods['lock_mm_and_find_vma'], '')
        self.assertEqual(mods['nabla_ioctl'], 'nabla')
        # The name alone cannot tell which of them ran: both are named.
        self.assertEqual(mods['virtio_net_hdr_to_skb.constprop.0'], 'tun|vmlinux')

    def test_missing_trace_cmd(self):
        saved, tracecmd.TRACE_CMD = tracecmd.TRACE_CMD, '/nonexistent/trace-cmd'
        try:
            with self.assertRaises(tracecmd.TraceCmdError):
                tracecmd.read_events('/nonexistent.dat', [])
        finally:
            tracecmd.TRACE_CMD = saved


class StrictTest(unittest.TestCase):
    def test_strict_keeps_own_entries_only(self):
        t = iter(range(1, 1000))
        ev = []

        def f(pid, name, depth, mod=''):
            ev.append((next(t), 1, pid, 'f', name, depth, mod))
        # A system call, with an interrupt and the host's receive path
        # inside it.
        f(42, 'x64_sys_call', 0)
        f(42, '__x64_sys_ioctl', 1)
        f(42, 'nabla_ioctl', 2, 'nabla')
        f(42, 'irq_enter_rcu', 3)
        f(42, 'run_timer_softirq', 4)
        f(42, 'do_vfs_ioctl', 2)
        f(42, 'netif_receive_skb', 3)
        f(42, 'ip_rcv', 4)
        # A softirq run on the task's time at depth 0, then the scheduler
        # called from it, then a page fault of the task's own.
        f(42, '__do_softirq', 0)
        f(42, 'schedule', 1)
        f(42, 'do_user_addr_fault', 0)
        f(42, 'handle_mm_fault', 1)
        # Another task: not the workload's.
        f(99, 'pick_next_task_fair', 0)
        keep, path, roots = figures.strict_functions(ev, {42})
        self.assertEqual(keep, {'x64_sys_call', '__x64_sys_ioctl', 'nabla_ioctl [nabla]',
                                'do_vfs_ioctl', 'netif_receive_skb', 'ip_rcv',
                                'do_user_addr_fault', 'handle_mm_fault'})
        self.assertEqual(path, keep - {'netif_receive_skb', 'ip_rcv'})
        self.assertEqual(roots[('syscall', 'x64_sys_call')], 1)
        self.assertEqual(roots[('irq', '__do_softirq')], 1)
        self.assertEqual(roots[('exception', 'do_user_addr_fault')], 1)

    def test_strict_follows_each_task_in_time_order(self):
        # Events of two threads interleaved and out of order: each
        # thread's depths are read in its own time order.
        ev = [
            (3, 1, 42, 'f', 'nabla_ioctl', 1, 'nabla'),
            (1, 1, 42, 'f', 'irq_enter_rcu', 0, ''),
            (2, 1, 42, 'f', 'x64_sys_call', 0, ''),
            (2, 0, 43, 'f', 'do_vfs_ioctl', 1, ''),
            (1, 0, 43, 'f', 'irq_enter_rcu', 0, ''),
        ]
        keep, _, _ = figures.strict_functions(ev, {42, 43})
        self.assertEqual(keep, {'x64_sys_call', 'nabla_ioctl [nabla]'})


# ---- the honest figure: moving work between threads cannot change it -------
# A frame written by the workload, sent to the host (veth: the peer's
# receive runs in the softirq the transmit raises), as call trees of
# (name, depth, module). The workload's system call writes it; the send
# is either made in that call (inline) or by a kernel thread of the module
# (moved), the same functions in both.
WRITE = [('x64_sys_call', 0, ''), ('__x64_sys_ioctl', 1, ''), ('nabla_ioctl', 2, 'nabla'),
         ('nabla_net_write', 3, 'nabla')]
SEND = [('dev_direct_xmit', 0, ''), ('veth_xmit', 1, 'veth'),
        ('__local_bh_enable_ip', 0, ''), ('do_softirq', 1, ''), ('handle_softirqs', 2, ''),
        ('net_rx_action', 3, ''), ('ip_rcv', 4, ''), ('tcp_v4_rcv', 5, '')]
# tun's write: the host's receive in the writer's own context, no softirq.
TUN_RX = [('netif_receive_skb', 0, ''), ('ip_rcv', 1, ''), ('tcp_v4_rcv', 2, '')]
TASK, THREAD, OTHER = 42, 50, 99


def deeper(tree, by):
    return [(n, d + by, m) for n, d, m in tree]


def trace(*parts):
    """Events of (pid, tree) parts, in the order given, one CPU."""
    ev, t = [], 0
    for pid, tree in parts:
        for name, depth, mod in tree:
            t += 1
            ev.append((t, 1, pid, 'f', name, depth, mod))
    return ev


class HonestTest(unittest.TestCase):
    # The functions the send reaches that are not the peer's receive or
    # softirq work.
    OWN = {'x64_sys_call', '__x64_sys_ioctl', 'nabla_ioctl [nabla]',
           'nabla_net_write [nabla]', 'dev_direct_xmit', 'veth_xmit [veth]',
           '__local_bh_enable_ip'}

    def test_inline_and_moved_count_the_same(self):
        inline = trace((TASK, WRITE + deeper(SEND, 4)))
        moved = trace((TASK, WRITE), (THREAD, SEND))
        h_inline = figures.honest_functions(inline, {TASK}, set())
        h_moved = figures.honest_functions(moved, {TASK}, {THREAD})
        self.assertEqual(h_inline, self.OWN)
        self.assertEqual(h_moved, self.OWN)
        # The per-task figure is what the move lowers.
        per_task_moved, _, _ = figures.strict_functions(moved, {TASK})
        self.assertEqual(per_task_moved, {'x64_sys_call', '__x64_sys_ioctl',
                                          'nabla_ioctl [nabla]', 'nabla_net_write [nabla]'})

    def test_the_hand_over_itself_counts(self):
        # What the move adds (waking the thread, its switch-in) is work
        # done for the workload, and counted.
        moved = trace((TASK, WRITE + [('try_to_wake_up', 4, '')]),
                      (THREAD, [('finish_task_switch', 0, '')] + SEND))
        self.assertEqual(figures.honest_functions(moved, {TASK}, {THREAD}),
                         self.OWN | {'try_to_wake_up', 'finish_task_switch'})

    def test_host_receive_left_out_wherever_it_runs(self):
        in_call = trace((TASK, [('x64_sys_call', 0, ''), ('tun_get_user', 1, 'tun')] +
                         deeper(TUN_RX, 2)))
        in_thread = trace((TASK, [('x64_sys_call', 0, ''), ('tun_get_user', 1, 'tun')]),
                          (THREAD, TUN_RX))
        want = {'x64_sys_call', 'tun_get_user [tun]'}
        self.assertEqual(figures.honest_functions(in_call, {TASK}, set()), want)
        self.assertEqual(figures.honest_functions(in_thread, {TASK}, {THREAD}), want)

    def test_softirq_and_interrupts_left_out_in_a_thread(self):
        ev = trace((THREAD, [('handle_softirqs', 0, ''), ('net_rx_action', 1, ''),
                             ('irq_enter_rcu', 0, ''), ('run_timer_softirq', 1, ''),
                             ('dev_direct_xmit', 0, '')]))
        self.assertEqual(figures.honest_functions(ev, {TASK}, {THREAD}), {'dev_direct_xmit'})

    def test_a_call_whose_root_was_not_traced_is_left_out(self):
        # Tracing began while the thread was in a softirq (the peer's
        # receive, deep in it) and while the task was in a system call:
        # what they do before their first root cannot be placed.
        ev = trace((THREAD, [('tcp_v4_rcv', 15, ''), ('dev_direct_xmit', 16, ''),
                             ('dev_direct_xmit', 2, ''), ('veth_xmit', 3, 'veth')]),
                   (TASK, [('do_vfs_ioctl', 5, ''), ('x64_sys_call', 0, '')]))
        self.assertEqual(figures.honest_functions(ev, {TASK}, {THREAD}),
                         {'dev_direct_xmit', 'veth_xmit [veth]', 'x64_sys_call'})
        _, _, roots = figures.strict_functions(ev, {TASK, THREAD}, {THREAD})
        self.assertEqual(roots[('kthread', 'dev_direct_xmit')], 1)
        # Once started, a softirq entered at the thread's loop level is
        # recognised and left out.
        ev = trace((THREAD, [('dev_direct_xmit', 2, ''), ('handle_softirqs', 2, ''),
                             ('tcp_v4_rcv', 3, '')]))
        self.assertEqual(figures.honest_functions(ev, {TASK}, {THREAD}), {'dev_direct_xmit'})

    def test_only_the_workload_and_the_module_threads(self):
        # Another kernel thread (ksoftirqd, say) and another task's
        # switch-in lines are in the trace, not in the figure.
        ev = trace((TASK, WRITE), (OTHER, [('pick_next_task_fair', 0, '')]),
                   (THREAD, SEND), (60, [('dev_direct_xmit', 0, ''), ('schedule', 1, '')]))
        self.assertEqual(figures.honest_functions(ev, {TASK}, {THREAD}), self.OWN)
        self.assertNotIn('schedule', figures.honest_functions(ev, {TASK}, {THREAD}))


# A stand-in for trace-cmd in ReadRunTest: its "trace.dat" files are text.
# restore -c's head file holds report -f's lines; restore appends each
# CPU file after a "--" line with the CPU's number (its place on the
# command line) put into its lines, which are report -R -l -t's.
FAKE_TRACE_CMD = '''#!/usr/bin/env python3
import sys
a = sys.argv[1:]
src = a[a.index('-i') + 1]
if a[0] == 'restore':
    i = a.index('-o')
    with open(a[i + 1], 'w') as out:
        out.write(open(src).read())
        for cpu, path in enumerate(a[i + 2:]):
            out.write('--\\n' + open(path).read().replace('CPU', str(cpu)))
    sys.exit(0)
head, _, cpus = open(src).read().partition('--\\n')
sys.stdout.write(head if '-f' in a else cpus.replace('--\\n', ''))
'''


class FakeTraceCmdTest(unittest.TestCase):
    """A temporary folder and the stand-in for trace-cmd; a boot's folder
    is laid out as bench/guest.sh writes it: format/head.dat, and per run
    iso/TAG.cpuN.raw (every CPU from 0) and iso/TAG.meta."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        fake = os.path.join(self.tmp.name, 'trace-cmd')
        with open(fake, 'w') as f:
            f.write(FAKE_TRACE_CMD)
        os.chmod(fake, 0o755)
        self.saved, tracecmd.TRACE_CMD = tracecmd.TRACE_CMD, fake

    def tearDown(self):
        tracecmd.TRACE_CMD = self.saved
        self.tmp.cleanup()

    @staticmethod
    def write_head(kdir, trees):
        """format/head.dat: report -f's lines for every function of @trees."""
        os.makedirs(os.path.join(kdir, 'format'), exist_ok=True)
        names = {(n, m) for tree in trees for n, _, m in tree}
        with open(os.path.join(kdir, 'format', 'head.dat'), 'w') as f:
            for i, (name, mod) in enumerate(sorted(names)):
                f.write('%016x %s%s\n' % (0xffffffff81000000 + i, name,
                                          ' [%s]' % mod if mod else ''))

    @staticmethod
    def write_pages(kdir, tag, cpus, gz=()):
        """iso/TAG.cpuN.raw: @cpus {cpu: [(pid, tree)]}, every CPU from 0,
        as function_graph entries; the CPUs in @gz compressed, as the
        report leaves them."""
        iso = os.path.join(kdir, 'iso')
        os.makedirs(iso, exist_ok=True)
        ts = 100
        for cpu, parts in cpus.items():
            text = ''
            for pid, tree in parts:
                for name, depth, _ in tree:
                    ts += 1
                    text += line(pid, 0, ts, 'funcgraph_entry',
                                 'func=%s depth=%d' % (name, depth)).replace(
                                     '  0-0x0', 'CPU-0x0') + '\n'
            path = os.path.join(iso, '%s.cpu%d.raw' % (tag, cpu))
            opener = gzip.open if cpu in gz else open
            with opener(path + ('.gz' if cpu in gz else ''), 'wt') as f:
                f.write(text)


class ReadRunTest(FakeTraceCmdTest):
    """Two layouts of the same send (HonestTest) as a guest saves them (a
    head file, each CPU's pages, the meta file), through bench/report's
    reading of a run with a stand-in for trace-cmd."""

    def setUp(self):
        super().setUp()
        self.write_head(self.tmp.name, (WRITE, SEND))

    def write_run(self, tag, cpus, helpers, gz=()):
        self.write_pages(self.tmp.name, tag, cpus, gz)
        with open(os.path.join(self.tmp.name, 'iso', tag + '.meta'), 'w') as f:
            f.write('pids= %d\nhelpers=%s\n' % (TASK, ''.join(' %d' % h for h in helpers)))
        return report.read_run(self.tmp.name, tag)

    def test_moving_the_send_keeps_the_honest_figure(self):
        inline = self.write_run('inline', {0: [], 1: [(TASK, WRITE + deeper(SEND, 4))]}, [])
        moved = self.write_run('moved', {0: [(THREAD, SEND)], 1: [(TASK, WRITE)]}, [THREAD],
                               gz=(0,))
        self.assertEqual(inline['honest'], HonestTest.OWN)
        self.assertEqual(moved['honest'], inline['honest'])
        # The published per-task figure drops: the thread is not a task
        # of the workload (and it counts softirq work, which moved too).
        self.assertEqual(len(inline['all']), 12)
        self.assertEqual(moved['all'], {'x64_sys_call', '__x64_sys_ioctl',
                                        'nabla_ioctl [nabla]', 'nabla_net_write [nabla]'})
        self.assertEqual(moved['helper'], {n + (' [%s]' % m if m else '') for n, _, m in SEND})
        self.assertEqual(moved['helpers'], 1)
        self.assertEqual(moved['entries'], len(SEND) + len(WRITE))

    def test_each_file_is_its_cpu(self):
        # restore takes the CPUs' files in order: CPU N's pages are the
        # Nth file, whatever the order of the names on disk.
        events = []
        saved = tracecmd.read_events

        def keep(dat, out):
            lost = saved(dat, out)
            events.extend(out)
            return lost
        tracecmd.read_events = keep
        try:
            self.write_run('cpus', {i: [(1000 + i, [('x64_sys_call', 0, '')])]
                                    for i in range(12)}, [])
        finally:
            tracecmd.read_events = saved
        self.assertEqual(sorted((e[1], e[2]) for e in events),
                         [(i, 1000 + i) for i in range(12)])

    def test_a_missing_cpu_is_an_error(self):
        self.write_run('gap', {0: [(TASK, WRITE)], 1: [(TASK, WRITE)]}, [])
        os.unlink(os.path.join(self.tmp.name, 'iso', 'gap.cpu0.raw'))
        with self.assertRaises(tracecmd.TraceCmdError):
            report.read_run(self.tmp.name, 'gap')
        self.assertIsNone(report.read_run(self.tmp.name, 'nothing'))


class ThroughputTest(unittest.TestCase):
    """bench/report's reading of the throughput clients' output
    (guest.sh tput_client): a run counts only if the client succeeded."""

    CSV = ('"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",'
           '"p95_latency_ms","p99_latency_ms","max_latency_ms"\n'
           '"SET","3412.97","3.460","1.120","2.959","6.471","10.103","10.735"\n'
           '"GET","2853.07","3.576","0.976","2.999","6.727","8.351","11.071"\n')
    AB = ('Concurrency Level:      16\nComplete requests:      %d\n'
          'Failed requests:        %d\n%sRequests per second:    1491.56 [#/sec] (mean)\n')

    def test_redis_benchmark(self):
        self.assertEqual(report.parse_tput('kv', self.CSV + 'exit=0\n', 10),
                         ({'SET': 3412.97, 'GET': 2853.07}, None))

    def test_redis_benchmark_errors_or_exit(self):
        rps, why = report.parse_tput('kv', self.CSV + 'Error: Connection reset\nexit=0\n', 10)
        self.assertEqual((rps, why), ({}, 'redis-benchmark reported errors'))
        self.assertEqual(report.parse_tput('kv', self.CSV + 'exit=143\n', 10)[1],
                         'the client exited with 143')
        self.assertEqual(report.parse_tput('kv', self.CSV, 10)[1], 'no exit status')
        only_set = self.CSV.rsplit('"GET"', 1)[0]
        self.assertEqual(report.parse_tput('kv', only_set + 'exit=0\n', 10)[1],
                         'no SET and GET rates')

    def test_ab(self):
        self.assertEqual(report.parse_tput('httpd', self.AB % (10, 0, '') + 'exit=0\n', 10),
                         ({'ab': 1491.56}, None))

    PERCENT = ('Percentage of the requests served within a certain time (ms)\n'
               '  50%     10\n  90%     31\n  98%     44\n  99%     45\n'
               ' 100%    301 (longest request)\n')

    def test_p99(self):
        self.assertEqual(report.parse_p99('httpd', self.AB % (10, 0, '') + self.PERCENT),
                         {'ab': 45.0})
        self.assertEqual(report.parse_p99('kv', self.CSV), {'SET': 10.103, 'GET': 8.351})
        # Found by the header, wherever the column is; none without it.
        moved = ('"test","p99_latency_ms","rps"\n"SET","7.5","100"\n"GET","2.25","90"\n')
        self.assertEqual(report.parse_p99('kv', moved), {'SET': 7.5, 'GET': 2.25})
        self.assertEqual(report.parse_p99('kv', '"SET","3412.97"\n"GET","2853.07"\n'), {})
        self.assertEqual(report.parse_p99('httpd', self.AB % (10, 0, '')), {})

    def test_ab_failed_short_or_non_2xx(self):
        for text in (self.AB % (10, 1, ''), self.AB % (9, 0, ''),
                     self.AB % (10, 0, 'Non-2xx responses:      3\n')):
            rps, why = report.parse_tput('httpd', text + 'exit=0\n', 10)
            self.assertEqual(rps, {}, text)
            self.assertTrue(why.startswith('ab: '), why)

    def test_read_and_table(self):
        with tempfile.TemporaryDirectory() as kdir:
            os.makedirs(os.path.join(kdir, 'tput'))
            runs = {'kv-dev-1': ('ok', self.CSV + 'exit=0\n'),
                    'kv-dev-2': ('ok', self.CSV.replace('3412.97', '3000') + 'exit=0\n'),
                    'kv-linux-fsync-1': ('ok', self.CSV.replace('2853.07', '5706.14')
                                         + 'exit=0\n'),
                    'kv-linux-fsync-2': ('ok', self.CSV + 'exit=1\n'),
                    'kv-tender-1': ('skipped', ''),
                    'httpd-dev-1': ('failed 1', '')}
            for tag, (st, text) in runs.items():
                with open(os.path.join(kdir, 'tput', tag + '.status'), 'w') as f:
                    f.write(st + '\n')
                with open(os.path.join(kdir, 'tput', tag + '.client'), 'w') as f:
                    f.write(text)
            tput, notes = report.read_tput(kdir, {'tput_requests': '10'})
        self.assertEqual(tput[('kv', 'dev')]['rps'], {'SET': [3412.97, 3000.0],
                                                     'GET': [2853.07, 2853.07]})
        self.assertEqual(tput[('kv', 'linux-fsync')]['failed'], 1)
        self.assertTrue(tput[('kv', 'tender')]['skipped'])
        self.assertEqual(tput[('httpd', 'dev')]['failed'], 1)
        self.assertEqual(sorted(notes), ['throughput httpd-dev-1: failed 1',
                                         'throughput kv-linux-fsync-2: the client '
                                         'exited with 1'])
        md, term, ratios = [], [], []
        report.tput_table('6.12', {'tput_requests': '10'}, tput, md, term, ratios)
        self.assertIn('| kv SET (redis-benchmark) | 3206 (3000-3413) | skipped | '
                      '3413 failed (1) |', md)
        self.assertIn('| httpd (ab) | failed (1) | - | - |', md)
        # No ratio where either side has no rate.
        self.assertEqual(ratios, [
            'ratio kv-SET 6.12 requests-per-second device/linux-fsync = 0.94',
            'ratio kv-GET 6.12 requests-per-second device/linux-fsync = 0.50'])


class SideBySideTest(FakeTraceCmdTest):
    """make demo's table (bench/report --side-by-side) from a boot's
    results laid out as bench/guest.sh writes them: the figures, the
    ratios, and every run that does not count named as a problem."""

    OPTS = ('dev', 'syscall', 'tender')
    # The traced windows' call trees: the device backend's and the
    # tender's reach WRITE, the syscall backend's that and the tap.
    TREES = {'dev': WRITE, 'tender': WRITE[:3],
             'syscall': WRITE + [('tun_get_user', 1, 'tun')]}

    def setUp(self):
        super().setUp()
        self.kdir = os.path.join(self.tmp.name, 'boot')
        os.makedirs(os.path.join(self.kdir, 'tput'))
        os.makedirs(os.path.join(self.kdir, 'iso'))
        self.write_head(self.kdir, self.TREES.values())

    def write(self, name, text):
        with open(os.path.join(self.kdir, name), 'w') as f:
            f.write(text)

    def boot(self, tracer='yes', skip=()):
        """Every run of httpd and kv under the three options; @skip: (kind,
        workload, option) written as failed instead."""
        self.write('info', 'kernel=6.12.0\ncpus=2\ndate=D\ncount=300\n'
                   'tput_requests=10\nworkloads=kv httpd\noptions=dev syscall tender\n'
                   'function_graph=%s\nwork_mask=2\nload_mask=1\nisolated=1\n' % tracer)
        rates = {'dev': 1.0, 'syscall': 0.5, 'tender': 1.25}
        for o in self.OPTS:
            k = rates[o]
            csv = ThroughputTest.CSV.replace('3412.97', '%.2f' % (3000 * k)).replace(
                '10.103', '%.3f' % (10 / k))
            ab = (ThroughputTest.AB % (10, 0, '')).replace('1491.56', '%.2f' % (1000 * k)) + \
                ThroughputTest.PERCENT.replace('  99%     45', '  99%%     %d' % (40 / k))
            for w, text in (('kv', csv), ('httpd', ab)):
                tag = '%s-%s-1' % (w, o)
                bad = ('tput', w, o) in skip
                self.write('tput/%s.status' % tag, 'failed 1\n' if bad else 'ok\n')
                self.write('tput/%s.client' % tag, text + 'exit=0\n')
                if tracer != 'yes':
                    continue
                # The traced window: the same client, its output checked.
                client = text.replace('requests:      10', 'requests:      300')
                if ('iso', w, o) in skip:
                    client = client.replace('Failed requests:        0',
                                            'Failed requests:        2')
                self.write('iso/%s.status' % tag, 'ok\n')
                self.write('iso/%s.client' % tag, client + 'exit=0\n')
                self.write('iso/%s.meta' % tag, 'pids= %d\nhelpers=\n' % TASK)
                self.write_pages(self.kdir, tag, {0: [], 1: [(TASK, self.TREES[o])]})

    def test_table(self):
        self.boot()
        md, problems = report.side_by_side(self.kdir)
        self.assertEqual(problems, [])
        self.assertIn('| | device | syscall | tender | device/syscall | device/tender |', md)
        self.assertIn('| httpd (ab) requests/s | 1000 | 500 | 1250 | 2.00 | 0.80 |', md)
        self.assertIn('| httpd (ab) p99 ms | 40.0 | 80.0 | 32.0 | 0.50 | 1.25 |', md)
        self.assertIn('| kv SET (redis-benchmark) requests/s | 3000 | 1500 | 3750 | 2.00 '
                      '| 0.80 |', md)
        self.assertIn('| kv SET (redis-benchmark) p99 ms | 10.0 | 20.0 | 8.0 | 0.50 | 1.25 |',
                      md)
        self.assertIn('| kv GET (redis-benchmark) requests/s | 2853 | 2853 | 2853 | 1.00 '
                      '| 1.00 |', md)
        # The honest figure by the bench's rules: the tap's function is
        # the syscall backend's fifth.
        self.assertIn('| httpd honest functions | 4 | 5 | 3 | 0.80 | 1.33 |', md)
        self.assertIn('| kv honest functions | 4 | 5 | 3 | 0.80 | 1.33 |', md)

    def test_failed_runs_are_problems(self):
        self.boot(skip={('tput', 'httpd', 'syscall'), ('iso', 'httpd', 'tender')})
        os.unlink(os.path.join(self.kdir, 'tput', 'kv-dev-1.status'))
        # A boot that died before the last traced window.
        os.unlink(os.path.join(self.kdir, 'iso', 'kv-tender-1.status'))
        md, problems = report.side_by_side(self.kdir)
        self.assertEqual(sorted(problems), ['throughput httpd syscall: 1 run(s) failed',
                                            'throughput kv dev: not run',
                                            'traced httpd tender: 1 run(s) failed',
                                            'traced kv tender: not run'])
        self.assertIn('| kv honest functions | 4 | 5 | - | 0.80 | - |', md)
        self.assertIn('| httpd (ab) requests/s | 1000 | failed | 1250 | - | 0.80 |', md)
        self.assertIn('| kv SET (redis-benchmark) requests/s | - | 1500 | 3750 | - | - |', md)
        self.assertIn('| httpd honest functions | 4 | 5 | failed | 0.80 | - |', md)
        self.assertIn('traced httpd-tender-1: ab: 300 of 300 complete, 2 failed', md[-1])

    def test_no_tracer_one_line(self):
        self.boot(tracer='no function_graph in available_tracers')
        md, problems = report.side_by_side(self.kdir)
        self.assertEqual(problems, [])
        self.assertIn('Honest functions: not measured: no function_graph in '
                      'available_tracers.', md)
        self.assertFalse([line for line in md if 'honest functions |' in line])
        self.assertIn('| httpd (ab) requests/s | 1000 | 500 | 1250 | 2.00 | 0.80 |', md)


class SubsystemTest(unittest.TestCase):
    def test_table(self):
        cases = {
            'nabla_ioctl [nabla]': 'nabla module',
            '__seccomp_filter': 'seccomp',
            'tomoyo_file_ioctl': 'security (LSM)',
            'tun_get_user [tun]': 'tun/tap',
            '__x64_sys_ppoll': 'syscall entry/exit',
            'ip_rcv_finish_core.constprop.0': 'networking',
            'do_compat_epoll_pwait.part.0': 'poll/wait',
            'some_unknown_function': 'other',
        }
        for fn, want in cases.items():
            self.assertEqual(figures.subsystem(fn), want, fn)

    def test_med_spread(self):
        self.assertEqual(report.med_spread([3, 1, 2]), (2, 1, 3))


if __name__ == '__main__':
    unittest.main()
