/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: policy/policydb.c pdb_read() on an untrusted policy binary
 * (docs/policy-format.md). When it accepts the input, the harness checks the
 * round trip: pdb_write() succeeds, pdb_read() accepts the output, and writing
 * that again gives the same bytes; abort() otherwise. ASan/UBSan catch memory
 * and arithmetic errors in the reader, the writer and pdb_free().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policydb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct policydb *p = NULL, *q = NULL;
    uint8_t *buf, *w1 = NULL, *w2 = NULL;
    size_t n1 = 0, n2 = 0;
    char err[256];
    int rc;

    /* Exact-size heap copy: a read past the end is an ASan report. */
    buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    err[0] = 0;
    rc = pdb_read(buf, size, &p, err, sizeof(err));
    if (rc > 0 || (rc < 0 && p != NULL))
        abort();
    if (rc == 0) {
        if (p == NULL)
            abort();
        if (pdb_write(p, &w1, &n1) != 0)
            abort();   /* an accepted policy must be writable */
        if (pdb_read(w1, n1, &q, err, sizeof(err)) != 0)
            abort();   /* what we write we must read back */
        if (pdb_write(q, &w2, &n2) != 0)
            abort();
        if (n1 != n2 || memcmp(w1, w2, n1) != 0)
            abort();   /* write(read(write(p))) == write(p) */
        pdb_free(q);
        pdb_free(p);
        free(w1);
        free(w2);
    }
    free(buf);
    return 0;
}
