# SPDX-License-Identifier: GPL-2.0-or-later
# Where QEMU's time per PCISTB goes: callgrind, difference of two runs.
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Instruction profile of one PCISTB on a benchmark path.

Runs the benchmark payload twice under valgrind --tool=callgrind with
the same configuration and block size, with N1 and N2 PCISTBs, and
divides the difference of every function's inclusive instruction count
by N2 - N1: what remains is the cost of one PCISTB, with start-up,
translation of the payload and shut-down cancelled out.  (perf cannot
count instructions on this machine: `perf stat -e instructions` says
"not supported" inside the VM, hence callgrind.)

    /usr/bin/python3 tests/bench/profile.py [--config region] [--size 4096]

Writes OUT/profile-CONFIG-SIZE.txt (default OUT = build/bench).  Only
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

# (label, function names whose inclusive cost forms the category).  The
# categories nest as printed; "rest" lines are computed.
PARTS = [
    ("helper_pcistb (the whole instruction in QEMU)", ["helper_pcistb"]),
    ("  bql_lock + bql_unlock", ["bql_lock_impl", "bql_unlock"]),
    ("  pcistb_service_call", ["pcistb_service_call"]),
    ("    find the function by handle", ["s390_pci_find_dev_by_fh"]),
    ("    validate the operands", ["zpci_pcistb_validate"]),
    ("    copy the block from guest memory",
     ["s390_cpu_virt_mem_rw"]),
    ("    route + issue (zpci_store_block)", ["zpci_store_block"]),
    ("      region request: pwrite of the 32-byte req",
     ["s390_pci_zio_request"]),
    ("      ism_vfio_pci: pwrite of the block",
     ["s390_pci_bar_access"]),
    ("      BAR path: memory_region_dispatch_write pieces",
     ["memory_region_dispatch_write"]),
    ("        simulator: libc interposition (fd lookup, lock)",
     ["pwrite64"]),
    ("        simulator: region request (checks, copy, model)",
     ["sim_zio_pwrite"]),
    ("        simulator: BAR write (checks, model)", ["sim_bar_pwrite"]),
    ("        simulator: the one real system call (user side)",
     ["sim_backing_io"]),
    ("cpu_exec loop and translated code outside the helper", None),
]


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
                              cfg.lg_ops)
        traced.qemu = lambda: wrapper
        res = bench.run_payload(traced, payload,
                                bench.stb_params(cfg, size, count),
                                timeout=1800)
        if res.failed():
            raise RuntimeError("callgrind run failed: %s" % res.failed())
        return res
    finally:
        shutil.rmtree(work, ignore_errors=True)


def profile(cfg, payload, size, n1, n2, outdir):
    a = os.path.join(outdir, "callgrind-%s-%d-%d.out" % (cfg.name, size, n1))
    b = os.path.join(outdir, "callgrind-%s-%d-%d.out" % (cfg.name, size, n2))
    callgrind_run(cfg, payload, size, n1, a)
    callgrind_run(cfg, payload, size, n2, b)
    fa, ta = annotate(a)
    fb, tb = annotate(b)
    n = n2 - n1

    def per(names):
        return sum(fb.get(x, 0) - fa.get(x, 0) for x in names) / n

    total = (tb - ta) / n
    lines = ["Instructions (Ir, user space) per %d-byte PCISTB on the %s "
             "path" % (size, cfg.name),
             "callgrind, difference of runs with %d and %d PCISTBs" % (
                 n1, n2), ""]
    lines.append("%9.0f  100.0%%  everything (per PCISTB)" % total)
    helper = per(["helper_pcistb"])
    for label, names in PARTS:
        if names is None:
            v = total - helper
        else:
            v = per(names)
            if not v:
                continue
        lines.append("%9.0f  %5.1f%%  %s" % (v, 100.0 * v / total, label))
    lines.append("")
    # the heaviest functions by the same difference, for the record
    diff = sorted(((fb.get(k, 0) - fa.get(k, 0)) / n, k) for k in fb)
    lines.append("Largest inclusive costs per PCISTB:")
    for v, k in reversed(diff[-25:]):
        lines.append("%9.0f  %s" % (v, k))
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="region")
    ap.add_argument("--size", type=int, default=4096)
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
    cfg = bench.config_by_name(args.config)
    text = profile(cfg, payload, args.size, args.n1, args.n2, args.out)
    path = os.path.join(args.out, "profile-%s-%d.txt" % (cfg.name,
                                                        args.size))
    with open(path, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
