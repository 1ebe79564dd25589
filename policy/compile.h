/* SPDX-License-Identifier: MIT */
/*
 * The policy compiler: Xenia policy language source (docs/policy-language.md; the
 * TE subset of the SELinux policy language that Xen's FLASK policy uses, plus the
 * Xenia extensions `infoflow`, `login`, `handle_unknown`) -> struct policydb
 * (policy/policydb.h), with neverallow checked at compile time.
 *
 * Pure: no file I/O; the CLI (policy/xenia-policy.c) reads the file and prints the
 * diagnostics as "FILE:LINE:COL: error: MESSAGE".
 */
#ifndef XENIA_POLICY_COMPILE_H
#define XENIA_POLICY_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policydb.h"

#define POL_MAX_DIAGS 20u         /* errors kept; further ones are counted only */
#define POL_DIAG_MSG  256u
#define POL_MAX_SRC   (64u << 20) /* bytes of source */

struct pol_diag_entry {
    uint32_t line, col;           /* 1-based; the offending token */
    char     msg[POL_DIAG_MSG];
};

struct pol_diag {
    uint32_t              n;      /* entries kept (<= POL_MAX_DIAGS) */
    uint32_t              total;  /* errors reported, kept or not */
    struct pol_diag_entry e[POL_MAX_DIAGS];
};

/* pol_diag_add — record an error at line:col (printf-style message). */
void pol_diag_add(struct pol_diag *d, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* pol_diag_format — entry i as "FNAME:LINE:COL: error: MSG" (no newline).
 * Returns the length (truncated output when >= len, as snprintf). */
int pol_diag_format(const struct pol_diag *d, uint32_t i, const char *fname, char *buf, size_t len);

/*
 * pol_compile — compile src (len bytes) into a new policydb.
 *   fname: used only in messages that name a file (may be NULL).
 *   diags: receives every error (must not be NULL; zeroed here).
 * Returns 0 (*out set), -EINVAL (errors in diags; *out NULL), -E2BIG (source
 * larger than POL_MAX_SRC), -ENOMEM.
 */
int pol_compile(const char *fname, const char *src, size_t len, struct policydb **out,
                struct pol_diag *diags);

#endif
