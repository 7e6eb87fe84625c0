# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the fuzz runner and the lifecycle suite: the sanitizer build of
# the fork, its environment, and the three kinds of failure they count.
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Run the fork's sanitizer build under the host simulator and judge it.

A run fails in one of three ways, each counted on its own:

* QEMU fault: QEMU died (signal, abort, non-zero exit), hung (timeout), or
  stopped before the guest finished (no DONE).
* sanitizer report: AddressSanitizer, LeakSanitizer or UndefinedBehavior
  Sanitizer wrote a report to stderr (ASan stops QEMU; UBSan carries on).
* illegal host op: the simulator refused a host operation as a breach of
  the host interface's rules (docs/zpci-sim.rst), which QEMU must have
  caught first, or it saw a host call it does not understand.

Only the Python standard library is used.
"""

import os
import re
import subprocess
import sys

TOP = os.environ.get("TOP") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "harness"))

import zpcitest as zt  # noqa: E402


def build_dir():
    return os.environ.get("BUILD") or os.path.join(TOP, "build")


def asan_qemu():
    """The sanitizer build of the base's fork: $QEMU_ASAN, else where
    scripts/build-asan puts it for $UPSTREAM (build/asan, build/asan-BASE).
    """
    if os.environ.get("QEMU_ASAN"):
        return os.environ["QEMU_ASAN"]
    out = subprocess.run([os.path.join(TOP, "scripts", "build-asan"),
                          "--print-binary"], capture_output=True, text=True)
    if out.returncode == 0 and out.stdout.strip():
        return out.stdout.strip()
    return os.path.join(build_dir(), "asan", "qemu-system-s390x")


def firmware_dir(qemu):
    """Where the uninstalled binary's s390-ccw.img is (for -L)."""
    d = os.path.join(os.path.dirname(qemu), "pc-bios", "s390-ccw")
    return d if os.path.exists(os.path.join(d, "s390-ccw.img")) else None


def asan_runtime(qemu):
    """Path of the ASan runtime the binary links, or None."""
    try:
        out = subprocess.run(["ldd", qemu], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"\s(/\S*libasan\.so\S*)\s", out)
    return m.group(1) if m else None


def uninstrumented(qemu):
    """The sanitizer runtimes (libasan, libubsan) the binary does not
    link: a suite that picked the sanitizer build itself must not run an
    uninstrumented binary and report no findings."""
    try:
        out = subprocess.run(["ldd", qemu], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    return [lib for lib in ("libasan", "libubsan")
            if not re.search(r"\s/\S*%s\.so\S*\s" % lib, out)]


def check_instrumented(tap, qemu):
    """One TAP result: the binary links ASan's and UBSan's runtimes."""
    missing = uninstrumented(qemu)
    return tap.ok(not missing, "the binary under test is the sanitizer "
                  "build (links libasan and libubsan)",
                  ["%s does not link %s" % (qemu, ", ".join(missing))])


def preload(qemu):
    """LD_PRELOAD value: the ASan runtime must come first in the library
    list (ASan refuses to start otherwise), then the simulator."""
    sim = zt.sim_lib_path()
    rt = asan_runtime(qemu)
    return "%s %s" % (rt, sim) if rt else sim


SUPPRESSIONS = os.path.join(TOP, "tests", "fuzz", "lsan.supp")


def sanitizer_env():
    """Environment for the sanitizer build: reports go to stderr, ASan and
    LeakSanitizer stop with exit status 66 so a report can never be mistaken
    for a clean exit, UBSan reports every finding with a stack."""
    env = {
        "ASAN_OPTIONS": ":".join([
            "detect_leaks=1", "exitcode=66", "abort_on_error=0",
            "halt_on_error=1", "detect_stack_use_after_return=0",
            "print_summary=1", "symbolize=1", "strict_string_checks=0",
            # full stacks through glib (built without frame pointers)
            "fast_unwind_on_malloc=0", "malloc_context_size=20",
        ]),
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=0:report_error_type=1",
        "LSAN_OPTIONS": "exitcode=66",
    }
    if os.path.exists(SUPPRESSIONS):
        env["LSAN_OPTIONS"] += ":suppressions=" + SUPPRESSIONS
    return env


SAN_HEADER = re.compile(
    r"(==\d+==ERROR: (AddressSanitizer|LeakSanitizer)[^\n]*"
    r"|^\S*:\d+:\d+: runtime error: [^\n]*"
    r"|^[^\n]*runtime error: [^\n]*)", re.M)


def sanitizer_reports(stderr):
    """The first line of every sanitizer report in stderr."""
    return [m.group(0).strip() for m in SAN_HEADER.finditer(stderr)]


def sanitizer_excerpt(stderr, lines=14):
    """The start of the first report with its stack, for a diagnostic."""
    m = SAN_HEADER.search(stderr)
    if not m:
        return []
    return stderr[m.start():].splitlines()[:lines]


# Reject reasons of the simulator's models: the simulated device refusing
# what the guest asked of it, as the real device would (docs/zpci-sim.rst).
# QEMU cannot and must not filter these; they are not rule breaches of the
# host interface.  Used only when the simulator's JSON does not classify
# rejects itself.
DEVICE_WHATS = {"ism_cmd", "ism_load", "ism_store", "ism_move", "doorbell",
                "msix_pba_write"}
FAULT_REASONS = ("function in error state", "injected")


def _classified(sim):
    """True if the simulator's rejects carry their own classification."""
    for f in (sim or {}).get("functions", {}).values():
        for e in f.get("log", []):
            if e.get("op") == "reject" and "illegal" in e:
                return True
    return False


def illegal_ops(res):
    """(function, entry) for every host op the simulator refused as a
    breach of the host interface's rules, and ("-", error) for every call
    it did not understand."""
    out = []
    sim = res.sim or {}
    own = _classified(sim)
    for name, f in sim.get("functions", {}).items():
        for e in f.get("log", []):
            if e.get("op") != "reject":
                continue
            if own:
                bad = bool(e.get("illegal"))
            else:
                bad = not (e.get("what") in DEVICE_WHATS or
                           str(e.get("reason", "")).startswith(FAULT_REASONS))
            if bad:
                out.append((name, e))
    for err in sim.get("errors", []):
        out.append(("-", {"error": err}))
    return out


def qemu_fault(res, expect_done=True):
    """Why the run counts as a QEMU fault, or None."""
    if res.timed_out:
        return "QEMU hung: killed after %.0fs" % res.elapsed
    if res.returncode is None:
        return "QEMU did not run: %s" % (res.sim_error or res.stderr.strip())
    if res.returncode < 0:
        return "QEMU died with signal %d" % -res.returncode
    if res.returncode == 66:
        # LeakSanitizer runs when QEMU exits: a leak is a sanitizer report
        # (counted there), not a QEMU that died
        if "ERROR: LeakSanitizer" in res.stderr and \
                "ERROR: AddressSanitizer" not in res.stderr and \
                (res.done or not expect_done):
            return None
        return "QEMU stopped by a sanitizer (exit 66)"
    if res.returncode != 0:
        err = res.startup_error() if not res.started else None
        if err:
            return "QEMU refused to start: %s" % err
        return "QEMU exited with status %d" % res.returncode
    if expect_done and not res.done:
        return "QEMU exited before the guest printed DONE"
    return None


def fault_excerpt(res, lines=6):
    """stderr lines that say why QEMU died (assertions, QEMU errors)."""
    out = []
    for ln in res.stderr.splitlines():
        if "vfio_region_write" in ln or "vfio_region_read" in ln:
            continue            # QEMU's log of each refused BAR access
        if re.search(r"Assertion|assertion|Aborted|qemu-system-s390x:|"
                     r"hardware error|core dumped|Segmentation|ERROR:|"
                     r"Bail out", ln):
            out.append(ln.strip())
    # the most telling ones are usually last
    return out[-lines:]
