# SPDX-License-Identifier: GPL-2.0-or-later
# Runner for the bare-metal zPCI payloads under qemu-system-s390x + zpci-sim.
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Run one bare-metal zPCI payload in qemu-system-s390x and collect results.

A run is described by a payload ELF, the passthrough functions (simulated by
the LD_PRELOAD host simulator tests/zpci-sim), optional emulated PCI devices
and a parameter block for the payload.  The runner writes the simulator
configuration and the fake sysfs directories into a private temporary
directory, starts QEMU with a hard timeout, and returns a Result that gives
access to the payload's check lines, QEMU's exit status and stderr (start-up
refusals included) and the simulator's JSON report.

Only the Python standard library is used; run it with /usr/bin/python3.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

PARAMS_ADDR = 0x18000
PARAMS_MAGIC = "ZPCITEST-PARAMS\n"
PARAMS_MAX = 4096

CHECK_RE = re.compile(r"^(ok|not ok|skip) - ([^:]+?)(?:: (.*))?$")


def top_dir():
    """Repository root: $TOP or two levels above this file."""
    return os.environ.get("TOP") or os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", ".."))


def build_dir():
    return os.environ.get("BUILD") or os.path.join(top_dir(), "build")


def payload_path(name):
    """Path of a payload ELF built by `make -C tests/guest`."""
    return os.path.join(build_dir(), "guest", name + ".elf")


def sim_lib_path():
    return os.environ.get("ZPCI_SIM_LIB") or os.path.join(
        build_dir(), "zpci-sim", "libzpci-sim.so")


# The simulator logs, for every store it performs (PCI Store, PCI Store
# Block, each piece of a split access), a digest of the bytes the device
# received: field "sha256", the SHA-256 of the bytes in lowercase hex
# (docs/zpci-sim.rst).  A suite computes the digest of the bytes it
# expects with data_digest() and compares: the data is then checked where
# it arrived, not read back through the QEMU under test.
DIGEST_FIELD = "sha256"
DIGEST_ALGORITHM = "sha256"


def data_digest(data):
    """The digest the simulator logs for a store of these bytes."""
    return hashlib.new(DIGEST_ALGORITHM, bytes(data)).hexdigest()


def op_digest(entry):
    """The digest logged with a simulator op entry, or None."""
    return entry.get(DIGEST_FIELD)


class Function:
    """A passthrough PCI function played by the host simulator.

    name    basename of the sysfs dir (= [function NAME] in the config)
    model   ism | msix-nic | msi-dev
    group   IOMMU group number
    driver  vfio-pci | ism_vfio_pci
    region  absent | present | store
    sim     extra simulator keys for [function NAME] (pft=5, relaxed=...)
    uid/fid zpci device properties; zpci dict: extra zpci properties
    vfio    extra vfio-pci properties
    """

    def __init__(self, name, model, group, driver="vfio-pci",
                 region="absent", uid=None, fid=None, sim=None, zpci=None,
                 vfio=None):
        self.name = name
        self.model = model
        self.group = group
        self.driver = driver
        self.region = region
        self.uid = uid
        self.fid = fid
        self.sim = dict(sim or {})
        self.zpci = dict(zpci or {})
        self.vfio = dict(vfio or {})


class Emulated:
    """An emulated PCI device (e.g. virtio-net-pci) with its zpci device."""

    def __init__(self, driver, uid, fid, props=None, zpci=None):
        self.driver = driver
        self.uid = uid
        self.fid = fid
        self.props = dict(props or {})
        self.zpci = dict(zpci or {})


class Check:
    def __init__(self, status, name, detail):
        self.status = status        # "ok", "not ok" or "skip"
        self.name = name
        self.detail = detail or ""

    @property
    def passed(self):
        return self.status == "ok"

    def __repr__(self):
        return "Check(%r, %r, %r)" % (self.status, self.name, self.detail)


def _props(d):
    out = []
    for k, v in d.items():
        if isinstance(v, bool):
            v = "on" if v else "off"
        out.append("%s=%s" % (k, v))
    return out


def _ini_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class Result:
    """What one QEMU run produced."""

    def __init__(self, argv, env, returncode, timed_out, console, stderr,
                 sim, sim_error, elapsed, workdir, qmp=None):
        self.argv = argv
        self.env = env
        self.returncode = returncode
        self.timed_out = timed_out
        self.console = console
        self.stderr = stderr
        self.sim = sim              # parsed JSON or None
        self.sim_error = sim_error  # why sim is None
        self.elapsed = elapsed
        self.workdir = workdir
        self.qmp = list(qmp or [])  # QMP messages (Run(qmp=...)), in order
        self.checks = []
        self.done = False
        self.comments = []
        for line in console.splitlines():
            line = line.rstrip("\r")
            if line == "DONE":
                self.done = True
                continue
            if line.startswith("#"):
                self.comments.append(line[1:].strip())
                continue
            m = CHECK_RE.match(line)
            if m:
                self.checks.append(Check(m.group(1), m.group(2).strip(),
                                         m.group(3)))

    # ---- guest side -------------------------------------------------------

    def check(self, name):
        """The last check line called name, or None."""
        found = None
        for c in self.checks:
            if c.name == name:
                found = c
        return found

    def passed(self, name):
        c = self.check(name)
        return c is not None and c.passed

    def failed_checks(self):
        return [c for c in self.checks if c.status == "not ok"]

    def bad_checks(self):
        """Guest checks that failed or were skipped: a guest-side skip is
        never a pass."""
        return [c for c in self.checks if c.status != "ok"]

    @property
    def started(self):
        """True if the guest ran at all (printed anything)."""
        return bool(self.console.strip())

    @property
    def clean_exit(self):
        return not self.timed_out and self.returncode == 0

    def qemu_errors(self):
        """QEMU's error lines on stderr without the program-name prefix."""
        out = []
        for line in self.stderr.splitlines():
            m = re.match(r"^\S*qemu-system-s390x\S*: (.*)$", line)
            if m:
                out.append(m.group(1))
        return out

    def startup_error(self):
        """The message QEMU refused to start with, or None.

        QEMU reports a failed -device as 'PROG: -device ARGS: MESSAGE';
        the message after the option text is returned.
        """
        if self.started or self.timed_out or self.returncode == 0:
            return None
        for msg in self.qemu_errors():
            m = re.match(r"^-device [^ ]+?: (.*)$", msg)
            if m:
                return m.group(1)
        errs = [m for m in self.qemu_errors()
                if not m.startswith("warning:")]
        return errs[-1] if errs else (self.stderr.strip() or None)

    def refused_with(self, text):
        """True if QEMU refused to start with a message containing text."""
        msg = self.startup_error()
        return msg is not None and text in msg

    def qmp_responses(self):
        """Responses to the commands of Run(qmp=...), in order.

        Each is the "return" value, or {"error": {...}} for a failed
        command; the greeting and events are left out.
        """
        out = []
        for m in self.qmp:
            if "return" in m:
                out.append(m["return"])
            elif "error" in m:
                out.append({"error": m["error"]})
        return out

    # ---- simulator side ---------------------------------------------------

    def function(self, name):
        if not self.sim:
            return None
        return self.sim.get("functions", {}).get(name)

    def counter(self, name, op):
        f = self.function(name)
        if not f:
            return 0
        return f.get("counters", {}).get(op, 0)

    def ops(self, name, op=None, **match):
        """Log entries of function name, filtered by op and field values.

        ops("h0", "bar_write", bar=0, len=8) -> list of dicts
        A field value may be a callable predicate.
        """
        f = self.function(name)
        if not f:
            return []
        out = []
        for e in f.get("log", []):
            if op is not None and e.get("op") != op:
                continue
            ok = True
            for k, v in match.items():
                have = e.get(k)
                if callable(v):
                    if not v(have):
                        ok = False
                        break
                elif have != v:
                    ok = False
                    break
            if ok:
                out.append(e)
        return out

    def count(self, name, op=None, **match):
        return len(self.ops(name, op, **match))

    def sim_errors(self):
        if not self.sim:
            return []
        return list(self.sim.get("errors", []))

    # ---- diagnostics ------------------------------------------------------

    def summary(self, max_lines=12):
        """A few lines that explain the run (for TAP '# ' details)."""
        lines = ["qemu exit %s%s, %.1fs" % (
            self.returncode, " (TIMEOUT)" if self.timed_out else "",
            self.elapsed)]
        for e in self.qemu_errors()[:4]:
            lines.append("stderr: " + e)
        for c in self.bad_checks()[:4]:
            lines.append("guest: %s - %s: %s" % (c.status, c.name,
                                                 c.detail))
        if not self.done:
            tail = self.console.strip().splitlines()[-3:]
            lines.append("guest did not print DONE; console tail: %r" % tail)
        if self.sim_error:
            lines.append("simulator: " + self.sim_error)
        for e in self.sim_errors()[:3]:
            lines.append("simulator error: %s" % (e,))
        return lines[:max_lines]


class Run:
    """One QEMU invocation.

    qemu       path of qemu-system-s390x
    payload    payload ELF path (or name: resolved with payload_path())
    functions  list of Function (simulated passthrough)
    emulated   list of Emulated
    params     dict for the payload's parameter block (None: no block)
    timeout    seconds before QEMU is killed
    sim_log    ask the simulator for its op log
    sim_config extra [simulator] keys
    host       the simulator's host profile ([simulator] host=: linux,
               zio-2021, extended); None leaves the simulator's default
    extra_args more QEMU arguments
    keep       keep the temporary directory (also with $ZPCITEST_KEEP)
    qmp        QMP commands (dicts) sent on stdin through "-qmp stdio";
               "qmp_capabilities" is sent first.  The responses are in
               Result.qmp / Result.qmp_responses().  With "-S" in
               extra_args the commands run before the guest starts.  A
               command with a key "delay" (seconds, not sent) is sent that
               long after QEMU started, the ones after it in order: QMP
               events from the host while the guest runs.
    """

    def __init__(self, qemu, payload, functions=(), emulated=(),
                 params=None, timeout=60, sim_log=True, sim_config=None,
                 extra_args=(), sim_lib=None, keep=False, memory="128M",
                 qmp=None, host=None):
        self.qemu = qemu
        self.payload = payload if os.sep in payload else payload_path(payload)
        self.functions = list(functions)
        self.emulated = list(emulated)
        self.params = params
        self.timeout = timeout
        self.sim_log = sim_log
        self.sim_config = dict(sim_config or {})
        if host is not None:
            self.sim_config["host"] = host
        self.extra_args = list(extra_args)
        self.sim_lib = sim_lib or sim_lib_path()
        self.keep = keep or bool(os.environ.get("ZPCITEST_KEEP"))
        self.memory = memory
        self.qmp = None if qmp is None else list(qmp)

    # ---- files ------------------------------------------------------------

    def _write_params(self, workdir):
        text = PARAMS_MAGIC
        for k, v in self.params.items():
            if isinstance(v, bool):
                v = int(v)
            if isinstance(v, int):
                v = "0x%x" % v
            text += "%s=%s\n" % (k, v)
        data = text.encode() + b"\0"
        if len(data) > PARAMS_MAX:
            raise ValueError("parameter block too large")
        path = os.path.join(workdir, "params.bin")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _write_sim_config(self, workdir, output):
        lines = ["[simulator]", "output=%s" % output,
                 "log=%s" % _ini_value(self.sim_log)]
        for k, v in self.sim_config.items():
            lines.append("%s=%s" % (k, _ini_value(v)))
        for fn in self.functions:
            lines += ["", "[function %s]" % fn.name,
                      "model=%s" % fn.model, "group=%d" % fn.group,
                      "driver=%s" % fn.driver, "region=%s" % fn.region]
            for k, v in fn.sim.items():
                lines.append("%s=%s" % (k, _ini_value(v)))
        path = os.path.join(workdir, "zpci-sim.ini")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def _make_sysfs(self, workdir, config):
        """DIR/NAME/{iommu_group,driver} links for every function.

        Uses tests/zpci-sim/mksysfs (CONFIG DIR) when it exists so that the
        simulator and the runner agree on the layout.
        """
        sysfs = os.path.join(workdir, "sysfs")
        os.makedirs(sysfs, exist_ok=True)
        if not self.functions:
            return sysfs
        mksysfs = os.path.join(top_dir(), "tests", "zpci-sim", "mksysfs")
        if os.access(mksysfs, os.X_OK):
            subprocess.run([mksysfs, config, sysfs], check=True,
                           stdout=subprocess.DEVNULL)
            return sysfs
        for fn in self.functions:
            d = os.path.join(sysfs, fn.name)
            os.makedirs(d, exist_ok=True)
            os.symlink("/sys/kernel/iommu_groups/%d" % fn.group,
                       os.path.join(d, "iommu_group"))
            os.symlink("/sys/bus/pci/drivers/%s" % fn.driver,
                       os.path.join(d, "driver"))
        return sysfs

    # ---- command line -----------------------------------------------------

    def argv(self, workdir, console, sysfs, params):
        a = [self.qemu, "-M", "s390-ccw-virtio", "-cpu", "max",
             "-accel", "tcg", "-m", self.memory, "-nographic", "-nodefaults",
             "-no-user-config", "-serial", "file:" + console,
             "-action", "panic=exit-failure", "-kernel", self.payload]
        if params:
            a += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" %
                  (params, PARAMS_ADDR)]
        for i, fn in enumerate(self.functions):
            dev_id = "h%d" % i
            z = {}
            if fn.uid is not None:
                z["uid"] = fn.uid
            if fn.fid is not None:
                z["fid"] = fn.fid
            z["target"] = dev_id
            z.update(fn.zpci)
            a += ["-device", ",".join(["zpci"] + _props(z))]
            v = {"sysfsdev": os.path.join(sysfs, fn.name), "id": dev_id}
            v.update(fn.vfio)
            a += ["-device", ",".join(["vfio-pci"] + _props(v))]
        for i, em in enumerate(self.emulated):
            dev_id = "e%d" % i
            z = {"uid": em.uid, "fid": em.fid, "target": dev_id}
            z.update(em.zpci)
            a += ["-device", ",".join(["zpci"] + _props(z))]
            p = {"id": dev_id}
            if em.driver.startswith("virtio-"):
                p["romfile"] = ""
            p.update(em.props)
            a += ["-device", ",".join([em.driver] + _props(p))]
        if self.qmp is not None:
            a += ["-qmp", "stdio"]
        return a + self.extra_args

    # ---- running ----------------------------------------------------------

    def run(self):
        if not os.path.exists(self.payload):
            # never a silent pass: the run fails with the reason
            why = "payload %s is missing (not built?)" % self.payload
            return Result([], {}, None, False, "", "runner error: " + why,
                          None, why, 0.0, "")
        workdir = tempfile.mkdtemp(prefix="zpcitest-")
        try:
            return self._run(workdir)
        finally:
            if not self.keep:
                shutil.rmtree(workdir, ignore_errors=True)

    def _run(self, workdir):
        console = os.path.join(workdir, "console.log")
        output = os.path.join(workdir, "sim.json")
        params = self._write_params(workdir) if self.params is not None \
            else None
        env = dict(os.environ)
        env_add = {}
        config = None
        if self.functions:
            config = self._write_sim_config(workdir, output)
            env_add["ZPCI_SIM_CONFIG"] = config
            env_add["LD_PRELOAD"] = self.sim_lib
        sysfs = self._make_sysfs(workdir, config)
        env.update(env_add)
        argv = self.argv(workdir, console, sysfs, params)
        with open(os.path.join(workdir, "cmdline"), "w") as f:
            f.write(" ".join("%s=%s" % kv for kv in env_add.items()) + " " +
                    " ".join(argv) + "\n")

        start = time.monotonic()
        timed_out = False
        qmp_in = None
        if self.qmp is not None:
            cmds = [{"execute": "qmp_capabilities"}] + self.qmp
            qmp_in = "".join(json.dumps(c) + "\n" for c in cmds).encode()
        p = subprocess.Popen(argv, env=env,
                             stdin=subprocess.DEVNULL if qmp_in is None
                             else subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        try:
            if self.qmp is not None and any("delay" in c for c in self.qmp):
                out, err = self._communicate_timed(p, cmds, start)
            else:
                out, err = p.communicate(input=qmp_in, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            # SIGTERM first so that QEMU exits and the simulator writes its
            # JSON; then make sure nothing is left behind.
            self._signal(p, signal.SIGTERM)
            try:
                out, err = p.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                self._signal(p, signal.SIGKILL)
                out, err = p.communicate()
        elapsed = time.monotonic() - start

        text = ""
        if os.path.exists(console):
            with open(console, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        stderr = (err or b"").decode("utf-8", "replace")
        stdout = (out or b"").decode("utf-8", "replace")
        qmp = []
        if self.qmp is not None:
            for line in stdout.splitlines():
                try:
                    qmp.append(json.loads(line))
                except ValueError:
                    stderr = line + "\n" + stderr
        elif stdout.strip():
            stderr = stdout + stderr

        sim, sim_error = None, None
        if self.functions:
            if os.path.exists(output):
                try:
                    with open(output) as f:
                        sim = json.load(f)
                except (OSError, ValueError) as e:
                    sim_error = "unreadable JSON %s: %s" % (output, e)
            else:
                sim_error = "no JSON written (%s)" % output
        return Result(argv, env_add, p.returncode, timed_out, text, stderr,
                      sim, sim_error, elapsed, workdir, qmp)

    def _communicate_timed(self, p, cmds, start):
        """communicate() with QMP commands sent at their "delay" (seconds
        after start); stdin stays open until the last one was sent."""
        import threading
        bufs = {"out": [], "err": []}

        def drain(stream, key):
            for chunk in iter(lambda: stream.read(65536), b""):
                bufs[key].append(chunk)

        def feed():
            try:
                for c in cmds:
                    c = dict(c)
                    delay = c.pop("delay", None)
                    if delay is not None:
                        time.sleep(max(0.0, start + delay - time.monotonic()))
                    p.stdin.write((json.dumps(c) + "\n").encode())
                    p.stdin.flush()
                p.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass

        threads = [threading.Thread(target=drain, args=(p.stdout, "out")),
                   threading.Thread(target=drain, args=(p.stderr, "err")),
                   threading.Thread(target=feed)]
        for t in threads:
            t.daemon = True
            t.start()
        p.wait(timeout=self.timeout)
        for t in threads[:2]:
            t.join(5)
        return b"".join(bufs["out"]), b"".join(bufs["err"])

    @staticmethod
    def _signal(p, sig):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass


def run(qemu, payload, **kw):
    """Shortcut: Run(qemu, payload, **kw).run()."""
    return Run(qemu, payload, **kw).run()


# Skips the e2e suites accept, each with its reason (printed at the start
# of every suite that uses Tap(strict=True)).  Any other skip is reported
# as "not ok": a check that did not run has not passed.  Keep it short.
ALLOWED_SKIPS = {}


class Tap:
    """Minimal TAP version 13 producer for the e2e suites.

    strict: a skip whose key is not in ALLOWED_SKIPS is a failure ("not
    ok ... # SKIP not allowed: REASON"); the allow-list is printed first.
    """

    def __init__(self, out=None, strict=False):
        import sys
        self.out = out or sys.stdout
        self.n = 0
        self.failed = 0
        self.strict = strict
        self.out.write("TAP version 13\n")
        if strict:
            if ALLOWED_SKIPS:
                self.out.write("# SKIP allow-list (anything else that "
                               "does not run fails):\n")
                for k, why in sorted(ALLOWED_SKIPS.items()):
                    self.out.write("#   %s: %s\n" % (k, why))
            else:
                self.out.write("# SKIP allow-list: empty (a check that "
                               "does not run fails)\n")
        self.out.flush()

    def _emit(self, line, details=()):
        self.out.write(line + "\n")
        for d in details:
            for sub in str(d).splitlines() or [""]:
                self.out.write("# " + sub + "\n")
        self.out.flush()

    def ok(self, cond, name, details=(), todo=None):
        """One test line.  todo: a known problem (TAP "# TODO reason"),
        reported with the directive whatever the outcome."""
        self.n += 1
        name = name.replace("#", "\\#")
        directive = ""
        if todo:
            directive = " # TODO " + str(todo).replace("#", "")
        if cond:
            self._emit("ok %d - %s%s" % (self.n, name, directive))
        else:
            if not todo:
                self.failed += 1
            self._emit("not ok %d - %s%s" % (self.n, name, directive),
                       details)
        return bool(cond)

    def skip(self, name, reason, allow=None):
        """A check that cannot run.  With strict, only allowed if allow
        names an entry of ALLOWED_SKIPS; otherwise it fails."""
        self.n += 1
        name = name.replace("#", "")
        reason = str(reason).replace("#", "").splitlines()[0] \
            if str(reason).strip() else "(no reason)"
        if self.strict and allow not in ALLOWED_SKIPS:
            self.failed += 1
            self._emit("not ok %d - %s (did not run: %s)" % (self.n, name,
                                                            reason))
            return
        self._emit("ok %d - %s # SKIP %s" % (self.n, name, reason))

    def comment(self, text):
        self._emit("# " + text)

    def finish(self):
        self._emit("1..%d" % self.n)
