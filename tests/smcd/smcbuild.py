# SPDX-License-Identifier: GPL-2.0-or-later
# Build the SMC-D guest image: Debian's s390x kernel, smc, ism, virtio-net.
# Copyright (c) 2026 The qemu-s390x-ism authors
"""The initramfs both SMC-D test guests boot.

It shares everything Debian-side with tests/linux-guest (lgbuild.py: the
packages, the unpacked kernel and headers, ism.ko built out of tree) and
adds:
    smc_diag.ko       Debian's, so that smcxfer can ask the kernel whether
                      a connection runs as SMC-D;
    virtio_net.ko     Debian's, for the TCP/IP link (CLC handshake, and
                      the TCP comparison);
    /bin/smcxfer      tests/smcd/smcxfer.c, static, s390x;
    /init             tests/smcd/init.

Output: $BUILD/linux-guest/smcd/{smcxfer,initrd.img}.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'linux-guest'))
import lgbuild  # noqa: E402

WANTED_MODULES = ['smc', 'smc_diag', 'virtio_net']
APPLETS = lgbuild.APPLETS + ['ifconfig', 'route', 'od', 'date', 'ping']
CC = 's390x-linux-gnu-gcc'


def build_smcxfer(out):
    src = os.path.join(HERE, 'smcxfer.c')
    exe = os.path.join(out, 'smcxfer')
    if os.path.exists(exe) and os.path.getmtime(exe) >= os.path.getmtime(
            src):
        return exe
    r = subprocess.run([CC, '-static', '-O2', '-Wall', '-Wextra', '-Werror',
                        '-o', exe + '.tmp', src], capture_output=True,
                       text=True)
    if r.returncode:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit('smcd: building smcxfer failed (is '
                         'libc6-dev-s390x-cross installed?)')
    os.rename(exe + '.tmp', exe)
    lgbuild.log('built ' + exe)
    return exe


def build_all(build):
    """Returns a dict: vmlinuz, initrd, versions, modules, smcxfer."""
    b = lgbuild.build_base(build)
    out = os.path.join(b['out'], 'smcd')
    os.makedirs(out, exist_ok=True)
    exe = build_smcxfer(out)
    mods = lgbuild.module_order(b['modules'], WANTED_MODULES + ['ism'],
                                {'ism': b['ism_ko']})
    initrd = lgbuild.write_initrd(
        os.path.join(out, 'initrd.img'), b['root'], b['versions']['abi'],
        os.path.join(HERE, 'init'), mods, [('bin/smcxfer', exe, 0o755)],
        APPLETS)
    return {'versions': b['versions'], 'vmlinuz': b['vmlinuz'],
            'initrd': initrd, 'modules': [n for n, _ in mods],
            'smcxfer': exe}


def main():
    top = os.environ.get('TOP') or os.path.dirname(os.path.dirname(HERE))
    build = os.environ.get('BUILD') or os.path.join(top, 'build')
    info = build_all(build)
    for k in ('vmlinuz', 'initrd', 'smcxfer'):
        print('%s=%s' % (k, info[k]))
    print('modules=%s' % ' '.join(info['modules']))


if __name__ == '__main__':
    main()
