# SPDX-License-Identifier: GPL-2.0
"""Read tracefs raw ring-buffer pages (per_cpu/cpuN/trace_pipe_raw) of the
function_graph tracer and the raw_syscalls:sys_enter event, as the guest
saved them (bench/guest.sh), with the event formats and kallsyms of the same
boot. Only what the benchmark needs: function entries (name, depth, pid,
time) and system call entries (number, pid, time).

Ring buffer page layout (kernel/trace/ring_buffer.c): a header with the
page's time stamp and its commit (bytes of data, high bits are flags), then
events, each a 32-bit header (type_len:5, time_delta:27) and its data.
type_len 0: the data length is in the next 32-bit word; 1..28: the data is
type_len * 4 bytes; 29 padding; 30 time extend; 31 absolute time stamp.
"""

import bisect
import re
import struct

RB_PADDING, RB_TIME_EXTEND, RB_TIME_STAMP = 29, 30, 31
RB_MISSED_EVENTS = 1 << 31
RB_COMMIT_MASK = (1 << 27) - 1
MARKER = re.compile(r'(_text_start|_text_end|_start|_end)$|^__(irqentry|softirqentry|entry)_text')


def parse_format(path):
    """An event format file: its ID and {field: (offset, size)}."""
    fields, ident = {}, None
    with open(path) as f:
        for line in f:
            m = re.match(r'\s*ID:\s*(\d+)', line)
            if m:
                ident = int(m.group(1))
            m = re.match(r'\s*field:(.*?);\s*offset:(\d+);\s*size:(\d+);', line)
            if m:
                name = re.sub(r'\[.*\]', '', m.group(1)).split()[-1]
                fields[name] = (int(m.group(2)), int(m.group(3)))
    return ident, fields


class Symbols:
    def __init__(self, path):
        syms = []
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3 or parts[1] not in 'tTwW':
                    continue
                addr = int(parts[0], 16)
                if addr == 0:
                    continue
                mod = parts[3].strip('[]') if len(parts) > 3 else ''
                syms.append((addr, parts[2], mod))
        syms.sort()
        self.addrs = [s[0] for s in syms]
        self.syms = syms
        # Section markers share their address with the first function of
        # the section (__softirqentry_text_start is __do_softirq): the
        # function's name wins.
        self.exact = {}
        for addr, name, mod in syms:
            if addr in self.exact and MARKER.search(name):
                continue
            self.exact[addr] = (name, mod)

    def name(self, addr):
        hit = self.exact.get(addr)
        if hit:
            return hit
        i = bisect.bisect_right(self.addrs, addr) - 1
        if i < 0:
            return ('0x%x' % addr, '')
        return self.syms[i][1], self.syms[i][2]


class Formats:
    def __init__(self, fmtdir):
        _, hp = parse_format(fmtdir + '/header_page')
        self.ts_off, _ = hp['timestamp']
        self.commit_off, self.commit_size = hp['commit']
        self.data_off, _ = hp['data']
        self.ent_id, ent = parse_format(fmtdir + '/ftrace_funcgraph_entry_format')
        self.exit_id, _ = parse_format(fmtdir + '/ftrace_funcgraph_exit_format')
        self.sys_id, sysf = parse_format(fmtdir + '/raw_syscalls_sys_enter_format')
        self.pid_off = ent['common_pid'][0]
        self.func_off = ent['func'][0]
        self.depth_off = ent['depth'][0]
        self.sysnr_off = sysf['id'][0]


def read_events(path, cpu, fmt, syms, out, page_size=4096):
    """Append (ts, cpu, pid, kind, a, b) to @out; kind 'f' (a = name,
    b = depth, with module as c) or 's' (a = syscall number). Returns the
    number of pages that reported missed events."""
    with open(path, 'rb') as f:
        data = f.read()
    u32 = struct.Struct('<I').unpack_from
    u16 = struct.Struct('<H').unpack_from
    i32 = struct.Struct('<i').unpack_from
    u64 = struct.Struct('<Q').unpack_from
    i64 = struct.Struct('<q').unpack_from
    names = {}
    ent_id, sys_id = fmt.ent_id, fmt.sys_id
    pid_off, func_off, depth_off, sysnr_off = fmt.pid_off, fmt.func_off, fmt.depth_off, fmt.sysnr_off
    append = out.append
    missed = 0
    for base in range(0, len(data) - page_size + 1, page_size):
        page = data[base:base + page_size]
        ts = struct.unpack_from('<Q', page, fmt.ts_off)[0]
        commit = int.from_bytes(page[fmt.commit_off:fmt.commit_off + fmt.commit_size],
                                'little')
        if commit & RB_MISSED_EVENTS:
            missed += 1
        end = fmt.data_off + (commit & RB_COMMIT_MASK)
        end = min(end, page_size)
        p = fmt.data_off
        while p + 4 <= end:
            hdr = u32(page, p)[0]
            type_len, delta = hdr & 0x1f, hdr >> 5
            if type_len == RB_PADDING:
                if delta == 0:
                    break
                p += 4 + u32(page, p + 4)[0]
                continue
            if type_len == RB_TIME_EXTEND:
                ts += (u32(page, p + 4)[0] << 27) | delta
                p += 8
                continue
            if type_len == RB_TIME_STAMP:
                ts = (u32(page, p + 4)[0] << 27) | delta
                p += 8
                continue
            ts += delta
            if type_len == 0:
                length = u32(page, p + 4)[0] - 4
                d = p + 8
            else:
                length = type_len * 4
                d = p + 4
            p = d + length
            if length < 8:
                continue
            etype = u16(page, d)[0]
            if etype == ent_id:
                addr = u64(page, d + func_off)[0]
                nm = names.get(addr)
                if nm is None:
                    nm = names[addr] = syms.name(addr)
                append((ts, cpu, i32(page, d + pid_off)[0], 'f', nm[0],
                        i32(page, d + depth_off)[0], nm[1]))
            elif etype == sys_id:
                append((ts, cpu, i32(page, d + pid_off)[0], 's',
                        i64(page, d + sysnr_off)[0], 0, ''))
    return missed
