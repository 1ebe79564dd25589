/* SPDX-License-Identifier: MIT */
/*
 * Stub domain seccomp allowlists: the rule lists (data in *.def files) and
 * their compilation with libseccomp into classic BPF, once per role at start-up.
 * See stubdom_seccomp.h.
 */
#include "stubdom_seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/prctl.h>

#include <xenia/attest.h>
#include <xenia/builder.h>
#include <xenia/dm.h>

/* The .def vocabulary (see hv/stubdom_startup.def). */
#define SC_EQ(n, v)       { (n), SCMP_CMP_EQ, (scmp_datum_t)(v), 0 }
#define SC_MASK(n, m, v)  { (n), SCMP_CMP_MASKED_EQ, (scmp_datum_t)(m), (scmp_datum_t)(v) }
#define SC_NCMP(...)      (sizeof((struct scmp_arg_cmp[]){ __VA_ARGS__ }) / sizeof(struct scmp_arg_cmp))
#define SC_ALLOW(s, r)    { #s, SCMP_SYS(s), SCMP_ACT_ALLOW, 0, { { 0, 0, 0, 0 } }, r },
#define SC_ALLOW_IF(s, r, ...) \
    { #s, SCMP_SYS(s), SCMP_ACT_ALLOW, SC_NCMP(__VA_ARGS__), { __VA_ARGS__ }, r },
#define SC_ERRNO(s, e, r) { #s, SCMP_SYS(s), SCMP_ACT_ERRNO(e), 0, { { 0, 0, 0, 0 } }, r },

static const struct stubdom_rule startup_rules[] = {
#include "hv/stubdom_startup.def"
};
static const struct stubdom_rule builder_rules[] = {
#include "stubdoms/builder/seccomp.def"
};
static const struct stubdom_rule dm_rules[] = {
#include "stubdoms/dm/seccomp.def"
};
static const struct stubdom_rule console_rules[] = {
#include "stubdoms/console/seccomp.def"
};
static const struct stubdom_rule attest_rules[] = {
#include "stubdoms/attest/seccomp.def"
};

#define LIST(a) { a, sizeof(a) / sizeof(a[0]) }
static const struct {
    const struct stubdom_rule *rules;
    size_t n;
} lists[STUBDOM_NROLES + 1] = {
    [STUBDOM_BUILDER] = LIST(builder_rules),
    [STUBDOM_DM] = LIST(dm_rules),
    [STUBDOM_CONSOLE] = LIST(console_rules),
    [STUBDOM_ATTEST] = LIST(attest_rules),
    [STUBDOM_RULES_STARTUP] = LIST(startup_rules),
};

const struct stubdom_rule *stubdom_rules(unsigned which, size_t *n)
{
    if (which > STUBDOM_RULES_STARTUP) {
        *n = 0;
        return NULL;
    }
    *n = lists[which].n;
    return lists[which].rules;
}

/* Add one list's rules to ctx; returns 0 or -errno with the rule named in err. */
static int add_rules(scmp_filter_ctx ctx, unsigned which, char *err, size_t errlen)
{
    size_t n;
    const struct stubdom_rule *r = stubdom_rules(which, &n);

    for (size_t i = 0; i < n; i++) {
        int rc;

        if (r[i].nr < 0 || r[i].ncmp > STUBDOM_RULE_MAX_CMP || !r[i].reason || !r[i].reason[0]) {
            snprintf(err, errlen, "seccomp rule %s: unknown on this architecture, too many "
                     "conditions or no reason", r[i].sys);
            return -EINVAL;
        }
        rc = seccomp_rule_add_exact_array(ctx, r[i].action, r[i].nr, r[i].ncmp, r[i].cmp);
        if (rc < 0) {
            snprintf(err, errlen, "seccomp rule %s (%s): %s", r[i].sys, r[i].reason, strerror(-rc));
            return rc;
        }
    }
    return 0;
}

int stubdom_filter_compile(enum stubdom_role role, struct sock_fprog *out, char *err,
                           size_t errlen)
{
    scmp_filter_ctx ctx = NULL;
    struct sock_filter *prog = NULL;
    struct stat st;
    int fd = -1, rc;
    size_t len;

    out->filter = NULL;
    out->len = 0;
    if ((unsigned)role >= STUBDOM_NROLES) {
        snprintf(err, errlen, "seccomp: unknown role %d", (int)role);
        return -EINVAL;
    }
    ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (ctx == NULL) {
        snprintf(err, errlen, "seccomp_init failed");
        return -ENOMEM;
    }
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc < 0) {
        snprintf(err, errlen, "seccomp: bad-architecture action: %s", strerror(-rc));
        goto out;
    }
    rc = add_rules(ctx, STUBDOM_RULES_STARTUP, err, errlen);
    if (rc == 0)
        rc = add_rules(ctx, role, err, errlen);
    if (rc < 0)
        goto out;
    /* libseccomp 2.5 exports only to an fd: a memfd, read back into memory. */
    fd = memfd_create("xenia-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "seccomp: memfd_create: %s", strerror(errno));
        goto out;
    }
    rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0) {
        snprintf(err, errlen, "seccomp_export_bpf: %s", strerror(-rc));
        goto out;
    }
    if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % (off_t)sizeof(*prog) != 0 ||
        st.st_size / (off_t)sizeof(*prog) > BPF_MAXINSNS) {
        rc = -EINVAL;
        snprintf(err, errlen, "seccomp: exported program has a bad size");
        goto out;
    }
    len = (size_t)st.st_size;
    prog = malloc(len);
    if (prog == NULL) {
        rc = -ENOMEM;
        snprintf(err, errlen, "seccomp: no memory for the program");
        goto out;
    }
    if (pread(fd, prog, len, 0) != (ssize_t)len) {
        rc = -EIO;
        snprintf(err, errlen, "seccomp: reading back the program failed");
        goto out;
    }
    out->filter = prog;
    out->len = (unsigned short)(len / sizeof(*prog));
    prog = NULL;
    rc = 0;
out:
    free(prog);
    if (fd >= 0)
        close(fd);
    seccomp_release(ctx);
    return rc;
}
