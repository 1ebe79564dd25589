/* SPDX-License-Identifier: MIT */
/* Shared by tests/policy/diff_sepol.c (ours) and diff_sepol_ref.c (libsepol): the
 * two sides live in separate files because both define `struct policydb`. */
#ifndef XENIA_DIFF_LINES_H
#define XENIA_DIFF_LINES_H
#include <stddef.h>
struct lines {
    size_t n, cap;
    char **v;
};
void add(struct lines *l, const char *kind, int cond, const char *s, const char *t, const char *c, const char *x);
/* ref_lines — the expanded rules of a checkpolicy binary; 0 or -1. */
int ref_lines(const char *path, struct lines *out);
#endif
