/* SPDX-License-Identifier: MIT */
/* Unit tests for hv/ctl_decode.c: every malformed control message is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <xenia/ctl.h>
#include <xenia/hypercall.h>

#include "../../hv/ctl_decode.h"

static char err[XENIA_ERRMSG_MAX];
static union ctl_req out;

static void hdr(struct xenia_ctl_hdr *h, uint16_t op, uint32_t len)
{
    h->magic = XENIA_CTL_MAGIC;
    h->version = XENIA_CTL_VERSION;
    h->op = op;
    h->len = len;
    h->seq = 42;
}

static struct xenia_ctl_create good_create(void)
{
    struct xenia_ctl_create c;
    memset(&c, 0, sizeof(c));
    hdr(&c.hdr, XENIA_CTL_CREATE, sizeof(c));
    strcpy(c.name, "tenant-a.web_1");
    c.memory_mib = 16;
    c.vcpus = 1;
    strcpy(c.cmdline, "console=hvc0");
    return c;
}

static void create_ok_and_bad(void **state)
{
    struct xenia_ctl_create c = good_create();
    (void)state;
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), 0);
    assert_string_equal(out.create.name, "tenant-a.web_1");
    assert_int_equal(ctl_decode(&c, sizeof(c), 0, &out, err, sizeof(err)), -XENIA_EINVAL);
    assert_non_null(strstr(err, "file descriptor"));
    assert_int_equal(ctl_decode(&c, sizeof(c), 2, &out, err, sizeof(err)), -XENIA_EINVAL);

    c = good_create(); c.memory_mib = 3;
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_ERANGE);
    assert_non_null(strstr(err, "memory 3 MiB"));
    c = good_create(); c.memory_mib = 0xffffffffu;
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_ERANGE);
    c = good_create(); c.vcpus = 2;
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EOPNOTSUPP);
    c = good_create(); c.cap = 101;
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_ERANGE);
    c = good_create(); c.on_crash = 3;
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
    c = good_create(); c.flags = 0x80;
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
    c = good_create(); c.pad[3] = 1;
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
    assert_non_null(strstr(err, "padding"));
    c = good_create(); memset(c.cmdline, 'x', sizeof(c.cmdline));
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
    c = good_create(); memset(c.name, 'x', sizeof(c.name));
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
    c = good_create(); strcpy(c.name, "has space");
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
    c = good_create(); c.name[0] = 0;
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
    c = good_create(); strcpy(c.name, "../etc");
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
}

static void header_checks(void **state)
{
    struct xenia_ctl_domid m;
    char big[sizeof(union ctl_req) + 8];
    (void)state;
    memset(&m, 0, sizeof(m));
    hdr(&m.hdr, XENIA_CTL_INFO, sizeof(m));
    assert_int_equal(ctl_decode(&m, sizeof(m), 0, &out, err, sizeof(err)), 0);
    assert_int_equal(ctl_decode(&m, 3, 0, &out, err, sizeof(err)), -XENIA_EPROTO);
    assert_int_equal(ctl_decode(&m, sizeof(m) - 1, 0, &out, err, sizeof(err)), -XENIA_EPROTO);
    m.hdr.len = sizeof(m) + 4;
    assert_int_equal(ctl_decode(&m, sizeof(m), 0, &out, err, sizeof(err)), -XENIA_EPROTO);
    m.hdr.len = sizeof(m);
    m.hdr.magic ^= 1;
    assert_int_equal(ctl_decode(&m, sizeof(m), 0, &out, err, sizeof(err)), -XENIA_EPROTO);
    m.hdr.magic ^= 1;
    m.hdr.version = XENIA_CTL_VERSION - 1;   /* an older client */
    assert_int_equal(ctl_decode(&m, sizeof(m), 0, &out, err, sizeof(err)), -XENIA_EPROTO);
    m.hdr.version = XENIA_CTL_VERSION;
    m.hdr.op = 0;
    assert_int_equal(ctl_decode(&m, sizeof(m), 0, &out, err, sizeof(err)), -XENIA_ENOSYS);
    m.hdr.op = XENIA_CTL_OP_MAX;
    assert_int_equal(ctl_decode(&m, sizeof(m), 0, &out, err, sizeof(err)), -XENIA_ENOSYS);
    m.hdr.op = 0xffff;
    assert_int_equal(ctl_decode(&m, sizeof(m), 0, &out, err, sizeof(err)), -XENIA_ENOSYS);
    m.hdr.op = XENIA_CTL_DESTROY;
    m.pad = 1;
    assert_int_equal(ctl_decode(&m, sizeof(m), 0, &out, err, sizeof(err)), -XENIA_EINVAL);
    m.pad = 0;
    assert_int_equal(ctl_decode(&m, sizeof(m), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
    memset(big, 0, sizeof(big));
    memcpy(big, &m, sizeof(m));
    assert_int_equal(ctl_decode(big, sizeof(big), 0, &out, err, sizeof(err)), -XENIA_EPROTO);
}

/* The XSM operations: sizes, fds, value ranges, padding, strings. */
static void xsm_ops(void **state)
{
    struct xenia_ctl_loadpolicy lp;
    struct xenia_ctl_setenforce se;
    struct xenia_ctl_setbool sb;
    struct xenia_ctl_getbool gb;
    struct xenia_ctl_audit au;
    struct xenia_ctl_hdr ge;
    struct xenia_ctl_create c;
    (void)state;

    memset(&lp, 0, sizeof(lp));
    hdr(&lp.hdr, XENIA_CTL_LOADPOLICY, sizeof(lp));
    lp.size = 4096;
    assert_int_equal(ctl_decode(&lp, sizeof(lp), 1, &out, err, sizeof(err)), 0);
    assert_int_equal(ctl_decode(&lp, sizeof(lp), 0, &out, err, sizeof(err)), -XENIA_EINVAL);
    lp.size = 0;
    assert_int_equal(ctl_decode(&lp, sizeof(lp), 1, &out, err, sizeof(err)), -XENIA_E2BIG);
    lp.size = XENIA_POLICY_MAX + 1;
    assert_int_equal(ctl_decode(&lp, sizeof(lp), 1, &out, err, sizeof(err)), -XENIA_E2BIG);
    lp.size = 10;
    lp.pad = 1;
    assert_int_equal(ctl_decode(&lp, sizeof(lp), 1, &out, err, sizeof(err)), -XENIA_EINVAL);

    hdr(&ge, XENIA_CTL_GETENFORCE, sizeof(ge));
    assert_int_equal(ctl_decode(&ge, sizeof(ge), 0, &out, err, sizeof(err)), 0);

    memset(&se, 0, sizeof(se));
    hdr(&se.hdr, XENIA_CTL_SETENFORCE, sizeof(se));
    se.enforcing = 1;
    assert_int_equal(ctl_decode(&se, sizeof(se), 0, &out, err, sizeof(err)), 0);
    se.enforcing = 2;
    assert_int_equal(ctl_decode(&se, sizeof(se), 0, &out, err, sizeof(err)), -XENIA_EINVAL);

    memset(&sb, 0, sizeof(sb));
    hdr(&sb.hdr, XENIA_CTL_SETBOOL, sizeof(sb));
    strcpy(sb.name, "tenant_can_shutdown");
    sb.value = 1;
    assert_int_equal(ctl_decode(&sb, sizeof(sb), 0, &out, err, sizeof(err)), 0);
    sb.value = 7;
    assert_int_equal(ctl_decode(&sb, sizeof(sb), 0, &out, err, sizeof(err)), -XENIA_EINVAL);
    sb.value = 0;
    memset(sb.name, 'x', sizeof(sb.name));                  /* unterminated */
    assert_int_equal(ctl_decode(&sb, sizeof(sb), 0, &out, err, sizeof(err)), -XENIA_EINVAL);
    memset(sb.name, 0, sizeof(sb.name));                    /* empty */
    assert_int_equal(ctl_decode(&sb, sizeof(sb), 0, &out, err, sizeof(err)), -XENIA_EINVAL);

    memset(&gb, 0, sizeof(gb));
    hdr(&gb.hdr, XENIA_CTL_GETBOOL, sizeof(gb));
    assert_int_equal(ctl_decode(&gb, sizeof(gb), 0, &out, err, sizeof(err)), 0);
    gb.pad = 3;
    assert_int_equal(ctl_decode(&gb, sizeof(gb), 0, &out, err, sizeof(err)), -XENIA_EINVAL);

    memset(&au, 0, sizeof(au));
    hdr(&au.hdr, XENIA_CTL_AUDIT, sizeof(au));
    au.after = ~0ull;
    assert_int_equal(ctl_decode(&au, sizeof(au), 0, &out, err, sizeof(err)), 0);
    assert_int_equal(ctl_decode(&au, sizeof(au) - 8, 0, &out, err, sizeof(err)), -XENIA_EPROTO);

    /* seclabel: context characters only, NUL-terminated. */
    c = good_create();
    strcpy(c.seclabel, "tenant_u:tenant_r:domU_t:s0:c1,c3.c5");
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), 0);
    strcpy(c.seclabel, "tenant_u:tenant_r:domU_t:s0 c1");
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
    memset(c.seclabel, 'a', sizeof(c.seclabel));
    assert_int_equal(ctl_decode(&c, sizeof(c), 1, &out, err, sizeof(err)), -XENIA_EINVAL);
}

static void shutdown_and_lookup(void **state)
{
    struct xenia_ctl_shutdown s;
    struct xenia_ctl_lookup l;
    (void)state;
    memset(&s, 0, sizeof(s));
    hdr(&s.hdr, XENIA_CTL_SHUTDOWN, sizeof(s));
    s.reason = XENIA_SHUTDOWN_reboot;
    assert_int_equal(ctl_decode(&s, sizeof(s), 0, &out, err, sizeof(err)), 0);
    s.reason = XENIA_SHUTDOWN_crash;
    assert_int_equal(ctl_decode(&s, sizeof(s), 0, &out, err, sizeof(err)), -XENIA_EINVAL);
    memset(&l, 0, sizeof(l));
    hdr(&l.hdr, XENIA_CTL_LOOKUP, sizeof(l));
    strcpy(l.name, "hello");
    assert_int_equal(ctl_decode(&l, sizeof(l), 0, &out, err, sizeof(err)), 0);
    l.name[5] = '/';
    assert_int_equal(ctl_decode(&l, sizeof(l), 0, &out, err, sizeof(err)), -XENIA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_ok_and_bad),
        cmocka_unit_test(header_checks),
        cmocka_unit_test(shutdown_and_lookup),
        cmocka_unit_test(xsm_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
