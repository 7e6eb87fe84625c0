/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Low-core offsets and PSW bits shared by head.S and the C library.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_ASM_OFFSETS_H
#define ZT_ASM_OFFSETS_H

/* PSW mask bits (64-bit PSW) */
#define PSW_MASK_IO         0x0200000000000000
#define PSW_MASK_EXT        0x0100000000000000
#define PSW_MASK_WAIT       0x0002000000000000
#define PSW_MASK_64         0x0000000180000000

/* low-core fields (architecture) */
#define LC_PGM_ILC          0x08c
#define LC_PGM_CODE         0x08e
#define LC_SUBCHANNEL_ID    0x0b8
#define LC_IO_INT_PARM      0x0bc
#define LC_IO_INT_WORD      0x0c0
#define LC_PGM_OLD_PSW      0x150
#define LC_IO_OLD_PSW       0x170
#define LC_RESTART_NEW_PSW  0x1a0
#define LC_EXT_NEW_PSW      0x1b0
#define LC_SVC_NEW_PSW      0x1c0
#define LC_PGM_NEW_PSW      0x1d0
#define LC_MCCK_NEW_PSW     0x1e0
#define LC_IO_NEW_PSW       0x1f0

/* low-core areas the payloads use for themselves (software use) */
#define LC_PGM_SAVE         0x200
#define LC_IO_SAVE          0x280

#define STACK_FRAME         160

#endif
