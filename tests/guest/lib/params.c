/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Scenario parameters that the runner places in guest memory.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "params.h"

static const char *params_base(void)
{
    return (const char *)(uintptr_t)PARAMS_ADDR;
}

bool params_present(void)
{
    return !strncmp(params_base(), PARAMS_MAGIC, strlen(PARAMS_MAGIC));
}

/* Find the value of key; returns a pointer to it or NULL */
static const char *param_find(const char *key)
{
    const char *p, *end;
    size_t klen = strlen(key);

    if (!params_present()) {
        return NULL;
    }
    p = params_base() + strlen(PARAMS_MAGIC);
    end = params_base() + PARAMS_MAX;
    while (p < end && *p) {
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            return p + klen + 1;
        }
        while (p < end && *p && *p != '\n') {
            p++;
        }
        if (p < end && *p == '\n') {
            p++;
        }
    }
    return NULL;
}

uint64_t param_u64(const char *key, uint64_t def)
{
    const char *v = param_find(key);

    return v ? parse_u64(v, NULL) : def;
}

const char *param_str(const char *key, char *buf, size_t size,
                      const char *def)
{
    const char *v = param_find(key);
    size_t n = 0;

    if (!v) {
        return def;
    }
    while (n + 1 < size && v[n] && v[n] != '\n') {
        buf[n] = v[n];
        n++;
    }
    buf[n] = 0;
    return buf;
}

unsigned param_list(const char *count_key, const char *prefix,
                    uint32_t *out, unsigned max)
{
    unsigned n = param_u64(count_key, 0);
    char key[32];

    if (n > max) {
        n = max;
    }
    for (unsigned i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s%u", prefix, i);
        out[i] = param_u64(key, ~0ull);
    }
    return n;
}
