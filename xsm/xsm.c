/* SPDX-License-Identifier: MIT */
/*
 * XSM hook layer: the tables generated from xsm/access_vectors.def and xsm/hooks.def,
 * the two modules (dummy, flask), labels, policy operations and the audit ring.
 * One mutex serialises the AVC, the security server and the ring: hooks are called
 * from hv's main thread (control operations) and from vCPU threads (hypercalls).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/sha256.h>

#include "xsm/flask/ss.h"
#include "xsm/xsm.h"

/* --- generated tables --------------------------------------------------------------- */

#define XSM__PERMS_CLASS(c) }; static const char *const xsm__perms_##c[] = {
#define XSM__PERMS_NAME(c, p) #p,
static const char *const xsm__perms_none[] = { NULL, XSM_CLASSES(XSM__PERMS_CLASS, XSM__PERMS_NAME) };

#define XSM__NPERMS(c) (sizeof(xsm__perms_##c) / sizeof(xsm__perms_##c[0]))
#define XSM__CLASS_ASSERT(c) _Static_assert(XSM__NPERMS(c) <= 31, "class " #c ": over 31 permissions");
XSM_CLASSES(XSM__CLASS_ASSERT, XSM__PERM_NONE)

#define XSM__CLASS_INFO(c) [XSM_CLASS_##c] = { #c, XSM__NPERMS(c), xsm__perms_##c },
const struct xsm_class_info xsm_classes[XSM_NCLASSES] = {
    [XSM_CLASS_NONE] = { "none", 0, xsm__perms_none },
    XSM_CLASSES(XSM__CLASS_INFO, XSM__PERM_NONE)
};

#define XSM__HOOK_INFO(name, c, p, def, aud) \
    [XSM_H_##name] = { #name, XSM_CLASS_##c, (p), (def), (aud) == XSM_AUDIT },
const struct xsm_hook_info xsm_hooks[XSM_NHOOKS] = { XSM_HOOKS(XSM__HOOK_INFO) };

/* --- state ---------------------------------------------------------------------------- */

static struct {
    pthread_mutex_t    lock;
    enum xsm_module_id module;
    bool               enforcing;
    struct flask_ss   *ss;
    struct avc        *avc;
    uint32_t           policy_loads;
    uint8_t            sha256[32];
    uint64_t           denials;
    /* audit ring */
    char               ring[XSM_AUDIT_RING][XSM_AUDIT_LINE];
    uint64_t           ring_seq[XSM_AUDIT_RING];
    uint64_t           seq;                 /* last sequence number used */
    uint64_t           dropped;
    uint64_t           window;              /* current rate-limit second */
    uint32_t           in_window;
    uint64_t           dropped_in_window;
    void             (*sink)(const char *, void *);
    void              *sink_arg;
} X = { .lock = PTHREAD_MUTEX_INITIALIZER, .module = XSM_MODULE_DUMMY, .enforcing = true };

/* --- audit ---------------------------------------------------------------------------- */

static void ring_push_locked(const char *line)
{
    uint64_t s = ++X.seq;
    uint32_t i = (uint32_t)(s % XSM_AUDIT_RING);

    snprintf(X.ring[i], XSM_AUDIT_LINE, "%s", line);
    /* One line per entry, printable: readers split on '\n'. */
    for (char *p = X.ring[i]; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    X.ring_seq[i] = s;
    if (X.sink)
        X.sink(X.ring[i], X.sink_arg);
}

/* Rate limit: at most XSM_AUDIT_RATE lines per second; the count of suppressed lines
 * is reported with the first line of a later second. Returns whether to emit. */
static bool audit_ratelimit_locked(void)
{
    struct timespec ts;
    uint64_t now;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (uint64_t)ts.tv_sec;
    if (now != X.window) {
        X.window = now;
        X.in_window = 0;
        if (X.dropped_in_window) {
            char line[96];
            snprintf(line, sizeof(line), "audit: rate limit: %llu lines suppressed",
                     (unsigned long long)X.dropped_in_window);
            X.dropped_in_window = 0;
            ring_push_locked(line);
        }
    }
    if (X.in_window >= XSM_AUDIT_RATE) {
        X.dropped++;
        X.dropped_in_window++;
        return false;
    }
    X.in_window++;
    return true;
}

void xsm_audit_note(const char *fmt, ...)
{
    char line[XSM_AUDIT_LINE];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&X.lock);
    ring_push_locked(line);
    pthread_mutex_unlock(&X.lock);
}

uint64_t xsm_audit_last(void)
{
    uint64_t s;

    pthread_mutex_lock(&X.lock);
    s = X.seq;
    pthread_mutex_unlock(&X.lock);
    return s;
}

void xsm_set_audit_sink(void (*sink)(const char *line, void *arg), void *arg)
{
    pthread_mutex_lock(&X.lock);
    X.sink = sink;
    X.sink_arg = arg;
    pthread_mutex_unlock(&X.lock);
}

size_t xsm_audit_read(uint64_t after, char *buf, size_t len, uint64_t *last)
{
    size_t off = 0;
    uint64_t s, first;

    pthread_mutex_lock(&X.lock);
    *last = after;
    first = X.seq > XSM_AUDIT_RING ? X.seq - XSM_AUDIT_RING + 1 : 1;
    if (after + 1 > first)
        first = after + 1;
    for (s = first; s <= X.seq; s++) {
        uint32_t i = (uint32_t)(s % XSM_AUDIT_RING);
        int n;

        if (X.ring_seq[i] != s)
            continue;
        n = snprintf(buf + off, len - off, "%llu %s\n", (unsigned long long)s, X.ring[i]);
        if (n < 0 || (size_t)n >= len - off)
            break;
        off += (size_t)n;
        *last = s;
    }
    pthread_mutex_unlock(&X.lock);
    if (off < len)
        buf[off] = '\0';
    return off;
}

/* --- modules -------------------------------------------------------------------------- */

static bool dummy_allows(enum xsm_default d, const struct xsm_label *s, const struct xsm_label *o)
{
    bool priv = s->uid == 0;

    switch (d) {
    case XSM_HOOK:
        return true;
    case XSM_TARGET:
        return priv || (s->uid != XSM_UID_NONE && s->uid == o->uid) ||
               (s->domid != XSM_DOMID_NONE && s->domid == o->domid);
    case XSM_DM_PRIV:
        return priv || (s->target != XSM_DOMID_NONE && s->target == o->domid);
    case XSM_PRIV:
        return priv;
    }
    return false;
}

static void audit_extra(char *buf, size_t len, const struct xsm_hook_info *hi,
                        const struct xsm_label *s, const struct xsm_label *o)
{
    int n = snprintf(buf, len, "op=%s", hi->name);

    if (n > 0 && (size_t)n < len && s->pid)
        n += snprintf(buf + n, len - (size_t)n, " pid=%u", s->pid);
    if (n > 0 && (size_t)n < len && s->uid != XSM_UID_NONE)
        n += snprintf(buf + n, len - (size_t)n, " uid=%u", s->uid);
    if (n > 0 && (size_t)n < len && s->domid != XSM_DOMID_NONE)
        n += snprintf(buf + n, len - (size_t)n, " sdomid=%u", s->domid);
    if (n > 0 && (size_t)n < len && o->domid != XSM_DOMID_NONE)
        snprintf(buf + n, len - (size_t)n, " domid=%u", o->domid);
}

int xsm_check(enum xsm_hook h, enum xsm_default act, const struct xsm_label *s,
              const struct xsm_label *o)
{
    const struct xsm_hook_info *hi;
    char extra[160], line[XSM_AUDIT_LINE];
    int rc = 0;

    if ((unsigned)h >= XSM_NHOOKS || act != xsm_hooks[h].dflt) {
        xsm_audit_note("xsm: bug: hook %u called with default %u: denied", (unsigned)h,
                       (unsigned)act);
        return -EACCES;
    }
    hi = &xsm_hooks[h];
    pthread_mutex_lock(&X.lock);
    if (X.module == XSM_MODULE_DUMMY) {
        if (!dummy_allows(hi->dflt, s, o)) {
            X.denials++;
            rc = -EACCES;
            if (hi->audit && audit_ratelimit_locked()) {
                audit_extra(extra, sizeof(extra), hi, s, o);
                snprintf(line, sizeof(line), "xsm(dummy): denied %s", extra);
                ring_push_locked(line);
            }
        }
    } else {
        uint32_t denied = 0, audited = 0;

        if (!avc_has_perm_noaudit(X.avc, s->sid, o->sid, hi->tclass, hi->perms, &denied,
                                  &audited)) {
            X.denials++;
            if (X.enforcing)
                rc = -EACCES;
            if (hi->audit && audited && audit_ratelimit_locked()) {
                audit_extra(extra, sizeof(extra), hi, s, o);
                if (avc_format_denial(X.ss, line, sizeof(line), false, s->sid, o->sid,
                                      hi->tclass, audited, extra, !X.enforcing) > 0)
                    ring_push_locked(line);
            }
        }
    }
    pthread_mutex_unlock(&X.lock);
    return rc;
}

/* --- set-up ------------------------------------------------------------------------- */

static struct ss_host_class host_classes[XSM_NCLASSES - 1];

int xsm_init(enum xsm_module_id m, const uint8_t *policy, size_t len, bool enforcing,
             char *err, size_t errlen)
{
    uint32_t i;
    int rc;

    if (m == XSM_MODULE_DUMMY) {
        if (policy) {
            snprintf(err, errlen, "the dummy module takes no policy");
            return -EINVAL;
        }
        X.module = m;
        return 0;
    }
    if (m != XSM_MODULE_FLASK || policy == NULL) {
        snprintf(err, errlen, "flask needs a policy binary");
        return -EINVAL;
    }
    for (i = 1; i < XSM_NCLASSES; i++) {
        host_classes[i - 1].name = xsm_classes[i].name;
        host_classes[i - 1].nperms = xsm_classes[i].nperms;
        host_classes[i - 1].perms = xsm_classes[i].perms;
    }
    rc = flask_ss_new(host_classes, XSM_NCLASSES - 1, &X.ss);
    if (rc < 0) {
        snprintf(err, errlen, "security server: %s", strerror(-rc));
        return rc;
    }
    rc = avc_new(X.ss, &X.avc);
    if (rc < 0) {
        snprintf(err, errlen, "avc: %s", strerror(-rc));
        goto fail;
    }
    rc = flask_ss_load(X.ss, policy, len, err, errlen);
    if (rc < 0)
        goto fail;
    mbedtls_sha256_ret(policy, len, X.sha256, 0);
    X.policy_loads = 1;
    X.module = m;
    X.enforcing = enforcing;
    return 0;
fail:
    avc_free(X.avc);
    flask_ss_free(X.ss);
    X.avc = NULL;
    X.ss = NULL;
    return rc;
}

void xsm_fini(void)
{
    pthread_mutex_lock(&X.lock);
    avc_free(X.avc);
    flask_ss_free(X.ss);
    X.avc = NULL;
    X.ss = NULL;
    X.module = XSM_MODULE_DUMMY;
    pthread_mutex_unlock(&X.lock);
}

enum xsm_module_id xsm_module(void)
{
    return X.module;
}

const char *xsm_module_name(void)
{
    return X.module == XSM_MODULE_FLASK ? "flask" : "dummy";
}

/* --- labels ------------------------------------------------------------------------- */

static void label_init(struct xsm_label *l, uint32_t sid, uint32_t uid)
{
    l->sid = sid;
    l->uid = uid;
    l->domid = XSM_DOMID_NONE;
    l->target = XSM_DOMID_NONE;
    l->pid = 0;
}

int xsm_label_client(uint32_t uid, uint32_t pid, struct xsm_label *out)
{
    uint32_t sid = 0;
    int rc = 0;

    if (X.module == XSM_MODULE_FLASK) {
        pthread_mutex_lock(&X.lock);
        rc = flask_ss_login_sid(X.ss, uid, &sid);
        pthread_mutex_unlock(&X.lock);
        if (rc < 0)
            return -EACCES;
    }
    label_init(out, sid, uid);
    out->pid = pid;
    return 0;
}

int xsm_label_isid(const char *isid, struct xsm_label *out)
{
    uint32_t sid = 0;
    int rc = 0;

    if (X.module == XSM_MODULE_FLASK) {
        pthread_mutex_lock(&X.lock);
        rc = flask_ss_isid(X.ss, isid, &sid);
        pthread_mutex_unlock(&X.lock);
        if (rc < 0)
            return rc;
    }
    label_init(out, sid, 0);
    return 0;
}

int xsm_label_domain(const struct xsm_label *creator, const char *seclabel, uint32_t domid,
                     struct xsm_label *out, bool *explicit_label, char *err, size_t errlen)
{
    uint32_t sid = 0, domu, tsid;
    int rc = 0;

    *explicit_label = seclabel && seclabel[0];
    label_init(out, 0, creator->uid);
    out->domid = domid;
    if (X.module != XSM_MODULE_FLASK)
        return 0;
    pthread_mutex_lock(&X.lock);
    if (*explicit_label) {
        rc = flask_ss_context_to_sid(X.ss, seclabel, &sid, err, errlen);
    } else if (flask_ss_isid(X.ss, "domU", &domu) < 0) {
        snprintf(err, errlen, "policy has no 'domU' initial SID for unlabelled domains");
        rc = -EINVAL;
    } else {
        /* type_transition (creator, domU) : domain when the policy has one, else domU's
         * type; user, role and level (low) are the creator's. */
        rc = flask_ss_transition_sid(X.ss, creator->sid, domu, XSM_CLASS_domain, &tsid);
        if (rc == 0 && flask_ss_sid_type(X.ss, tsid) != flask_ss_sid_type(X.ss, creator->sid))
            sid = tsid;
        else
            rc = flask_ss_compose_sid(X.ss, creator->sid, domu, creator->sid, &sid, err, errlen);
    }
    pthread_mutex_unlock(&X.lock);
    if (rc < 0)
        return rc;
    out->sid = sid;
    return 0;
}

int xsm_label_stubdom(const char *isid, const struct xsm_label *dom, uint32_t uid,
                      struct xsm_label *out)
{
    char err[128];
    uint32_t isid_sid, sid = 0;
    int rc = 0;

    label_init(out, 0, uid);
    out->target = dom->domid;
    if (X.module != XSM_MODULE_FLASK)
        return 0;
    /* The isid's user, role and type at the served domain's level. */
    pthread_mutex_lock(&X.lock);
    rc = flask_ss_isid(X.ss, isid, &isid_sid);
    if (rc == 0)
        rc = flask_ss_compose_sid(X.ss, isid_sid, isid_sid, dom->sid, &sid, err, sizeof(err));
    pthread_mutex_unlock(&X.lock);
    if (rc < 0)
        return rc;
    out->sid = sid;
    return 0;
}

int xsm_label_string(const struct xsm_label *l, char *buf, size_t len)
{
    int n;

    if (X.module != XSM_MODULE_FLASK) {
        n = snprintf(buf, len, "dummy:uid=%u", l->uid);
        return n < 0 || (size_t)n >= len ? -ENOSPC : n;
    }
    pthread_mutex_lock(&X.lock);
    n = flask_ss_sid_to_context(X.ss, l->sid, buf, len);
    pthread_mutex_unlock(&X.lock);
    return n;
}

/* --- policy operations ----------------------------------------------------------------- */

int xsm_policy_load(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    int rc;

    if (X.module != XSM_MODULE_FLASK) {
        snprintf(err, errlen, "the dummy module has no policy (start xenia-hv with --policy)");
        return -EOPNOTSUPP;
    }
    pthread_mutex_lock(&X.lock);
    rc = flask_ss_load(X.ss, buf, len, err, errlen);
    if (rc == 0) {
        mbedtls_sha256_ret(buf, len, X.sha256, 0);
        X.policy_loads++;
    }
    pthread_mutex_unlock(&X.lock);
    return rc;
}

bool xsm_enforcing(void)
{
    return X.module == XSM_MODULE_DUMMY || X.enforcing;
}

void xsm_set_enforcing(bool on)
{
    pthread_mutex_lock(&X.lock);
    X.enforcing = on;
    pthread_mutex_unlock(&X.lock);
}

int xsm_bool_get(const char *name, bool *cur, bool *dflt)
{
    int rc;

    if (X.module != XSM_MODULE_FLASK)
        return -EOPNOTSUPP;
    pthread_mutex_lock(&X.lock);
    rc = flask_ss_getbool(X.ss, name, cur, dflt);
    pthread_mutex_unlock(&X.lock);
    return rc;
}

int xsm_bool_set(const char *name, bool val)
{
    int rc;

    if (X.module != XSM_MODULE_FLASK)
        return -EOPNOTSUPP;
    pthread_mutex_lock(&X.lock);
    rc = flask_ss_setbool(X.ss, name, val);
    pthread_mutex_unlock(&X.lock);
    return rc;
}

uint32_t xsm_nbools(void)
{
    uint32_t n;

    if (X.module != XSM_MODULE_FLASK)
        return 0;
    pthread_mutex_lock(&X.lock);
    n = flask_ss_nbools(X.ss);
    pthread_mutex_unlock(&X.lock);
    return n;
}

int xsm_bool_at(uint32_t i, char *name, size_t len, bool *cur, bool *dflt)
{
    const char *n;
    int rc = -ENOENT;

    if (X.module != XSM_MODULE_FLASK)
        return -EOPNOTSUPP;
    pthread_mutex_lock(&X.lock);
    if (i < flask_ss_nbools(X.ss) && (n = flask_ss_bool_name(X.ss, i + 1)) != NULL) {
        snprintf(name, len, "%s", n);
        rc = flask_ss_getbool(X.ss, n, cur, dflt);
    }
    pthread_mutex_unlock(&X.lock);
    return rc;
}

void xsm_get_status(struct xsm_status *st)
{
    struct avc_stats a;

    memset(st, 0, sizeof(*st));
    pthread_mutex_lock(&X.lock);
    st->module = X.module;
    st->enforcing = xsm_enforcing();
    st->policy_loads = X.policy_loads;
    st->denials = X.denials;
    st->audit_seq = X.seq;
    st->audit_dropped = X.dropped;
    memcpy(st->policy_sha256, X.sha256, sizeof(st->policy_sha256));
    if (X.module == XSM_MODULE_FLASK) {
        st->nbools = flask_ss_nbools(X.ss);
        avc_get_stats(X.avc, &a);
        st->avc_lookups = a.lookups;
        st->avc_hits = a.hits;
        st->avc_misses = a.misses;
        st->avc_reclaims = a.reclaims;
        st->avc_flushes = a.flushes;
    }
    pthread_mutex_unlock(&X.lock);
}
