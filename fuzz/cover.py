#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Line coverage of nabla.ko's sources from the KCOV addresses a fuzzing run saw.

usage: cover.py KO RESULTS [--annotate DIR]

KO is the nabla.ko that ran (built with debug information), RESULTS the
directory fuzz/guest.sh filled: pcmap (bit N: the module's text base + N
was reported by KCOV), modules (its /proc/modules line, with that base)
and sections (the address of each .text* section).

A line is coverable when the compiler put a KCOV call in it
(__sanitizer_cov_trace_pc, one per basic block: the calls objdump shows
with their relocation), and covered when the return address of one of
its calls was seen. Blocks inlined from the kernel's headers count for
the line of ours they were inlined into. Prints a table per file of
kmod/ and, for kmod/*.c, every line never reached with its function and
text; --annotate DIR writes each source with a mark per line (+ covered,
- never reached, blank: no code).
"""
import collections
import os
import re
import subprocess
import sys

CALL_LEN = 5  # call rel32: KCOV records the return address


def cov_sites(ko):
    """{section: [offset of each KCOV call]}."""
    out = subprocess.run(['objdump', '-dr', ko], capture_output=True, text=True,
                         check=True).stdout
    sites = collections.defaultdict(list)
    sec = None
    for line in out.splitlines():
        m = re.match(r'Disassembly of section (\S+):', line)
        if m:
            sec = m.group(1)
            continue
        m = re.match(r'\s+([0-9a-f]+):\s+R_X86_64_PLT32\s+__sanitizer_cov_trace_pc-0x4$', line)
        if m:
            # The relocation is at the call's operand, one byte in.
            sites[sec].append(int(m.group(1), 16) - 1)
    return sites


def locate(ko, sec, offsets):
    """{offset: (file, line, function)}: the innermost frame in kmod/."""
    if not offsets:
        return {}
    out = subprocess.run(['addr2line', '-a', '-f', '-i', '-e', ko, '-j', sec] +
                         [hex(o) for o in offsets], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    where = {}
    i = 0
    while i < len(out):
        addr = int(out[i], 16)
        i += 1
        frames = []
        while i + 1 < len(out) and not re.match(r'0x[0-9a-f]+$', out[i]):
            frames.append((out[i], out[i + 1]))
            i += 2
        for func, loc in frames:
            m = re.match(r'(.*/kmod/[^/:]+):(\d+)', loc)
            if m:
                where[addr] = ('kmod/' + os.path.basename(m.group(1)), int(m.group(2)), func)
                break
    return where


def seen_pcs(results):
    with open(os.path.join(results, 'modules')) as f:
        base = int(f.read().split()[5], 16)
    with open(os.path.join(results, 'pcmap'), 'rb') as f:
        bits = f.read()
    pcs = set()
    for i, byte in enumerate(bits):
        if byte:
            for b in range(8):
                if byte >> b & 1:
                    pcs.add(base + i * 8 + b)
    return pcs


def sections(results):
    secs = {}
    with open(os.path.join(results, 'sections')) as f:
        for line in f:
            name, addr = line.split()
            secs[name] = int(addr, 16)
    return secs


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    ko, results = sys.argv[1], sys.argv[2]
    annotate = sys.argv[4] if len(sys.argv) == 5 and sys.argv[3] == '--annotate' else None
    sites = cov_sites(ko)
    secs = sections(results)
    pcs = seen_pcs(results)

    lines = collections.defaultdict(lambda: [0, 0])   # (file, line) -> [sites, hit]
    funcs = {}
    hit_sites = 0
    for sec, offs in sites.items():
        where = locate(ko, sec, offs)
        base = secs.get(sec)
        for off in offs:
            if off not in where:
                continue
            key = where[off][:2]
            funcs[key] = where[off][2]
            lines[key][0] += 1
            if base is not None and base + off + CALL_LEN in pcs:
                lines[key][1] += 1
                hit_sites += 1
    known = {secs[s] + o + CALL_LEN for s, offs in sites.items() if s in secs for o in offs}
    stray = len(pcs - known)

    per_file = collections.defaultdict(lambda: [0, 0])
    for (path, _), (n, hit) in lines.items():
        per_file[path][0] += 1
        per_file[path][1] += hit > 0
    print(f'{len(pcs)} addresses seen, {hit_sites} of the '
          f'{sum(len(o) for o in sites.values())} KCOV blocks'
          + (f' ({stray} addresses that are no block: a stale module?)' if stray else ''))
    print(f'{"file":<20} {"lines":>6} {"covered":>8} {"%":>6}')
    tot = [0, 0]
    for path in sorted(per_file):
        n, hit = per_file[path]
        print(f'{path:<20} {n:>6} {hit:>8} {100.0 * hit / n:>5.1f}%')
        if path.endswith('.c'):
            tot[0] += n
            tot[1] += hit
    print(f'{"kmod/*.c":<20} {tot[0]:>6} {tot[1]:>8} {100.0 * tot[1] / max(tot[0], 1):>5.1f}%')

    src_top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print('\nLines of kmod/*.c never reached:')
    for path in sorted(p for p in per_file if p.endswith('.c')):
        with open(os.path.join(src_top, path)) as f:
            text = f.read().splitlines()
        for (p, ln) in sorted(k for k in lines if k[0] == path and not lines[k][1]):
            print(f'  {p}:{ln} {funcs[(p, ln)]}: {text[ln - 1].strip()}')
        if annotate:
            os.makedirs(annotate, exist_ok=True)
            with open(os.path.join(annotate, os.path.basename(path) + '.cov'), 'w') as out:
                for i, t in enumerate(text, 1):
                    n, hit = lines.get((path, i), (0, 0))
                    out.write(f'{"+" if hit else "-" if n else " "} {i:4} {t}\n')


if __name__ == '__main__':
    main()
