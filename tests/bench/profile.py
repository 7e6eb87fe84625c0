# SPDX-License-Identifier: GPL-2.0-or-later
# Where QEMU's time per PCISTB/PCILG goes: callgrind, difference of runs.
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Instruction profile of one PCISTB (or PCILG) on a benchmark path.

Runs the benchmark payload twice under valgrind --tool=callgrind with
the same configuration and block size, with N1 and N2 PCISTBs, and
divides the difference of every function's inclusive instruction count
by N2 - N1: what remains is the cost of one PCISTB, with start-up,
translation of the payload and shut-down cancelled out.  (perf cannot
count instructions on this machine: `perf stat -e instructions` says
"not supported" inside the VM, hence callgrind.)

    /usr/bin/python3 tests/bench/profile.py [CONFIG:SIZE ...]

Writes OUT/profile.txt (default OUT = build/bench) and keeps the
callgrind files there for callgrind_annotate.  Only
user-space instructions are counted: the kernel's share of the one
system call per host operation is what the floor program measures.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402

LINE_RE = re.compile(r"^\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*?)\s+\[(.*)\]\s*$")
TOTAL_RE = re.compile(r"^\s*([\d,]+)\s+\([\s\d.]+%\)\s+PROGRAM TOTALS")

# The simulator's interposed entry points: everything below them plays
# the host kernel (its user-space part; the kernel's is the floor)
SIM_ENTRIES = ["pwrite64", "pwrite", "pread64", "pread", "__pread64_chk",
               "__pread_chk"]
BQL = ["qemu_mutex_lock_impl", "qemu_mutex_unlock_impl"]
GUEST_READ = ["s390_cpu_virt_mem_rw"]


def annotate(path):
    """{function: inclusive Ir} and the program total of a callgrind file."""
    p = subprocess.run(["callgrind_annotate", "--inclusive=yes",
                        "--threshold=100", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=True)
    funcs, total = {}, 0
    for line in p.stdout.decode(errors="replace").splitlines():
        m = TOTAL_RE.match(line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        m = LINE_RE.match(line)
        if not m:
            continue
        name = m.group(2).rsplit(":", 1)[-1]
        funcs[name] = funcs.get(name, 0) + int(m.group(1).replace(",", ""))
    return funcs, total


def callgrind_run(cfg, payload, size, count, out):
    work = tempfile.mkdtemp(prefix="bench-prof-")
    try:
        wrapper = os.path.join(work, "qemu")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec valgrind --tool=callgrind -q "
                    "--callgrind-out-file=%s %s \"$@\"\n" % (out, cfg.qemu()))
        os.chmod(wrapper, 0o755)
        traced = bench.Config(cfg.name, cfg.binary, cfg.title, cfg.fn,
                              cfg.sizes, cfg.stb, cfg.lg, cfg.stb_ops,
                              cfg.lg_ops, host=cfg.host)
        traced.qemu = lambda: wrapper
        res = bench.run_payload(traced, payload,
                                bench.stb_params(cfg, size, count) if size
                                else bench.lg_params(cfg, count),
                                timeout=1800)
        # valgrind's own remarks (e.g. stock QEMU's seccomp call, which
        # it does not know) are not QEMU's
        res.stderr = "\n".join(
            line for line in res.stderr.splitlines()
            if not re.match(r"^(--|==)\d+(--|==)", line))
        if res.failed():
            raise RuntimeError("callgrind run failed: %s" % res.failed())
        return res
    finally:
        shutil.rmtree(work, ignore_errors=True)


def profile(cfg, payload, size, n1, n2, outdir):
    a = os.path.join(outdir, "callgrind-%s-%d-%d.out" % (cfg.name, size,
                                                        n1))
    b = os.path.join(outdir, "callgrind-%s-%d-%d.out" % (cfg.name, size,
                                                        n2))
    callgrind_run(cfg, payload, size, n1, a)
    callgrind_run(cfg, payload, size, n2, b)
    fa, ta = annotate(a)
    fb, tb = annotate(b)
    n = n2 - n1

    def per(names):
        return sum(fb.get(x, 0) - fa.get(x, 0) for x in names) / n

    total = (tb - ta) / n
    insn = "PCISTB" if size else "PCILG"
    helper = per(["helper_pcistb" if size else "helper_pcilg"])
    bql = per(BQL)
    guest = per(GUEST_READ)
    simu = per(SIM_ENTRIES)
    parts = [
        ("TCG: translated guest loop, TB lookup, cpu_exec loop",
         total - helper),
        ("BQL lock + unlock around the helper", bql),
        ("guest memory: address translation + copy of the block"
         if size else "guest memory", guest),
        ("QEMU: handle lookup, operand validation, routing, issue",
         helper - bql - guest - simu),
        ("simulator (host stand-in, user space): interposition, "
         "checks, model, counters", simu - per(["sim_backing_io"])),
        ("simulator: the real system call's user-space side",
         per(["sim_backing_io"])),
    ]
    lines = ["Instructions (Ir, user space) per %d-byte %s on the %s "
             "path" % (size or 8, insn, cfg.name),
             "callgrind, difference of runs with %d and %d %ss; the "
             "kernel's share of" % (n1, n2, insn),
             "the system calls is not counted here (see the floor)", ""]
    lines.append("%9.0f  100.0%%  everything per %s" % (total, insn))
    for label, v in parts:
        if label == "guest memory" and abs(v) < 1:
            continue
        lines.append("%9.0f  %5.1f%%  %s" % (v, 100.0 * v / total, label))
    lines.append("")
    # the heaviest functions by the same difference, for the record
    diff = sorted(((fb.get(k, 0) - fa.get(k, 0)) / n, k) for k in fb)
    lines.append("Largest inclusive costs per %s:" % insn)
    for v, k in reversed(diff[-25:]):
        lines.append("%9.0f  %s" % (v, k))
    return "\n".join(lines) + "\n"


DEFAULT_CASES = ["region:4096", "region:8", "ism:4096", "bar:64",
                 "stock:64", "region:0", "bar128:0", "stock:0"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", default=DEFAULT_CASES,
                    help="CONFIG:SIZE pairs, SIZE 0 for 8-byte PCILGs "
                    "(default: %s)" % " ".join(DEFAULT_CASES))
    ap.add_argument("--n1", type=int, default=1000)
    ap.add_argument("--n2", type=int, default=6000)
    ap.add_argument("--out", default=os.path.join(bench.build_dir(),
                                                  "bench"))
    args = ap.parse_args(argv)
    if not shutil.which("valgrind"):
        sys.stderr.write("profile: valgrind is not installed\n")
        return 2
    os.makedirs(args.out, exist_ok=True)
    with open(os.devnull, "w") as quiet:
        payload, _, _ = bench.build(quiet)
    texts = []
    for case in args.cases:
        name, size = case.split(":")
        cfg = bench.config_by_name(name)
        texts.append(profile(cfg, payload, int(size), args.n1, args.n2,
                             args.out))
        sys.stdout.write(texts[-1] + "\n")
        sys.stdout.flush()
    with open(os.path.join(args.out, "profile.txt"), "w") as f:
        f.write("\n".join(texts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
