/* SPDX-License-Identifier: MIT */
/*
 * XSM: the mandatory access-control hook layer hv calls on every privileged
 * operation (cf. Xen xen/include/xsm/xsm.h). Generated from two lists:
 *   xsm/access_vectors.def  classes and permissions  -> XSM_CLASS_*, XSM_PERM(c, p)
 *   xsm/hooks.def           hooks                    -> XSM_H_*, xsm_<hook>() wrappers
 * Two modules: `dummy` (privileged-caller rules by uid, for development) and `flask`
 * (type enforcement + MCS over a loaded policy, via xsm/flask/). Every wrapper returns
 * 0 (allowed) or -EACCES; denials are audited in SELinux's avc format to a ring that
 * `xenia audit` reads, and to a sink set by hv. Thread-safe (one lock).
 *
 * xsm/ does not include hv/ internals: hooks take labels, not hv structures.
 */
#ifndef XENIA_XSM_H
#define XENIA_XSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- classes and permissions (xsm/access_vectors.def) --------------------------- */
#include "xsm/access_vectors.def"

#define XSM__CLASS_ENUM(c) XSM_CLASS_##c,
#define XSM__PERM_NONE(c, p)
enum xsm_class { XSM_CLASS_NONE = 0, XSM_CLASSES(XSM__CLASS_ENUM, XSM__PERM_NONE) XSM_NCLASSES };

/* Bit numbers: one enum per class, so numbering restarts at 0 in each class:
 * XSM_BIT_<class>__<perm>. */
#define XSM__PB_CLASS(c) }; enum { XSM__FIRST_##c = -1,
#define XSM__PB_PERM(c, p) XSM_BIT_##c##__##p,
enum { XSM__PB_START = -1, XSM_CLASSES(XSM__PB_CLASS, XSM__PB_PERM) XSM__PB_END };

/* XSM_PERM(class, perm): the permission's bit in its class's access vector. */
#define XSM_PERM(c, p) (1u << XSM_BIT_##c##__##p)

/* Host class table for the security server and the audit formatter: index = class. */
struct xsm_class_info {
    const char *name;
    uint32_t nperms;
    const char *const *perms;
};
extern const struct xsm_class_info xsm_classes[XSM_NCLASSES];

/* --- hooks (xsm/hooks.def) ------------------------------------------------------- */
enum xsm_default { XSM_HOOK = 1, XSM_TARGET, XSM_DM_PRIV, XSM_PRIV };
enum { XSM_NOAUDIT = 0, XSM_AUDIT = 1 };

#include "xsm/hooks.def"

#define XSM__HOOK_ENUM(name, c, perms, def, audit) XSM_H_##name,
enum xsm_hook { XSM_HOOKS(XSM__HOOK_ENUM) XSM_NHOOKS };

/* xsm_hooks_default_<name>: each hook's default action, for compile-time checks. */
#define XSM__DEF_ENUM(name, c, perms, def, audit) xsm_hooks_default_##name = def,
enum { XSM_HOOKS(XSM__DEF_ENUM) };

struct xsm_hook_info {
    const char      *name;        /* the operation, "domain_pause"; audit `op=` */
    enum xsm_class   tclass;
    uint32_t         perms;
    enum xsm_default dflt;
    bool             audit;
};
extern const struct xsm_hook_info xsm_hooks[XSM_NHOOKS];

#define XSM_UID_NONE   0xffffffffu
#define XSM_DOMID_NONE 0xffffffffu

/*
 * A subject or object label. sid: the FLASK SID (0 under `dummy`); uid: for a
 * control client its SO_PEERCRED uid, for a domain its owner's uid, for hv 0;
 * domid: the domain it is (XSM_DOMID_NONE otherwise); target: for a stub domain, the
 * domain it serves (XSM_DOMID_NONE otherwise); pid: the client's pid (audit only).
 */
struct xsm_label {
    uint32_t sid;
    uint32_t uid;
    uint32_t domid;
    uint32_t target;
    uint32_t pid;
};

/*
 * xsm_check — decide hook h for subject s on object o. act: the default the caller
 * states (must equal the hook's; a mismatch is a bug: denied and logged). Returns 0
 * or -EACCES (also for an unknown hook id, and — flask enforcing — for permissions
 * the policy lacks under handle_unknown deny). Audits denials (and, when permissive,
 * the denials it let through).
 */
int xsm_check(enum xsm_hook h, enum xsm_default act, const struct xsm_label *s,
              const struct xsm_label *o);

#ifdef __OPTIMIZE__
void xsm__default_mismatch(void)
    __attribute__((error("xsm hook called with a default action other than hooks.def's")));
#define XSM__STATIC_DEFAULT(act, def)                                   \
    do {                                                                \
        if (__builtin_constant_p(act) && (act) != (def))                \
            xsm__default_mismatch();                                    \
    } while (0)
#else
#define XSM__STATIC_DEFAULT(act, def) do { (void)(act); } while (0)
#endif

#define XSM__WRAPPER(name, c, perms, def, audit)                                       \
    static inline __attribute__((always_inline, warn_unused_result))                   \
    int xsm_##name(enum xsm_default act, const struct xsm_label *s,                    \
                   const struct xsm_label *o)                                          \
    {                                                                                  \
        XSM__STATIC_DEFAULT(act, def);                                                 \
        return xsm_check(XSM_H_##name, act, s, o);                                     \
    }
XSM_HOOKS(XSM__WRAPPER)

/* --- set-up, labels, policy operations -------------------------------------------- */

enum xsm_module_id { XSM_MODULE_DUMMY = 0, XSM_MODULE_FLASK = 1 };

/*
 * xsm_init — choose the module. flask: policy is the binary (policy/policydb.h) and
 * must load; enforcing false starts permissive. dummy: policy must be NULL.
 * Errors: -EINVAL (with err), -ENOMEM. Call once, before any hook.
 */
int xsm_init(enum xsm_module_id m, const uint8_t *policy, size_t len, bool enforcing,
             char *err, size_t errlen);
void xsm_fini(void);
enum xsm_module_id xsm_module(void);
const char *xsm_module_name(void);

/*
 * Label constructors. xsm_label_client: a control client (uid, pid) -> its `login`
 * context (flask; -EACCES when the policy maps no context to that uid).
 * xsm_label_isid: an initial SID by name ("xen", "security", "domU", "dom0",
 * "builder", "console", "dm"); under dummy: uid 0. -ENOENT.
 * xsm_label_domain: the label of a new domain created by `creator`: the context
 * string `seclabel` when given (-EINVAL with err if invalid), else the policy's
 * transition from the creator to the `domU` initial SID (class domain). *explicit_label
 * tells whether the caller must also pass xsm_domain_setlabel.
 * xsm_label_stubdom: the label of a stub domain of base initial SID `isid` ("dm",
 * "builder", "console") serving domain `dom`: type from the isid, level from dom.
 */
int xsm_label_client(uint32_t uid, uint32_t pid, struct xsm_label *out);
int xsm_label_isid(const char *isid, struct xsm_label *out);
int xsm_label_domain(const struct xsm_label *creator, const char *seclabel, uint32_t domid,
                     struct xsm_label *out, bool *explicit_label, char *err, size_t errlen);
int xsm_label_stubdom(const char *isid, const struct xsm_label *dom, uint32_t uid,
                      struct xsm_label *out);

/* xsm_label_string — the label's context ("dummy:uid=1001" under dummy). Returns
 * length or -ENOSPC. */
int xsm_label_string(const struct xsm_label *l, char *buf, size_t len);

/* Policy operations; the caller has passed the matching hook. */
int  xsm_policy_load(const uint8_t *buf, size_t len, char *err, size_t errlen);
bool xsm_enforcing(void);
void xsm_set_enforcing(bool on);
int  xsm_bool_get(const char *name, bool *cur, bool *dflt);     /* -ENOENT, -EOPNOTSUPP */
int  xsm_bool_set(const char *name, bool val);                  /* -ENOENT, -EOPNOTSUPP */
uint32_t xsm_nbools(void);
int  xsm_bool_at(uint32_t i, char *name, size_t len, bool *cur, bool *dflt); /* i: 0.. */

struct xsm_status {
    uint32_t module, enforcing, policy_loads, nbools;
    uint64_t avc_lookups, avc_hits, avc_misses, avc_reclaims, avc_flushes;
    uint64_t denials, audit_seq, audit_dropped;
    uint8_t  policy_sha256[32];
};
void xsm_get_status(struct xsm_status *st);

/* --- audit -------------------------------------------------------------------------- */
#define XSM_AUDIT_RING  512u
#define XSM_AUDIT_LINE  512u
#define XSM_AUDIT_RATE  100u   /* lines per second before rate limiting */

/* xsm_set_audit_sink — called (under the xsm lock) with each audit line. */
void xsm_set_audit_sink(void (*sink)(const char *line, void *arg), void *arg);
/* xsm_audit_read — copy the lines with sequence numbers > after into buf as
 * "seq line\n" text, at most len bytes, whole lines only. Returns bytes written; *last
 * gets the last sequence copied (or `after`). */
size_t xsm_audit_read(uint64_t after, char *buf, size_t len, uint64_t *last);
/* xsm_audit_last — sequence number of the newest line. */
uint64_t xsm_audit_last(void);
/* xsm_audit_note — add a non-avc audit line (policy load, setenforce, setbool). */
void xsm_audit_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
