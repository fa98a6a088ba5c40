# SPDX-License-Identifier: GPL-2.0
"""Read a traced run with Debian's trace-cmd on this machine. The guest
(bench/guest.sh) saves, once per boot, a trace.dat without data
(`trace-cmd restore -c`: the boot's header page, event formats, kallsyms
and tracer options) and, per run, the raw pages of each CPU's ring buffer
(tools/rawcopy, what trace-cmd record's per-CPU files hold); assemble()
puts the pages into a copy of that file (`trace-cmd restore`) and
read_events() decodes it (`trace-cmd report`): trace-cmd and
libtraceevent, not this file, follow the kernel's ring-buffer and event
formats. This file reads report's text and keeps what the benchmark
needs: function_graph entries (function, module, depth) and
raw_syscalls:sys_enter events (the system call number), each with its
time, CPU and pid, and the notices of lost events. (-l also gives each
event's context flags, hardirq, softirq and NMI; the figures place
interrupt work by the function that enters it, figures.py, as the
published method does.)

`trace-cmd report -R -l -t` prints one line per event:

    COMM-PID  CPU-0xFLAGS  SECONDS.NANOSECONDS: EVENT:  FIELD=VALUE ...

(-R: the fields by name; -l: the event's common_flags; -t: nanoseconds),
and "CPU:N [EVENTS DROPPED]" or "CPU:N [COUNT EVENTS DROPPED]" before the
first event after a ring-buffer page that lost events. A function's
module comes from `trace-cmd report -f` (the trace.dat's kallsyms, with
"[module]" after a module's symbols).
"""

import collections
import os
import re
import subprocess

TRACE_CMD = os.environ.get('TRACE_CMD', 'trace-cmd')
REPORT = ('report', '-R', '-l', '-t')

LINE = re.compile(r'^\s*(?P<comm>.*)-(?P<pid>\d+)\s+(?P<cpu>\d+)-0x(?P<flags>[0-9a-f]+)\s+'
                  r'(?P<sec>\d+)\.(?P<frac>\d+): (?P<event>\w+):\s*(?P<fields>.*)$')
DROPPED = re.compile(r'^CPU:(\d+) \[(?:(\d+) )?EVENTS DROPPED\]')
ENTRY = re.compile(r'(?:^| )func=(\S+) depth=(-?\d+)')
SYSCALL = re.compile(r'(?:^| )id=(-?\d+)')


class TraceCmdError(Exception):
    pass


def run(args):
    """trace-cmd ARGS: its output, or TraceCmdError with its message."""
    try:
        p = subprocess.run((TRACE_CMD,) + tuple(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           errors='replace')
    except OSError as e:
        raise TraceCmdError('%s: %s (testhost/deps installs trace-cmd)' % (TRACE_CMD, e))
    if p.returncode != 0:
        raise TraceCmdError('%s %s: exit %d: %s' % (TRACE_CMD, ' '.join(args), p.returncode,
                                                   p.stderr.strip()[-300:]))
    return p.stdout


def modules(lines):
    """{function name: module} from `trace-cmd report -f` lines: '' for the
    kernel's own; a name that several of them have (the kernel and modules,
    or two modules) gets them all, "vmlinux|tun": the name alone cannot
    tell which one ran."""
    where = collections.defaultdict(set)
    for line in lines:
        f = line.split()
        if len(f) >= 2:
            where[f[1]].add(f[2].strip('[]') if len(f) > 2 else '')
    out = {}
    for name, mods in where.items():
        out[name] = mods.pop() if len(mods) == 1 else '|'.join(
            sorted(m or 'vmlinux' for m in mods))
    return out


def parse(lines, mods, out):
    """Append the events of report's @lines to @out as (ts, cpu, pid, kind,
    a, b, module): kind 'f' for a function_graph entry (a = function, b =
    depth), 's' for sys_enter (a = system call number, b = 0); other events
    (funcgraph_exit, ...) are left out. Returns the number of lost-events
    notices. A line of either event that cannot be read (report printing
    them otherwise) is a TraceCmdError, not a run with fewer functions."""
    lost = 0
    append = out.append
    match = LINE.match
    for line in lines:
        # Half of the lines are function exits: not needed, not parsed.
        if 'funcgraph_exit:' in line:
            continue
        m = match(line)
        event = m.group('event') if m else None
        f = None
        if event == 'funcgraph_entry':
            f = ENTRY.search(m.group('fields'))
        elif event == 'sys_enter':
            f = SYSCALL.search(m.group('fields'))
        elif DROPPED.match(line):
            lost += 1
            continue
        elif m or ('funcgraph_entry:' not in line and 'sys_enter:' not in line):
            # Other events, report's header lines ("cpus=2").
            continue
        if not f:
            raise TraceCmdError('trace-cmd report printed a line this reader '
                                'does not know: %r' % line.strip()[:200])
        if event == 'funcgraph_entry':
            kind, a, b = 'f', f.group(1), int(f.group(2))
            mod = mods.get(a, '')
        else:
            kind, a, b, mod = 's', int(f.group(1)), 0, ''
        frac = m.group('frac')
        ts = int(m.group('sec')) * 1000000000 + int(frac) * 10 ** (9 - len(frac))
        append((ts, int(m.group('cpu')), int(m.group('pid')), kind, a, b, mod))
    return lost


def assemble(head, cpu_files, dat):
    """trace.dat @dat from the head file @head and the raw pages of each
    CPU, @cpu_files[N] being CPU N's."""
    run(('restore', '-i', head, '-o', dat) + tuple(cpu_files))


def read_events(dat, out):
    """The events of trace.dat @dat appended to @out (see parse); returns
    the number of lost-events notices."""
    mods = modules(run(('report', '-f', '-i', dat)).splitlines())
    args = REPORT + ('-i', dat)
    try:
        p = subprocess.Popen((TRACE_CMD,) + args, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True,
                             errors='replace')
    except OSError as e:
        raise TraceCmdError('%s: %s (testhost/deps installs trace-cmd)' % (TRACE_CMD, e))
    with p:
        lost = parse(p.stdout, mods, out)
        err = p.stderr.read()
    if p.returncode != 0:
        raise TraceCmdError('%s %s: exit %d: %s' % (TRACE_CMD, ' '.join(args), p.returncode,
                                                   err.strip()[-300:]))
    return lost

