# SPDX-License-Identifier: GPL-2.0-or-later
# Two s390x guests talking SMC-D over passed-through ISM functions.
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Run the SMC-D scenario: two QEMU processes, one ISM function each.

Guest A (server, 10.99.0.1) and guest B (client, 10.99.0.2) boot Debian's
s390x kernel with smc.ko and ism.ko (tests/smcd/smcbuild.py).  Each QEMU
gets one simulated ISM function (tests/zpci-sim); both simulators are on
one ISM fabric (ZPCI_SIM_FABRIC=DIR), so a move to the peer's DMB reaches
the other process.  A virtio-net link over a QEMU stream socket (-netdev
stream, a unix socket) carries the TCP/IP traffic of SMC's CLC handshake
and the TCP comparison.  The guests run tests/smcd/smcxfer over AF_SMC,
then over TCP.

Used by tests/smcd/run-tests and scripts/demo-smcd.  Standard library
only.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'linux-guest'))
import qmp  # noqa: E402
import smcbuild  # noqa: E402

CMDLINE = 'console=ttysclp0 panic=-1 quiet'
POWEROFF_GRACE = 20
ISM_CHID = 0x7c1            # both functions: one ISM network (VCHID)
SF_BIT = 1 << 23


class Variant:
    """A simulated host: profile, host driver, the path QEMU must choose
    and the host op that carries a PCI Store Block on it."""

    def __init__(self, key, label, host, driver, io_path, block):
        self.key = key
        self.label = label
        self.host = host
        self.driver = driver
        self.io_path = io_path
        self.block = block


VARIANTS = [
    Variant('linux-7.3', 'ism_vfio_pci on a Linux 7.3 host', 'linux-7.3',
            'ism_vfio_pci', 'ism-vfio-pci', 'bar_block'),
    Variant('zio-2021', 'zPCI I/O region on a zio-2021 host', 'zio-2021',
            'vfio-pci', 'zpci-io-region', 'zio_block'),
]


class Side:
    def __init__(self, tag, role, ip, gid, mac):
        self.tag = tag
        self.role = role
        self.ip = ip
        self.gid = gid
        self.mac = mac


SIDES = [Side('A', 'server', '10.99.0.1', 0x5a00000000000a01,
              '52:54:00:99:00:01'),
         Side('B', 'client', '10.99.0.2', 0x5b00000000000b02,
              '52:54:00:99:00:02')]


# ---------------------------------------------------------------------------
# The byte streams smcxfer sends (its xorshift64* generator), for the
# runner's own digests


def stream(seed, n):
    """The first n bytes smcxfer sends for seed (smcxfer.c stream_fill)."""
    mask = (1 << 64) - 1
    x = seed or 1
    out = bytearray()
    words = (n + 7) // 8
    for _ in range(words):
        x ^= x >> 12
        x ^= (x << 25) & mask
        x ^= x >> 27
        out += ((x * 0x2545f4914f6cdd1d) & mask).to_bytes(8, 'little')
    return bytes(out[:n])


_STREAMS = {}


def stream_cached(seed, n):
    if (seed, n) not in _STREAMS:
        _STREAMS[(seed, n)] = stream(seed, n)
    return _STREAMS[(seed, n)]


def direction_seeds(seed):
    """smcxfer's seeds of the two directions for -s seed."""
    return {'c2s': seed * 2 + 1, 's2c': seed * 2 + 2}


# ---------------------------------------------------------------------------
# One guest


class Guest:
    def __init__(self, side, case_dir):
        self.side = side
        self.dir = case_dir
        self.proc = None
        self.out = []
        self.err = []
        self.done = threading.Event()
        self.rc = None
        self.timed_out = False
        self.seconds = 0.0
        self.t0 = 0.0
        self.io_paths = {}
        self.qmp_error = None
        self.sim = None
        self.sim_error = None

    @property
    def console(self):
        return b''.join(self.out).decode('utf-8', 'replace')

    @property
    def stderr(self):
        return b''.join(self.err).decode('utf-8', 'replace')

    def lines(self):
        return [ln.rstrip('\r') for ln in self.console.splitlines()]

    def finished(self):
        return 'DONE' in self.lines()

    def checks(self, prefix=''):
        """{name: (ok, detail)} of lines 'PREFIXok - NAME' / 'not ok'."""
        res = {}
        for ln in self.lines():
            if not ln.startswith(prefix):
                continue
            m = re.match(r'^(ok|not ok) - (.*)$', ln[len(prefix):])
            if not m:
                continue
            name, detail = m.group(2), ''
            if m.group(1) == 'not ok' and ': ' in name:
                name, _, detail = name.partition(': ')
            res[name] = (m.group(1) == 'ok', detail)
        return res

    def xfers(self, prefix):
        """[(dir, role, bytes, secs, sha256)] smcxfer printed."""
        out = []
        for ln in self.lines():
            m = re.match(r'^%s# xfer dir=(\S+) role=(\S+) bytes=(\d+) '
                         r'secs=([\d.]+) sha256=([0-9a-f]{64})$' %
                         re.escape(prefix), ln)
            if m:
                out.append((m.group(1), m.group(2), int(m.group(3)),
                            float(m.group(4)), m.group(5)))
        return out

    def diags(self):
        """[{when, mode, ...}] smc_diag lines of the AF_SMC run."""
        out = []
        for ln in self.lines():
            if ln.startswith('smc: # diag '):
                d = dict(kv.split('=', 1) for kv in ln[12:].split()
                         if '=' in kv)
                out.append(d)
        return out

    def msi_counts(self):
        """{'before': n, 'after': n} of the ISM's MSI line."""
        res = {}
        for ln in self.lines():
            m = re.match(r'^# interrupts (before|after): \d+: (\d+) '
                         r'PCI-MSI (\S+)$', ln)
            if m:
                res[m.group(1)] = int(m.group(2))
        return res

    def tail(self, n=20):
        out = self.lines()[-n:]
        if self.stderr.strip():
            out += ['stderr: ' + s for s in self.stderr.splitlines()[-8:]]
        return '\n'.join(out)

    def fn(self):
        return (self.sim or {}).get('functions', {}).get('ism0', {})

    def fn_log(self):
        return self.fn().get('log', []) or []

    def fabric(self):
        return (self.fn().get('state') or {}).get('fabric') or {}


def write_sim(g, variant, log=True):
    """The simulator config and sysfs dir of one side's ISM function."""
    sysfs = os.path.join(g.dir, 'sysfs', 'ism0')
    os.makedirs(sysfs, exist_ok=True)
    for link, target in (('iommu_group', '/sys/kernel/iommu_groups/40'),
                         ('driver', '/sys/bus/pci/drivers/%s' %
                          variant.driver)):
        p = os.path.join(sysfs, link)
        if os.path.lexists(p):
            os.unlink(p)
        os.symlink(target, p)
    out = os.path.join(g.dir, 'result.json')
    if os.path.exists(out):
        os.unlink(out)
    # util-str empty: no PNETID.  SMC-D v2 only offers an ISM whose PNETID
    # is unset or equals that of a netdev with a hardware PNETID
    # (net/smc/af_smc.c smc_find_ism_v2_device_clnt), and virtio-net has
    # none.  Both functions are on one ISM network: the same CHID.
    ini = ['[simulator]', 'output=%s' % out, 'host=%s' % variant.host,
           'log=%s' % ('true' if log else 'false'), '',
           '[function ism0]', 'model=ism', 'group=40',
           'driver=%s' % variant.driver, 'util-str=',
           'pchid=0x%x' % ISM_CHID, 'ism-gid=0x%x' % g.side.gid, '']
    cfg = os.path.join(g.dir, 'sim.ini')
    with open(cfg, 'w') as f:
        f.write('\n'.join(ini))
    return sysfs, cfg, out


class Pair:
    """Both guests of one run and what they and the hosts reported."""

    def __init__(self, variant, out_dir):
        self.variant = variant
        self.dir = out_dir
        self.guests = []
        self.seconds = 0.0
        self.setup_error = None

    def guest(self, tag):
        return next(g for g in self.guests if g.side.tag == tag)


def run_pair(info, qemu, sim_lib, variant, out_dir, mib=16, seed=1,
             tcp=True, timeout=None, log=True, limit=None):
    """Boot A and B, let them transfer, collect everything.

    limit: seconds each smcxfer run may take (default 120 + 6 per MiB);
    timeout: seconds for the whole pair (default four limits + 120)."""
    limit = limit or 120 + 6 * mib
    timeout = timeout or 4 * limit + 120
    pair = Pair(variant, out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    fabric = os.path.join(out_dir, 'fabric')
    netsock = os.path.join(out_dir, 'net.sock')
    t0 = time.monotonic()
    for side in SIDES:
        g = Guest(side, os.path.join(out_dir, side.tag))
        os.makedirs(g.dir)
        pair.guests.append(g)
        sysfs, cfg, simout = write_sim(g, variant, log)
        g.sim_out = simout
        append = ('smcrole=%s smcip=%s smcpeer=%s smcmib=%d smcseed=%d '
                  'smctcp=%d smclimit=%d' % (side.role, side.ip, SIDES[0].ip,
                                             mib, seed, 1 if tcp else 0,
                                             limit))
        # diagnostics for both guests, e.g. smctrace=1 (tests/smcd/init)
        append += ' ' + os.environ.get('SMCD_APPEND', '')
        g.qmp_path = os.path.join(g.dir, 'qmp.sock')
        args = [qemu, '-M', 's390-ccw-virtio', '-cpu', 'max', '-smp', '1',
                '-m', '1024', '-nographic', '-nodefaults', '-no-reboot',
                '-serial', 'stdio', '-kernel', info['vmlinuz'],
                '-initrd', info['initrd'],
                '-append', '%s %s' % (CMDLINE, append),
                '-netdev', 'stream,id=n0,server=%s,addr.type=unix,'
                'addr.path=%s' % ('on' if side.role == 'server' else 'off',
                                  netsock),
                '-device', 'virtio-net-ccw,netdev=n0,mac=%s' % side.mac,
                '-device', 'zpci,uid=1,fid=1,target=h0,id=z0',
                '-device', 'vfio-pci,sysfsdev=%s,id=h0' % sysfs,
                '-qmp', 'unix:%s,server=on,wait=off' % g.qmp_path]
        env = dict(os.environ, LD_PRELOAD=sim_lib, ZPCI_SIM_CONFIG=cfg,
                   ZPCI_SIM_FABRIC=fabric)
        with open(os.path.join(g.dir, 'cmd'), 'w') as f:
            f.write('LD_PRELOAD=%s ZPCI_SIM_CONFIG=%s ZPCI_SIM_FABRIC=%s '
                    '\\\n' % (sim_lib, cfg, fabric))
            f.write(' '.join("'%s'" % a if ' ' in a else a for a in args) +
                    '\n')
        start(g, args, env)
        if side.role == 'server':
            # the client's stream netdev connects at start-up
            deadline = time.monotonic() + 30
            while not os.path.exists(netsock) and g.proc.poll() is None \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            if not os.path.exists(netsock):
                pair.setup_error = 'server QEMU did not open %s' % netsock
                break
    wait_all(pair.guests, t0 + timeout)
    pair.seconds = time.monotonic() - t0
    for g in pair.guests:
        with open(os.path.join(g.dir, 'console'), 'w') as f:
            f.write(g.console)
        with open(os.path.join(g.dir, 'stderr'), 'w') as f:
            f.write(g.stderr)
        try:
            with open(g.sim_out) as f:
                g.sim = json.load(f)
        except (OSError, ValueError) as e:
            g.sim_error = '%s: %s' % (g.sim_out, e)
    return pair


def start(g, args, env):
    g.t0 = time.monotonic()
    g.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env,
                              start_new_session=True)

    def drain(stream, sink, is_out):
        for line in iter(stream.readline, b''):
            sink.append(line)
            if is_out and line.rstrip(b'\r\n') == b'DONE':
                g.done.set()
        stream.close()

    def ask():
        try:
            g.io_paths = qmp.io_paths(g.qmp_path, ['z0'], timeout=60,
                                      alive=lambda: g.proc.poll() is None)
        except (qmp.QmpError, OSError) as e:
            g.qmp_error = str(e)
    g.threads = [threading.Thread(target=drain, daemon=True,
                                  args=(g.proc.stdout, g.out, True)),
                 threading.Thread(target=drain, daemon=True,
                                  args=(g.proc.stderr, g.err, False)),
                 threading.Thread(target=ask, daemon=True)]
    for t in g.threads:
        t.start()


def wait_all(guests, deadline):
    """Wait for every QEMU; stop one that printed DONE and does not power
    off, and all of them at the deadline."""
    ends = {id(g): deadline for g in guests}
    while any(g.proc and g.proc.poll() is None for g in guests):
        now = time.monotonic()
        for g in guests:
            if g.proc.poll() is None and g.done.is_set():
                ends[id(g)] = min(ends[id(g)], now + POWEROFF_GRACE)
                g.done.clear()
            if g.proc.poll() is None and now > ends[id(g)]:
                g.timed_out = True
                stop(g)
        time.sleep(0.2)
    for g in guests:
        if g.proc:
            g.rc = g.proc.wait()
            g.seconds = time.monotonic() - g.t0
            for t in g.threads:
                t.join(10)


def stop(g):
    try:
        os.killpg(g.proc.pid, signal.SIGTERM)
        g.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(g.proc.pid, signal.SIGKILL)
        g.proc.wait()
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------------------
# What the hosts saw


def data_moves(g):
    """The data moves into this side's DMB (no signal flag), in order."""
    return [e for e in g.fn_log() if e.get('op') == 'dmb_write'
            and not e.get('sf')]


def sent_blocks(g, block_op):
    """PCI Store Blocks to the data space (BAR 0) this side issued."""
    return [e for e in g.fn_log() if e.get('op') == block_op and
            (e.get('bar', e.get('pcias')) == 0)]


ACK = b'\x55'               # smcxfer's acknowledgement of a direction


def connection_bytes(tag, seed, total):
    """Every byte the peer wrote into side tag's DMB over the SMC-D
    connection, in order (smcxfer's protocol): into A (the server), B's
    c2s stream, then B's acknowledgement and SHA-256 of the s2c stream;
    into B, A's acknowledgement and SHA-256 of the c2s stream, then A's
    s2c stream."""
    seeds = direction_seeds(seed)
    c2s = stream_cached(seeds['c2s'], total)
    s2c = stream_cached(seeds['s2c'], total)
    if tag == 'A':
        return c2s + ACK + hashlib.sha256(s2c).digest()
    return ACK + hashlib.sha256(c2s).digest() + s2c


def check_stream(moves, data):
    """Compare each data move's logged SHA-256 with the bytes at its
    position of data (the moves of one connection arrive in order).

    Returns (moved bytes, first mismatch description or None)."""
    pos = 0
    for i, e in enumerate(moves):
        n = int(e.get('len', 0))
        want = hashlib.sha256(data[pos:pos + n]).hexdigest()
        got = e.get('sha256')
        if got != want:
            return pos, ('move %d (connection bytes %d..%d, DMB offset %s):'
                         ' host digest %s, expected %s' % (
                             i, pos, pos + n, e.get('offset'), got, want))
        pos += n
    return pos, None


def irq_delivered(g):
    return [e for e in g.fn_log() if e.get('op') == 'irq' and
            e.get('delivered') is True]


def mbps(nbytes, secs):
    return nbytes / secs / 1e6 if secs else 0.0


def summary(pair, mib):
    """Figures of one run: throughput per direction and transport, host
    operations per MiB, wall time."""
    a, b = pair.guest('A'), pair.guest('B')
    res = {'variant': pair.variant.key, 'mib': mib,
           'wall': pair.seconds}
    for proto, prefix in (('smc', 'smc: '), ('tcp', 'tcp: ')):
        for g in (a, b):
            for d, role, n, secs, _ in g.xfers(prefix):
                if role == 'sender':
                    res['%s_%s_mbps' % (proto, d)] = mbps(n, secs)
                    res['%s_%s_secs' % (proto, d)] = secs
    for d, g in (('c2s', b), ('s2c', a)):
        blocks = sent_blocks(g, pair.variant.block)
        res['ops_%s' % d] = len(blocks)
        res['ops_per_mib_%s' % d] = len(blocks) / mib if mib else 0
    for g in (a, b):
        fab = g.fabric()
        res['fabric_%s' % g.side.tag] = {k: fab.get(k) for k in (
            'tx_moves', 'tx_bytes', 'tx_failed', 'rx_moves', 'rx_bytes',
            'rx_refused', 'tx_signals', 'rx_signals')}
    return res
