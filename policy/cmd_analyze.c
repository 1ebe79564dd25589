/* SPDX-License-Identifier: MIT */
/*
 * `xenia-policy analyze | check-isolation | audit2allow`: the thin I/O shell around
 * the pure analyser (policy/analyze.c) and audit2allow (policy/audit2allow.c).
 * Exit status: 0 isolated / done, 2 a flow exists, 1 error (bad label, unreadable
 * or invalid policy, bad usage).
 *
 * POLICY may be a compiled binary (PDB_MAGIC) or a source file (anything else),
 * which is compiled in memory with pol_compile (policy/compile.h) first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/analyze.h"
#include "policy/audit2allow.h"
#include "policy/cmds.h"
#include "policy/compile.h"
#include "policy/policydb.h"
#include "xsm/flask/ss.h"

#define REPORT_MAX      (1u << 20)

/* Load POLICY (binary or source). Prints the reason and returns NULL on error. */
static struct policydb *load_policy(const char *path)
{
    struct policydb *p = NULL;
    struct pol_diag *diags = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[256] = "";
    int rc;

    rc = pol_read_file(path, &buf, &len);
    if (rc < 0) {
        fprintf(stderr, "xenia-policy: %s: %s\n", path, strerror(-rc));
        return NULL;
    }
    if (len >= 4 && buf[0] == (PDB_MAGIC & 0xff) && buf[1] == ((PDB_MAGIC >> 8) & 0xff) &&
        buf[2] == ((PDB_MAGIC >> 16) & 0xff) && buf[3] == (PDB_MAGIC >> 24)) {
        rc = pdb_read(buf, len, &p, err, sizeof(err));
        if (rc < 0)
            fprintf(stderr, "xenia-policy: %s: invalid policy: %s\n", path,
                    err[0] ? err : strerror(-rc));
        goto out;
    }
    diags = calloc(1, sizeof(*diags));
    if (!diags) {
        fprintf(stderr, "xenia-policy: out of memory\n");
        goto out;
    }
    rc = pol_compile(path, (const char *)buf, len, &p, diags);
    if (rc < 0) {
        for (uint32_t i = 0; i < diags->n; i++) {
            char line[POL_DIAG_MSG + 300];
            pol_diag_format(diags, i, path, line, sizeof(line));
            fprintf(stderr, "%s\n", line);
        }
        if (diags->n == 0)
            fprintf(stderr, "xenia-policy: %s: %s\n", path, strerror(-rc));
        p = NULL;
    }
out:
    free(diags);
    free(buf);
    return p;
}

/*
 * cmd_analyze — `analyze POLICY LABEL_A LABEL_B`: prints "no flow from A to B"
 * (exit 0) or "flow: yes" and the shortest path (exit 2); exit 1 on errors.
 */
int cmd_analyze(int argc, char **argv)
{
    struct policydb *p = NULL;
    struct pdb_context a, b;
    struct an_path *path = NULL;
    char err[256], *text = NULL;
    int rc, ret = 1;

    if (argc != 4) {
        fprintf(stderr, "usage: xenia-policy analyze POLICY.xpol LABEL_A LABEL_B\n");
        return 1;
    }
    p = load_policy(argv[1]);
    if (!p)
        return 1;
    if (ss_context_parse(p, argv[2], &a, err, sizeof(err)) < 0) {
        fprintf(stderr, "xenia-policy: bad label '%s': %s\n", argv[2], err);
        goto out;
    }
    if (ss_context_parse(p, argv[3], &b, err, sizeof(err)) < 0) {
        fprintf(stderr, "xenia-policy: bad label '%s': %s\n", argv[3], err);
        goto out;
    }
    path = calloc(1, sizeof(*path));
    text = malloc(REPORT_MAX);
    if (!path || !text) {
        fprintf(stderr, "xenia-policy: out of memory\n");
        goto out;
    }
    rc = an_flow(p, &a, &b, path);
    if (rc < 0) {
        fprintf(stderr, "xenia-policy: analyze: %s\n", strerror(-rc));
        goto out;
    }
    if (rc == 0) {
        printf("no flow from %s to %s\n", argv[2], argv[3]);
        ret = 0;
        goto out;
    }
    rc = an_format_path(p, path, text, REPORT_MAX);
    if (rc < 0) {
        fprintf(stderr, "xenia-policy: analyze: %s\n", strerror(-rc));
        goto out;
    }
    printf("flow: yes, from %s to %s in %u step%s\n%s", argv[2], argv[3], path->nsteps,
           path->nsteps == 1 ? "" : "s", text);
    ret = 2;
out:
    free(text);
    free(path);
    pdb_free(p);
    return ret;
}

/*
 * cmd_check_isolation — `check-isolation POLICY`: one line per ordered pair of
 * tenants, then "verdict: isolated (N pairs)" (exit 0) or "verdict: NOT isolated
 * (K of N pairs have a flow)" (exit 2); exit 1 on errors.
 */
int cmd_check_isolation(int argc, char **argv)
{
    struct policydb *p;
    char *report = NULL;
    uint32_t pairs = 0;
    int rc, ret = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: xenia-policy check-isolation POLICY.xpol\n");
        return 1;
    }
    p = load_policy(argv[1]);
    if (!p)
        return 1;
    report = malloc(REPORT_MAX);
    if (!report) {
        fprintf(stderr, "xenia-policy: out of memory\n");
        goto out;
    }
    rc = an_check_isolation(p, report, REPORT_MAX);
    if (rc < 0) {
        fprintf(stderr, "xenia-policy: check-isolation: %s\n", strerror(-rc));
        goto out;
    }
    for (const char *s = report; *s; s++)
        pairs += *s == '\n';
    fputs(report, stdout);
    if (rc == 0 && pairs == 0) {
        printf("verdict: isolated (0 tenant pairs: fewer than two tenant logins, nothing to "
               "separate)\n");
        ret = 0;
    } else if (rc == 0) {
        printf("verdict: isolated (%u tenant pair%s, no flow)\n", pairs, pairs == 1 ? "" : "s");
        ret = 0;
    } else {
        printf("verdict: NOT isolated (%d of %u tenant pairs have a flow)\n", rc, pairs);
        ret = 2;
    }
out:
    free(report);
    pdb_free(p);
    return ret;
}

/*
 * cmd_audit2allow — `audit2allow [-p POLICY] [FILE|-]`: reads lines (stdin by
 * default), ignores all but AVC denials, prints the suggested rules. A malformed
 * denial line is reported on stderr (with its line number) and skipped. Exit 0, or
 * 1 on errors (unreadable input or policy, too many groups).
 */
int cmd_audit2allow(int argc, char **argv)
{
    struct policydb *p = NULL;
    struct a2a *a = NULL;
    struct a2a_denial *d = NULL;
    const char *in = "-";
    FILE *f = NULL;
    char *line = NULL, *out = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int rc, ret = 1, i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
            if (p) {
                fprintf(stderr, "xenia-policy: audit2allow: -p given twice\n");
                goto out;
            }
            p = load_policy(argv[++i]);
            if (!p)
                goto out;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "usage: xenia-policy audit2allow [-p POLICY.xpol] [FILE|-]\n");
            goto out;
        } else if (i == argc - 1) {
            in = argv[i];
        } else {
            fprintf(stderr, "usage: xenia-policy audit2allow [-p POLICY.xpol] [FILE|-]\n");
            goto out;
        }
    }
    f = strcmp(in, "-") == 0 ? stdin : fopen(in, "r");
    if (!f) {
        fprintf(stderr, "xenia-policy: %s: %s\n", in, strerror(errno));
        goto out;
    }
    d = malloc(sizeof(*d));
    rc = d ? a2a_new(p, &a) : -ENOMEM;
    if (rc < 0) {
        fprintf(stderr, "xenia-policy: audit2allow: %s\n", strerror(-rc));
        goto out;
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        rc = a2a_parse_line(line, (size_t)n, d);
        if (rc < 0) {
            fprintf(stderr, "xenia-policy: %s:%lu: malformed AVC denial (%s), skipped\n",
                    in, lineno, strerror(-rc));
            continue;
        }
        if (rc == 0)
            continue;
        rc = a2a_add(a, d);
        if (rc < 0) {
            fprintf(stderr, "xenia-policy: %s:%lu: %s\n", in, lineno, strerror(-rc));
            goto out;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "xenia-policy: %s: read error\n", in);
        goto out;
    }
    out = malloc(REPORT_MAX);
    if (!out) {
        fprintf(stderr, "xenia-policy: out of memory\n");
        goto out;
    }
    rc = a2a_format(a, out, REPORT_MAX);
    if (rc < 0) {
        fprintf(stderr, "xenia-policy: audit2allow: %s\n", strerror(-rc));
        goto out;
    }
    fputs(out, stdout);
    ret = 0;
out:
    if (f && f != stdin)
        fclose(f);
    free(line);
    free(out);
    free(d);
    a2a_free(a);
    pdb_free(p);
    return ret;
}
