# SPDX-License-Identifier: GPL-2.0-or-later
# PCI Store Block / PCI Load benchmark: region path, BAR path, stock QEMU.
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Run the zPCI benchmark and write its table, plot and raw data.

Every configuration runs the bare-metal payload tests/guest/bench.c in
qemu-system-s390x under TCG against a function of the host simulator
(tests/zpci-sim) with backing=memfd, so that each host operation costs one
real system call.  Configurations are interleaved (for each repetition,
for each block size, every configuration in turn), so that drift of the
machine hits all of them alike.  Only ratios measured in one run are
claims; see docs/benchmark.rst.

Usable as a module (tests/bench/run-tests imports it) and as a program:

    /usr/bin/python3 tests/bench/bench.py [--mib N] [--reps N] [--out DIR]

Only the Python standard library is used.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import zpcitest as zt  # noqa: E402

SIZES = [8, 64, 128, 512, 1024, 2048, 4096]
TOD_PER_US = 4096           # TOD clock: bit 51 is one microsecond

BENCH_RE = re.compile(r"^bench op=(\w+) size=(\d+) count=(\d+) tod=(\d+) "
                      r"fails=(\d+)$")
FLOOR_RE = re.compile(r"^floor size=(\d+) ops=(\d+) wall_ns=(\d+) "
                      r"cpu_ns=(\d+)$")


def top_dir():
    return zt.top_dir()


def build_dir():
    return zt.build_dir()


def fork_qemu():
    return os.environ.get("QEMU") or os.path.join(
        build_dir(), "qemu", "build", "qemu-system-s390x")


# Set by snapshot(): private copies that a rebuild cannot change mid-run
SNAPSHOT = {}


def fork_firmware():
    """s390-ccw.img of the fork's build tree, or None (QEMU finds it)."""
    d = os.path.dirname(os.path.abspath(fork_qemu()))
    img = os.path.join(d, "pc-bios", "s390-ccw", "s390-ccw.img")
    return img if os.path.exists(img) else None


def snapshot(outdir, payload, floor, sim_lib):
    """Copy the fork binary, its firmware, the simulator, the payload and
    the floor program into OUTDIR/bin, and use those copies from now on.

    The measurement takes minutes; other work on the tree (a rebuild of
    QEMU or of the simulator) must not change what is measured half-way.
    Returns the copied (payload, floor, sim_lib).
    """
    bindir = os.path.join(outdir, "bin")
    shutil.rmtree(bindir, ignore_errors=True)
    os.makedirs(bindir)
    out = []
    for src in (payload, floor, sim_lib):
        dst = os.path.join(bindir, os.path.basename(src))
        shutil.copy2(src, dst)
        out.append(dst)
    q = os.path.join(bindir, "qemu-system-s390x")
    shutil.copy2(fork_qemu(), q)
    SNAPSHOT["qemu"] = q
    SNAPSHOT["args"] = []
    fw = fork_firmware()
    if fw:
        shutil.copy2(fw, os.path.join(bindir, "s390-ccw.img"))
        SNAPSHOT["args"] = ["-L", bindir]
    SNAPSHOT["sim_lib"] = out[2]
    return tuple(out)


def stock_qemu():
    return os.environ.get("QEMU_STOCK") or "/usr/bin/qemu-system-s390x"


class Config:
    """One measured configuration: a QEMU binary and a simulated function.

    name      short label used in the tables
    binary    "fork" or "stock"
    fn        function factory: () -> zpcitest.Function
    sizes     PCISTB sizes this function and QEMU accept
    stb       dict of payload parameters for the PCISTB loop target
    lg        dict of payload parameters for the PCILG loop
    stb_ops   simulator ops that carry a PCISTB on this path
    lg_ops    simulator ops that carry a PCILG
    host      the simulated host (zpci-sim host profile): linux, what
              users run, or zio-2021, the host with the zPCI I/O region
    """

    def __init__(self, name, binary, title, fn, sizes, stb, lg, stb_ops,
                 lg_ops, host="linux-7.3"):
        self.name = name
        self.binary = binary
        self._title = title
        self.fn = fn
        self.sizes = list(sizes)
        self.stb = dict(stb)
        self.lg = dict(lg)
        self.stb_ops = list(stb_ops)
        self.lg_ops = list(lg_ops)
        self.host = host

    @property
    def title(self):
        """The title; "{stock}" becomes what the stock binary says it is
        (its --version line: "QEMU emulator version 10.0.2 (Debian ...)"),
        so the tables name the binary that ran, whatever the base."""
        if "{stock}" not in self._title:
            return self._title
        version = re.search(r"version (\S+)", _first_line([stock_qemu(),
                                                           "--version"]))
        return self._title.replace("{stock}", "stock QEMU %s" % (
            version.group(1) if version else "(version unknown)"))

    def qemu(self):
        if self.binary == "fork":
            return SNAPSHOT.get("qemu") or fork_qemu()
        return stock_qemu()

    def extra_args(self):
        return list(SNAPSHOT.get("args", [])) if self.binary == "fork" \
            else []


# Every configuration runs on a simulated host that exists: a current
# Linux host (zpci-sim host=linux: GROUP maxstbl 128 for every function,
# no zPCI I/O region, ISM behind ism_vfio_pci) or one with the 2021 zPCI
# I/O region (host=zio-2021: the region and the RELAXED group flag).
#
# msix-nic stretched to maxstbl 4096 with relaxed alignment, on the
# zio-2021 host: the same function in "region" and "bar", differing only
# in the zpci device's io-region property.  Through the region the guest
# may issue blocks up to the region's max (4096); on the BAR path the
# guest's maxstbl is the GROUP cap's, 128 on every real kernel, so "bar"
# runs blocks of 8 to 128 bytes and the region/BAR ratios above 128 bytes
# compare the same traffic carried in BAR blocks of 128.  BAR 0 is 4 KiB:
# the mailbox at 0x000-0x7ff, a doorbell at 0x800 that a 4096-byte block
# covers; the payload zeroes that word ("hole") so that it names vector 0,
# which is not enabled: the simulator counts an "irq" op, nothing is
# delivered.
NIC_WIDE = {"maxstbl": 4096, "relaxed": True}
NIC_FID = 0x10
ISM_FID = 0x20
BAR_MAXSTBL = 128           # GROUP maxstbl of every real Linux host
BAR_SIZES = [s for s in SIZES if s <= BAR_MAXSTBL]


def _nic_wide(io_region):
    return lambda: zt.Function("nic0", "msix-nic", 42, region="present",
                               uid=NIC_FID, fid=NIC_FID, sim=NIC_WIDE,
                               zpci={"io-region": io_region})


def _nic_stock():
    # the model's defaults: strict alignment, maxstbl 128, no region
    return zt.Function("nic0", "msix-nic", 42, uid=NIC_FID, fid=NIC_FID)


def _ism():
    return zt.Function("ism0", "ism", 43, driver="ism_vfio_pci",
                       uid=ISM_FID, fid=ISM_FID)


NIC_STB = {"fid": NIC_FID, "bar": 0, "off": 0, "hole": 0x800}
NIC_LG = {"fid": NIC_FID, "lg_bar": 0, "lg_off": 0}
# ISM: the body part of the command space (BAR 2, 8 KiB); blocks at
# offset 4096 never touch the header at 0, so no command executes
ISM_STB = {"fid": ISM_FID, "bar": 2, "off": 4096}
ISM_LG = {"fid": ISM_FID, "lg_bar": 2, "lg_off": 4096}

CONFIGS = [
    Config("region", "fork", "fork, zPCI I/O region, io-region=on "
           "(msix-nic, zio-2021 host)",
           _nic_wide("on"), SIZES, NIC_STB, NIC_LG, ["zio_block"],
           ["zio_load"], host="zio-2021"),
    Config("bar", "fork", "fork, io-region=off (same msix-nic and host, "
           "BAR path, maxstbl 128)",
           _nic_wide("off"), BAR_SIZES, NIC_STB, NIC_LG, ["bar_write"],
           ["bar_read"], host="zio-2021"),
    Config("ism", "fork", "fork, ism behind ism_vfio_pci (Linux host, "
           "whole blocks)",
           _ism, SIZES, ISM_STB, ISM_LG, ["bar_block"], ["bar_load"],
           host="linux-7.3"),
    Config("bar128", "fork", "fork, msix-nic as stock sees it (Linux host, "
           "BAR path)",
           _nic_stock, [64, 128], NIC_STB, NIC_LG, ["bar_write"],
           ["bar_read"], host="linux-7.3"),
    Config("stock", "stock", "{stock}, msix-nic (Linux host, BAR path)",
           _nic_stock, [64, 128], NIC_STB, NIC_LG, ["bar_write"],
           ["bar_read"], host="linux-7.3"),
]


def bar_size(size):
    """The BAR block that carries the traffic of a block of size bytes."""
    return min(size, BAR_MAXSTBL)


def config_by_name(name):
    for c in CONFIGS:
        if c.name == name:
            return c
    raise KeyError(name)


# ---- building --------------------------------------------------------------

def build(log):
    """Build the simulator, the payload and the floor program.

    Returns (payload, floor, sim_lib) or raises RuntimeError.
    """
    top, bld = top_dir(), build_dir()
    steps = [
        ["make", "-C", os.path.join(top, "tests", "zpci-sim"),
         "BUILD=" + os.path.join(bld, "zpci-sim")],
        ["make", "-C", os.path.join(top, "tests", "guest"),
         "BUILD=" + os.path.join(bld, "guest"),
         os.path.join(bld, "guest", "bench.elf")],
    ]
    floor = os.path.join(bld, "bench", "floor")
    os.makedirs(os.path.dirname(floor), exist_ok=True)
    steps.append(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", floor,
                  os.path.join(HERE, "floor.c")])
    for argv in steps:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if p.returncode:
            raise RuntimeError("%s failed:\n%s" % (
                " ".join(argv), p.stdout.decode(errors="replace")[-2000:]))
        log.write(p.stdout.decode(errors="replace"))
    return (os.path.join(bld, "guest", "bench.elf"), floor,
            zt.sim_lib_path())


# ---- running ---------------------------------------------------------------

class RunResult:
    def __init__(self):
        self.returncode = None
        self.timed_out = False
        self.wall = 0.0
        self.cpu = 0.0              # QEMU user + system seconds
        self.console = ""
        self.stderr = ""
        self.sim = None
        self.bench = {}             # op -> (size, count, tod, fails)
        self.checks = []            # (status, name, detail)

    def counters(self, fname):
        if not self.sim:
            return {}
        return self.sim["functions"].get(fname, {}).get("counters", {})

    def backing_calls(self, fname):
        if not self.sim:
            return 0
        return self.sim["functions"].get(fname, {}).get(
            "backing", {}).get("calls", 0)

    def failed(self):
        why = []
        if self.timed_out:
            why.append("timed out")
        if self.returncode != 0:
            why.append("exit status %s" % self.returncode)
        if "DONE" not in self.console.split():
            why.append("payload did not print DONE")
        for st, name, detail in self.checks:
            if st != "ok":
                why.append("guest: %s - %s: %s" % (st, name, detail))
        if self.sim is None:
            why.append("no simulator JSON")
        elif self.sim.get("errors"):
            why.append("simulator errors: %s" % self.sim["errors"][:3])
        if self.stderr.strip():
            why.append("stderr: %s" % self.stderr.strip()[:300])
        return why


def run_payload(cfg, payload, params, timeout=600, keep=False, log=False):
    """Run the payload once for cfg; QEMU's rusage comes from wait4.

    log: ask the simulator for its op log (with the SHA-256 of each
    store's bytes); never for the measurement itself."""
    fn = cfg.fn()
    r = zt.Run(cfg.qemu(), payload, functions=[fn], params=params,
               timeout=timeout, sim_log=log,
               sim_config={"backing": "memfd", "host": cfg.host},
               extra_args=cfg.extra_args(),
               sim_lib=SNAPSHOT.get("sim_lib"))
    workdir = tempfile.mkdtemp(prefix="zpci-bench-")
    res = RunResult()
    try:
        console = os.path.join(workdir, "console.log")
        output = os.path.join(workdir, "sim.json")
        pfile = r._write_params(workdir)
        config = r._write_sim_config(workdir, output)
        sysfs = r._make_sysfs(workdir, config)
        argv = r.argv(workdir, console, sysfs, pfile)
        env = dict(os.environ)
        env["ZPCI_SIM_CONFIG"] = config
        env["LD_PRELOAD"] = r.sim_lib
        errpath = os.path.join(workdir, "stderr")
        with open(errpath, "wb") as err:
            t0 = time.monotonic()
            p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                 stdout=err, stderr=err,
                                 start_new_session=True)

            def kill():
                res.timed_out = True
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                _, status, ru = os.wait4(p.pid, 0)
            except BaseException:
                # interrupted: leave no QEMU behind
                kill()
                os.waitpid(p.pid, 0)
                raise
            finally:
                timer.cancel()
            res.wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        res.returncode = p.returncode
        res.cpu = ru.ru_utime + ru.ru_stime
        with open(errpath, "rb") as f:
            res.stderr = f.read().decode("utf-8", "replace")
        if os.path.exists(console):
            with open(console, "rb") as f:
                res.console = f.read().decode("utf-8", "replace")
        if os.path.exists(output):
            with open(output) as f:
                res.sim = json.load(f)
        for line in res.console.splitlines():
            line = line.strip()
            m = zt.CHECK_RE.match(line)
            if m:
                res.checks.append((m.group(1), m.group(2), m.group(3)))
                continue
            m = BENCH_RE.match(line[2:] if line.startswith("# ") else "")
            if m:
                res.bench[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    finally:
        if keep:
            sys.stderr.write("bench: kept %s\n" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return res


def run_floor(floor, size, count):
    p = subprocess.run([floor, str(size), str(count)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=True)
    m = FLOOR_RE.match(p.stdout.decode().strip())
    if not m:
        raise RuntimeError("floor output: %r" % p.stdout)
    _, ops, wall, cpu = (int(x) for x in m.groups())
    return {"ops": ops, "wall_ns": wall, "cpu_ns": cpu}


# ---- the measurement -------------------------------------------------------

def stb_params(cfg, size, count):
    p = dict(cfg.stb)
    p.update({"size": size, "count": count})
    return p


def lg_params(cfg, count):
    p = dict(cfg.lg)
    p["lg_count"] = count
    return p


def sample(cfg, res, kind, op_key):
    """Reduce one run to the numbers the report needs (None if broken)."""
    fname = cfg.fn().name
    if op_key not in res.bench:
        return None
    size, loop_count, tod, fails = res.bench[op_key]
    total = loop_count + 1       # the bracketed first instruction too
    ops = res.counters(fname)
    names = cfg.stb_ops if kind == "stb" else cfg.lg_ops
    host_ops = sum(ops.get(n, 0) for n in names)
    us = tod / TOD_PER_US
    return {
        "size": size, "count": total, "loop_count": loop_count,
        "fails": fails, "guest_us": us,
        "mbps": size * loop_count / us if us else 0.0,
        "ns_per_insn": 1000.0 * us / loop_count if loop_count else 0.0,
        "host_ops": host_ops, "host_ops_per_insn": host_ops / total,
        "backing_calls": res.backing_calls(fname),
        "cpu": res.cpu, "wall": res.wall, "counters": ops,
    }


def measure(payload, floor, mib=64, reps=5, lg_count=1000000,
            configs=None, log=sys.stderr, timeout=900):
    """The whole interleaved run; returns the raw data as a dict."""
    configs = configs or CONFIGS
    total_bytes = mib << 20
    data = {"mib": mib, "reps": reps, "lg_count": lg_count,
            "sizes": SIZES, "configs": {}, "floor": {}, "problems": []}
    for c in configs:
        data["configs"][c.name] = {"title": c.title, "binary": c.binary,
                                   "sizes": c.sizes, "base": [], "lg": [],
                                   "stb": {str(s): [] for s in c.sizes}}
    data["floor"] = {str(s): [] for s in SIZES}

    def note(msg):
        log.write(msg + "\n")
        log.flush()

    def problem(what, res):
        why = res.failed()
        if why:
            data["problems"].append({"what": what, "why": why})
            note("bench: PROBLEM %s: %s" % (what, "; ".join(why)))
        return bool(why)

    t_start = time.monotonic()
    for rep in range(reps):
        # start-up and shut-down cost of each configuration: no traffic
        for c in configs:
            res = run_payload(c, payload, {"fid": c.stb["fid"]},
                              timeout=timeout)
            problem("%s base rep %d" % (c.name, rep), res)
            data["configs"][c.name]["base"].append(
                {"cpu": res.cpu, "wall": res.wall})
        for size in SIZES:
            count = total_bytes // size
            for c in configs:
                if size not in c.sizes:
                    continue
                res = run_payload(c, payload, stb_params(c, size, count),
                                  timeout=timeout)
                bad = problem("%s stb %d rep %d" % (c.name, size, rep), res)
                s = None if bad else sample(c, res, "stb", "stb")
                data["configs"][c.name]["stb"][str(size)].append(s)
                if s:
                    note("bench: rep %d %-7s %5d B  %9.1f MB/s  %6.1f ops/insn"
                         "  cpu %.2fs  (%.0fs so far)" % (
                             rep, c.name, size, s["mbps"],
                             s["host_ops_per_insn"], s["cpu"],
                             time.monotonic() - t_start))
            fl = run_floor(floor, size, count)
            data["floor"][str(size)].append(fl)
        for c in configs:
            res = run_payload(c, payload, lg_params(c, lg_count),
                              timeout=timeout)
            bad = problem("%s lg rep %d" % (c.name, rep), res)
            s = None if bad else sample(c, res, "lg", "lg")
            data["configs"][c.name]["lg"].append(s)
            if s:
                note("bench: rep %d %-7s PCILG  %7.0f ns/insn  %.1f ops/insn"
                     % (rep, c.name, s["ns_per_insn"],
                        s["host_ops_per_insn"]))
    data["seconds"] = time.monotonic() - t_start
    data["loadavg_end"] = _loadavg()
    return data


# ---- machine ---------------------------------------------------------------

def _first_line(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        return p.stdout.decode(errors="replace").splitlines()[0].strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    commit = _first_line(["git", "-C", top_dir(), "rev-parse", "--short",
                          "HEAD"])
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": "%s %s" % (platform.system(), platform.release()),
        "fork": _first_line([fork_qemu(), "--version"]),
        "stock": _first_line([stock_qemu(), "--version"]),
        "commit": commit,
        "fork_sha256": _sha256(fork_qemu())[:16],
        "loadavg": _loadavg(),
    }


def _sha256(path):
    import hashlib
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return "unknown"
    return h.hexdigest()


def _loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


# ---- statistics and report -------------------------------------------------

def spread(values):
    """(median, min, max) of the non-None values, or None."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    return (statistics.median(v), min(v), max(v))


def fmt(sp, digits=None):
    if sp is None:
        return "—"
    med, lo, hi = sp

    def f(x):
        if digits is not None:
            return "%.*f" % (digits, x)
        if abs(x) >= 100:
            return "%.0f" % x
        if abs(x) >= 10:
            return "%.1f" % x
        return "%.2f" % x
    if f(lo) == f(hi):
        return f(med)
    return "%s (%s–%s)" % (f(med), f(lo), f(hi))


def per_rep(data, cfg, size, key):
    c = data["configs"].get(cfg)
    if not c or str(size) not in c["stb"]:
        return []
    return [s[key] if s else None for s in c["stb"][str(size)]]


def cpu_per_insn(data, cfg, size=None):
    """QEMU CPU microseconds per instruction, per repetition.

    The run's CPU time minus that of the same repetition's run without
    traffic (start-up, shut-down), over the number of instructions.
    """
    c = data["configs"].get(cfg)
    if not c:
        return []
    samples = c["lg"] if size is None else c["stb"].get(str(size), [])
    out = []
    for rep, s in enumerate(samples):
        if not s or rep >= len(c["base"]):
            out.append(None)
            continue
        out.append(1e6 * (s["cpu"] - c["base"][rep]["cpu"]) / s["count"])
    return out


def floor_per_op(data, size, key="cpu_ns"):
    """Floor microseconds per pwrite of size bytes, per repetition."""
    return [f[key] / 1000.0 / f["ops"] for f in data["floor"].get(
        str(size), [])]


def ratios(a, b):
    return [x / y if (x is not None and y) else None for x, y in zip(a, b)]


def bar_floor_per_block(data, size, key="cpu_ns"):
    """Floor for the BAR path: size/8 pwrites of 8 bytes per block."""
    return [x * size / 8 for x in floor_per_op(data, 8, key)]


def metric_table(L, data, names, title, key):
    """One table: a row per block size, a column per configuration."""
    L.append("## " + title)
    L.append("")
    L.append("| block | " + " | ".join(names) + " |")
    L.append("|---:|" + "---:|" * len(names))
    for size in data["sizes"]:
        row = [fmt(spread(per_rep(data, n, size, key)))
               if str(size) in data["configs"][n]["stb"] else "n/a"
               for n in names]
        L.append("| %d | %s |" % (size, " | ".join(row)))
    L.append("")


def report_md(data, mach):
    L = []
    mib, reps = data["mib"], data["reps"]
    L.append("# zPCI PCI Store Block / PCI Load benchmark")
    L.append("")
    L.append("Machine: %s, %d CPUs (`nproc`), %s; %s." % (
        mach["cpu"], mach["nproc"], mach["kernel"], mach["date"]))
    L.append("Fork: %s (tree at commit %s, binary sha256 %s…); stock: %s."
             % (mach["fork"], mach["commit"], mach.get("fork_sha256", "?"),
                mach["stock"]))
    L.append("Load average (1, 5, 15 min) at the start: %s; at the end: %s."
             % (mach.get("loadavg", "?"), data.get("loadavg_end", "?")))
    L.append("")
    L.append("%d MiB of PCISTB traffic per block size and configuration, "
             "%d PCILGs of 8 bytes, %d repetitions, configurations "
             "interleaved; simulator with `backing=memfd` and `log=false`. "
             "Cells: median (min–max) over the repetitions; ratios are "
             "taken per repetition, then summarised.  MB = 10^6 bytes, "
             "measured by the guest with the TOD clock.  Run time %.0f s."
             % (mib, data["lg_count"], reps, data.get("seconds", 0)))
    L.append("")
    names = list(data["configs"])
    L.append("Configurations:")
    L.append("")
    for n in names:
        L.append("- `%s`: %s" % (n, data["configs"][n]["title"]))
    L.append("")

    metric_table(L, data, names, "Guest-visible PCISTB throughput (MB/s)",
                 "mbps")
    metric_table(L, data, names,
                 "Host operations per PCISTB (simulator counters)",
                 "host_ops_per_insn")
    L.append("Host operations per 4 KiB of PCISTB traffic, each path at its "
             "largest block: %s." % ", ".join(
                 "%s %s (%d-byte blocks)" % (
                     n, fmt(spread([x * 4096 / max(c["sizes"])
                                    if x is not None else None
                                    for x in per_rep(data, n, max(c["sizes"]),
                                                     "host_ops_per_insn")])),
                     max(c["sizes"]))
                 for n, c in data["configs"].items()))
    L.append("")

    L.append("## QEMU CPU time (user + system) per PCISTB, µs")
    L.append("")
    L.append("| block | " + " | ".join(names) + " | floor 1×pwrite(block) "
             "| floor (block/8)×pwrite(8) |")
    L.append("|---:|" + "---:|" * (len(names) + 2))
    for size in data["sizes"]:
        row = [fmt(spread(cpu_per_insn(data, n, size)))
               if str(size) in data["configs"][n]["stb"] else "n/a"
               for n in names]
        row.append(fmt(spread(floor_per_op(data, size))))
        row.append(fmt(spread(bar_floor_per_block(data, size))))
        L.append("| %d | %s |" % (size, " | ".join(row)))
    L.append("")

    L.append("## Ratios (per repetition; median (min–max))")
    L.append("")
    L.append("BAR blocks are at most %d bytes (the guest's maxstbl on the "
             "BAR path of a real host): above that the ratios divide by "
             "the BAR path's throughput at %d-byte blocks, i.e. the same "
             "traffic carried the way the BAR path can." % (
                 BAR_MAXSTBL, BAR_MAXSTBL))
    L.append("")
    L.append("| block | region/BAR MB/s | region/stock MB/s | "
             "forkBAR/stock MB/s | forkBAR/stock CPU | ism/BAR MB/s | "
             "region CPU / floor CPU |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|")
    for size in data["sizes"]:
        reg = per_rep(data, "region", size, "mbps")
        bar = per_rep(data, "bar", bar_size(size), "mbps")
        ism = per_rep(data, "ism", size, "mbps")
        stock = per_rep(data, "stock", size, "mbps")
        b128 = per_rep(data, "bar128", size, "mbps")
        row = [
            fmt(spread(ratios(reg, bar))),
            fmt(spread(ratios(reg, stock))) if stock else "n/a",
            fmt(spread(ratios(b128, stock))) if stock else "n/a",
            fmt(spread(ratios(cpu_per_insn(data, "bar128", size),
                              cpu_per_insn(data, "stock", size))))
            if stock else "n/a",
            fmt(spread(ratios(ism, bar))),
            fmt(spread(ratios(cpu_per_insn(data, "region", size),
                              floor_per_op(data, size)))),
        ]
        L.append("| %d | %s |" % (size, " | ".join(row)))
    L.append("")

    L.append("## PCILG, 8 bytes")
    L.append("")
    L.append("| config | guest ns/PCILG | host ops/PCILG | QEMU CPU µs/PCILG "
             "| time vs stock |")
    L.append("|---|---:|---:|---:|---:|")
    stock_lg = [s["ns_per_insn"] if s else None
                for s in data["configs"].get("stock", {}).get("lg", [])]
    for n in names:
        lg = data["configs"][n]["lg"]
        ns = [s["ns_per_insn"] if s else None for s in lg]
        ops = [s["host_ops_per_insn"] if s else None for s in lg]
        L.append("| %s | %s | %s | %s | %s |" % (
            n, fmt(spread(ns)), fmt(spread(ops)),
            fmt(spread(cpu_per_insn(data, n))),
            fmt(spread(ratios(ns, stock_lg))) if stock_lg else "n/a"))
    L.append("")
    L.append("Floor: one `pwrite` of 8 bytes on a memfd costs %s µs CPU, "
             "%s µs wall on this machine." % (
                 fmt(spread(floor_per_op(data, 8))),
                 fmt(spread(floor_per_op(data, 8, "wall_ns")))))
    if data["problems"]:
        L.append("")
        L.append("**Problems during the run** (those samples are missing):")
        L.append("")
        for p in data["problems"]:
            L.append("- %s: %s" % (p["what"], "; ".join(p["why"])))
    L.append("")
    return "\n".join(L)


GNUPLOT = r"""
set terminal svg size 1000,460 dynamic font "sans,11"
set output '%(out)s'
set multiplot layout 1,2 title "zPCI PCISTB: %(mib)d MiB per point, median with min-max over %(reps)d repetitions (%(cpumodel)s, %(nproc)d CPUs)"
set logscale xy 2
set xrange [6:5500]
set xtics (8,64,128,512,1024,2048,4096)
set xlabel "block size (bytes)"
set key top left opaque box
set grid
set ylabel "guest-visible throughput (MB/s)"
set format y "%%g"
set logscale y 10
set title "throughput"
plot %(tputplot)s
set ylabel "QEMU CPU time per PCISTB (µs)"
set title "host CPU per instruction"
plot %(cpuplot)s
unset multiplot
"""

STYLE = {"region": "lc rgb '#1b9e77' pt 7", "bar": "lc rgb '#d95f02' pt 5",
         "ism": "lc rgb '#7570b3' pt 9", "bar128": "lc rgb '#e7298a' pt 11",
         "stock": "lc rgb '#666666' pt 13"}


def write_plot(data, mach, outdir):
    gp = shutil.which("gnuplot")
    if not gp:
        return None
    tput, cpu = [], []
    for n, c in data["configs"].items():
        rows_t, rows_c = [], []
        for size in c["sizes"]:
            t = spread(per_rep(data, n, size, "mbps"))
            u = spread(cpu_per_insn(data, n, size))
            if t:
                rows_t.append("%d %g %g %g" % ((size,) + t))
            if u and u[1] > 0:
                rows_c.append("%d %g %g %g" % ((size,) + u))
        for rows, kind, lst in ((rows_t, "tput", tput), (rows_c, "cpu", cpu)):
            if not rows:
                continue
            path = os.path.join(outdir, "plot-%s-%s.dat" % (kind, n))
            with open(path, "w") as f:
                f.write("\n".join(rows) + "\n")
            lst.append("'%s' using 1:2:3:4 with yerrorlines %s lw 2 "
                       "title '%s'" % (path, STYLE.get(n, ""), n))
    # the floors: what the host operations alone would allow
    rows_t1, rows_t8, rows_c1, rows_c8 = [], [], [], []
    for size in data["sizes"]:
        f1 = spread(floor_per_op(data, size, "wall_ns"))
        f8 = spread(bar_floor_per_block(data, size, "wall_ns"))
        c1 = spread(floor_per_op(data, size))
        c8 = spread(bar_floor_per_block(data, size))
        if f1:
            rows_t1.append("%d %g" % (size, size / f1[0]))
            rows_c1.append("%d %g" % (size, c1[0]))
        if f8:
            rows_t8.append("%d %g" % (size, size / f8[0]))
            rows_c8.append("%d %g" % (size, c8[0]))
    for rows, name, lst, title in (
            (rows_t1, "tput-floor1", tput, "floor: 1 pwrite per block"),
            (rows_t8, "tput-floor8", tput, "floor: 1 pwrite per 8 bytes"),
            (rows_c1, "cpu-floor1", cpu, "floor: 1 pwrite per block"),
            (rows_c8, "cpu-floor8", cpu, "floor: 1 pwrite per 8 bytes")):
        path = os.path.join(outdir, "plot-%s.dat" % name)
        with open(path, "w") as f:
            f.write("\n".join(rows) + "\n")
        dash = "dt 2" if name.endswith("1") else "dt 3"
        lst.append("'%s' using 1:2 with lines lc rgb 'black' %s title '%s'"
                   % (path, dash, title))
    out = os.path.join(outdir, "bench.svg")
    script = GNUPLOT % {"out": out, "mib": data["mib"], "reps": data["reps"],
                        "cpumodel": mach["cpu"].replace('"', ""),
                        "nproc": mach["nproc"],
                        "tputplot": ", \\\n     ".join(tput),
                        "cpuplot": ", \\\n     ".join(cpu)}
    gpath = os.path.join(outdir, "bench.gp")
    with open(gpath, "w") as f:
        f.write(script)
    p = subprocess.run([gp, gpath], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode:
        raise RuntimeError("gnuplot failed: %s" % p.stdout.decode())
    return out


def machine_txt(mach):
    return "".join("%s: %s\n" % (k, mach[k]) for k in (
        "date", "nproc", "cpu", "kernel", "fork", "fork_sha256", "stock",
        "commit", "loadavg"))


def write_outputs(data, mach, outdir):
    os.makedirs(outdir, exist_ok=True)
    data = dict(data)
    data["machine"] = mach
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(data, f, indent=1)
    with open(os.path.join(outdir, "table.md"), "w") as f:
        f.write(report_md(data, mach))
    with open(os.path.join(outdir, "machine.txt"), "w") as f:
        f.write(machine_txt(mach))
    return write_plot(data, mach, outdir)


def publish(outdir, docdir):
    """Copy the latest table, plot and machine description into docs."""
    os.makedirs(docdir, exist_ok=True)
    for name in ("table.md", "bench.svg", "machine.txt", "profile.txt"):
        src = os.path.join(outdir, name)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(docdir, name))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int,
                    default=int(os.environ.get("BENCH_MIB", 64)),
                    help="PCISTB traffic per block size and config (MiB)")
    ap.add_argument("--reps", type=int,
                    default=int(os.environ.get("BENCH_REPS", 5)))
    ap.add_argument("--lg-count", type=int,
                    default=int(os.environ.get("BENCH_LG", 1000000)))
    ap.add_argument("--out", default=os.path.join(build_dir(), "bench"))
    ap.add_argument("--configs", default="",
                    help="comma-separated subset of " +
                    ",".join(c.name for c in CONFIGS))
    ap.add_argument("--publish", action="store_true",
                    help="also copy table, plot, machine into docs/bench")
    ap.add_argument("--report-only", action="store_true",
                    help="redo table and plot from OUT/results.json")
    args = ap.parse_args(argv)
    # SIGTERM (make interrupted, a CI timeout): unwind, killing QEMU
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if args.report_only:
        with open(os.path.join(args.out, "results.json")) as f:
            data = json.load(f)
        mach = data.pop("machine")
        plot = write_outputs(data, mach, args.out)
    else:
        for c in CONFIGS:
            if not os.access(c.qemu(), os.X_OK):
                sys.stderr.write("bench: %s QEMU %s is missing\n" % (
                    c.binary, c.qemu()))
                return 2
        configs = [config_by_name(n) for n in args.configs.split(",")
                   if n] or CONFIGS
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "build.log"), "w") as log:
            payload, floor, lib = build(log)
        mach = machine()
        payload, floor, lib = snapshot(args.out, payload, floor, lib)
        sys.stderr.write("bench: %d MiB per point, %d repetitions, %s\n" % (
            args.mib, args.reps, ", ".join(c.name for c in configs)))
        data = measure(payload, floor, mib=args.mib, reps=args.reps,
                       lg_count=args.lg_count, configs=configs)
        plot = write_outputs(data, mach, args.out)
    sys.stdout.write(report_md(json.load(open(os.path.join(
        args.out, "results.json"))), mach))
    sys.stderr.write("bench: wrote %s/table.md%s\n" % (
        args.out, ", " + plot if plot else " (no gnuplot: no plot)"))
    if args.publish:
        publish(args.out, os.path.join(top_dir(), "docs", "bench"))
        sys.stderr.write("bench: copied into docs/bench/\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
