/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Checked set-up steps that several payloads share.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */

#ifndef ZPCI_SETUP_H
#define ZPCI_SETUP_H

#include "libc.h"

/*
 * Enable the function whose handle is fh and set the bits of command in
 * its command register, reporting the checks "clp-enable" and
 * "cfg-command".  Returns false (after reporting) if the function could
 * not be enabled; *enabled is its enabled handle.
 */
bool zpci_setup_enable(uint32_t fh, uint16_t command, uint32_t *enabled);

/*
 * Find the function fid ("clp-list"), then zpci_setup_enable() it.
 */
bool zpci_setup_open(uint32_t fid, uint16_t command, uint32_t *enabled);

#endif
