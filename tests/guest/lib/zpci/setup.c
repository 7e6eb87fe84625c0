/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Checked set-up steps that several payloads share.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */

#include "report.h"
#include "zpci/clp.h"
#include "zpci/pci.h"
#include "zpci/setup.h"

bool zpci_setup_enable(uint32_t fh, uint16_t command, uint32_t *enabled)
{
    uint32_t val = 0;
    uint16_t rsp;
    int cc;

    cc = clp_enable(fh, enabled, &rsp);
    if (!report(cc == 0 && rsp == CLP_RC_OK && (*enabled & CLP_FH_ENABLED),
                "clp-enable", "cc %d rsp 0x%x fh 0x%x", cc, rsp, *enabled)) {
        return false;
    }
    cc = zpci_cfg_write(*enabled, PCI_COMMAND, 2, command);
    cc = cc ? cc : zpci_cfg_read(*enabled, PCI_COMMAND, 2, &val);
    report(cc == 0 && (val & command) == command, "cfg-command",
           "cc %d command 0x%x", cc, val);
    return true;
}

bool zpci_setup_open(uint32_t fid, uint16_t command, uint32_t *enabled)
{
    struct clp_fh_entry fn;

    if (!report(fid != ~0u && clp_find(fid, 0, 0, &fn), "clp-list",
                "fid 0x%x not listed", fid)) {
        return false;
    }
    return zpci_setup_enable(fn.fh, command, enabled);
}
