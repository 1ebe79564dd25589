/* SPDX-License-Identifier: MIT */
/* Control request validation. See ctl_decode.h. */
#include "ctl_decode.h"

#include <stdio.h>
#include <string.h>

#include <xenia/hypercall.h>
#include <xenia/layout.h>

struct op_desc {
    const char *name;
    uint32_t size;   /* exact message size */
    int nfds;        /* fds that must accompany it */
};

static const struct op_desc ops[XENIA_CTL_OP_MAX] = {
    [XENIA_CTL_CREATE]   = { "create",   sizeof(struct xenia_ctl_create),   1 },
    [XENIA_CTL_LIST]     = { "list",     sizeof(struct xenia_ctl_list),     0 },
    [XENIA_CTL_INFO]     = { "info",     sizeof(struct xenia_ctl_domid),    0 },
    [XENIA_CTL_PAUSE]    = { "pause",    sizeof(struct xenia_ctl_domid),    0 },
    [XENIA_CTL_UNPAUSE]  = { "unpause",  sizeof(struct xenia_ctl_domid),    0 },
    [XENIA_CTL_SHUTDOWN] = { "shutdown", sizeof(struct xenia_ctl_shutdown), 0 },
    [XENIA_CTL_DESTROY]  = { "destroy",  sizeof(struct xenia_ctl_domid),    0 },
    [XENIA_CTL_CONSOLE]  = { "console",  sizeof(struct xenia_ctl_domid),    0 },
    [XENIA_CTL_LOOKUP]   = { "lookup",   sizeof(struct xenia_ctl_lookup),   0 },
    [XENIA_CTL_LOADPOLICY] = { "loadpolicy", sizeof(struct xenia_ctl_loadpolicy), 1 },
    [XENIA_CTL_GETENFORCE] = { "getenforce", sizeof(struct xenia_ctl_hdr),        0 },
    [XENIA_CTL_SETENFORCE] = { "setenforce", sizeof(struct xenia_ctl_setenforce), 0 },
    [XENIA_CTL_GETBOOL]    = { "getbool",    sizeof(struct xenia_ctl_getbool),    0 },
    [XENIA_CTL_SETBOOL]    = { "setbool",    sizeof(struct xenia_ctl_setbool),    0 },
    [XENIA_CTL_AUDIT]      = { "audit",      sizeof(struct xenia_ctl_audit),      0 },
};

const char *ctl_op_name(unsigned op)
{
    if (op >= XENIA_CTL_OP_MAX || ops[op].name == NULL)
        return "?";
    return ops[op].name;
}

int ctl_name_valid(const char *name)
{
    size_t n = strnlen(name, XENIA_NAME_MAX);

    if (n == 0 || n >= XENIA_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int ctl_seclabel_valid(const char *label)
{
    size_t n = strnlen(label, XENIA_SECLABEL_MAX);

    if (n >= XENIA_SECLABEL_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = label[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == ':' || c == ',' || c == '-'))
            return 0;
    }
    return 1;
}

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

#define FAIL(code, ...) do { snprintf(err, errlen, __VA_ARGS__); return (code); } while (0)

static int check_create(const struct xenia_ctl_create *c, char *err, size_t errlen)
{
    if (!ctl_name_valid(c->name))
        FAIL(-XENIA_EINVAL, "domain name must be 1-63 characters of [A-Za-z0-9_.-]");
    if (c->memory_mib < XENIA_MEM_MIN_MIB || c->memory_mib > XENIA_MEM_MAX_MIB)
        FAIL(-XENIA_ERANGE, "memory %u MiB is outside %u..%u MiB", c->memory_mib,
             XENIA_MEM_MIN_MIB, XENIA_MEM_MAX_MIB);
    if (c->vcpus != 1)
        FAIL(-XENIA_EOPNOTSUPP, "vcpus %u: only 1 vCPU per domain is supported", c->vcpus);
    if (c->cap > 100)
        FAIL(-XENIA_ERANGE, "cap %u%% is above 100%%", c->cap);
    if (c->on_poweroff > XENIA_ACTION_RESTART || c->on_reboot > XENIA_ACTION_RESTART ||
        c->on_crash > XENIA_ACTION_RESTART)
        FAIL(-XENIA_EINVAL, "unknown on_poweroff/on_reboot/on_crash action");
    if (c->flags & ~XENIA_CREATE_F_MASK)
        FAIL(-XENIA_EINVAL, "unknown create flags 0x%x", c->flags);
    if ((c->flags & XENIA_CREATE_F_DISK_RO) && !(c->flags & XENIA_CREATE_F_DISK))
        FAIL(-XENIA_EINVAL, "create flag DISK_RO without a disk");
    if (!all_zero(c->pad, sizeof(c->pad)))
        FAIL(-XENIA_EINVAL, "non-zero padding in create request");
    if (strnlen(c->cmdline, XENIA_CMDLINE_MAX) >= XENIA_CMDLINE_MAX)
        FAIL(-XENIA_EINVAL, "command line is not NUL-terminated within %u bytes",
             XENIA_CMDLINE_MAX);
    if (!ctl_seclabel_valid(c->seclabel))
        FAIL(-XENIA_EINVAL, "seclabel must be a NUL-terminated context of [A-Za-z0-9_.:,-] "
             "shorter than %u bytes", XENIA_SECLABEL_MAX);
    return 0;
}

int ctl_decode(const void *buf, size_t len, int nfds, union ctl_req *out,
               char *err, size_t errlen)
{
    struct xenia_ctl_hdr h;
    const struct op_desc *d;

    if (len < sizeof(h))
        FAIL(-XENIA_EPROTO, "message of %zu bytes is shorter than a header", len);
    memcpy(&h, buf, sizeof(h));
    if (h.magic != XENIA_CTL_MAGIC)
        FAIL(-XENIA_EPROTO, "bad magic 0x%08x", h.magic);
    if (h.version != XENIA_CTL_VERSION)
        FAIL(-XENIA_EPROTO, "protocol version %u, hv speaks %u", h.version, XENIA_CTL_VERSION);
    if (h.op >= XENIA_CTL_OP_MAX || ops[h.op].name == NULL)
        FAIL(-XENIA_ENOSYS, "unknown operation %u", h.op);
    d = &ops[h.op];
    if (h.len != d->size || len != d->size)
        FAIL(-XENIA_EPROTO, "%s: message is %zu bytes (header says %u), expected %u",
             d->name, len, h.len, d->size);
    {
        int want = d->nfds;
        /* CREATE with XENIA_CREATE_F_DISK carries the disk image as a second fd. */
        if (h.op == XENIA_CTL_CREATE &&
            (((const struct xenia_ctl_create *)buf)->flags & XENIA_CREATE_F_DISK))
            want = 2;
        if (nfds != want)
            FAIL(-XENIA_EINVAL, "%s: expected %d file descriptor(s), got %d", d->name, want, nfds);
    }
    memset(out, 0, sizeof(*out));
    memcpy(out, buf, len);

    switch (h.op) {
    case XENIA_CTL_CREATE:
        return check_create(&out->create, err, errlen);
    case XENIA_CTL_LIST:
        if (out->list.pad)
            FAIL(-XENIA_EINVAL, "non-zero padding");
        return 0;
    case XENIA_CTL_SHUTDOWN:
        if (out->shutdown.reason != XENIA_SHUTDOWN_poweroff &&
            out->shutdown.reason != XENIA_SHUTDOWN_reboot)
            FAIL(-XENIA_EINVAL, "shutdown reason %u: only poweroff (0) and reboot (1)",
                 out->shutdown.reason);
        return 0;
    case XENIA_CTL_LOOKUP:
        if (!ctl_name_valid(out->lookup.name))
            FAIL(-XENIA_EINVAL, "domain name must be 1-63 characters of [A-Za-z0-9_.-]");
        return 0;
    case XENIA_CTL_LOADPOLICY:
        if (out->loadpolicy.pad)
            FAIL(-XENIA_EINVAL, "non-zero padding");
        if (out->loadpolicy.size == 0 || out->loadpolicy.size > XENIA_POLICY_MAX)
            FAIL(-XENIA_E2BIG, "policy of %u bytes: must be 1..%u bytes", out->loadpolicy.size,
                 XENIA_POLICY_MAX);
        return 0;
    case XENIA_CTL_GETENFORCE:
        return 0;
    case XENIA_CTL_SETENFORCE:
        if (out->setenforce.pad)
            FAIL(-XENIA_EINVAL, "non-zero padding");
        if (out->setenforce.enforcing > 1)
            FAIL(-XENIA_EINVAL, "enforcing must be 0 or 1, not %u", out->setenforce.enforcing);
        return 0;
    case XENIA_CTL_GETBOOL:
        if (out->getbool.pad)
            FAIL(-XENIA_EINVAL, "non-zero padding");
        return 0;
    case XENIA_CTL_SETBOOL: {
        size_t n = strnlen(out->setbool.name, XENIA_BOOLNAME_MAX);
        if (out->setbool.pad)
            FAIL(-XENIA_EINVAL, "non-zero padding");
        if (n == 0 || n >= XENIA_BOOLNAME_MAX)
            FAIL(-XENIA_EINVAL, "boolean name must be 1-%u characters", XENIA_BOOLNAME_MAX - 1);
        if (out->setbool.value > 1)
            FAIL(-XENIA_EINVAL, "boolean value must be 0 or 1, not %u", out->setbool.value);
        return 0;
    }
    case XENIA_CTL_AUDIT:
        return 0;
    default: /* struct xenia_ctl_domid */
        if (out->dom.pad)
            FAIL(-XENIA_EINVAL, "non-zero padding");
        return 0;
    }
}
