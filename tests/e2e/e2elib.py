# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the e2e suites: set-up, parallel runs, the ops payload.
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Helpers shared by tests/e2e/{policy-table,alignment,faults}.

The suites drive the bare-metal payload tests/guest/zpciops.c, which
performs a scripted list of PCI Load / Store / Store Block instructions
and prints one result line per instruction; this module encodes such a
script into the payload's parameter block, parses the result lines, and
reduces the simulator's op log to the host operations that carry BAR
data.  Only the Python standard library is used.
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

# Host ops that carry BAR data (simulator op names)
DATA_OPS = ("bar_read", "bar_write", "bar_block", "bar_load",
            "zio_load", "zio_store", "zio_block")


def fork_qemu():
    """(path, None) or (None, reason to skip)."""
    q = os.environ.get("QEMU")
    if not q:
        return None, "$QEMU (fork binary) is not set"
    if not os.access(q, os.X_OK):
        return None, "fork binary %s not built yet" % q
    return q, None


def prerequisites():
    """(qemu, sim_lib, None) or (None, None, reason).  Builds payloads.

    A payload build failure is not a missing prerequisite: it is returned
    with the prefix "FAIL:" so that the suite reports it as a failure.
    """
    qemu, why = fork_qemu()
    if not qemu:
        return None, None, why
    if not shutil.which("s390x-linux-gnu-gcc"):
        return None, None, "s390x-linux-gnu-gcc not installed"
    p = subprocess.run(["make", "-s", "-C", os.path.join(TOP, "tests",
                                                         "guest"),
                        "BUILD=" + os.path.join(BUILD, "guest")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode:
        return None, None, "FAIL: payload build failed:\n" + \
            p.stdout.decode()[-2000:]
    lib = zt.sim_lib_path()
    if not os.path.exists(lib):
        src = os.path.join(TOP, "tests", "zpci-sim")
        if os.path.exists(os.path.join(src, "Makefile")):
            subprocess.run(["make", "-s", "-C", src,
                            "BUILD=" + os.path.dirname(lib)],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if not os.path.exists(lib):
        return None, None, "simulator %s not built" % lib
    return qemu, lib, None


def skip_all(tap, names, reason):
    """Report every planned check as skipped (or failed for a FAIL:)."""
    if reason.startswith("FAIL:"):
        tap.ok(False, "prerequisites", [reason[5:]])
        return
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


def pattern_byte(op, j):
    """Byte j of the block of operation op (zpciops_byte() in the payload)"""
    return (0x5a ^ (op * 0x1f) ^ (j * 7) ^ (j >> 8)) & 0xff


RESULT_RE = re.compile(r"^r(\d+) op=(\w+) cc=(-?\d+) status=(\d+) "
                       r"pgm=0x([0-9a-f]+) data=0x([0-9a-f]+)$")
VERIFY_RE = re.compile(r"^v(\d+) (.*)$")


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


def data_ops(res, name):
    """The host operations on BAR data of function name, in order.

    Each is (op, space, offset, len, result); a refused operation is
    ("reject:" + what, space, offset, len, reason).
    """
    out = []
    f = res.function(name)
    if not f:
        return out
    for e in f.get("log", []):
        op = e.get("op")
        space = e.get("bar", e.get("pcias"))
        if op in DATA_OPS:
            out.append((op, space, e.get("offset"), e.get("len"),
                        e.get("result")))
        elif op == "reject" and e.get("what") in DATA_OPS:
            out.append(("reject:" + e["what"], space, e.get("offset"),
                        e.get("len"), e.get("reason")))
    return out


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
    return ["  %s" % (o,) for o in ops] or ["  (none)"]
