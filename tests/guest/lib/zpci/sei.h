/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * CHANNEL SUBSYSTEM CALL: store event information (PCI events).
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_ZPCI_SEI_H
#define ZT_ZPCI_SEI_H

#include "libc.h"

/* Response codes of CHSC */
#define CHSC_RSP_OK         0x0001
#define CHSC_RSP_INVAL_LEN  0x0003
#define CHSC_RSP_NO_EVENT   0x0005

/* CHSC on the 4 KiB aligned block AREA; returns the condition code */
int chsc(void *area);

/*
 * Store event information with the PCI (notification type 2) selection,
 * the request block REQ_LEN bytes long (16 is the architected length).
 * The response starts at AREA + REQ_LEN; *rsp_code gets its code.
 * Returns the condition code.
 */
int chsc_sei(uint8_t *area, uint16_t req_len, uint16_t *rsp_code);

#endif
