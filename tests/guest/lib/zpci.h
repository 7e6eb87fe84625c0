/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Umbrella header of the payloads' zPCI library.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_ZPCI_H
#define ZT_ZPCI_H

#include "libc.h"
#include "interrupt.h"
#include "params.h"
#include "report.h"
#include "timer.h"
#include "zpci/clp.h"
#include "zpci/dma.h"
#include "zpci/irq.h"
#include "zpci/mpcifc.h"
#include "zpci/msix.h"
#include "zpci/pci.h"
#include "zpci/rpcit.h"
#include "zpci/sei.h"
#include "zpci/setup.h"

#endif
