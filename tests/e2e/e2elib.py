# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the e2e suites: set-up, parallel runs, the ops payload,
# and the host-side view of the data (digests of what the device received).
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Helpers shared by tests/e2e/{run-tests,policy-table,alignment,faults}.

The suites drive bare-metal payloads (tests/guest) under the host
simulator.  This module builds the payloads, runs QEMU instances in
parallel, encodes scripts for the zpciops payload (a list of PCI Load /
Store / Store Block instructions, one result line each), and reduces the
simulator's op log to the host operations that carry BAR data, each with
the digest of the bytes the device received.  Expected bytes come from
pattern() (the payloads' tests/guest/lib/pattern.h), so every stored
block is checked on the host side, never only by reading it back through
the QEMU under test.  Only the Python standard library is used.
"""

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

TOP = os.environ.get("TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("BUILD") or os.path.join(TOP, "build")
sys.path.insert(0, os.path.join(TOP, "tests", "harness"))

import zpcitest as zt  # noqa: E402

TIMEOUT = int(os.environ.get("ZPCITEST_TIMEOUT", "60"))
# At most this many QEMU instances at once (the CI machine has 2 cores)
JOBS = int(os.environ.get("ZPCITEST_JOBS", "2"))

PGM_SPECIFICATION = 0x06
PGM_OPERAND = 0x15
ST_FUNC_IN_ERR = 8
ST_INVAL_AS = 20

# The simulator's host profiles (docs/zpci-sim.rst): real Linux hosts,
# 7.3 and 7.2 (no region, no RELAXED flag, GROUP maxstbl 128 and the real
# maxstbl in imaxstbl; BASE v3 with the error record length on 7.3, v2 on
# 7.2), the 2021 kernel series on 7.3 (the zPCI I/O region without
# STORE, the RELAXED flag) and our uapi extensions (the region's STORE
# and its NO_MIO header bit).
PROFILES = ("linux-7.3", "linux", "zio-2021", "extended")

# Host ops that carry BAR data (simulator op names), and those that store
STORE_OPS = ("bar_write", "bar_block", "zio_store", "zio_block")
LOAD_OPS = ("bar_read", "bar_load", "zio_load")
DATA_OPS = STORE_OPS + LOAD_OPS

# The group response's "relaxed length and alignment" bit (fr byte)
CLP_RELAXED = 0x08


def fork_qemu():
    """(path, None) or (None, reason)."""
    q = os.environ.get("QEMU")
    if not q:
        return None, "$QEMU (fork binary) is not set"
    if not os.access(q, os.X_OK):
        return None, "fork binary %s not built" % q
    return q, None


def build_payloads(names):
    """Build the payloads (make -k: one broken payload does not stop the
    others); None, or why one of names is missing."""
    if not shutil.which("s390x-linux-gnu-gcc"):
        return "s390x-linux-gnu-gcc not installed"
    p = subprocess.run(["make", "-k", "-s", "-C",
                        os.path.join(TOP, "tests", "guest"),
                        "BUILD=" + os.path.join(BUILD, "guest")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    missing = [n for n in names if not os.path.exists(zt.payload_path(n))]
    if missing:
        return "payload %s not built:\n%s" % (
            ", ".join(missing), p.stdout.decode(errors="replace")[-2000:])
    return None


def sim_lib():
    """(path, None) or (None, reason); builds the simulator if needed."""
    lib = zt.sim_lib_path()
    if not os.path.exists(lib):
        src = os.path.join(TOP, "tests", "zpci-sim")
        if os.path.exists(os.path.join(src, "Makefile")):
            subprocess.run(["make", "-s", "-C", src,
                            "BUILD=" + os.path.dirname(lib)],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if not os.path.exists(lib):
        return None, "simulator %s not built" % lib
    return lib, None


def prerequisites(payloads=("zpciops",)):
    """(qemu, sim_lib, None) or (None, None, reason): the fork binary, the
    simulator and the named payloads."""
    qemu, why = fork_qemu()
    if not qemu:
        return None, None, why
    why = build_payloads(payloads)
    if why:
        return None, None, why
    lib, why = sim_lib()
    if not lib:
        return None, None, why
    return qemu, lib, None


def not_run(tap, names, reason):
    """Every planned check that cannot run: a failure with the reason
    (strict Tap), never silence."""
    tap.comment("cannot run: %s" % reason)
    for n in names:
        tap.skip(n, reason.splitlines()[0])


def parallel(fn, items, jobs=None):
    """[fn(item) for item in items], at most `jobs` at a time, in order.

    fn runs QEMU through zt.run(); if that raises (the binary vanished in
    the middle of a rebuild, ...) the item gets a Result that says so,
    whose checks then fail with the reason instead of the suite crashing.
    """
    def guarded(item):
        try:
            return fn(item)
        except (OSError, ValueError, subprocess.SubprocessError) as e:
            return zt.Result([], {}, None, False, "",
                             "runner error: %s" % e, None,
                             "runner error: %s" % e, 0.0, "")
    items = list(items)
    with concurrent.futures.ThreadPoolExecutor(jobs or JOBS) as ex:
        return list(ex.map(guarded, items))


# ---- data patterns and digests --------------------------------------------

def pattern_byte(seed, j):
    """Byte j of pattern seed (zt_pattern() in tests/guest/lib/pattern.h)"""
    return (0x5a ^ (seed * 0x1f) ^ (j * 7) ^ (j >> 8)) & 0xff


def pattern(seed, length, start=0):
    """Bytes start .. start+length-1 of pattern seed"""
    return bytes(pattern_byte(seed, j) for j in range(start, start + length))


def reversed_pieces(data):
    """data with every 8-byte piece byte-reversed (stock QEMU's PCISTB on a
    little-endian host)"""
    return b"".join(data[i:i + 8][::-1] for i in range(0, len(data), 8))


# ---- the host's view -------------------------------------------------------

class HostOp:
    """One data operation as the simulator logged it (or refused it)."""

    def __init__(self, op, space, offset, length, rejected=False,
                 result=None, digest=None, reason=None):
        self.op = op
        self.space = space
        self.offset = offset
        self.len = length
        self.rejected = rejected
        self.result = result
        self.digest = digest
        self.reason = reason

    def key(self):
        return (("reject:" if self.rejected else "") + self.op, self.space,
                self.offset, self.len)

    def __repr__(self):
        s = "%s%s(space %s, 0x%x, len %s)" % (
            "reject:" if self.rejected else "", self.op, self.space,
            self.offset if isinstance(self.offset, int) else -1, self.len)
        if self.rejected and self.reason:
            s += " [%s]" % self.reason
        if self.digest:
            s += " digest %s" % self.digest[:12]
        return s


def host_ops(res, name):
    """The data operations of function name, in order (rejects included)"""
    out = []
    f = res.function(name)
    if not f:
        return out
    for e in f.get("log", []):
        op = e.get("op")
        space = e.get("bar", e.get("pcias"))
        if op in DATA_OPS:
            out.append(HostOp(op, space, e.get("offset"), e.get("len"),
                              result=e.get("result"),
                              digest=zt.op_digest(e)))
        elif op == "reject" and e.get("what") in DATA_OPS:
            out.append(HostOp(e["what"], space, e.get("offset"),
                              e.get("len"), rejected=True,
                              result=e.get("result"),
                              reason=e.get("reason"),
                              digest=zt.op_digest(e)))
    return out


class Want:
    """An expected host data operation; data: the bytes a store must carry
    (checked by digest), None for loads and refused ops."""

    def __init__(self, op, space, offset, length, data=None, rejected=False):
        self.op = op
        self.space = space
        self.offset = offset
        self.len = length
        self.data = data
        self.rejected = rejected
        if data is not None:
            assert len(data) == length, (op, offset, length, len(data))

    def key(self):
        return (("reject:" if self.rejected else "") + self.op, self.space,
                self.offset, self.len)

    def __repr__(self):
        return "%s%s(space %s, 0x%x, len %d)%s" % (
            "reject:" if self.rejected else "", self.op, self.space,
            self.offset, self.len,
            "" if self.data is None else " data %s%s" % (
                self.data[:8].hex(), "..." if len(self.data) > 8 else ""))


def compare_ops(got, want):
    """Mismatches between host ops and expected ones, [] if they agree.

    The sequences must have the same ops in the same order at the same
    space, offset and length; every expected store with data must carry
    exactly those bytes (the simulator's digest)."""
    bad = []
    if [g.key() for g in got] != [w.key() for w in want]:
        bad.append("host ops differ:")
        bad += ["  want:"] + (["    %r" % w for w in want] or ["    (none)"])
        bad += ["  got:"] + (["    %r" % g for g in got] or ["    (none)"])
        return bad
    for g, w in zip(got, want):
        if w.data is None or w.rejected:
            continue
        d = zt.data_digest(w.data)
        if g.digest != d:
            bad.append("%r: digest %s, want %s (the bytes %s%s)" % (
                g, g.digest, d, w.data[:16].hex(),
                "..." if len(w.data) > 16 else ""))
    return bad


def natural_pieces(off, length):
    """How a block splits into naturally aligned accesses of <= 8 bytes."""
    out = []
    pos = 0
    while pos < length:
        size = 8
        while size > 1 and ((off + pos) % size or size > length - pos):
            size //= 2
        out.append((off + pos, size))
        pos += size
    return out


def piece_wants(op, space, off, data):
    """The naturally aligned pieces of a store of data at off"""
    out = []
    for o, n in natural_pieces(off, len(data)):
        out.append(Want(op, space, o, n, data[o - off:o - off + n]))
    return out


# ---- the zpciops payload --------------------------------------------------

class Op:
    """One instruction of the zpciops payload.

    kind  "lg", "stg" or "stb"; bar, off, length as the instruction takes
    them; val (stg) the register value; mis (stb) the block's offset from
    a page boundary in guest memory; chk (stb) read the block back;
    dis  issue it with the disabled function handle.
    """

    def __init__(self, kind, bar, off, length, val=0, mis=8, chk=False,
                 dis=False):
        self.kind = kind
        self.bar = bar
        self.off = off
        self.len = length
        self.val = val
        self.mis = mis
        self.chk = chk
        self.dis = dis

    def __repr__(self):
        return "%s(bar %d, 0x%x, len %d%s)" % (
            self.kind, self.bar, self.off, self.len,
            ", mis %d" % self.mis if self.kind == "stb" and self.mis != 8
            else "")


def ops_params(fid, ops):
    """The parameter block for the zpciops payload."""
    p = {"fid": fid, "n": len(ops)}
    for i, op in enumerate(ops):
        p["op%d" % i] = op.kind
        p["bar%d" % i] = op.bar
        p["off%d" % i] = op.off
        p["len%d" % i] = op.len
        if op.kind == "stg":
            p["val%d" % i] = op.val
        if op.kind == "stb":
            if op.mis != 8:
                p["mis%d" % i] = op.mis
            if op.chk:
                p["chk%d" % i] = 1
        if op.dis:
            p["dis%d" % i] = 1
    return p


def op_data(n, op):
    """The bytes instruction n of a zpciops script stores (None for lg):
    a PCISTG stores the big-endian image of its register's low len bytes,
    a PCISTB the pattern of its operation number."""
    if op.kind == "stb":
        return pattern(n, op.len)
    if op.kind == "stg":
        return (op.val & ((1 << (8 * op.len)) - 1)).to_bytes(op.len, "big")
    return None


RESULT_RE = re.compile(r"^r(\d+) op=(\w+) cc=(-?\d+) status=(\d+) "
                       r"pgm=0x([0-9a-f]+) data=0x([0-9a-f]+)$")
VERIFY_RE = re.compile(r"^v(\d+) (.*)$")
GROUP_RE = re.compile(r"^group pfgid=(\d+) maxstbl=(\d+) flags=0x([0-9a-f]+)")


class OpResult:
    def __init__(self, kind, cc, status, pgm, data):
        self.kind = kind
        self.cc = cc
        self.status = status
        self.pgm = pgm
        self.data = data

    def __repr__(self):
        return "%s cc %d status %d pgm 0x%x data 0x%x" % (
            self.kind, self.cc, self.status, self.pgm, self.data)


def op_results(res):
    """({n: OpResult}, {n: verify text}) from the payload's lines."""
    out, ver = {}, {}
    for c in res.comments:
        m = RESULT_RE.match(c)
        if m:
            out[int(m.group(1))] = OpResult(
                m.group(2), int(m.group(3)), int(m.group(4)),
                int(m.group(5), 16), int(m.group(6), 16))
            continue
        m = VERIFY_RE.match(c)
        if m:
            ver[int(m.group(1))] = m.group(2)
    return out, ver


def group_info(res):
    """(pfgid, maxstbl, flags) the guest's CLP query function group gave
    (the "# group ..." line of zpciops, ism and msi), or None"""
    for c in res.comments:
        m = GROUP_RE.match(c)
        if m:
            return int(m.group(1)), int(m.group(2)), int(m.group(3), 16)
    return None


QOM_QUERY = [
    {"execute": "qom-get", "arguments": {"path": "/machine/peripheral/z0",
                                         "property": "io-path"}},
    {"execute": "qom-get", "arguments": {"path": "/machine/peripheral/z0",
                                         "property": "io-path-reason"}},
]


def qom_io_path(res):
    """(io-path, io-path-reason) from a run with qmp=QOM_QUERY, or None"""
    r = res.qmp_responses()
    if len(r) < 3 or not all(isinstance(x, str) for x in r[1:3]):
        return None
    return r[1], r[2]


def fmt_ops(ops):
    return ["  %r" % (o,) for o in ops] or ["  (none)"]
