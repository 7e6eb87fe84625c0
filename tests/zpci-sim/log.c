/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: per-function counters, the op log, loud errors, JSON output.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zpci-sim.h"

SimGlobal sim;

const char *sim_errname(int err)
{
    switch (err < 0 ? -err : err) {
    case 0:
        return "0";
    case EIO:
        return "EIO";
    case EINVAL:
        return "EINVAL";
    case ENOSPC:
        return "ENOSPC";
    case ENOMEM:
        return "ENOMEM";
    case EEXIST:
        return "EEXIST";
    case ENOTTY:
        return "ENOTTY";
    case ENOENT:
        return "ENOENT";
    case EBUSY:
        return "EBUSY";
    case EFAULT:
        return "EFAULT";
    case ENODEV:
        return "ENODEV";
    case ENXIO:
        return "ENXIO";
    case EBADF:
        return "EBADF";
    case ERANGE:
        return "ERANGE";
    case ENOMSG:
        return "ENOMSG";
    default:
        return "EOTHER";
    }
}

void sim_json_escape(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (; *s; s++) {
        unsigned char c = *s;

        if (c == '"' || c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, c);
        } else if (c < 0x20) {
            g_string_append_printf(out, "\\u%04x", c);
        } else {
            g_string_append_c(out, c);
        }
    }
    g_string_append_c(out, '"');
}

/*
 * Counters are allocated once per op name and then incremented in place:
 * no allocation per host operation, which the benchmark would measure.
 */
void sim_count(SimFunction *f, const char *op)
{
    uint64_t *n = g_hash_table_lookup(f->counters, op);

    if (!n) {
        n = g_new0(uint64_t, 1);
        g_hash_table_insert(f->counters, g_strdup(op), n);
    }
    (*n)++;
}

static void sim_log_append(SimFunction *f, const char *op, const char *body)
{
    GString *s;

    if (!sim.log_ops) {
        return;
    }
    s = g_string_new("{\"op\": ");
    sim_json_escape(s, op);
    if (body && *body) {
        g_string_append(s, ", ");
        g_string_append(s, body);
    }
    g_string_append_c(s, '}');
    g_ptr_array_add(f->log, g_string_free(s, FALSE));
}

/*
 * Count op and, when logging, record it; fmt gives the remaining JSON
 * members (without braces), e.g. "\"bar\": 0, \"offset\": 8, ...".
 */
void sim_log(SimFunction *f, const char *op, const char *fmt, ...)
{
    va_list ap;
    char *body;

    sim_count(f, op);
    if (!sim.log_ops) {
        return;
    }
    va_start(ap, fmt);
    body = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    sim_log_append(f, op, body);
    g_free(body);
}

/*
 * A refused operation: counted and logged as op "reject" (not under its
 * own op name), with "what" naming the refused op, the result and a reason.
 */
void sim_reject(SimFunction *f, const char *what, int err,
                const char *reason, const char *fmt, ...)
{
    va_list ap;
    GString *s = g_string_new("\"what\": ");
    char *body;

    sim_count(f, "reject");
    if (!sim.log_ops) {
        g_string_free(s, TRUE);
        return;
    }
    sim_json_escape(s, what);
    if (fmt && *fmt) {
        va_start(ap, fmt);
        body = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_string_append_printf(s, ", %s", body);
        g_free(body);
    }
    g_string_append_printf(s, ", \"result\": \"%s\", \"reason\": ",
                           sim_errname(err));
    sim_json_escape(s, reason);
    sim_log_append(f, "reject", s->str);
    g_string_free(s, TRUE);
}

/*
 * Something the simulator does not understand: always on stderr and in
 * the JSON "errors" array, so that tests fail instead of passing silently.
 */
void sim_error(const char *fmt, ...)
{
    va_list ap;
    char *msg;
    GString *s = g_string_new(NULL);

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "zpci-sim: %s\n", msg);
    sim_json_escape(s, msg);
    if (sim.errors) {
        g_ptr_array_add(sim.errors, g_string_free(s, FALSE));
    } else {
        g_string_free(s, TRUE);
    }
    g_free(msg);
}

/*
 * The digest logged with every data operation (field "sha256"): SHA-256
 * of the bytes the function received (a store) or returned (a load), as
 * 64 lowercase hex digits.
 */
void sim_digest(const void *buf, size_t n, char hex[65])
{
    GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);

    g_checksum_update(c, buf, n);
    g_strlcpy(hex, g_checksum_get_string(c), 65);
    g_checksum_free(c);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char * const *)a, *(const char * const *)b);
}

static void dump_function(GString *out, SimFunction *f)
{
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    guint i;

    sim_json_escape(out, f->name);
    g_string_append(out, ": {\n   \"model\": ");
    sim_json_escape(out, f->model->name);
    g_string_append(out, ",\n   \"host\": ");
    sim_json_escape(out, f->host->name);
    g_string_append_printf(out, ",\n   \"backing\": {\"kind\": \"%s\", "
                           "\"calls\": %llu}", sim_backing_name(f->backing),
                           (unsigned long long)f->backing_calls);
    g_string_append(out, ",\n   \"recovery\": {");
    sim_recovery_dump(f, out);
    g_string_append(out, "}");
    g_string_append(out, ",\n   \"counters\": {");
    g_hash_table_iter_init(&it, f->counters);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_ptr_array_add(keys, k);
    }
    g_ptr_array_sort(keys, cmp_str);
    for (i = 0; i < keys->len; i++) {
        const char *key = g_ptr_array_index(keys, i);

        g_string_append(out, i ? ", " : "");
        sim_json_escape(out, key);
        g_string_append_printf(out, ": %llu", (unsigned long long)
                               *(uint64_t *)g_hash_table_lookup(f->counters,
                                                                key));
    }
    g_ptr_array_free(keys, TRUE);
    g_string_append(out, "},\n   \"log\": [");
    for (i = 0; i < f->log->len; i++) {
        g_string_append(out, i ? ",\n     " : "\n     ");
        g_string_append(out, g_ptr_array_index(f->log, i));
    }
    g_string_append(out, "],\n   \"state\": {");
    if (f->model->dump_state) {
        f->model->dump_state(f, out);
    }
    g_string_append(out, "}\n  }");
}

void sim_dump_json(void)
{
    GString *out;
    char *tmp;
    guint i;
    FILE *fp;

    if (!sim.output) {
        return;
    }
    out = g_string_new("{\n \"functions\": {");
    for (i = 0; i < sim.functions->len; i++) {
        g_string_append(out, i ? ",\n  " : "\n  ");
        dump_function(out, g_ptr_array_index(sim.functions, i));
    }
    g_string_append(out, "\n },\n \"errors\": [");
    for (i = 0; i < sim.errors->len; i++) {
        g_string_append(out, i ? ",\n  " : "\n  ");
        g_string_append(out, g_ptr_array_index(sim.errors, i));
    }
    g_string_append(out, "]\n}\n");

    /* Write-then-rename so a reader never sees a half-written file */
    tmp = g_strdup_printf("%s.tmp.%d", sim.output, (int)getpid());
    fp = fopen(tmp, "w");
    if (!fp || fwrite(out->str, 1, out->len, fp) != out->len) {
        fprintf(stderr, "zpci-sim: cannot write %s: %s\n", tmp,
                strerror(errno));
        if (fp) {
            fclose(fp);
        }
    } else if (fclose(fp) != 0 || rename(tmp, sim.output) != 0) {
        fprintf(stderr, "zpci-sim: cannot rename %s: %s\n", tmp,
                strerror(errno));
    }
    g_free(tmp);
    g_string_free(out, TRUE);
}

void sim_flush(void)
{
    if (sim.flush && sim.used) {
        sim_dump_json();
    }
}
