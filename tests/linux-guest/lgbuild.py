# SPDX-License-Identifier: GPL-2.0-or-later
# Build the Debian s390x Linux guest image (kernel, modules, ism, ismtest).
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Fetch and build everything the real-Linux-guest test boots.

Everything comes from Debian packages, downloaded with apt-get and cached
under $BUILD/linux-guest.  A rerun with a complete cache runs no apt
command at all, and every build step is skipped when its output is newer
than its inputs, so a warm run costs a few kbuild no-op invocations.

Layout of the cache (OUT = $BUILD/linux-guest):
    OUT/versions        the exact package versions, resolved once
    OUT/debs/           the downloaded .deb files
    OUT/root/           the packages, unpacked with dpkg-deb -x
    OUT/src/            drivers/s390/net/ism* from linux-source-6.1
    OUT/ism/            out-of-tree build of ism.ko
    OUT/ismtest/        out-of-tree build of our ismtest.ko
    OUT/vmlinuz         the kernel
    OUT/initrd.img      the initramfs (gzip'd newc cpio)
"""

import glob
import gzip
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KSERIES = '6.1'
# The modules /init loads, in addition to their dependencies.
WANTED_MODULES = ['smc']
# busybox applets the /init script uses.
APPLETS = [
    'sh', 'mount', 'umount', 'mkdir', 'insmod', 'rmmod', 'lsmod', 'cat',
    'echo', 'ls', 'poweroff', 'dmesg', 'grep', 'sleep', 'readlink',
    'basename', 'sed', 'awk', 'tr', 'head', 'tail', 'printf', 'test', '[',
    'wc', 'cut', 'uname', 'true', 'false', 'seq', 'sort', 'expr',
]


def log(msg):
    print('# linux-guest: ' + msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def out_dir(build):
    return os.path.join(build, 'linux-guest')


# ---------------------------------------------------------------------------
# Package versions and downloads


def host_arch():
    return subprocess.run(['dpkg', '--print-architecture'], check=True,
                          capture_output=True, text=True).stdout.strip()


def ensure_s390x_arch():
    """Make apt know s390x packages (idempotent; updates lists once)."""
    foreign = subprocess.run(['dpkg', '--print-foreign-architectures'],
                             check=True, capture_output=True,
                             text=True).stdout.split()
    lists = glob.glob('/var/lib/apt/lists/*binary-s390x_Packages*')
    if 's390x' in foreign and lists:
        return
    if os.geteuid() != 0:
        raise SystemExit('linux-guest: need root once to run '
                         '"dpkg --add-architecture s390x; apt-get update"')
    if 's390x' not in foreign:
        log('dpkg --add-architecture s390x')
        run(['dpkg', '--add-architecture', 's390x'])
    log('apt-get update (for the s390x package lists)')
    run(['apt-get', 'update', '-qq'])


def apt_version(pkg):
    """Candidate version of pkg (with :arch), or None."""
    r = subprocess.run(['apt-cache', 'policy', pkg], capture_output=True,
                       text=True)
    m = re.search(r'Candidate:\s*(\S+)', r.stdout)
    if not m or m.group(1) == '(none)':
        return None
    return m.group(1)


def resolve_versions():
    """Pick the newest linux-image-6.1.0-N-s390x the archive offers."""
    ensure_s390x_arch()
    r = subprocess.run(['apt-cache', 'search', '--names-only',
                        r'^linux-image-6\.1\.0-[0-9]+-s390x$'],
                       check=True, capture_output=True, text=True)
    abis = []
    for line in r.stdout.splitlines():
        m = re.match(r'linux-image-(6\.1\.0-(\d+))-s390x\s', line)
        if m:
            abis.append((int(m.group(2)), m.group(1)))
    if not abis:
        raise SystemExit('linux-guest: no linux-image-6.1.0-*-s390x in the '
                         'configured apt archive')
    for _, abi in sorted(abis, reverse=True):
        ver = apt_version('linux-image-%s-s390x:s390x' % abi)
        if not ver:
            continue
        # Everything kernel-side must be of exactly the image's version.
        src = subprocess.run(['apt-cache', 'madison', 'linux-source-6.1'],
                             capture_output=True, text=True).stdout
        if not re.search(r'\|\s*%s\s*\|' % re.escape(ver), src):
            log('linux-source-6.1 %s not available, trying older ABI' % ver)
            continue
        bb = apt_version('busybox-static:s390x')
        if not bb:
            raise SystemExit('linux-guest: busybox-static:s390x missing')
        return {'abi': abi, 'version': ver, 'busybox': bb,
                'build_arch': host_arch()}
    raise SystemExit('linux-guest: no usable 6.1 ABI found')


def load_versions(out):
    path = os.path.join(out, 'versions')
    if os.path.exists(path):
        v = {}
        with open(path) as f:
            for line in f:
                k, _, val = line.strip().partition('=')
                if k:
                    v[k] = val
        if {'abi', 'version', 'busybox', 'build_arch'} <= set(v):
            return v
    v = resolve_versions()
    os.makedirs(out, exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        for k in sorted(v):
            f.write('%s=%s\n' % (k, v[k]))
    os.rename(path + '.tmp', path)
    log('resolved: %s' % v)
    return v


def package_specs(v):
    """(package[:arch], version) of every .deb the image is built from."""
    abi, ver = v['abi'], v['version']
    return [
        ('linux-image-%s-s390x:s390x' % abi, ver),
        ('linux-headers-%s-s390x:s390x' % abi, ver),
        ('linux-headers-%s-common' % abi, ver),
        ('linux-kbuild-%s:%s' % (KSERIES, v['build_arch']), ver),
        ('linux-source-%s' % KSERIES, ver),
        ('busybox-static:s390x', v['busybox']),
    ]


def deb_path(debs, spec):
    name, ver = spec
    pkg = name.split(':')[0]
    # apt-get download names files pkg_version-with-%3a_arch.deb
    pat = '%s_%s_*.deb' % (pkg, ver.replace(':', '%3a'))
    hits = glob.glob(os.path.join(debs, pat))
    return hits[0] if hits else None


def fetch_debs(out, v):
    debs = os.path.join(out, 'debs')
    os.makedirs(debs, exist_ok=True)
    specs = package_specs(v)
    todo = [s for s in specs if not deb_path(debs, s)]
    if todo:
        ensure_s390x_arch()
        args = ['%s=%s' % s for s in todo]
        log('apt-get download ' + ' '.join(args))
        # Root downloads into a directory _apt may not write: no sandbox.
        run(['apt-get', 'download', '-q', '-o', 'APT::Sandbox::User=root']
            + args, cwd=debs, stdout=subprocess.DEVNULL)
    paths = {}
    for s in specs:
        p = deb_path(debs, s)
        if not p:
            raise SystemExit('linux-guest: download of %s=%s failed' % s)
        paths[s[0].split(':')[0]] = p
    return paths


# ---------------------------------------------------------------------------
# Unpacking


def stamp_ok(stamp, *inputs):
    if not os.path.exists(stamp):
        return False
    t = os.path.getmtime(stamp)
    return all(os.path.getmtime(i) <= t for i in inputs)


def touch(path):
    with open(path, 'w'):
        pass


def unpack(out, debs, v):
    root = os.path.join(out, 'root')
    os.makedirs(root, exist_ok=True)
    for pkg, deb in sorted(debs.items()):
        if pkg.startswith('linux-source'):
            continue
        stamp = os.path.join(root, '.unpacked-' + os.path.basename(deb))
        if stamp_ok(stamp, deb):
            continue
        log('unpack ' + os.path.basename(deb))
        run(['dpkg-deb', '-x', deb, root])
        touch(stamp)
    abi = v['abi']
    hdr = os.path.join(root, 'usr/src/linux-headers-%s-s390x' % abi)
    # The arch headers include the common ones by absolute path; point
    # that at our unpacked copy.  The scripts/tools links are relative
    # (../../lib/linux-kbuild-6.1/...) and so already resolve to the
    # unpacked linux-kbuild-6.1 of the build machine's architecture.
    mk = os.path.join(hdr, 'Makefile')
    with open(mk) as f:
        text = f.read()
    fixed = re.sub(r'^include /usr/src/',
                   'include %s/usr/src/' % root, text, flags=re.M)
    if fixed != text:
        with open(mk, 'w') as f:
            f.write(fixed)
    for link in ('scripts', 'tools'):
        target = os.path.realpath(os.path.join(hdr, link))
        want = os.path.join(root, 'usr/lib/linux-kbuild-%s' % KSERIES)
        if not target.startswith(want):
            raise SystemExit('linux-guest: %s/%s -> %s, not into %s'
                             % (hdr, link, target, want))
    return root, hdr


def extract_ism_source(out, debs):
    """Only drivers/s390/net/ism* out of the 139 MB source tarball."""
    src = os.path.join(out, 'src')
    deb = debs['linux-source-%s' % KSERIES]
    stamp = os.path.join(src, '.extracted')
    if stamp_ok(stamp, deb):
        return os.path.join(src, 'linux-source-%s' % KSERIES)
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    log('extract drivers/s390/net/ism* from ' + os.path.basename(deb))
    sh = ('dpkg-deb --fsys-tarfile "$1" | '
          'tar -xO ./usr/src/linux-source-%s.tar.xz | '
          'tar -xJ -C "$2" --wildcards '
          "'linux-source-%s/drivers/s390/net/ism*'" % (KSERIES, KSERIES))
    run(['sh', '-c', sh, 'sh', deb, src])
    d = os.path.join(src, 'linux-source-%s' % KSERIES)
    if not glob.glob(os.path.join(d, 'drivers/s390/net/ism_drv.c')):
        raise SystemExit('linux-guest: ism_drv.c not in ' + deb)
    touch(stamp)
    return d


# ---------------------------------------------------------------------------
# Out-of-tree module builds


def sync_file(src, dst):
    """Copy src to dst only if the content differs (keeps mtimes)."""
    with open(src, 'rb') as f:
        data = f.read()
    if os.path.exists(dst):
        with open(dst, 'rb') as f:
            if f.read() == data:
                return
    with open(dst + '.tmp', 'wb') as f:
        f.write(data)
    os.rename(dst + '.tmp', dst)


def kbuild(hdr, mdir, name):
    ko = os.path.join(mdir, name + '.ko')
    before = os.path.getmtime(ko) if os.path.exists(ko) else None
    r = subprocess.run(['make', '-s', '-C', hdr, 'M=' + mdir, 'ARCH=s390',
                        'CROSS_COMPILE=s390x-linux-gnu-', 'modules'],
                       capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(ko):
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit('linux-guest: building %s.ko failed' % name)
    if before != os.path.getmtime(ko):
        log('built ' + ko)
    return ko


def build_ism(out, hdr, ksrc):
    mdir = os.path.join(out, 'ism')
    os.makedirs(mdir, exist_ok=True)
    sdir = os.path.join(ksrc, 'drivers/s390/net')
    for f in sorted(glob.glob(os.path.join(sdir, 'ism*'))):
        sync_file(f, os.path.join(mdir, os.path.basename(f)))
    sync_file(os.path.join(HERE, 'ism', 'Kbuild'),
              os.path.join(mdir, 'Kbuild'))
    return kbuild(hdr, mdir, 'ism')


def build_ismtest(out, hdr):
    mdir = os.path.join(out, 'ismtest')
    os.makedirs(mdir, exist_ok=True)
    for f in ('Kbuild', 'ismtest.c'):
        sync_file(os.path.join(HERE, 'ismtest', f), os.path.join(mdir, f))
    return kbuild(hdr, mdir, 'ismtest')


# ---------------------------------------------------------------------------
# Module dependencies (the image ships no modules.dep: depmod makes it at
# install time), read from each module's .modinfo "depends=" field.


def modinfo(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF' or data[4] != 2:
        raise SystemExit('linux-guest: %s is not ELF64' % path)
    e = '>' if data[5] == 2 else '<'
    shoff, = struct.unpack_from(e + 'Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(e + 'HHH', data, 0x3a)

    def sh(i):
        return struct.unpack_from(e + 'IIQQQQ', data, shoff + i * shentsize)

    stroff = sh(shstrndx)[4]
    for i in range(shnum):
        name, _, _, _, off, size = sh(i)
        end = data.index(b'\0', stroff + name)
        if data[stroff + name:end] == b'.modinfo':
            info = {}
            for item in data[off:off + size].split(b'\0'):
                k, _, val = item.decode('ascii', 'replace').partition('=')
                if k:
                    info.setdefault(k, val)
            return info
    return {}


def module_index(root, abi):
    idx = {}
    mroot = os.path.join(root, 'lib/modules/%s-s390x' % abi)
    for p in glob.glob(os.path.join(mroot, 'kernel/**/*.ko'),
                       recursive=True):
        idx[os.path.basename(p)[:-3].replace('-', '_')] = p
    return idx


def module_order(idx, wanted, extra):
    """Dependency closure of `wanted` (+ extra {name: path}), topo-sorted."""
    order, seen = [], set()
    paths = dict(idx)
    paths.update(extra)

    def visit(name, chain):
        name = name.replace('-', '_')
        if name in seen:
            return
        if name in chain:
            raise SystemExit('linux-guest: module dependency loop ' + name)
        if name not in paths:
            raise SystemExit('linux-guest: module %s not found' % name)
        for dep in filter(None, modinfo(paths[name]).get('depends',
                                                         '').split(',')):
            visit(dep, chain + [name])
        seen.add(name)
        order.append((name, paths[name]))

    for w in wanted:
        visit(w, [])
    return order


# ---------------------------------------------------------------------------
# initramfs: newc cpio written here, gzip'd


class Cpio:
    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1

    def _entry(self, name, mode, data=b'', nlink=1):
        name_b = name.encode() + b'\0'
        hdr = '070701' + ''.join('%08x' % x for x in (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0,
            len(name_b), 0))
        self.ino += 1
        self.buf.write(hdr.encode() + name_b)
        self.buf.write(b'\0' * (-(110 + len(name_b)) % 4))
        self.buf.write(data)
        self.buf.write(b'\0' * (-len(data) % 4))

    def dir(self, name):
        self._entry(name, 0o040755, nlink=2)

    def file(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self._entry(name, 0o120777, target.encode())

    def finish(self):
        self._entry('TRAILER!!!', 0)
        return self.buf.getvalue()


def write_initrd(img, root, abi, init, mods, extra=(), applets=APPLETS):
    """Write img (gzip'd newc cpio) unless its manifest is unchanged.

    init: path of /init; mods: [(name, .ko path)] in load order, listed
    in /etc/modules; extra: [(path in the image, file, mode)]."""
    busybox = os.path.join(root, 'bin/busybox')
    inputs = [busybox, init] + [p for _, p in mods] + [e[1] for e in extra]
    manifest = '\n'.join(
        ['%s %s' % (n, p) for n, p in mods] +
        ['%s %s %o' % e for e in extra] +
        ['%s %d %d' % (p, os.path.getsize(p), os.path.getmtime(p) * 1e6)
         for p in inputs] + list(applets))
    digest = hashlib.sha256(manifest.encode()).hexdigest()
    stamp = img + '.manifest'
    if os.path.exists(img) and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == digest:
                return img
    c = Cpio()
    for d in ('bin', 'dev', 'proc', 'sys', 'tmp', 'lib', 'lib/modules',
              'etc'):
        c.dir(d)
    with open(busybox, 'rb') as f:
        c.file('bin/busybox', f.read(), 0o755)
    for a in applets:
        c.symlink('bin/' + a, 'busybox')
    with open(init, 'rb') as f:
        c.file('init', f.read(), 0o755)
    names = []
    for name, p in mods:
        with open(p, 'rb') as f:
            c.file('lib/modules/%s.ko' % name, f.read())
        names.append(name)
    for dest, p, mode in extra:
        with open(p, 'rb') as f:
            c.file(dest, f.read(), mode)
    c.file('etc/modules', ('\n'.join(names) + '\n').encode())
    c.file('etc/kernel-release', (abi + '\n').encode())
    data = gzip.compress(c.finish(), compresslevel=6, mtime=0)
    with open(img + '.tmp', 'wb') as f:
        f.write(data)
    os.rename(img + '.tmp', img)
    with open(stamp, 'w') as f:
        f.write(digest)
    log('wrote %s (%d KiB; modules: %s)' % (img, len(data) // 1024,
                                          ' '.join(names)))
    return img


def build_initrd(out, root, abi, mods, ismtest_ko):
    return write_initrd(os.path.join(out, 'initrd.img'), root, abi,
                        os.path.join(HERE, 'init'), mods,
                        [('lib/modules/ismtest.ko', ismtest_ko, 0o644)])


def build_base(build):
    """Packages, headers and ism.ko: what every guest image shares.

    Returns a dict with out, versions, debs, root, hdr, ism_ko, modules
    (the index of the image's .ko files) and vmlinuz."""
    out = out_dir(build)
    os.makedirs(out, exist_ok=True)
    v = load_versions(out)
    debs = fetch_debs(out, v)
    root, hdr = unpack(out, debs, v)
    ksrc = extract_ism_source(out, debs)
    ism_ko = build_ism(out, hdr, ksrc)
    return {'out': out, 'versions': v, 'debs': debs, 'root': root,
            'hdr': hdr, 'ism_ko': ism_ko,
            'modules': module_index(root, v['abi']),
            'vmlinuz': os.path.join(root, 'boot/vmlinuz-%s-s390x' % v['abi'])}


# ---------------------------------------------------------------------------


def build_all(build):
    """Returns a dict describing the image (paths, versions, modules)."""
    b = build_base(build)
    v = b['versions']
    ismtest_ko = build_ismtest(b['out'], b['hdr'])
    mods = module_order(b['modules'], WANTED_MODULES + ['ism'],
                        {'ism': b['ism_ko']})
    initrd = build_initrd(b['out'], b['root'], v['abi'], mods, ismtest_ko)
    return {'versions': v, 'debs': b['debs'], 'vmlinuz': b['vmlinuz'],
            'initrd': initrd, 'modules': [n for n, _ in mods],
            'ism_ko': b['ism_ko'], 'ismtest_ko': ismtest_ko}


def main():
    top = os.environ.get('TOP') or os.path.dirname(os.path.dirname(HERE))
    build = os.environ.get('BUILD') or os.path.join(top, 'build')
    info = build_all(build)
    for k in ('vmlinuz', 'initrd'):
        print('%s=%s' % (k, info[k]))
    print('modules=%s' % ' '.join(info['modules']))
    for k, val in sorted(info['versions'].items()):
        print('%s=%s' % (k, val))


if __name__ == '__main__':
    main()
