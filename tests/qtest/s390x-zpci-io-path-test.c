/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QTest for the I/O path properties of the s390x zpci device
 *
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"

#define ZPCI_PATH "/machine/peripheral/z0"

static char *zpci_get_str(QTestState *qts, const char *path,
                          const char *prop)
{
    QDict *rsp;
    char *val;

    rsp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                    "{ 'path': %s, 'property': %s } }", path, prop);
    g_assert(qdict_haskey(rsp, "return"));
    val = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return val;
}

/* An emulated function always takes QEMU's memory regions */
static void test_emulated_path(void)
{
    QTestState *qts;
    g_autofree char *region = NULL;
    g_autofree char *path = NULL;
    g_autofree char *reason = NULL;

    qts = qtest_init("-device zpci,uid=1,fid=1,target=s0,id=z0 "
                     "-device virtio-serial-pci,id=s0");
    region = zpci_get_str(qts, ZPCI_PATH, "io-region");
    path = zpci_get_str(qts, ZPCI_PATH, "io-path");
    reason = zpci_get_str(qts, ZPCI_PATH, "io-path-reason");
    g_assert_cmpstr(region, ==, "auto");
    g_assert_cmpstr(path, ==, "bar");
    g_assert_nonnull(strstr(reason, "emulated"));
    qtest_quit(qts);
}

/* A zpci device without a PCI function has no path yet */
static void test_unplugged_path(void)
{
    QTestState *qts;
    g_autofree char *path = NULL;

    qts = qtest_init("-device zpci,uid=1,fid=1,target=none,id=z0");
    path = zpci_get_str(qts, ZPCI_PATH, "io-path");
    g_assert_cmpstr(path, ==, "");
    qtest_quit(qts);
}

/* io-region=on cannot be honoured for an emulated function */
static void test_emulated_region_on(void)
{
    QTestState *qts;
    QDict *rsp, *err;

    qts = qtest_init("-device zpci,uid=1,fid=1,target=s0,id=z0,"
                     "io-region=on");
    rsp = qtest_qmp(qts, "{ 'execute': 'device_add', 'arguments': "
                    "{ 'driver': 'virtio-serial-pci', 'id': 's0' } }");
    g_assert(qdict_haskey(rsp, "error"));
    err = qdict_get_qdict(rsp, "error");
    g_assert_nonnull(strstr(qdict_get_str(err, "desc"),
                            "io-region=on applies to vfio-pci passthrough"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

/* The property takes on, off and auto only */
static void test_region_values(void)
{
    QTestState *qts;
    QDict *rsp;

    qts = qtest_init("");
    rsp = qtest_qmp(qts, "{ 'execute': 'device_add', 'arguments': "
                    "{ 'driver': 'zpci', 'target': 'x', 'id': 'z1', "
                    "'io-region': 'sometimes' } }");
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{ 'execute': 'device_add', 'arguments': "
                    "{ 'driver': 'zpci', 'target': 'x', 'id': 'z1', "
                    "'io-region': 'off' } }");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/zpci/io-path/emulated", test_emulated_path);
    qtest_add_func("/zpci/io-path/unplugged", test_unplugged_path);
    qtest_add_func("/zpci/io-region/emulated-on",
                   test_emulated_region_on);
    qtest_add_func("/zpci/io-region/values", test_region_values);

    return g_test_run();
}
