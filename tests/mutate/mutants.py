# SPDX-License-Identifier: GPL-2.0-or-later
# The mutants of scripts/mutate and the suites that must catch them.
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Mutants of the series' C code.

Each mutant replaces one piece of text in one file of the assembled tree
(build/qemu) by a deliberately wrong version: a rule of the design brief
switched off, a host fact ignored, a clean-up skipped.  The text must occur
exactly once (scripts/mutate fails loudly otherwise, so a mutant never
silently stops applying when the series changes).  "killers" lists, in the
order they run, the suites that are expected to report "not ok" for it;
the first that does kills the mutant.  "check" is a regular expression
for the name of the check expected to catch it: a mutant counts as
killed only when a check whose name matches fails under it and passed
without it; other checks that fail are reported, but kill nothing.

A suite is a command that takes the binary under test; its expected
outcomes come from the design brief and the kernel source, never from the
code it judges.
"""

import os

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class Suite:
    def __init__(self, name, argv, timeout=900):
        self.name = name
        self.argv = argv
        self.timeout = timeout

    def command(self, qemu):
        return [a.replace("@QEMU@", qemu) for a in self.argv]


def fuzz(config, count=30000):
    return Suite("fuzz-" + config,
                 [os.path.join(TOP, "tests", "fuzz", "run-fuzz"),
                  "--no-build", "--qemu", "@QEMU@", "--config", config,
                  "--count", str(count)], timeout=600)


def lifecycle(scenario):
    return Suite("lifecycle-" + scenario,
                 [os.path.join(TOP, "tests", "lifecycle", "run-tests"),
                  "--no-build", "--qemu", "@QEMU@", "--scenario", scenario],
                 timeout=300)


def e2e(name):
    # the e2e suites take the binary from $QEMU
    exe = "run-tests" if name == "e2e" else name
    return Suite("e2e-" + name if name != "e2e" else "e2e",
                 [os.path.join(TOP, "tests", "e2e", exe)], timeout=1800)


REGRESSIONS = Suite("regressions",
                    [os.path.join(TOP, "tests", "fuzz", "regressions"),
                     "--no-build", "--qemu", "@QEMU@"], timeout=300)

# the fork's cases of the Linux guest run with LINUX_GUEST_FORK=1
# (scripts/mutate sets it); the binary comes from $QEMU
LINUX_GUEST = Suite("linux-guest",
                    [os.path.join(TOP, "tests", "linux-guest", "run-tests")],
                    timeout=1800)

QTEST = Suite("qtest-io-path",
              ["env", "QTEST_QEMU_BINARY=@QEMU@",
               os.path.join(TOP, "build", "qemu", "build", "tests", "qtest",
                            "s390x-zpci-io-path-test"), "--tap", "-k"],
              timeout=300)


class Mutant:
    """find -> replace in file; more=[(find, replace, count), ...] adds
    edits of the same file, each target occurring exactly count times;
    check: the regular expression the name of the killing check matches
    (re.search)."""

    def __init__(self, name, file, find, replace, why, killers, check,
                 more=()):
        self.name = name
        self.file = file
        self.edits = [(find, replace, 1)] + list(more)
        self.why = why
        self.killers = killers
        self.check = check


INST = "hw/s390x/s390-pci-inst.c"
VFIO = "hw/s390x/s390-pci-vfio.c"
BUS = "hw/s390x/s390-pci-bus.c"

# Written against the series of main 8bba7c4 (patches/10.0, 19 patches);
# the first eleven revert a fix or a rule the lead listed for issue 10.
MUTANTS = [
    Mutant(
        # The series looks up the subregion per piece of at most 8 bytes,
        # so the 8-bit length alone can no longer truncate anything (that
        # mutant is equivalent); upstream looked it up once for the whole
        # block, which is where the truncation aborted QEMU.
        "subregion-u8-whole-block", INST,
        "static MemoryRegion *s390_get_subregion(MemoryRegion *mr, "
        "uint64_t offset,\n"
        "                                        uint64_t len)\n",
        "static MemoryRegion *s390_get_subregion(MemoryRegion *mr, "
        "uint64_t offset,\n"
        "                                        uint8_t len)\n",
        "s390_get_subregion() takes a uint8_t length again and a block "
        "looks up one subregion for all its bytes, as upstream does (a "
        "256-byte block over the MSI-X table aborted QEMU)",
        [REGRESSIONS, fuzz("bar-msix-nic-maxstbl4k")],
        check=r"^msix-table-256-bar: QEMU survives",
        more=[("        mr = s390_get_subregion(bar, offset + pos, size);\n",
               "        mr = s390_get_subregion(bar, offset, len);\n", 2)]),
    Mutant(
        "pcistb-pieces-host-order", INST,
        "                                                       size),\n"
        "                                              "
        "size_memop(size) | MO_BE,\n",
        "                                                       size),\n"
        "                                              "
        "size_memop(size),\n",
        "BAR-path PCI Store Block pieces dispatched in host order (data "
        "byte-reversed on the host)",
        [e2e("e2e"), e2e("alignment")],
        check=r"(pcistb-64-readback|guest sees stored and read back)"),
    Mutant(
        "pcistg-pieces-reversed", INST,
        "    for (i = 0, shift = len * 8; i < n; i++) {\n"
        "        shift -= piece[i].size * 8;\n",
        "    for (i = 0, shift = 0; i < n; shift += piece[i++].size * 8) {\n",
        "a PCI Load or Store that takes more than one piece (3, 5, 6 or 7 "
        "bytes, or not on a multiple of its length) moves its pieces in "
        "the wrong order: the register's first byte is no longer the "
        "lowest address",
        [REGRESSIONS],
        check=r"^every-length-msix-nic-bar: the load returns"),
    Mutant(
        "summary-byte-blocks", BUS,
        "                         sum_mask) & sum_mask)) {\n",
        "                         sum_mask))) {\n",
        "an MSI raises the adapter interruption only when the whole "
        "summary byte was clear, as upstream QEMU before 10.2 did: the "
        "second of two ISM functions whose summary bits share a byte "
        "loses its interruption",
        [e2e("e2e")],
        check=r"ism pair.*ism-x-shared-summary-msi-interrupt"),
    Mutant(
        "zio-load-left-justified", VFIO,
        "        *data = ldq_be_p(pbdev->iobuf);\n"
        "        if (len < 8) {\n"
        "            *data &= MAKE_64BIT_MASK(0, len * 8);\n"
        "        }\n",
        "        *data = ldq_be_p(pbdev->iobuf) >> (64 - 8 * len);\n",
        "zPCI I/O region loads take their data from the start of the "
        "buffer instead of right-justified",
        [e2e("alignment"), e2e("e2e"), e2e("policy-table")],
        check=r"guest sees stored and read back"),
    Mutant(
        "no-mio-region-without-store", VFIO,
        "        if (!region || !host->zio_store) {\n",
        "        if (!region) {\n",
        "a function without MIO is admitted to a region that cannot "
        "perform PCI Store",
        [e2e("policy-table")],
        check=r"refused \(no MIO and no region with STORE\)"),
    Mutant(
        "ism-reset-intercepted-skipped", BUS,
        "        if (pbdev->pdev && pbdev->pft == ZPCI_PFT_ISM &&\n"
        "            pbdev->fh & FH_MASK_ENABLE) {\n",
        "        if (pbdev->interp && pbdev->pdev && "
        "pbdev->pft == ZPCI_PFT_ISM &&\n"
        "            pbdev->fh & FH_MASK_ENABLE) {\n",
        "system reset no longer resets intercepted ISM before its DMA "
        "aperture is unmapped",
        [lifecycle("system-reset-ism")],
        check=r"is reset before its DMA is unmapped"),
    Mutant(
        "plug-failed-cleanup-skipped", BUS,
        "static void s390_pci_plug_failed(S390PCIBusDevice *pbdev)\n{\n",
        "static void s390_pci_plug_failed(S390PCIBusDevice *pbdev)\n{\n"
        "    return;\n",
        "a refused plug leaves the zpci device pointing at the freed PCI "
        "device (CLP LIST reads it)",
        [lifecycle("refused-hotplug")],
        check=r"^refused-hotplug: (QMP stays up|QEMU survives)"),
    Mutant(
        "host-facts-not-cleared", VFIO,
        "    memset(&pbdev->host, 0, sizeof(pbdev->host));\n",
        "",
        "host facts of a refused plug survive into the next plug of the "
        "same zpci device",
        [lifecycle("retried-hotplug")],
        check=r"takes its own path"),
    Mutant(
        "msix-carve-out-off", INST,
        "    *emulated = false;\n"
        "    for (i = 0; i < ARRAY_SIZE(part); i++) {\n",
        "    *emulated = false;\n"
        "    return len;\n"
        "    for (i = 0; i < ARRAY_SIZE(part); i++) {\n",
        "the MSI-X table and PBA go to the host on the region and "
        "ism_vfio_pci paths",
        [REGRESSIONS, fuzz("region-msix-nic-on")],
        check=r"the MSI-X table stays with QEMU"),
    Mutant(
        "ism-unusable-group-admitted", VFIO,
        "    if (grp->maxstbl >= ZPCI_BOUNDARY &&\n"
        "        grp->fr & CLP_RSP_QPCIG_MASK_RELAXED) {\n",
        "    if (1 || (grp->maxstbl >= ZPCI_BOUNDARY &&\n"
        "        grp->fr & CLP_RSP_QPCIG_MASK_RELAXED)) {\n",
        "ISM admitted with a function group that cannot carry its 4 KiB "
        "relaxed blocks",
        [e2e("policy-table")],
        check=r"refused \((imaxstbl < 4096|region max < 4096|"
              r"default group: ISM refused)\)"),
    Mutant(
        "ism-by-pci-id-off", VFIO,
        "                  ZPCI_ISM_DEVICE_ID;\n",
        "                  ZPCI_ISM_DEVICE_ID + 1;\n",
        "an ISM function reported with PFT 0 (nested) is not recognised by "
        "its PCI ID",
        [e2e("policy-table")],
        check=r"(ISM\(pft 0, 1014:04ed\)|nested ISM \(pft 0).*admitted"),
    Mutant(
        "block-split-into-pieces", INST,
        "        } else {\n"
        "            res = ops->store_block(pbdev, pcias, offset, run);\n"
        "        }\n",
        "        } else {\n"
        "            res = s390_pci_bar_path.store_block(pbdev, pcias, "
        "offset, run);\n"
        "        }\n",
        "PCI Store Blocks on a block path split into pieces of at most 8 "
        "bytes",
        [e2e("e2e"), e2e("policy-table")],
        check=r"(exactly one host bar_block|host ops bar_block)"),
    Mutant(
        "relaxed-check-off", INST,
        "    if (!(grp->fr & CLP_RSP_QPCIG_MASK_RELAXED) &&\n",
        "    if (0 && !(grp->fr & CLP_RSP_QPCIG_MASK_RELAXED) &&\n",
        "strict functions get the relaxed PCI Store Block rules",
        [fuzz("bar-msix-nic"), e2e("alignment")],
        check=r"(guest-visible results follow the architecture|"
              r"guest sees program interruption 0x06)"),
    Mutant(
        # The buffer holds maxstbl bytes (rounded up to 8), so dropping the
        # maxstbl test alone changes nothing observable: both go.
        "maxstbl-ignored", INST,
        "    if (!len || len > grp->maxstbl || len > pbdev->iobuf_size ||\n",
        "    if (!len ||\n",
        "PCI Store Blocks longer than the group's maxstbl (and the buffer) "
        "accepted",
        [fuzz("bar-msix-nic"), e2e("alignment")],
        check=r"(QEMU survives|maxstbl\+8: guest sees program interruption)"),
    Mutant(
        "boundary-4k-off", INST,
        "        (offset & (ZPCI_BOUNDARY - 1)) + len > ZPCI_BOUNDARY) {\n",
        "        0) {\n",
        "PCI Store Blocks across a 4 KiB boundary accepted",
        [fuzz("ism-vfio-pci"), e2e("alignment")],
        check=r"(no illegal host op|"
              r"crosses 4 KiB\): guest sees program interruption)"),
    Mutant(
        "second-operand-alignment-off", INST,
        "    if ((gaddr & 0x7) && pbdev->pft != ZPCI_PFT_ISM) {\n",
        "    if (0) {\n",
        "any function accepts an unaligned second operand (only ISM may)",
        [fuzz("region-msi-dev-zio-2021"), e2e("alignment")],
        check=r"(guest-visible results follow the architecture|"
              r"not doubleword aligned\): guest sees program "
              r"interruption)"),
    Mutant(
        "host-error-cc0", INST,
        "    default:\n"
        "        setcc(cpu, ZPCI_PCI_LS_ERR);\n"
        "        s390_set_status_code(&cpu->env, r, "
        "ZPCI_PCI_ST_FUNC_IN_ERR);\n"
        "        break;\n",
        "    default:\n"
        "        setcc(cpu, ZPCI_PCI_LS_OK);\n"
        "        break;\n",
        "a failure of the host reaches the guest as condition code 0",
        [e2e("faults")],
        check=r"cc 1 status 8"),
    Mutant(
        "zio-bar-range-unchecked", VFIO,
        "    return offset < size && len <= size - offset;\n",
        "    return size || (offset < size && len <= size - offset);\n",
        "region and ism_vfio_pci requests for offsets outside the BAR "
        "reach the host (s390_pci_vfio_bar_holds() says yes to any "
        "implemented BAR)",
        [fuzz("ism-region-zio-2021")],
        check=r"no illegal host op"),
    Mutant(
        "ism-unaligned-operand-refused", INST,
        "    if ((gaddr & 0x7) && pbdev->pft != ZPCI_PFT_ISM) {\n",
        "    if (gaddr & 0x7) {\n",
        "ISM PCI Store Blocks from an unaligned guest buffer refused (the "
        "ism driver moves data from any byte of its buffers)",
        [e2e("e2e")],
        check=r"guest ism-move"),
    Mutant(
        "ism-vfio-maxstbl-from-group", VFIO,
        "        return MIN(cap->imaxstbl, ZPCI_BOUNDARY);\n",
        "        return cap->maxstbl;\n",
        "ism_vfio_pci path takes the group's maxstbl (128 on Linux) "
        "instead of imaxstbl: ISM refused",
        [e2e("e2e"), e2e("policy-table")],
        check=r"admitted"),
    Mutant(
        "unplug-leaves-function-listed", BUS,
        "        QTAILQ_REMOVE(&s->zpci_devs, pbdev, link);\n"
        "        g_hash_table_remove(s->zpci_table, &pbdev->idx);\n",
        "",
        "an unplugged zpci device stays in the function list and handle "
        "table (the guest reaches a freed function)",
        [lifecycle("unplug-replug-region")],
        check=r"^unplug-replug-region: "
              r"(QMP stays up|QEMU survives|no host op)"),
    Mutant(
        "rpcit-unmap-whole-frame", INST,
        "            coalesce += next - entry.iova;\n",
        "            coalesce += entry.len;\n",
        "RPCIT coalesces the whole frame of an invalid segment or region "
        "entry into one unmap, beyond the refreshed range and the aperture "
        "(the first version of the series' 0006 aborted QEMU)",
        [REGRESSIONS],
        check=r"^rpcit-invalid-region: "),
    Mutant(
        "reserved-handle-accepted", BUS,
        "    if (pbdev && pbdev->state != ZPCI_FS_RESERVED && "
        "pbdev->fh == fh) {\n",
        "    if (pbdev && pbdev->fh == fh) {\n",
        "the handle of a reserved function (no PCI device behind it) is "
        "accepted again: CLP QUERY PCI FUNCTION reads the missing device",
        [REGRESSIONS], r"^reserved-handle: "),
    Mutant(
        "msi-not-delivered", BUS,
        "                return;\n"
        "            }\n"
        "            s390_pci_msi_notify_init(pbdev);\n",
        "                return;\n"
        "            }\n",
        "an MSI-only passthrough function is admitted, but its MSI writes "
        "reach no adapter interrupt (ISM's interrupts are lost)",
        [LINUX_GUEST], r"B's MSI counted once in /proc/interrupts"),
    Mutant(
        "non-ism-on-ism-vfio-admitted", VFIO,
        "    if (host->ism_vfio) {\n"
        "        error_setg(errp, \"zPCI function %s (fid %u) is bound to "
        "ism_vfio_pci \"\n",
        "    if (0) {\n"
        "        error_setg(errp, \"zPCI function %s (fid %u) is bound to "
        "ism_vfio_pci \"\n",
        "a function that is not ISM but bound to ism_vfio_pci is admitted "
        "(every BAR write of it would become a PCI Store Block)",
        [e2e("policy-table")],
        r"refused .*'bound to ism_vfio_pci but is not an ISM function'"),
    Mutant(
        "ism-stb-cap-ignored", VFIO,
        "    pbdev->host.ism_stb_max = s390_pci_ism_stb_cap(pbdev);\n",
        "    pbdev->host.ism_stb_max = s390_pci_ism_stb_cap(pbdev) & 0;\n",
        "ism_vfio_pci's store block capability is ignored: the driver is "
        "recognised by its name alone",
        [e2e("policy-table")],
        r"io-path-reason names the store block capability"),
    Mutant(
        "io-region-on-without-region", VFIO,
        "    if (on && !host->zio) {\n",
        "    if (0) {\n",
        "io-region=on is not refused on a host without the region",
        [e2e("policy-table")], r"refused \(.*'io-region=on'"),
    Mutant(
        "ism-without-caps-admitted", VFIO,
        "    if (!vfio_get_device_info_cap(info, "
        "VFIO_DEVICE_INFO_CAP_ZPCI_GROUP)) {\n",
        "    if (0) {\n",
        "an ISM function whose host reports no zPCI capabilities is not "
        "refused for that (its group is QEMU's default one)",
        [e2e("policy-table")],
        r"without zPCI capabilities, ism_vfio_pci: refused"),
    Mutant(
        "clp-disable-ism-not-reset", INST,
        "            if (pbdev->pft == ZPCI_PFT_ISM && !pbdev->interp) {\n"
        "                pci_device_reset(pbdev->pdev);\n",
        "            if (0) {\n",
        "CLP disable unmaps an intercepted ISM function's DMA without "
        "resetting it first",
        [lifecycle("clp-disable-ism")], r"reset before CLP disable"),
    Mutant(
        "rpcit-no-skip", INST,
        "            next = s390_guest_io_table_skip(iommu->g_iota, next, "
        "end, empty);\n",
        "",
        "RPCIT walks every page of an invalid run again (aliased tables "
        "held the vCPU for seconds per TiB; with the step bound the "
        "refresh of nothing mapped now runs out of steps: cc 1)",
        [REGRESSIONS], r"^rpcit-aliased-.*nothing mapped refreshes with cc 0"),
    Mutant(
        "rpcit-unbounded", INST,
        "        if (++steps > 4 * (uint64_t)s390_pci_iotlb_max()) {\n",
        "        if (++steps == 0) {\n",
        "RPCIT has no step bound: once vfio's DMA limit is reached it "
        "walks every page of aliased valid tables (4 TiB)",
        [REGRESSIONS], r"^rpcit-aliased-msix-nic: "),
    Mutant(
        "host-error-stops-vm", VFIO,
        "    if (pbdev->host.ccdf_len) {\n",
        "    if (0 && pbdev->host.ccdf_len) {\n",
        "the host's PCI error of an intercepted function stops the VM "
        "(upstream's answer to vfio's error eventfd)",
        [e2e("host-errors")], r"MPCIFC reset: the VM kept running"),
    Mutant(
        "host-error-state-not-entered", VFIO,
        "        pbdev->state = ZPCI_FS_ERROR;\n",
        "",
        "a host error leaves the function enabled: on the BAR path the "
        "guest's stores go on into a host function in the error state",
        [e2e("host-errors")], r"BAR path .*MPCIFC reset: the VM kept "
        r"running"),
    Mutant(
        "host-error-no-host-reset", VFIO,
        "        ioctl(vpci->vbasedev.fd, VFIO_DEVICE_RESET)) {\n",
        "        0) {\n",
        "the guest's recovery does not reset the host function: its loads "
        "and stores keep failing on the host",
        [e2e("host-errors")], r"one host reset per recovery"),
]
