# SPDX-License-Identifier: GPL-2.0-or-later
# Build the nested test's images: the L1 host kernel, its modules and
# initramfs with the L2 QEMUs (the fork built for s390x, Debian's stock).
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Fetch and build everything the nested test (tests/nested) boots.

L0 is the fork on x86 with the host simulator; L1 is Debian's s390x
Linux 7.3 (experimental's 7.3~rc7) with its vfio modules and an
ism_vfio_pci built here from Debian's linux-source-7.3, or, where the 7.3
packages do not download, Debian unstable's 7.2.13 with one built from
linux-source-7.2 (NESTED_KERNEL: auto, 7.3 or 7.2; see KERNELS); L2 is
the fork cross-built for s390x (tests/nested/cross-build) or Debian's own
s390x qemu-system-s390x 10.0.

Everything comes from Debian's archive and is cached under $BUILD/nested;
every step is skipped when its output is newer than its inputs, so a warm
run costs no download and no compiler run.

    OUT = $BUILD/nested
    OUT/apt/SUITE/      private apt (experimental or unstable, s390x
                        index) for the kernel packages
    OUT/apt/s390x/      private apt state (empty dpkg status, s390x only)
                        over the system's package lists, to resolve the
                        stock QEMU's dependencies from bookworm(-backports)
    OUT/debs/           downloaded packages (kernel/, stock/, busybox/)
    OUT/kernel/         kernel packages unpacked (each KREL its own paths)
    OUT/ksrc/           the part of linux-source-SERIES kbuild needs
    OUT/vfioinfo        L1's static vfio reporter (vfioinfo.c)
    OUT/modules/        the L1 modules, decompressed, + ism_vfio_pci.ko
    OUT/stock/          the stock QEMU's packages unpacked
    OUT/qemu-s390x/     the cross-built fork (cross-build)
    OUT/l1-initrd.img   the L1 initramfs (newc cpio, not compressed)
"""

import glob
import hashlib
import lzma
import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'linux-guest'))
import lgbuild  # noqa: E402  (its newc writer)

# The L1 kernels, in the order tried: Linux 7.3 where its packages
# download, 7.2.13 otherwise.  Every version is pinned.  On 2026-12-07
# trixie-backports lists linux-source-7.3 7.3.4-1~bpo13+1, whose s390x
# binaries answer 404 there, so 7.3 comes from experimental: 7.3~rc7,
# whose kernel release is plain "7.3-s390x", with the linux-source-7.3 of
# the same upload (its drivers/vfio/pci/ism is the same as 7.3.4's).
# Neither config sets MODVERSIONS: the vermagic is what must match.
KERNELS = {
    '7.3': {
        'series': '7.3', 'krel': '7.3-s390x', 'version': '7.3~rc7-1~exp1',
        'suite': 'experimental',
    },
    '7.2': {
        'series': '7.2', 'krel': '7.2.13+deb14-s390x', 'version': '7.2.13-1',
        'suite': 'unstable',
    },
}
KERNEL_ORDER = ['7.3', '7.2']
APT_SOURCES = ('deb [arch=s390x signed-by=/usr/share/keyrings/'
               'debian-archive-keyring.gpg] http://deb.debian.org/debian '
               '%s main\n')


def kernel_pkgs(k):
    """The image, modules and headers (.config, Module.symvers) packages
    of kernel k, then its source."""
    return ['linux-binary-' + k['krel'], 'linux-modules-' + k['krel'],
            'linux-headers-' + k['krel'], 'linux-source-' + k['series']]


class KernelMissing(Exception):
    """The packages of a kernel do not download."""

# The L2 stock QEMU: Debian's qemu-system-s390x 10.0 for s390x, as the
# stock x86 QEMU of the other suites (bookworm-backports).
STOCK_PKG = 'qemu-system-s390x'
STOCK_SUITE = 'bookworm-backports'

# Modules L1 loads (with their dependencies, in dependency order), and
# the one built here.
WANTED_MODULES = ['vfio_pci', 'vfio_iommu_type1']
ISM_VFIO_PCI = 'ism_vfio_pci'

# busybox applets the L1 /init uses.
APPLETS = [
    'sh', 'mount', 'mkdir', 'insmod', 'cat', 'echo', 'ls', 'poweroff',
    'dmesg', 'grep', 'sleep', 'readlink', 'basename', 'sed', 'awk', 'tr',
    'head', 'tail', 'printf', 'test', '[', 'wc', 'cut', 'uname', 'true',
    'false', 'timeout', 'sort', 'expr', 'rm', 'ln', 'xxd', 'od', 'kill',
    'dirname', 'stat', 'mkfifo',
]


def log(msg):
    print('# nested: ' + msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def out_dir(build):
    return os.path.join(build, 'nested')


def stamp_ok(stamp, *inputs):
    if not os.path.exists(stamp):
        return False
    t = os.path.getmtime(stamp)
    return all(os.path.getmtime(i) <= t for i in inputs)


def touch(path):
    with open(path, 'w'):
        pass


class Timer:
    """Wall and CPU time (this process and its children) of each build
    stage, for the suite's report."""

    def __init__(self):
        self.stages = []

    @staticmethod
    def cpu():
        return sum(getattr(resource.getrusage(w), f)
                   for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                   for f in ('ru_utime', 'ru_stime'))

    def __call__(self, name, fn, *args):
        t0, c0 = time.monotonic(), self.cpu()
        res = fn(*args)
        self.stages.append((name, time.monotonic() - t0, self.cpu() - c0))
        return res


# ---------------------------------------------------------------------------
# apt: a private configuration per Debian suite (download only)


def write_if_changed(path, text):
    if os.path.exists(path):
        with open(path) as f:
            if f.read() == text:
                return False
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.rename(path + '.tmp', path)
    return True


def suite_apt(out, suite, update=False):
    """Path of the suite's apt.conf; its lists updated once (again with
    update)."""
    d = os.path.join(out, 'apt', suite)
    for sub in ('lists/partial', 'cache/archives/partial', 'parts.d'):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    status = os.path.join(d, 'status')
    if not os.path.exists(status):
        touch(status)
    if write_if_changed(os.path.join(d, 'sources.list'),
                        APT_SOURCES % suite):
        for f in glob.glob(os.path.join(d, 'lists', '*_InRelease')):
            os.unlink(f)
    conf = os.path.join(d, 'apt.conf')
    lines = [
        'Dir::Etc::sourcelist "%s/sources.list";' % d,
        # no system sources, pins or options: only what is here
        'Dir::Etc::sourceparts "%s/parts.d";' % d,
        'Dir::Etc::preferences "%s/parts.d/none";' % d,
        'Dir::Etc::preferencesparts "%s/parts.d";' % d,
        'Dir::State::Lists "%s/lists";' % d,
        'Dir::State::status "%s";' % status,
        'Dir::Cache "%s/cache";' % d,
        'APT::Architecture "s390x";',
        'APT::Architectures { "s390x"; };',
        'Acquire::Languages "none";',
    ]
    if os.geteuid() == 0:
        # Downloads land in our folders, which _apt cannot write.
        lines.append('APT::Sandbox::User "root";')
    write_if_changed(conf, '\n'.join(lines) + '\n')
    if update or not glob.glob(os.path.join(d, 'lists', '*_Packages*')):
        log('apt-get update (Debian %s, s390x index, private lists)' % suite)
        r = subprocess.run(['apt-get', '-q', 'update'], env=dict(
            os.environ, APT_CONFIG=conf), capture_output=True, text=True)
        if r.returncode or not glob.glob(os.path.join(d, 'lists',
                                                      '*_Packages*')):
            raise KernelMissing('apt-get update of %s failed: %s' % (
                suite, ' '.join(r.stderr.split())[-300:]))
    return conf


def deb_glob(debs, pkg, ver, arch='*'):
    return glob.glob(os.path.join(debs, '%s_%s_%s.deb' % (
        pkg, ver.replace(':', '%3a'), arch)))


def fetch_kernel_debs(out, k):
    """{package: .deb} of kernel k, downloaded once; KernelMissing (with
    apt's words: "not found" in the index, 404 from the archive) when
    they do not download, after one refresh of the index."""
    debs = os.path.join(out, 'debs', 'kernel')
    os.makedirs(debs, exist_ok=True)
    specs = [(p, k['version']) for p in kernel_pkgs(k)]
    for attempt in (0, 1):
        todo = [s for s in specs if not deb_glob(debs, *s)]
        if not todo:
            break
        conf = suite_apt(out, k['suite'], update=attempt == 1)
        args = ['%s=%s' % s for s in todo]
        log('apt-get download (%s) %s' % (k['suite'], ' '.join(args)))
        r = subprocess.run(['apt-get', 'download', '-q'] + args, cwd=debs,
                           env=dict(os.environ, APT_CONFIG=conf),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        why = ' '.join(ln.strip() for ln in r.stderr.splitlines()
                       if ln.startswith(('E:', 'Err')))
        for p in glob.glob(os.path.join(debs, '*.FAILED')):
            os.unlink(p)
        if r.returncode == 0:
            continue
        if attempt == 1:
            raise KernelMissing('%s: %s' % (' '.join(args), why[-400:] or
                                            'apt-get download failed'))
    paths = {}
    for s in specs:
        hits = deb_glob(debs, *s)
        if not hits:
            raise KernelMissing('%s=%s did not download' % s)
        paths[s[0]] = hits[0]
    return paths


def choose_kernel(out):
    """(kernel, {package: .deb}, note): the first of KERNEL_ORDER whose
    packages download, or the one NESTED_KERNEL names (7.3, 7.2; auto is
    the default).  The note says why L1 does not run the first."""
    want = os.environ.get('NESTED_KERNEL', 'auto')
    if want != 'auto' and want not in KERNELS:
        raise SystemExit('nested: NESTED_KERNEL=%s: auto, %s' % (
            want, ', '.join(KERNEL_ORDER)))
    order = KERNEL_ORDER if want == 'auto' else [want]
    notes = []
    for name in order:
        k = KERNELS[name]
        try:
            debs = fetch_kernel_debs(out, k)
        except KernelMissing as e:
            notes.append('Linux %s (Debian %s %s) does not download: %s' % (
                name, k['suite'], k['version'], e))
            log(notes[-1])
            if want != 'auto':
                raise SystemExit('nested: NESTED_KERNEL=%s: %s' % (
                    want, notes[-1]))
            continue
        if notes:
            notes.append('FALLBACK: L1 runs Linux %s (%s %s) instead' % (
                name, k['krel'], k['version']))
            log(notes[-1])
        elif want != 'auto':
            notes.append('NESTED_KERNEL=%s: L1 runs Linux %s' % (want, name))
        log('L1 kernel: Linux %s, %s %s from Debian %s' % (
            name, k['krel'], k['version'], k['suite']))
        return k, debs, '\n'.join(notes)
    raise SystemExit('nested: no L1 kernel downloads: ' + '; '.join(notes))


def apt_candidate(pkg):
    r = subprocess.run(['apt-cache', 'policy', pkg], capture_output=True,
                       text=True)
    m = re.search(r'Candidate:\s*(\S+)', r.stdout)
    return None if not m or m.group(1) == '(none)' else m.group(1)


def ensure_s390x_lists():
    foreign = subprocess.run(['dpkg', '--print-foreign-architectures'],
                             check=True, capture_output=True,
                             text=True).stdout.split()
    if 's390x' in foreign and glob.glob(
            '/var/lib/apt/lists/*binary-s390x_Packages*'):
        return
    if os.geteuid() != 0:
        raise SystemExit('nested: need root once for "dpkg '
                         '--add-architecture s390x; apt-get update"')
    if 's390x' not in foreign:
        run(['dpkg', '--add-architecture', 's390x'])
    log('apt-get update (for the s390x package lists)')
    run(['apt-get', '-qq', 'update'])


def fetch_busybox(out):
    debs = os.path.join(out, 'debs', 'busybox')
    os.makedirs(debs, exist_ok=True)
    hits = glob.glob(os.path.join(debs, 'busybox-static_*_s390x.deb'))
    if hits:
        return hits[0]
    ensure_s390x_lists()
    ver = apt_candidate('busybox-static:s390x')
    if not ver:
        raise SystemExit('nested: no busybox-static:s390x candidate')
    log('apt-get download busybox-static:s390x=' + ver)
    run(['apt-get', 'download', '-q', '-o', 'APT::Sandbox::User=root',
         'busybox-static:s390x=' + ver], cwd=debs, stdout=subprocess.DEVNULL)
    return glob.glob(os.path.join(debs, 'busybox-static_*_s390x.deb'))[0]


def fetch_stock(out):
    """Debian's s390x qemu-system-s390x and its dependency closure.

    apt resolves the closure on its own: an empty dpkg status, only the
    s390x architecture, the system's (bookworm + backports) package lists,
    and a private archive folder; nothing is installed anywhere."""
    d = os.path.join(out, 'apt', 's390x')
    arch = os.path.join(d, 'archives')
    os.makedirs(os.path.join(arch, 'partial'), exist_ok=True)
    os.makedirs(os.path.join(d, 'cache'), exist_ok=True)
    status = os.path.join(d, 'status')
    if not os.path.exists(status):
        touch(status)
    done = os.path.join(arch, '.complete')
    if os.path.exists(done):
        return sorted(glob.glob(os.path.join(arch, '*.deb')))
    ensure_s390x_lists()
    opts = ['-o', 'Dir::State::status=' + status,
            '-o', 'Dir::Cache=' + os.path.join(d, 'cache'),
            '-o', 'Dir::Cache::Archives=' + arch,
            '-o', 'APT::Architecture=s390x',
            '-o', 'APT::Architectures::=s390x',
            '-o', 'APT::Sandbox::User=root',
            '-o', 'Debug::NoLocking=1']
    log('apt-get install --download-only %s:s390x/%s (private state)' % (
        STOCK_PKG, STOCK_SUITE))
    run(['apt-get', '-q', '-y'] + opts + ['-t', STOCK_SUITE,
                                           '--no-install-recommends',
                                           '--download-only', 'install',
                                           STOCK_PKG],
        stdout=subprocess.DEVNULL)
    touch(done)
    return sorted(glob.glob(os.path.join(arch, '*.deb')))


# ---------------------------------------------------------------------------
# Unpacking


def unpack_debs(root, debs):
    os.makedirs(root, exist_ok=True)
    for deb in debs:
        stamp = os.path.join(root, '.unpacked-' + os.path.basename(deb))
        if stamp_ok(stamp, deb):
            continue
        run(['dpkg-deb', '-x', deb, root])
        touch(stamp)
    return root


def extract_ksrc(out, deb, series):
    """What olddefconfig, modules_prepare and the M= build read.

    Every Kconfig file (olddefconfig parses the whole tree), the top-level
    build files, scripts/, include/, arch/s390/, the x86 syscall table
    (the syscall check compares with it), kernel/ (bounds.c and friends
    for the generated headers), lib/vdso, tools/ (kbuild's helpers),
    security/selinux/include (scripts/selinux needs classmap.h) and
    drivers/vfio/ (ism_vfio_pci and the vfio_pci_priv.h it includes)."""
    src = os.path.join(out, 'ksrc')
    top = os.path.join(src, 'linux-source-' + series)
    stamp = os.path.join(src, '.extracted-' + series)
    if stamp_ok(stamp, deb):
        return top
    shutil.rmtree(top, ignore_errors=True)
    os.makedirs(src, exist_ok=True)
    base = 'linux-source-%s/' % series
    # GNU tar marks a member found under the first pattern that matches
    # it and fails for a pattern that found nothing: no overlaps here.
    members = [base + p for p in (
        'Makefile', '*Kconfig*', '*Kbuild*', 'scripts', 'include',
        'arch/s390', 'arch/x86/entry/syscalls', 'kernel', 'tools',
        'drivers/vfio', 'lib/vdso', 'certs', 'usr', 'init', 'rust',
        'security/selinux/include')]
    log('extract the kbuild subset of linux-source-%s' % series)
    t0 = time.monotonic()
    sh = ('dpkg-deb --fsys-tarfile "$1" | '
          'tar -xO ./usr/src/linux-source-%s.tar.xz | '
          'xz -dc -T2 | tar -x -C "$2" --wildcards "${@:3}"' % series)
    run(['bash', '-c', sh, 'sh', deb, src] + members)
    for need in ('Makefile', 'drivers/vfio/pci/ism/main.c',
                 'drivers/vfio/pci/vfio_pci_priv.h', 'arch/s390/Makefile'):
        if not os.path.exists(os.path.join(top, need)):
            raise SystemExit('nested: %s missing from %s' % (need, deb))
    touch(stamp)
    log('extracted in %.1f s' % (time.monotonic() - t0))
    return top


# ---------------------------------------------------------------------------
# ism_vfio_pci, built out of tree against the Debian kernel's config


def kmake(ksrc, *args, **kw):
    cmd = ['make', '-s', '-C', ksrc, 'ARCH=s390',
           'CROSS_COMPILE=s390x-linux-gnu-', '-j2'] + list(args)
    r = subprocess.run(['nice', '-n', '10'] + cmd, capture_output=True,
                       text=True, **kw)
    if r.returncode:
        sys.stderr.write(r.stdout[-3000:] + r.stderr[-3000:])
        raise SystemExit('nested: %s failed' % ' '.join(cmd[3:]))
    return r


# Options the layout of struct module depends on (include/linux/module.h)
LAYOUT_OPTS = ('CONFIG_DEBUG_INFO_BTF_MODULES', 'CONFIG_MODULE_UNLOAD',
               'CONFIG_KALLSYMS', 'CONFIG_LIVEPATCH', 'CONFIG_MODULE_SIG')


def config_value(path, opt):
    with open(path) as f:
        for ln in f:
            if ln.startswith(opt + '='):
                return ln.split('=', 1)[1].strip()
    return 'unset'


def build_ism_vfio_pci(out, ksrc, kroot, krel):
    """ism_vfio_pci.ko for Debian's kernel krel (7.3-s390x, or
    7.2.13+deb14-s390x), from the linux-source of the same upload.

    Debian's config has ISM_VFIO_PCI unset.  The headers package's
    .config and Module.symvers (symbol CRCs of the real kernel) go into
    the source tree; modules_prepare regenerates what an M= build needs;
    the M= build enables the driver on the command line.  bookworm's gcc
    12 lacks options the config was made with (gcc 16): olddefconfig drops
    them (STACKPROTECTOR among them), which changes no structure the
    driver shares with vfio-pci-core (checked by loading and binding it in
    the suite).  Neither kernel has MODVERSIONS: no symbol CRCs, the
    vermagic must match (checked in build_all)."""
    hdr = os.path.join(kroot, 'usr/src/linux-headers-' + krel)
    cfg = os.path.join(hdr, '.config')
    symvers = os.path.join(hdr, 'Module.symvers')
    mdir = os.path.join(ksrc, 'drivers/vfio/pci/ism')
    ko = os.path.join(mdir, 'ism-vfio-pci.ko')
    stamp = os.path.join(ksrc, '.prepared')
    # pahole decides whether olddefconfig keeps DEBUG_INFO_BTF_MODULES,
    # which changes struct module: another pahole, another preparation
    pahole = subprocess.run(['pahole', '--version'], capture_output=True,
                            text=True).stdout.strip() if shutil.which(
                                'pahole') else 'none'
    same = False
    if stamp_ok(stamp, cfg, symvers):
        with open(stamp) as f:
            same = f.read().strip() == pahole
    if not same:
        shutil.copy(cfg, os.path.join(ksrc, '.config'))
        shutil.copy(symvers, os.path.join(ksrc, 'Module.symvers'))
        log('olddefconfig + modules_prepare for %s' % krel)
        kmake(ksrc, 'olddefconfig')
        kmake(ksrc, 'KERNELRELEASE=' + krel, 'modules_prepare')
        # modules_prepare leaves an empty Module.symvers behind
        shutil.copy(symvers, os.path.join(ksrc, 'Module.symvers'))
        if os.path.exists(ko):
            os.unlink(ko)
        # A module's struct module must be the kernel's
        for opt in LAYOUT_OPTS:
            want = config_value(cfg, opt)
            got = config_value(os.path.join(ksrc, '.config'), opt)
            if want != got:
                raise SystemExit('nested: %s is %s in Debian\'s config but %s '
                                 'after olddefconfig here (struct module '
                                 'would differ; is dwarves installed?)' % (
                                     opt, want, got))
        with open(stamp, 'w') as f:
            f.write(pahole + '\n')
    if not os.path.exists(ko) or os.path.getmtime(ko) < os.path.getmtime(
            stamp) or os.path.getmtime(ko) < os.path.getmtime(
                os.path.join(mdir, 'main.c')):
        log('build %s.ko' % ISM_VFIO_PCI)
        kmake(ksrc, 'KERNELRELEASE=' + krel, 'CONFIG_ISM_VFIO_PCI=m',
              'M=drivers/vfio/pci/ism', 'modules')
    if not os.path.exists(ko):
        raise SystemExit('nested: %s not built' % ko)
    return ko


# ---------------------------------------------------------------------------
# Module dependencies, from each module's .modinfo "depends=" field


def elf_sections(data):
    if data[:4] != b'\x7fELF' or data[4] != 2:
        raise ValueError('not ELF64')
    e = '>' if data[5] == 2 else '<'
    shoff, = struct.unpack_from(e + 'Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(e + 'HHH', data, 0x3a)

    def sh(i):
        # Elf64_Shdr: name, type, flags, addr, offset, size, link, info, ...
        return struct.unpack_from(e + 'IIQQQQII', data, shoff + i * shentsize)

    out = {}
    stroff = sh(shstrndx)[4]
    for i in range(shnum):
        name, typ, _, _, off, size, link, _ = sh(i)
        end = data.index(b'\0', stroff + name)
        out[data[stroff + name:end].decode()] = (off, size, typ, link)
    return e, out


def modinfo(data):
    _, secs = elf_sections(data)
    off, size, _, _ = secs.get('.modinfo', (0, 0, 0, 0))
    info = {}
    for item in data[off:off + size].split(b'\0'):
        k, _, v = item.decode('ascii', 'replace').partition('=')
        if k:
            info.setdefault(k, v)
    return info


def read_module(path):
    with open(path, 'rb') as f:
        data = f.read()
    if path.endswith('.xz'):
        data = lzma.decompress(data)
    return data


def module_index(kroot, krel):
    idx = {}
    mroot = os.path.join(kroot, 'usr/lib/modules', krel, 'kernel')
    for p in glob.glob(os.path.join(mroot, '**/*.ko*'), recursive=True):
        name = os.path.basename(p).split('.ko')[0].replace('-', '_')
        idx[name] = p
    return idx


def module_order(idx, wanted, extra):
    """[(name, path)] of wanted and their dependencies, deps first."""
    paths = dict(idx)
    paths.update(extra)
    order, seen = [], set()

    def visit(name, chain):
        name = name.replace('-', '_')
        if name in seen:
            return
        if name in chain or name not in paths:
            raise SystemExit('nested: module %s %s' % (
                name, 'dependency loop' if name in chain else 'not found'))
        deps = modinfo(read_module(paths[name])).get('depends', '')
        for dep in filter(None, deps.split(',')):
            visit(dep, chain + [name])
        seen.add(name)
        order.append((name, paths[name]))

    for w in wanted:
        visit(w, [])
    return order


# ---------------------------------------------------------------------------
# The stock QEMU's shared libraries (DT_NEEDED closure)


def elf_needed(data):
    """(interpreter or None, [DT_NEEDED sonames]) of an ELF64 file."""
    e, secs = elf_sections(data)
    interp = None
    if '.interp' in secs:
        off, size, _, _ = secs['.interp']
        interp = data[off:off + size].rstrip(b'\0').decode()
    needed = []
    if '.dynamic' in secs:
        off, size, _, link = secs['.dynamic']
        stroff = secs['.dynstr'][0]
        for i in range(0, size, 16):
            tag, val = struct.unpack_from(e + 'qQ', data, off + i)
            if tag == 0:
                break
            if tag == 1:
                end = data.index(b'\0', stroff + val)
                needed.append(data[stroff + val:end].decode())
    return interp, needed


def lib_closure(root, binary):
    """{path in image: path on disk} of binary's libraries and loader."""
    libdirs = ['lib/s390x-linux-gnu', 'usr/lib/s390x-linux-gnu', 'lib',
               'usr/lib']
    files = {}

    def find(soname):
        for d in libdirs:
            p = os.path.join(root, d, soname)
            if os.path.lexists(p):
                return p
        raise SystemExit('nested: stock QEMU needs %s, not in %s' % (
            soname, root))

    todo = [binary]
    seen = set()
    while todo:
        p = todo.pop()
        with open(os.path.realpath(p), 'rb') as f:
            interp, needed = elf_needed(f.read())
        if interp and interp not in files:
            real = os.path.realpath(os.path.join(root, interp.lstrip('/')))
            files[interp.lstrip('/')] = real
        for so in needed:
            if so in seen:
                continue
            seen.add(so)
            lp = find(so)
            files['lib/s390x-linux-gnu/' + so] = os.path.realpath(lp)
            todo.append(lp)
    return files


# ---------------------------------------------------------------------------
# initramfs: newc cpio


class Cpio(lgbuild.Cpio):
    """tests/linux-guest's newc writer, creating parent folders itself."""

    def __init__(self):
        super().__init__()
        self.dirs = set()

    def dir(self, name):
        parts = name.strip('/').split('/')
        for i in range(1, len(parts) + 1):
            d = '/'.join(parts[:i])
            if d not in self.dirs:
                self.dirs.add(d)
                super().dir(d)

    def file(self, name, data, mode=0o644):
        if '/' in name:
            self.dir(os.path.dirname(name))
        super().file(name, data, mode)

    def symlink(self, name, target):
        if '/' in name:
            self.dir(os.path.dirname(name))
        super().symlink(name, target)


def build_initrd(out, items, extra_files, image='l1-initrd.img'):
    """items: {image path: (disk path or bytes, mode)}; cached by digest."""
    h = hashlib.sha256()
    for name in sorted(items):
        src, mode = items[name]
        h.update(name.encode())
        if isinstance(src, bytes):
            h.update(hashlib.sha256(src).digest())
        else:
            st = os.stat(src)
            h.update(('%s %d %d %o' % (src, st.st_size, st.st_mtime_ns,
                                       mode)).encode())
    for name in sorted(extra_files):
        h.update(name.encode() + hashlib.sha256(extra_files[name]).digest())
    h.update(' '.join(APPLETS).encode())
    digest = h.hexdigest()
    img = os.path.join(out, image)
    stamp = img + '.manifest'
    if os.path.exists(img) and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == digest:
                return img
    c = Cpio()
    for d in ('dev', 'proc', 'sys', 'tmp', 'run', 'etc'):
        c.dir(d)
    for a in APPLETS:
        c.symlink('bin/' + a, 'busybox')
    for name in sorted(items):
        src, mode = items[name]
        if not isinstance(src, bytes):
            with open(src, 'rb') as f:
                src = f.read()
        c.file(name, src, mode)
    for name in sorted(extra_files):
        c.file(name, extra_files[name], 0o644)
    # Not compressed: gunzip of ~40 MiB under TCG costs L1 ~20 s of boot,
    # reading it uncompressed from L0 costs nothing.
    data = c.finish()
    with open(img + '.tmp', 'wb') as f:
        f.write(data)
    os.rename(img + '.tmp', img)
    with open(stamp, 'w') as f:
        f.write(digest)
    log('wrote %s (%d MiB)' % (img, len(data) >> 20))
    return img


# ---------------------------------------------------------------------------


def build_payloads(top, build):
    r = subprocess.run(['make', '-s', '-C', os.path.join(top, 'tests',
                                                          'guest'),
                        'BUILD=' + os.path.join(build, 'guest')],
                       capture_output=True, text=True)
    if r.returncode:
        sys.stderr.write(r.stdout[-3000:] + r.stderr[-3000:])
        raise SystemExit('nested: the guest payloads did not build')
    return os.path.join(build, 'guest')


def build_vfioinfo(out):
    """L1's vfio reporter (vfioinfo.c): static, with bookworm's
    s390x-linux-gnu-gcc and libc6-dev-s390x-cross."""
    src = os.path.join(HERE, 'vfioinfo.c')
    exe = os.path.join(out, 'vfioinfo')
    if stamp_ok(exe, src):
        return exe
    log('build vfioinfo')
    r = subprocess.run(['s390x-linux-gnu-gcc', '-static', '-O2', '-Wall',
                        '-Wextra', '-Werror', '-s', '-o', exe + '.tmp', src],
                       capture_output=True, text=True)
    if r.returncode:
        sys.stderr.write(r.stderr[-3000:])
        raise SystemExit('nested: vfioinfo did not build')
    os.rename(exe + '.tmp', exe)
    return exe


def cross_build(top, build):
    r = subprocess.run([os.path.join(HERE, 'cross-build')],
                       env=dict(os.environ, TOP=top, BUILD=build),
                       capture_output=True, text=True)
    if r.returncode:
        sys.stderr.write(r.stderr[-4000:])
        raise SystemExit('nested: cross-build of the fork for s390x failed')
    return r.stdout.strip().splitlines()[-1]


def build_all(top, build, extra_files=None, extra_items=None,
              rfc_modules=None):
    """Everything for one suite run.  extra_files: {image path: bytes}
    (the runner's plans), extra_items: {image path: disk path};
    rfc_modules: {module name: .ko path} that replace Debian's (and the
    ism_vfio_pci built here) in a second initramfs, l1-initrd-rfc.img
    (the RFC kernel series' modules, built by kernel/check).  Returns a
    dict of paths and versions."""
    out = out_dir(build)
    os.makedirs(out, exist_ok=True)
    t = Timer()
    k, kdebs, knote = t('fetch kernel packages', choose_kernel, out)
    krel, src_pkg = k['krel'], 'linux-source-' + k['series']
    kroot = t('unpack kernel packages', unpack_debs,
              os.path.join(out, 'kernel'),
              [kdebs[p] for p in kernel_pkgs(k) if p != src_pkg])
    ksrc = t('extract %s subset' % src_pkg, extract_ksrc, out,
             kdebs[src_pkg], k['series'])
    ism_ko = t('build ism_vfio_pci.ko', build_ism_vfio_pci, out, ksrc,
               kroot, krel)
    vfioinfo = t('build vfioinfo (static s390x)', build_vfioinfo, out)
    bb = t('fetch busybox-static', fetch_busybox, out)
    bbroot = unpack_debs(os.path.join(out, 'busybox'), [bb])
    sdebs = t('fetch stock qemu-system-s390x closure', fetch_stock, out)
    sroot = t('unpack stock QEMU', unpack_debs, os.path.join(out, 'stock'),
              sdebs)
    fork = t('cross-build the fork for s390x', cross_build, top, build)
    payloads = t('build guest payloads', build_payloads, top, build)

    vmlinuz = glob.glob(os.path.join(kroot, 'usr/lib/modules', krel,
                                     'vmlinuz'))
    if not vmlinuz:
        raise SystemExit('nested: no vmlinuz-%s in %s' % (krel, kroot))
    idx = module_index(kroot, krel)
    mods = module_order(idx, WANTED_MODULES + [ISM_VFIO_PCI],
                        {ISM_VFIO_PCI: ism_ko})
    if rfc_modules:
        missing = set(rfc_modules) - set(n for n, _ in mods)
        if missing:
            raise SystemExit('nested: no module %s to replace' %
                             ' '.join(sorted(missing)))
        mods = [(n, rfc_modules.get(n, p)) for n, p in mods]
        for n, p in rfc_modules.items():
            vm = modinfo(read_module(p)).get('vermagic')
            real = modinfo(read_module(idx['vfio_pci'])).get('vermagic')
            if vm != real:
                raise SystemExit('nested: %s (%s) vermagic "%s", the '
                                 'kernel\'s modules "%s"' % (n, p, vm, real))
    # No MODVERSIONS in Debian's configs: the kernel refuses a module
    # whose vermagic differs from its own, so compare with its vfio-pci.
    vermagic = modinfo(read_module(ism_ko)).get('vermagic')
    real = modinfo(read_module(idx['vfio_pci'])).get('vermagic')
    if vermagic != real:
        raise SystemExit('nested: %s vermagic "%s", the kernel\'s modules '
                         '"%s"' % (ISM_VFIO_PCI, vermagic, real))

    items = {'bin/busybox': (os.path.join(bbroot, 'bin/busybox'), 0o755),
             'init': (os.path.join(HERE, 'l1-init'), 0o755),
             'bin/vfioinfo': (vfioinfo, 0o755)}
    for name, p in mods:
        items['lib/modules/%s.ko' % name] = (read_module(p), 0o644)
    items['etc/modules'] = (('\n'.join(n for n, _ in mods) + '\n').encode(),
                            0o644)
    fdir = os.path.dirname(fork)
    items['opt/fork/qemu-system-s390x'] = (fork, 0o755)
    items['opt/fork/share/s390-ccw.img'] = (
        os.path.join(fdir, 'pc-bios/s390-ccw/s390-ccw.img'), 0o644)
    stock_bin = os.path.join(sroot, 'usr/bin/qemu-system-s390x')
    items['usr/bin/qemu-system-s390x'] = (stock_bin, 0o755)
    # Both QEMUs load their s390-ccw firmware at start-up (it IPLs the
    # payload), the stock one from its built-in data folder.
    items['usr/share/qemu/s390-ccw.img'] = (
        os.path.join(sroot, 'usr/share/qemu/s390-ccw.img'), 0o644)
    for name, p in lib_closure(sroot, stock_bin).items():
        items[name] = (p, 0o755)
    for p in ('ism', 'msix-nic', 'zpciops'):
        items['payloads/%s.elf' % p] = (os.path.join(payloads, p + '.elf'),
                                        0o644)
    for name, p in (extra_items or {}).items():
        items[name] = (p, 0o644)
    initrd = t('write the L1 initramfs', build_initrd, out, items,
               extra_files or {},
               'l1-initrd-rfc.img' if rfc_modules else 'l1-initrd.img')
    stock_ver = [urllib.parse.unquote(os.path.basename(d).split('_')[1])
                 for d in sdebs
                 if os.path.basename(d).startswith(STOCK_PKG + '_')]
    return {'vmlinuz': vmlinuz[0], 'initrd': initrd,
            'modules': [n for n, _ in mods], 'ism_ko': ism_ko,
            'module_paths': dict(mods),
            'fork': fork, 'stock': stock_ver[0] if stock_ver else '?',
            'busybox': urllib.parse.unquote(os.path.basename(bb)),
            'kernel': krel + ' ' + k['version'],
            'krel': krel, 'kseries': k['series'], 'ksuite': k['suite'],
            'kversion': k['version'], 'knote': knote, 'vermagic': vermagic,
            'stages': t.stages}


def main():
    top = os.environ.get('TOP') or os.path.dirname(os.path.dirname(HERE))
    build = os.environ.get('BUILD') or os.path.join(top, 'build')
    info = build_all(top, build)
    for k in sorted(info):
        if k != 'stages':
            print('%s=%s' % (k, info[k]))
    for name, secs, cpu in info['stages']:
        print('stage %-45s %6.1f s wall %6.1f s CPU' % (name, secs, cpu))


if __name__ == '__main__':
    main()
