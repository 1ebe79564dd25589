/* SPDX-License-Identifier: MIT */
/*
 * xenia-policy: the policy tool. A thin I/O shell: files are read and written here,
 * every decision is made by pure code (policy/compile.c, policy/policydb.c,
 * xsm/flask/ss.c, policy/analyze.c).
 *
 *   xenia-policy compile SRC.te [-o OUT]      compile; prints "sha256 <hex>  OUT" and counts
 *   xenia-policy info POLICY.xpol             counts and sha256
 *   xenia-policy query POLICY.xpol SCTX TCTX CLASS [--bools b=0,c=1]
 *   xenia-policy analyze | check-isolation | audit2allow ...   (policy/cmd_analyze.c)
 *   xenia-policy help
 *
 * Exit status: 0 success, 1 error (messages on stderr), 2 usage (analyze: a flow).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "policy/cmds.h"
#include "policy/compile.h"
#include "policy/policydb.h"
#include "xsm/flask/ss.h"

#define MAX_FILE (POL_MAX_SRC)

int pol_read_file(const char *path, uint8_t **out, size_t *outlen)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;

    *out = NULL;
    *outlen = 0;
    if (!f)
        return -errno;
    for (;;) {
        if (len == cap) {
            if (cap >= MAX_FILE) {
                rc = -E2BIG;
                goto out;
            }
            cap = cap ? 2 * cap : 65536;
            uint8_t *nb = realloc(buf, cap + 1);
            if (!nb) {
                rc = -ENOMEM;
                goto out;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                rc = -EIO;
            break;
        }
    }
out:
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
}

/* Write via a temporary file and rename, so a failed write leaves no partial OUT. */
static int write_file(const char *path, const uint8_t *buf, size_t len)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 8);
    int rc = 0;
    if (!tmp)
        return -ENOMEM;
    snprintf(tmp, pl + 8, "%s.tmpXX", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        rc = -errno;
        goto out;
    }
    if (fwrite(buf, 1, len, f) != len)
        rc = -EIO;
    if (fclose(f) != 0 && !rc)
        rc = -EIO;
    if (!rc && rename(tmp, path) != 0)
        rc = -errno;
    if (rc)
        unlink(tmp);
out:
    free(tmp);
    return rc;
}

static void sha256_hex(const uint8_t *buf, size_t len, char hex[65])
{
    unsigned char md[32];
    mbedtls_sha256_ret(buf, len, md, 0);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void print_counts(const struct policydb *p)
{
    printf("types %u attributes %u classes %u rules %u booleans %u constraints %u\n", p->ntypes, p->nattrs,
           p->nclasses, p->navrules, p->nbools, p->ncons);
}

static int cmd_compile(int argc, char **argv)
{
    const char *src = NULL, *outp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            outp = argv[++i];
        else if (!src && argv[i][0] != '-')
            src = argv[i];
        else {
            fprintf(stderr, "usage: xenia-policy compile SRC.te [-o OUT]\n");
            return 2;
        }
    }
    if (!src) {
        fprintf(stderr, "usage: xenia-policy compile SRC.te [-o OUT]\n");
        return 2;
    }
    char *dflt = NULL;
    if (!outp) {
        size_t n = strlen(src);
        dflt = malloc(n + 6);
        if (!dflt)
            return 1;
        memcpy(dflt, src, n + 1);
        if (n > 3 && !strcmp(src + n - 3, ".te"))
            dflt[n - 3] = '\0';
        strcat(dflt, ".xpol");
        outp = dflt;
    }

    uint8_t *text = NULL, *bin = NULL;
    size_t tlen = 0, blen = 0;
    struct policydb *p = NULL;
    struct pol_diag *d = calloc(1, sizeof(*d));
    int status = 1, rc;

    if (!d)
        goto out;
    rc = pol_read_file(src, &text, &tlen);
    if (rc) {
        fprintf(stderr, "xenia-policy: %s: %s\n", src, strerror(-rc));
        goto out;
    }
    rc = pol_compile(src, (const char *)text, tlen, &p, d);
    if (rc) {
        char line[POL_DIAG_MSG + 512];
        for (uint32_t i = 0; i < d->n; i++) {
            pol_diag_format(d, i, src, line, sizeof(line));
            fprintf(stderr, "%s\n", line);
        }
        if (d->total > d->n)
            fprintf(stderr, "%s: %u more errors not shown\n", src, d->total - d->n);
        if (rc != -EINVAL)
            fprintf(stderr, "xenia-policy: %s: %s\n", src, strerror(-rc));
        fprintf(stderr, "%s: %u error%s, no output written\n", src, d->total, d->total == 1 ? "" : "s");
        goto out;
    }
    rc = pdb_write(p, &bin, &blen);
    if (rc) {
        fprintf(stderr, "xenia-policy: cannot serialise the policy: %s\n", strerror(-rc));
        goto out;
    }
    rc = write_file(outp, bin, blen);
    if (rc) {
        fprintf(stderr, "xenia-policy: %s: %s\n", outp, strerror(-rc));
        goto out;
    }
    char hex[65];
    sha256_hex(bin, blen, hex);
    printf("sha256 %s  %s\n", hex, outp);
    print_counts(p);
    status = 0;
out:
    free(d);
    free(text);
    free(bin);
    free(dflt);
    pdb_free(p);
    return status;
}

static int load_binary(const char *path, struct policydb **p, char hex[65])
{
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[256];
    int rc = pol_read_file(path, &buf, &len);
    if (rc) {
        fprintf(stderr, "xenia-policy: %s: %s\n", path, strerror(-rc));
        return rc;
    }
    rc = pdb_read(buf, len, p, err, sizeof(err));
    if (rc)
        fprintf(stderr, "xenia-policy: %s: invalid policy binary: %s\n", path, err);
    else if (hex)
        sha256_hex(buf, len, hex);
    free(buf);
    return rc;
}

static int cmd_info(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: xenia-policy info POLICY.xpol\n");
        return 2;
    }
    struct policydb *p = NULL;
    char hex[65];
    if (load_binary(argv[1], &p, hex))
        return 1;
    printf("sha256 %s  %s\n", hex, argv[1]);
    print_counts(p);
    printf("roles %u users %u sensitivities %u categories %u initial_sids %u logins %u handle_unknown %s\n",
           p->nroles, p->nusers, p->nsens, p->ncats, p->nisids, p->nlogins,
           p->handle_unknown == PDB_UNKNOWN_ALLOW ? "allow" : "deny");
    pdb_free(p);
    return 0;
}

/* "--bools a=0,b=1" into bools[1..nbools]. */
static int parse_bools(const struct policydb *p, const char *spec, bool *bools)
{
    char *dup = strdup(spec), *save = NULL;
    int rc = 0;
    if (!dup)
        return -ENOMEM;
    for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || (strcmp(eq + 1, "0") && strcmp(eq + 1, "1") && strcmp(eq + 1, "true") && strcmp(eq + 1, "false"))) {
            fprintf(stderr, "xenia-policy: bad boolean setting '%s' (want name=0|1)\n", tok);
            rc = -EINVAL;
            break;
        }
        *eq = '\0';
        uint32_t b = pdb_bool_index(p, tok);
        if (!b) {
            fprintf(stderr, "xenia-policy: unknown boolean '%s'\n", tok);
            rc = -EINVAL;
            break;
        }
        bools[b] = !strcmp(eq + 1, "1") || !strcmp(eq + 1, "true");
    }
    free(dup);
    return rc;
}

static int cmd_query(int argc, char **argv)
{
    const char *pos[4] = { 0 }, *bspec = NULL;
    int np = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bools") && i + 1 < argc)
            bspec = argv[++i];
        else if (np < 4)
            pos[np++] = argv[i];
        else
            np = 5;
    }
    if (np != 4) {
        fprintf(stderr, "usage: xenia-policy query POLICY.xpol SCONTEXT TCONTEXT CLASS [--bools name=0,...]\n");
        return 2;
    }
    struct policydb *p = NULL;
    bool *bools = NULL;
    int status = 1;
    char err[256];
    struct pdb_context s, t;
    if (load_binary(pos[0], &p, NULL))
        return 1;
    bools = calloc((size_t)p->nbools + 1, sizeof(bool));
    if (!bools)
        goto out;
    for (uint32_t i = 1; i <= p->nbools; i++)
        bools[i] = p->bools[i].dflt;
    if (bspec && parse_bools(p, bspec, bools))
        goto out;
    if (ss_context_parse(p, pos[1], &s, err, sizeof(err))) {
        fprintf(stderr, "xenia-policy: source context: %s\n", err);
        goto out;
    }
    if (ss_context_parse(p, pos[2], &t, err, sizeof(err))) {
        fprintf(stderr, "xenia-policy: target context: %s\n", err);
        goto out;
    }
    uint32_t k = pdb_class_index(p, pos[3]);
    if (!k) {
        fprintf(stderr, "xenia-policy: unknown class '%s'\n", pos[3]);
        goto out;
    }
    uint32_t av = ss_compute_av(p, bools, &s, &t, k, NULL);
    printf("{");
    for (uint32_t i = 0; i < p->classes[k].nperms; i++)
        if ((av >> i) & 1u)
            printf(" %s", p->classes[k].perms[i]);
    printf(" }\n");
    status = 0;
out:
    free(bools);
    pdb_free(p);
    return status;
}

static int cmd_help(int argc, char **argv);

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *usage;
} commands[] = {
    { "compile", cmd_compile, "compile SRC.te [-o OUT]          compile a policy (default OUT: SRC.xpol)" },
    { "info", cmd_info, "info POLICY.xpol                 counts and sha256 of a policy binary" },
    { "query", cmd_query, "query POLICY.xpol SCTX TCTX CLASS [--bools b=0,...]   allowed permissions" },
    { "analyze", cmd_analyze, "analyze POLICY LABEL_A LABEL_B   can information flow from A to B?" },
    { "check-isolation", cmd_check_isolation, "check-isolation POLICY           flows between tenants' login contexts" },
    { "audit2allow", cmd_audit2allow, "audit2allow [-p POLICY] [FILE|-] rules that would allow AVC denials" },
    { "help", cmd_help, "help                             this text" },
};

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("usage: xenia-policy COMMAND ...\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        printf("  xenia-policy %s\n", commands[i].usage);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cmd_help(0, NULL);
        return 2;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return cmd_help(0, NULL);
    fprintf(stderr, "xenia-policy: unknown command '%s' (try 'xenia-policy help')\n", argv[1]);
    return 2;
}
