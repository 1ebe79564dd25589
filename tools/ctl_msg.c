/* SPDX-License-Identifier: MIT */
/*
 * Control protocol messages, client side (see ctl_msg.h and include/xenia/ctl.h).
 */
#include "ctl_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

_Static_assert(sizeof(struct xenia_ctl_audit_reply) <= XENIA_CTL_REPLY_MAX, "audit reply fits");
_Static_assert(sizeof(struct xenia_ctl_getenforce_reply) <= XENIA_CTL_REPLY_MAX, "status fits");
_Static_assert(sizeof(struct xenia_ctl_bool_reply) <= XENIA_CTL_REPLY_MAX, "bool reply fits");

static void hdr_init(struct xenia_ctl_hdr *h, uint16_t op, uint32_t len, uint32_t seq)
{
    h->magic = XENIA_CTL_MAGIC;
    h->version = (uint16_t)XENIA_CTL_VERSION;
    h->op = op;
    h->len = len;
    h->seq = seq;
}

/* [A-Za-z0-9_.-]{1,63} (ctl.h); kept here so that ctl_msg.o links alone. */
static int name_ok(const char *s)
{
    size_t i;

    if (!s || !*s)
        return 0;
    for (i = 0; s[i]; i++) {
        char c = s[i];

        if (i >= XENIA_NAME_MAX - 1)
            return 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int xenia_ctl_seclabel_ok(const char *s)
{
    size_t i;

    if (!s)
        return 0;
    for (i = 0; s[i]; i++) {
        char c = s[i];

        if (i >= XENIA_SECLABEL_MAX - 1)
            return 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == ':' || c == ',' || c == '-'))
            return 0;
    }
    return 1;
}

int xenia_ctl_boolname_ok(const char *s)
{
    size_t i;

    if (!s || !*s)
        return 0;
    for (i = 0; s[i]; i++)
        if (i >= XENIA_BOOLNAME_MAX - 1 || (unsigned char)s[i] <= 0x20 ||
            (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

static int action_ok(uint8_t a)
{
    return a == XENIA_ACTION_DESTROY || a == XENIA_ACTION_PRESERVE || a == XENIA_ACTION_RESTART;
}

int xenia_ctl_build_create(struct xenia_ctl_create *m, uint32_t seq,
                           const struct xenia_domcfg *cfg, uint8_t flags)
{
    size_t cl;

    if (!m || !cfg)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    /* the disk bits come from cfg alone, so the request always agrees with it */
    if ((flags & (XENIA_CREATE_F_DISK | XENIA_CREATE_F_DISK_RO)) || cfg->has_disk > 1 ||
        cfg->disk_ro > 1 || (cfg->disk_ro && !cfg->has_disk))
        return -XENIA_EINVAL;
    if (!name_ok(cfg->name) || (flags & ~XENIA_CREATE_F_MASK) ||
        cfg->memory_mib < XENIA_MEM_MIN_MIB || cfg->memory_mib > XENIA_MEM_MAX_MIB ||
        cfg->vcpus != 1 || cfg->cap > 100 || !action_ok(cfg->on_poweroff) ||
        !action_ok(cfg->on_reboot) || !action_ok(cfg->on_crash))
        return -XENIA_EINVAL;
    cl = strnlen(cfg->cmdline, sizeof(cfg->cmdline));
    if (cl >= sizeof(m->cmdline))
        return -XENIA_EINVAL;
    if (!memchr(cfg->seclabel, '\0', sizeof(cfg->seclabel)) ||
        !xenia_ctl_seclabel_ok(cfg->seclabel))
        return -XENIA_EINVAL;
    hdr_init(&m->hdr, XENIA_CTL_CREATE, sizeof(*m), seq);
    memcpy(m->name, cfg->name, strlen(cfg->name));   /* < XENIA_NAME_MAX: name_ok */
    m->memory_mib = cfg->memory_mib;
    m->vcpus = cfg->vcpus;
    m->cap = cfg->cap;
    m->on_poweroff = cfg->on_poweroff;
    m->on_reboot = cfg->on_reboot;
    m->on_crash = cfg->on_crash;
    m->flags = (uint8_t)(flags | (cfg->has_disk ? XENIA_CREATE_F_DISK : 0) |
                         (cfg->disk_ro ? XENIA_CREATE_F_DISK_RO : 0));
    memcpy(m->cmdline, cfg->cmdline, cl);
    memcpy(m->seclabel, cfg->seclabel, strlen(cfg->seclabel));   /* < XENIA_SECLABEL_MAX */
    return 0;
}

int xenia_ctl_build_domid(struct xenia_ctl_domid *m, uint16_t op, uint32_t seq, uint32_t domid)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    if (op != XENIA_CTL_INFO && op != XENIA_CTL_PAUSE && op != XENIA_CTL_UNPAUSE &&
        op != XENIA_CTL_DESTROY && op != XENIA_CTL_CONSOLE)
        return -XENIA_EINVAL;
    if (domid == XENIA_DOMID_INVALID)
        return -XENIA_EINVAL;
    hdr_init(&m->hdr, op, sizeof(*m), seq);
    m->domid = domid;
    return 0;
}

int xenia_ctl_build_shutdown(struct xenia_ctl_shutdown *m, uint32_t seq, uint32_t domid,
                             uint32_t reason)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    if (domid == XENIA_DOMID_INVALID ||
        (reason != XENIA_SHUTDOWN_poweroff && reason != XENIA_SHUTDOWN_reboot))
        return -XENIA_EINVAL;
    hdr_init(&m->hdr, XENIA_CTL_SHUTDOWN, sizeof(*m), seq);
    m->domid = domid;
    m->reason = reason;
    return 0;
}

int xenia_ctl_build_lookup(struct xenia_ctl_lookup *m, uint32_t seq, const char *name)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    if (!name_ok(name))
        return -XENIA_EINVAL;
    hdr_init(&m->hdr, XENIA_CTL_LOOKUP, sizeof(*m), seq);
    memcpy(m->name, name, strlen(name));
    return 0;
}

int xenia_ctl_build_list(struct xenia_ctl_list *m, uint32_t seq, uint32_t start_domid)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    hdr_init(&m->hdr, XENIA_CTL_LIST, sizeof(*m), seq);
    m->start_domid = start_domid;
    return 0;
}

int xenia_ctl_build_loadpolicy(struct xenia_ctl_loadpolicy *m, uint32_t seq, uint64_t size)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    if (size == 0)
        return -XENIA_EINVAL;
    if (size > XENIA_POLICY_MAX)
        return -XENIA_E2BIG;
    hdr_init(&m->hdr, XENIA_CTL_LOADPOLICY, sizeof(*m), seq);
    m->size = (uint32_t)size;
    return 0;
}

int xenia_ctl_build_getenforce(struct xenia_ctl_hdr *m, uint32_t seq)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    hdr_init(m, XENIA_CTL_GETENFORCE, sizeof(*m), seq);
    return 0;
}

int xenia_ctl_build_setenforce(struct xenia_ctl_setenforce *m, uint32_t seq, uint32_t enforcing)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    if (enforcing > 1)
        return -XENIA_EINVAL;
    hdr_init(&m->hdr, XENIA_CTL_SETENFORCE, sizeof(*m), seq);
    m->enforcing = enforcing;
    return 0;
}

int xenia_ctl_build_getbool(struct xenia_ctl_getbool *m, uint32_t seq, uint32_t index)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    hdr_init(&m->hdr, XENIA_CTL_GETBOOL, sizeof(*m), seq);
    m->index = index;
    return 0;
}

int xenia_ctl_build_setbool(struct xenia_ctl_setbool *m, uint32_t seq, const char *name,
                            uint32_t value)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    if (!xenia_ctl_boolname_ok(name) || value > 1)
        return -XENIA_EINVAL;
    hdr_init(&m->hdr, XENIA_CTL_SETBOOL, sizeof(*m), seq);
    memcpy(m->name, name, strlen(name));    /* < XENIA_BOOLNAME_MAX: boolname_ok */
    m->value = value;
    return 0;
}

int xenia_ctl_build_audit(struct xenia_ctl_audit *m, uint32_t seq, uint64_t after)
{
    if (!m)
        return -XENIA_EINVAL;
    memset(m, 0, sizeof(*m));
    hdr_init(&m->hdr, XENIA_CTL_AUDIT, sizeof(*m), seq);
    m->after = after;
    return 0;
}

size_t xenia_ctl_reply_size(unsigned op)
{
    switch (op) {
    case XENIA_CTL_LIST:
        return sizeof(struct xenia_ctl_list_reply);
    case XENIA_CTL_INFO:
        return sizeof(struct xenia_ctl_info_reply);
    case XENIA_CTL_GETENFORCE:
        return sizeof(struct xenia_ctl_getenforce_reply);
    case XENIA_CTL_GETBOOL:
        return sizeof(struct xenia_ctl_bool_reply);
    case XENIA_CTL_AUDIT:
        return sizeof(struct xenia_ctl_audit_reply);
    case XENIA_CTL_LOADPOLICY:
    case XENIA_CTL_SETENFORCE:
    case XENIA_CTL_SETBOOL:
    case XENIA_CTL_CREATE:
    case XENIA_CTL_PAUSE:
    case XENIA_CTL_UNPAUSE:
    case XENIA_CTL_SHUTDOWN:
    case XENIA_CTL_DESTROY:
    case XENIA_CTL_CONSOLE:
    case XENIA_CTL_LOOKUP:
        return sizeof(struct xenia_ctl_reply);
    default:
        return 0;
    }
}

static int bad(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return -XENIA_EPROTO;
}

static int check_dominfo(const struct xenia_dominfo *d, char *why, size_t whylen)
{
    if (!memchr(d->name, '\0', sizeof(d->name)))
        return bad(why, whylen, "domain name not NUL-terminated");
    if (!memchr(d->crash_info, '\0', sizeof(d->crash_info)))
        return bad(why, whylen, "crash_info not NUL-terminated");
    if (!memchr(d->seclabel, '\0', sizeof(d->seclabel)))
        return bad(why, whylen, "seclabel not NUL-terminated");
    if (d->pad != 0)
        return bad(why, whylen, "non-zero pad in domain info");
    return 0;
}

static int check_info(const struct xenia_ctl_info_reply *r, char *why, size_t whylen)
{
    uint32_t i;
    int rc = check_dominfo(&r->info, why, whylen);

    if (rc < 0)
        return rc;
    if (r->pad != 0)
        return bad(why, whylen, "non-zero pad in info reply");
    if (r->nr_stubdoms > XENIA_STUBDOM_MAX)
        return bad(why, whylen, "info reply with %u stub domains (at most %u)",
                   r->nr_stubdoms, XENIA_STUBDOM_MAX);
    /* entries past nr_stubdoms are not looked at */
    for (i = 0; i < r->nr_stubdoms; i++) {
        const struct xenia_stubdom_info *s = &r->stubdom[i];

        if (!xenia_ctl_stubdom_role_name(s->role))
            return bad(why, whylen, "stub domain with unknown role %u", s->role);
        if (s->pid < 0)
            return bad(why, whylen, "stub domain with pid %d", s->pid);
        if (!memchr(s->seclabel, '\0', sizeof(s->seclabel)))
            return bad(why, whylen, "stub domain seclabel not NUL-terminated");
        if (!memchr(s->last_exit, '\0', sizeof(s->last_exit)))
            return bad(why, whylen, "stub domain last_exit not NUL-terminated");
    }
    return 0;
}

int xenia_ctl_audit_next(const char *text, size_t len, size_t *pos, uint64_t *seq,
                         const char **line, size_t *linelen)
{
    size_t p, start;
    uint64_t v = 0;
    const char *nl;

    if (!text || !pos || !seq || !line || !linelen || *pos > len)
        return -XENIA_EPROTO;
    p = *pos;
    if (p == len)
        return 0;
    start = p;
    while (p < len && text[p] >= '0' && text[p] <= '9') {
        unsigned d = (unsigned)(text[p] - '0');

        if (v > (UINT64_MAX - d) / 10)
            return -XENIA_EPROTO;
        v = v * 10 + d;
        p++;
    }
    if (p == start || p - start > 20 || p >= len || text[p] != ' ')
        return -XENIA_EPROTO;
    p++;
    nl = memchr(text + p, '\n', len - p);
    if (!nl || memchr(text + p, '\0', (size_t)(nl - (text + p))))
        return -XENIA_EPROTO;
    *seq = v;
    *line = text + p;
    *linelen = (size_t)(nl - (text + p));
    *pos = (size_t)(nl - text) + 1;
    return 1;
}

static int check_audit(const struct xenia_ctl_audit_reply *a, char *why, size_t whylen)
{
    size_t pos = 0, ll;
    uint64_t seq = 0, prev = 0;
    const char *line;
    unsigned nlines = 0;
    int rc;

    if (a->len > XENIA_AUDIT_CHUNK)
        return bad(why, whylen, "audit reply with %u bytes of text (at most %u)", a->len,
                   XENIA_AUDIT_CHUNK);
    if (a->more > 1)
        return bad(why, whylen, "audit reply with more = %u", a->more);
    if (a->more && a->len == 0)
        return bad(why, whylen, "audit reply with no text but more = 1");
    /* at most XENIA_AUDIT_CHUNK / 3 lines: each is at least "N \n" */
    while ((rc = xenia_ctl_audit_next(a->text, a->len, &pos, &seq, &line, &ll)) == 1) {
        if (nlines++ && seq <= prev)
            return bad(why, whylen, "audit lines not in increasing sequence order");
        prev = seq;
    }
    if (rc < 0)
        return bad(why, whylen, "malformed audit line at offset %zu (expected \"SEQ TEXT\\n\")",
                   pos);
    if (nlines && prev != a->last)
        return bad(why, whylen, "audit reply's last = %llu but its last line is %llu",
                   (unsigned long long)a->last, (unsigned long long)prev);
    return 0;
}

int xenia_ctl_check_reply(const void *buf, size_t n, unsigned op, uint32_t seq,
                          char *why, size_t whylen)
{
    const struct xenia_ctl_reply *r = buf;
    size_t want = xenia_ctl_reply_size(op);
    uint32_t i;

    if (why && whylen)
        why[0] = '\0';
    if (!buf || want == 0)
        return bad(why, whylen, "no reply expected for op %u", op);
    if (n < sizeof(struct xenia_ctl_hdr))
        return bad(why, whylen, "reply of %zu bytes is shorter than a header", n);
    if (r->hdr.magic != XENIA_CTL_MAGIC)
        return bad(why, whylen, "bad magic 0x%08x in reply", r->hdr.magic);
    if (r->hdr.version != XENIA_CTL_VERSION)
        return bad(why, whylen, "reply has protocol version %u, this xenia speaks %u",
                   r->hdr.version, XENIA_CTL_VERSION);
    if (r->hdr.len != n)
        return bad(why, whylen, "reply length field %u but %zu bytes received", r->hdr.len, n);
    if (r->hdr.op != op)
        return bad(why, whylen, "reply is for op %u, request was op %u", r->hdr.op, op);
    if (r->hdr.seq != seq)
        return bad(why, whylen, "reply has seq %u, request had %u", r->hdr.seq, seq);
    if (n < sizeof(struct xenia_ctl_reply))
        return bad(why, whylen, "reply of %zu bytes is too short (at least %zu)", n,
                   sizeof(struct xenia_ctl_reply));
    if (r->status > 0)
        return bad(why, whylen, "positive status %d in reply", r->status);
    if (!memchr(r->errmsg, '\0', sizeof(r->errmsg)))
        return bad(why, whylen, "error message not NUL-terminated");
    if (r->status < 0) {
        if (n != sizeof(struct xenia_ctl_reply) && n != want)
            return bad(why, whylen, "error reply of %zu bytes (expected %zu or %zu)", n,
                       sizeof(struct xenia_ctl_reply), want);
        return 0;
    }
    if (n != want)
        return bad(why, whylen, "reply of %zu bytes (expected %zu)", n, want);
    switch (op) {
    case XENIA_CTL_CREATE:
    case XENIA_CTL_LOOKUP:
        if (r->domid == XENIA_DOMID_INVALID)
            return bad(why, whylen, "reply names no domain");
        break;
    case XENIA_CTL_INFO:
        return check_info(buf, why, whylen);
    case XENIA_CTL_GETENFORCE: {
        const struct xenia_xsm_status *st = &((const struct xenia_ctl_getenforce_reply *)buf)->st;

        if (st->module != XENIA_XSM_DUMMY && st->module != XENIA_XSM_FLASK)
            return bad(why, whylen, "unknown security module %u", st->module);
        if (st->enforcing > 1)
            return bad(why, whylen, "enforcing = %u in status", st->enforcing);
        if (!memchr(st->context, '\0', sizeof(st->context)))
            return bad(why, whylen, "context not NUL-terminated");
        break;
    }
    case XENIA_CTL_GETBOOL: {
        const struct xenia_ctl_bool_reply *b = buf;

        if (!memchr(b->name, '\0', sizeof(b->name)))
            return bad(why, whylen, "boolean name not NUL-terminated");
        if (!b->name[0])
            return bad(why, whylen, "boolean with an empty name");
        if (b->cur > 1 || b->dflt > 1)
            return bad(why, whylen, "boolean value %u (default %u) is not 0 or 1", b->cur,
                       b->dflt);
        if (b->nbools == 0)
            return bad(why, whylen, "boolean reply with nbools = 0");
        if (b->pad)
            return bad(why, whylen, "non-zero pad in boolean reply");
        break;
    }
    case XENIA_CTL_AUDIT:
        return check_audit(buf, why, whylen);
    case XENIA_CTL_LIST: {
        const struct xenia_ctl_list_reply *l = buf;

        if (l->nr > XENIA_LIST_MAX)
            return bad(why, whylen, "list reply with %u entries (at most %u)", l->nr,
                       XENIA_LIST_MAX);
        if (l->more > 1)
            return bad(why, whylen, "list reply with more = %u", l->more);
        for (i = 0; i < l->nr; i++) {
            int rc = check_dominfo(&l->dom[i], why, whylen);

            if (rc < 0)
                return rc;
            if (l->dom[i].domid == XENIA_DOMID_INVALID)
                return bad(why, whylen, "list entry with an invalid domid");
            if (i > 0 && l->dom[i].domid <= l->dom[i - 1].domid)
                return bad(why, whylen, "list entries not in increasing domid order");
        }
        if (l->more && l->nr == 0)
            return bad(why, whylen, "list reply with no entries but more = 1");
        break;
    }
    default:
        break;
    }
    return 0;
}

int xenia_ctl_parse_domid(const char *s, uint32_t *domid)
{
    uint64_t v = 0;
    size_t i;

    if (!s || !*s)
        return -XENIA_EINVAL;
    for (i = 0; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return -XENIA_EINVAL;
    for (i = 0; s[i]; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v >= XENIA_DOMID_INVALID)
            return -XENIA_ERANGE;
    }
    if (domid)
        *domid = (uint32_t)v;
    return 0;
}

const char *xenia_ctl_strerror(int status)
{
    switch (-status) {
    case XENIA_EPERM:      return "Operation not permitted";
    case XENIA_ENOENT:     return "No such domain or object";
    case XENIA_ESRCH:      return "No such domain";
    case XENIA_ENOEXEC:    return "Not a valid Xenia PV image";
    case XENIA_EBUSY:      return "Busy";
    case XENIA_EEXIST:     return "Name already in use";
    case XENIA_EACCES:     return "Access denied by policy";
    case XENIA_ENOSPC:     return "No room (domain table full)";
    case XENIA_ENOSYS:     return "Unknown operation";
    case XENIA_EPROTO:     return "Protocol error";
    case XENIA_EOPNOTSUPP: return "Operation not supported";
    case XENIA_ESHUTDOWN:  return "Domain is shut down";
    default:               return strerror(-status);
    }
}

const char *xenia_ctl_op_name(unsigned op)
{
    static const char *const names[XENIA_CTL_OP_MAX] = {
        [XENIA_CTL_CREATE] = "create",   [XENIA_CTL_LIST] = "list",
        [XENIA_CTL_INFO] = "info",       [XENIA_CTL_PAUSE] = "pause",
        [XENIA_CTL_UNPAUSE] = "unpause", [XENIA_CTL_SHUTDOWN] = "shutdown",
        [XENIA_CTL_DESTROY] = "destroy", [XENIA_CTL_CONSOLE] = "console",
        [XENIA_CTL_LOOKUP] = "lookup",   [XENIA_CTL_LOADPOLICY] = "loadpolicy",
        [XENIA_CTL_GETENFORCE] = "getenforce", [XENIA_CTL_SETENFORCE] = "setenforce",
        [XENIA_CTL_GETBOOL] = "getbool", [XENIA_CTL_SETBOOL] = "setbool",
        [XENIA_CTL_AUDIT] = "audit",
    };

    return op < XENIA_CTL_OP_MAX && names[op] ? names[op] : "op?";
}

int xenia_ctl_parse_onoff(const char *s)
{
    if (!s)
        return -XENIA_EINVAL;
    if (!strcasecmp(s, "on") || !strcmp(s, "1") || !strcasecmp(s, "true"))
        return 1;
    if (!strcasecmp(s, "off") || !strcmp(s, "0") || !strcasecmp(s, "false"))
        return 0;
    return -XENIA_EINVAL;
}

int xenia_ctl_parse_enforce(const char *s)
{
    if (!s)
        return -XENIA_EINVAL;
    if (!strcasecmp(s, "enforcing") || !strcmp(s, "1"))
        return 1;
    if (!strcasecmp(s, "permissive") || !strcmp(s, "0"))
        return 0;
    return -XENIA_EINVAL;
}

const char *xenia_ctl_state_name(unsigned state)
{
    switch (state) {
    case XENIA_DOMSTATE_BUILDING: return "building";
    case XENIA_DOMSTATE_RUNNING:  return "running";
    case XENIA_DOMSTATE_BLOCKED:  return "blocked";
    case XENIA_DOMSTATE_PAUSED:   return "paused";
    case XENIA_DOMSTATE_SHUTDOWN: return "shutdown";
    case XENIA_DOMSTATE_CRASHED:  return "crashed";
    default:                      return NULL;
    }
}

const char *xenia_ctl_reason_name(unsigned reason)
{
    switch (reason) {
    case XENIA_SHUTDOWN_poweroff:  return "poweroff";
    case XENIA_SHUTDOWN_reboot:    return "reboot";
    case XENIA_SHUTDOWN_crash:     return "crash";
    case XENIA_SHUTDOWN_fault:     return "fault";
    case XENIA_SHUTDOWN_destroyed: return "destroyed";
    default:                       return NULL;
    }
}

const char *xenia_ctl_stubdom_role_name(unsigned role)
{
    switch (role) {
    case XENIA_STUBDOM_BUILDER: return "builder";
    case XENIA_STUBDOM_DM:      return "dm";
    case XENIA_STUBDOM_CONSOLE: return "console";
    default:                    return NULL;
    }
}

const char *xenia_ctl_format_confined(uint32_t bits, char *buf, size_t n)
{
    /* the meaning of the bits: hv/stubdom.h STUBDOM_C_*, in the order applied */
    static const char *const names[8] = {
        "namespaces", "root", "rlimits", "cgroup", "uid", "nnp", "landlock", "seccomp",
    };
    size_t o = 0;
    unsigned i;
    int k;

    if (!buf || n == 0)
        return "";
    buf[0] = '\0';
    if (bits == 0) {
        snprintf(buf, n, "none");
        return buf;
    }
    for (i = 0; i < 8; i++) {
        if (!(bits & (1u << i)))
            continue;
        k = snprintf(buf + o, n - o, "%s%s", o ? "," : "", names[i]);
        if (k < 0 || (size_t)k >= n - o) {
            buf[o] = '\0';           /* cut after the last whole name */
            return buf;
        }
        o += (size_t)k;
    }
    if ((bits & ~0xffu) && (size_t)snprintf(buf + o, n - o, "%s0x%x", o ? "," : "",
                                            bits & ~0xffu) >= n - o)
        buf[o] = '\0';
    return buf;
}

const char *xenia_ctl_format_state(const struct xenia_dominfo *d, char *buf, size_t n)
{
    const char *s, *r;

    if (!buf || n == 0)
        return "";
    if (!d) {
        snprintf(buf, n, "?");
        return buf;
    }
    s = xenia_ctl_state_name(d->state);
    if (d->state == XENIA_DOMSTATE_SHUTDOWN || d->state == XENIA_DOMSTATE_CRASHED) {
        r = xenia_ctl_reason_name(d->shutdown_reason);
        if (r)
            snprintf(buf, n, "%s (%s)", s, r);
        else
            snprintf(buf, n, "%s (reason %u)", s, d->shutdown_reason);
    } else if (s) {
        snprintf(buf, n, "%s", s);
    } else {
        snprintf(buf, n, "state %u", d->state);
    }
    return buf;
}
