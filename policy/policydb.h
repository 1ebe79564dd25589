/* SPDX-License-Identifier: MIT */
/*
 * The compiled policy in memory: what `xenia-policy compile` builds from source,
 * writes as the binary (docs/policy-format.md), and what the loader reads back for
 * the FLASK security server (xsm/flask/) and the isolation analyser (policy/analyze.c).
 *
 * Everything here is pure data: no pointers into the source text, every name owned
 * by the policydb (freed by pdb_free()). Attributes are already expanded: the access
 * vector table holds one entry per (source type, target type, class), and type sets
 * in constraints are bitmaps of concrete types. Index 0 is never used for types,
 * roles, users, classes, booleans, sensitivities: an index of 0 means "none".
 *
 * Semantics follow the SELinux/FLASK policy language (the TE subset Xen's FLASK
 * policy uses; see SELinux Notebook "Policy Language", checkpolicy(8)):
 *   allowed(s, t, c) = OR of allow rules (s.type, t.type, c) whose condition holds
 *                      AND NOT perms of every constraint on c whose expression is false.
 */
#ifndef XENIA_POLICYDB_H
#define XENIA_POLICYDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDB_MAGIC          0x4c4f5058u  /* "XPOL" little-endian */
#define PDB_VERSION        1u

/* Limits; the compiler rejects policies beyond them, the loader too. */
#define PDB_MAX_NAME       127u   /* bytes of a name, excluding NUL: [A-Za-z0-9_] */
#define PDB_MAX_TYPES      4095u  /* concrete types (indices 1..ntypes) */
#define PDB_MAX_ATTRS      1024u
#define PDB_MAX_CLASSES    63u
#define PDB_MAX_PERMS      32u    /* per class, commons included */
#define PDB_MAX_ROLES      255u
#define PDB_MAX_USERS      255u
#define PDB_MAX_BOOLS      255u
#define PDB_MAX_SENS       16u
#define PDB_MAX_CATS       1024u
#define PDB_CAT_WORDS      (PDB_MAX_CATS / 64u)
#define PDB_MAX_AVRULES    (1u << 20)
#define PDB_MAX_CONDS      1024u
#define PDB_MAX_EXPR       64u    /* nodes in one boolean or constraint expression */
#define PDB_MAX_CONSTRAINTS 1024u
#define PDB_MAX_ISIDS      64u
#define PDB_MAX_LOGINS     1024u
#define PDB_LOGIN_DEFAULT  0xffffffffu  /* `login * CONTEXT;` — every other uid */

/* A bitmap over indices 0..nbits-1 (bit i = index i). */
struct pdb_bitmap {
    uint32_t  nbits;
    uint64_t *words;              /* (nbits + 63) / 64 words, NULL when nbits == 0 */
};

static inline bool pdb_bit(const struct pdb_bitmap *b, uint32_t i)
{
    return i < b->nbits && ((b->words[i / 64] >> (i % 64)) & 1u);
}

/* MLS/MCS level: a sensitivity (1..nsens) and a category set. */
struct pdb_level {
    uint16_t sens;
    uint16_t pad;
    uint64_t cats[PDB_CAT_WORDS]; /* bit c = category c (index into cats[], 0-based) */
};

/* A security context user:role:type:low[-high]. */
struct pdb_context {
    uint16_t user, role, type;
    uint16_t pad;
    struct pdb_level low, high;   /* high == low when the context names one level */
};

struct pdb_class {
    char    *name;
    uint32_t nperms;              /* <= PDB_MAX_PERMS; common permissions come first */
    char    *perms[PDB_MAX_PERMS];/* perms[i] is bit (1u << i) */
    uint32_t read_mask;           /* information flows target -> source (`infoflow ... read`) */
    uint32_t write_mask;          /* information flows source -> target (`infoflow ... write`) */
};

struct pdb_attr {
    char             *name;
    struct pdb_bitmap types;      /* over 0..ntypes */
};

struct pdb_role {
    char             *name;
    struct pdb_bitmap types;      /* types this role may hold */
};

struct pdb_user {
    char             *name;
    struct pdb_bitmap roles;      /* over 0..nroles */
    struct pdb_level  dfl;        /* `level` */
    struct pdb_level  range_low, range_high;  /* `range` */
};

/* Access vector rules, sorted by (stype, ttype, tclass, kind, cond, branch); unique. */
enum { PDB_AV_ALLOW = 1, PDB_AV_TRANSITION = 2, PDB_AV_DONTAUDIT = 3 };
struct pdb_avrule {
    uint16_t stype, ttype, tclass;
    uint8_t  kind;                /* PDB_AV_* */
    uint8_t  branch;              /* with cond: 1 = applies when cond is true, 0 = when false */
    uint16_t cond;                /* 0 = unconditional, else 1 + index into conds[] */
    uint16_t pad;
    uint32_t data;                /* ALLOW/DONTAUDIT: permission bits; TRANSITION: new type */
};

/* Boolean expression of an `if`, postfix (as in SELinux cond_expr). */
enum { PDB_CEXPR_BOOL = 1, PDB_CEXPR_NOT, PDB_CEXPR_OR, PDB_CEXPR_AND, PDB_CEXPR_XOR,
       PDB_CEXPR_EQ, PDB_CEXPR_NEQ };
struct pdb_cexpr {
    uint8_t  op;                  /* PDB_CEXPR_* */
    uint8_t  pad;
    uint16_t boolidx;             /* PDB_CEXPR_BOOL: 1..nbools */
};
struct pdb_cond {
    uint32_t         nexpr;       /* 1..PDB_MAX_EXPR, a well-formed postfix expression */
    struct pdb_cexpr expr[PDB_MAX_EXPR];
};

/* Constraint expression, postfix (SELinux constraint_expr). */
enum { PDB_CONS_NOT = 1, PDB_CONS_AND, PDB_CONS_OR,
       PDB_CONS_ATTR,             /* compare attr of subject and target: op over `attr` */
       PDB_CONS_NAMES };          /* attr (U1..T2) is (op EQ) / is not (op NEQ) in names */
enum { PDB_ATTR_U1U2 = 1, PDB_ATTR_R1R2, PDB_ATTR_T1T2,
       PDB_ATTR_L1L2, PDB_ATTR_L1H2, PDB_ATTR_H1L2, PDB_ATTR_H1H2, PDB_ATTR_L1H1, PDB_ATTR_L2H2,
       PDB_ATTR_U1, PDB_ATTR_U2, PDB_ATTR_R1, PDB_ATTR_R2, PDB_ATTR_T1, PDB_ATTR_T2 };
enum { PDB_OP_EQ = 1, PDB_OP_NEQ, PDB_OP_DOM, PDB_OP_DOMBY, PDB_OP_INCOMP };
struct pdb_consnode {
    uint8_t  kind;                /* PDB_CONS_* */
    uint8_t  attr;                /* PDB_ATTR_* (ATTR, NAMES) */
    uint8_t  op;                  /* PDB_OP_* (DOM/DOMBY/INCOMP only for levels) */
    uint8_t  pad;
    uint32_t names;               /* NAMES: index into pdb.sets[] (users, roles or types) */
};
struct pdb_constraint {
    uint16_t            tclass;
    uint8_t             mls;      /* 1: mlsconstrain, 0: constrain */
    uint8_t             pad;
    uint32_t            perms;    /* the permissions it restricts */
    uint32_t            nexpr;
    struct pdb_consnode expr[PDB_MAX_EXPR];
};

struct pdb_isid {                 /* `sid NAME CONTEXT` */
    char              *name;
    bool               has_context;
    struct pdb_context context;
};

struct pdb_login {                /* `login UID CONTEXT;` (Xenia; like SELinux seusers) */
    uint32_t           uid;       /* or PDB_LOGIN_DEFAULT */
    struct pdb_context context;
};

struct pdb_bool {
    char *name;
    bool  dflt;
};

enum { PDB_UNKNOWN_DENY = 0, PDB_UNKNOWN_ALLOW = 1 };

struct policydb {
    uint32_t version;             /* PDB_VERSION */
    uint32_t handle_unknown;      /* classes/perms hv knows but the policy lacks */

    uint32_t ntypes;   char **types;          /* types[1..ntypes]; types[0] = NULL */
    uint32_t nattrs;   struct pdb_attr *attrs;/* attrs[0..nattrs-1] */
    uint32_t nclasses; struct pdb_class *classes; /* classes[1..nclasses] */
    uint32_t nroles;   struct pdb_role *roles;    /* roles[1..nroles] */
    uint32_t nusers;   struct pdb_user *users;    /* users[1..nusers] */
    uint32_t nbools;   struct pdb_bool *bools;    /* bools[1..nbools] */
    uint32_t nsens;    char **sens;               /* sens[1..nsens], in dominance order (low..high) */
    uint32_t ncats;    char **cats;               /* cats[0..ncats-1] */

    uint32_t navrules; struct pdb_avrule *avrules;
    uint32_t nconds;   struct pdb_cond *conds;
    uint32_t ncons;    struct pdb_constraint *cons;
    uint32_t nsets;    struct pdb_bitmap *sets;   /* name sets of constraints */
    uint32_t nisids;   struct pdb_isid *isids;
    uint32_t nlogins;  struct pdb_login *logins;
};

/*
 * pdb_read — parse and fully validate a policy binary (docs/policy-format.md).
 *   buf/len: the whole file (untrusted). On success *out is a new policydb.
 *   Errors: -EINVAL (malformed: bad magic, truncated, index out of range, unsorted
 *           or duplicate rules, bad expression), -EPROTO (unsupported version),
 *           -E2BIG (beyond PDB_MAX_*), -ENOMEM. `err` (if not NULL, errlen > 0)
 *           receives a one-line reason naming the section and offset.
 *   Pure: no system calls besides allocation.
 */
int pdb_read(const uint8_t *buf, size_t len, struct policydb **out, char *err, size_t errlen);

/*
 * pdb_write — serialise a policydb. On success *out (malloc'd) holds *outlen bytes;
 * pdb_read() of them yields an equal policydb. Errors: -EINVAL (pdb not valid),
 * -ENOMEM.
 */
int pdb_write(const struct policydb *p, uint8_t **out, size_t *outlen);

/* pdb_free — free a policydb and everything it owns; NULL is fine. */
void pdb_free(struct policydb *p);

/* Name lookups; return the index (see struct policydb) or 0 / -1 when absent. */
uint32_t pdb_type_index(const struct policydb *p, const char *name);
uint32_t pdb_class_index(const struct policydb *p, const char *name);
int      pdb_perm_index(const struct pdb_class *c, const char *name);   /* bit number or -1 */
uint32_t pdb_role_index(const struct policydb *p, const char *name);
uint32_t pdb_user_index(const struct policydb *p, const char *name);
uint32_t pdb_bool_index(const struct policydb *p, const char *name);
int      pdb_attr_index(const struct policydb *p, const char *name);    /* or -1 */

#endif
