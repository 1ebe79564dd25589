/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: policy/compile.c pol_compile() on untrusted policy source
 * (docs/policy-language.md). On success the compiled policy must be writable
 * by pdb_write() and readable again by pdb_read() (the compiler never produces
 * a policydb the binary validator refuses); on failure at least one diagnostic
 * is recorded. abort() otherwise; ASan/UBSan catch memory errors in the lexer,
 * parser and compiler.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/compile.h"
#include "policy/policydb.h"

#define MAX_SRC (64u << 10)   /* keep runs fast: bigger inputs find nothing new */

static struct pol_diag diags;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct policydb *p = NULL, *q = NULL;
    uint8_t *w = NULL;
    size_t n = 0;
    char *src, err[256];
    int rc;

    if (size > MAX_SRC)
        return 0;
    src = malloc(size ? size : 1);   /* exact size: no NUL terminator to lean on */
    if (src == NULL)
        return 0;
    memcpy(src, data, size);
    rc = pol_compile("fuzz.te", src, size, &p, &diags);
    if (rc == 0) {
        if (p == NULL)
            abort();
        if (pdb_write(p, &w, &n) != 0)
            abort();
        if (pdb_read(w, n, &q, err, sizeof(err)) != 0)
            abort();   /* compiler output refused by the binary validator */
        pdb_free(q);
        pdb_free(p);
        free(w);
    } else {
        if (p != NULL)
            abort();
        if (rc == -22 /* -EINVAL */ && (diags.total == 0 || diags.n == 0 ||
                                        diags.n > POL_MAX_DIAGS))
            abort();   /* a refused source names at least one error */
        for (uint32_t i = 0; i < diags.n && i < POL_MAX_DIAGS; i++)
            if (memchr(diags.e[i].msg, 0, sizeof(diags.e[i].msg)) == NULL)
                abort();
    }
    free(src);
    return 0;
}
