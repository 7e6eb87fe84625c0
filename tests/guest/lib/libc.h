/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Minimal freestanding C helpers for the zPCI test payloads.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_LIBC_H
#define ZT_LIBC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGNED(n) __attribute__((aligned(n)))
#define PACKED __attribute__((packed))
#define NORETURN __attribute__((noreturn))

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Parse an unsigned number (decimal, or hex with 0x); *end past it */
uint64_t parse_u64(const char *s, const char **end);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* printf() writes through the SCLP console; a '\n' ends a console line */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Stop the CPU: status 0 is a clean shutdown, anything else a panic */
void payload_exit(int status) NORETURN;

static inline void barrier(void)
{
    asm volatile("" : : : "memory");
}

#endif
