#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""seccomp_rules.py: podman's default seccomp profile (containers-common's
seccomp.json) as the rules tools/sandbox loads, resolved the way podman
resolves it for a container (containers/common pkg/seccomp): for x86-64,
the capabilities of containers.conf's default_capabilities (the same
package's file), and the running kernel's version for minKernel.

usage: seccomp_rules.py SECCOMP_JSON CONTAINERS_CONF KERNEL_RELEASE > RULES
"""

import json
import re
import sys

ARCH = 'amd64'
ARCHES = {'SCMP_ARCH_X86_64': 'x86_64', 'SCMP_ARCH_X86': 'x86', 'SCMP_ARCH_X32': 'x32'}
OPS = {'SCMP_CMP_NE': 'ne', 'SCMP_CMP_LT': 'lt', 'SCMP_CMP_LE': 'le', 'SCMP_CMP_EQ': 'eq',
       'SCMP_CMP_GE': 'ge', 'SCMP_CMP_GT': 'gt', 'SCMP_CMP_MASKED_EQ': 'masked_eq'}


def default_caps(conf):
    """CAP_X names of containers.conf's default_capabilities list."""
    with open(conf) as f:
        m = re.search(r'^default_capabilities\s*=\s*\[(.*?)\]', f.read(), re.S | re.M)
    if not m:
        sys.exit('seccomp_rules: no default_capabilities in %s' % conf)
    return {'CAP_' + c for c in re.findall(r'"([A-Z_]+)"', m.group(1))}


def version(text):
    return tuple(int(x) for x in re.findall(r'\d+', text)[:2])


def action(name, errno_ret, default_errno):
    if name == 'SCMP_ACT_ALLOW':
        return 'allow'
    if name == 'SCMP_ACT_ERRNO':
        return 'errno:%d' % (errno_ret if errno_ret is not None else default_errno)
    if name in ('SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD'):
        return 'kill'
    sys.exit('seccomp_rules: action %s not supported' % name)


def applies(rule, caps, kernel):
    inc, exc = rule.get('includes') or {}, rule.get('excludes') or {}
    if ARCH in exc.get('arches', []) or caps & set(exc.get('caps', [])):
        return False
    if exc.get('minKernel') and kernel >= version(exc['minKernel']):
        return False
    if inc.get('arches') and ARCH not in inc['arches']:
        return False
    if not set(inc.get('caps', [])) <= caps:
        return False
    return not (inc.get('minKernel') and kernel < version(inc['minKernel']))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1]) as f:
        prof = json.load(f)
    caps, kernel = default_caps(sys.argv[2]), version(sys.argv[3])
    # An ERRNO rule without errnoRet fails with EPERM, as in the OCI spec.
    out = ['# podman\'s default profile (%s) for capabilities %s, kernel %s' % (
        sys.argv[1], ' '.join(sorted(caps)), sys.argv[3]),
        'default %s' % action(prof['defaultAction'], prof.get('defaultErrnoRet'), 1)]
    for m in prof.get('archMap', []):
        if m['architecture'] == 'SCMP_ARCH_X86_64':
            out += ['arch %s' % ARCHES[a] for a in [m['architecture']] + m['subArchitectures']]
    for rule in prof['syscalls']:
        if not applies(rule, caps, kernel):
            continue
        act = action(rule['action'], rule.get('errnoRet'), 1)
        args = ' '.join('%d:%s:%d%s' % (a['index'], OPS[a['op']], a['value'],
                                        ':%d' % a['valueTwo'] if a.get('valueTwo') else '')
                        for a in rule.get('args') or [])
        for name in rule['names']:
            out.append(('%s %s %s' % (act, name, args)).rstrip())
    print('\n'.join(out))


if __name__ == '__main__':
    main()
