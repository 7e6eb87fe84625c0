/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * A small vsnprintf: %d %u %x %lx %llx %p %s %c %%, widths and zero pad.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "libc.h"
#include "sclp.h"

struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, bool neg,
                    int width, char pad)
{
    char tmp[24];
    int n = 0;

    do {
        unsigned d = v % base;

        tmp[n++] = d < 10 ? '0' + d : 'a' + d - 10;
        v /= base;
    } while (v);
    if (neg) {
        tmp[n++] = '-';
    }
    while (width-- > n) {
        put(o, pad);
    }
    while (n) {
        put(o, tmp[--n]);
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        int width = 0, lng = 0;
        char pad = ' ';
        uint64_t v;

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
            if (lng) {
                int64_t s = va_arg(ap, long);

                put_num(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10, s < 0,
                        width, pad);
            } else {
                int s = va_arg(ap, int);

                put_num(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10, s < 0,
                        width, pad);
            }
            break;
        case 'u':
        case 'x':
            v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            put_num(&o, v, *fmt == 'u' ? 10 : 16, false, width, pad);
            break;
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, width, pad);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);

            if (!s) {
                s = "(null)";
            }
            for (int n = strlen(s); width > n; width--) {
                put(&o, ' ');
            }
            while (*s) {
                put(&o, *s++);
            }
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        default:
            put(&o, '%');
            put(&o, *fmt);
            if (!*fmt) {
                fmt--;
            }
            break;
        }
    }
    if (size) {
        buf[o.len < size ? o.len : size - 1] = 0;
    }
    return o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    static char buf[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    sclp_write(buf, strlen(buf));
    return n;
}
