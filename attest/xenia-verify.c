/* SPDX-License-Identifier: MIT */
/*
 * xenia-verify: a tenant's remote attestation of a Xenia host (the relying
 * party's verifier; mbedTLS only, no TPM software stack).
 *
 *   xenia-verify --level s0:c1 [--run-dir DIR | --host H --port P --ca ROOT.pem]
 *                [--manifest FILE] [--image NAME=PATH|SHA256]... [--json] [--save FILE]
 *   xenia-verify --evidence FILE --level s0:c1 [...] [--nonce HEX] [--repeat N]
 *
 * Online: a fresh nonce over TLS 1.2 to the attestation agent, the evidence
 * back, credential activation of the AK against the EK certificate (TPM 2.0
 * Part 1 §24, MakeCredential here), then the decision of attest/verify.c. The
 * verdict is printed (or JSON with --json); exit 0 when trusted, 1 when
 * refused (the reason is named), 2 on bad usage.
 * Offline (--evidence): a bundle saved with --save, checked again against the
 * nonce it was made for (or --nonce: a replay must then be refused).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include <xenia/abi.h>
#include <xenia/attest.h>

#include "attest/items.h"
#include "attest/tlschan.h"
#include "attest/tpm2_parse.h"
#include "attest/verify.h"
#include "attest/xvcrypto.h"

#define TIMEOUT_MS 10000u

static struct {
    const char *host, *run_dir, *ca, *manifest, *level, *save, *evidence, *nonce_hex;
    unsigned port, repeat;
    int json, quiet;
} opt = { .host = "127.0.0.1", .port = 0, .repeat = 1 };

static struct xv_manifest ref;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_entropy_context entropy;

static void usage(FILE *f)
{
    fprintf(f,
        "usage: xenia-verify --level LEVEL [--run-dir DIR | --host H --port P --ca ROOT.pem]\n"
        "                    [--manifest FILE] [--image NAME=PATH|SHA256]... [--json] [--save FILE]\n"
        "       xenia-verify --evidence FILE --level LEVEL [--ca ROOT.pem] [--manifest FILE]\n"
        "                    [--nonce HEX] [--repeat N] [--json]\n"
        "  Attests a Xenia host: a fresh nonce to its attestation agent over TLS, the TPM quote,\n"
        "  event log, policy and this tenant's domains back, each checked (see docs/attestation.md).\n"
        "  --level LEVEL    this tenant's MCS level, e.g. s0:c1 (its domains' labels end in it)\n"
        "  --run-dir DIR    a local host: port from DIR/attest.port, EK CA root from DIR/tpm/ca\n"
        "  --host H --port P  the agent (default 127.0.0.1:7766)\n"
        "  --ca FILE        trusted EK CA root certificate(s), PEM\n"
        "  --manifest FILE  reference values (default: attest/manifest.cfg next to the binary's dir)\n"
        "  --image N=X      also accept image X (a file, or its SHA-256 in hex) for domain N\n"
        "  --json           one JSON object on stdout\n"
        "  --save FILE      keep the evidence bundle (nonce, binding, activated AK) for later\n"
        "  --evidence FILE  check a saved bundle instead of connecting\n"
        "  --nonce HEX      with --evidence: the nonce to expect (default: the bundle's own)\n"
        "  --repeat N       decide N times (with --evidence: verdicts per second; online: N\n"
        "                   sessions, median and p90 latency), figures on stderr\n"
        "Exit status: 0 trusted, 1 refused (the reason is printed), 2 usage.\n");
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

static void tohex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
    out[2 * n] = 0;
}

static uint8_t *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || (size_t)n > max ||
        fseek(f, 0, SEEK_SET) < 0 || (buf = malloc((size_t)n + 1)) == NULL) {
        fclose(f);
        errno = EFBIG;
        return NULL;
    }
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

static int add_image(const char *arg)
{
    const char *eq = strchr(arg, '=');
    char name[64];
    uint8_t d[32];

    if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(name))
        return -1;
    snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
    if (unhex(eq + 1, d, 32) < 0) {
        size_t n;
        uint8_t *b = read_file(eq + 1, 1u << 30, &n);
        if (b == NULL) {
            fprintf(stderr, "xenia-verify: --image %s: cannot read %s: %s\n", arg, eq + 1,
                    strerror(errno));
            return -1;
        }
        mbedtls_sha256_ret(b, n, d, 0);
        free(b);
    }
    return xv_manifest_add_image(&ref, name, d);
}

/* ---- output ----------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20 || c > 0x7e)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void print_verdict(const struct xv_verdict *v, const char *where)
{
    char h[65];

    if (opt.json) {
        printf("{\"verdict\":\"%s\",\"code\":\"%s\",\"reason\":", v->code ? "refused" : "trusted",
               xv_code_name(v->code));
        json_str(stdout, v->reason);
        printf(",\"host\":");
        json_str(stdout, where);
        printf(",\"level\":");
        json_str(stdout, opt.level);
        printf(",\"events\":%u,\"pcrs\":{", v->nevents);
        for (int i = 0; i < 3; i++) {
            tohex(v->pcr[i], 32, h);
            printf("%s\"%d\":\"%s\"", i ? "," : "", XENIA_PCR_CODE + i, h);
        }
        tohex(v->policy_sha256, 32, h);
        printf("},\"policy_sha256\":\"%s\",\"domains\":[", h);
        for (unsigned i = 0; i < v->ndom; i++) {
            tohex(v->dom[i].image, 32, h);
            printf("%s{\"domid\":%u,\"name\":", i ? "," : "", v->dom[i].domid);
            json_str(stdout, v->dom[i].name);
            printf(",\"label\":");
            json_str(stdout, v->dom[i].label);
            printf(",\"image_sha256\":\"%s\"}", h);
        }
        printf("],\"isolation\":");
        json_str(stdout, v->isolation);
        printf("}\n");
        return;
    }
    if (opt.quiet)
        goto verdict;
    printf("xenia-verify: %s, tenant level %s\n", where, opt.level);
    if (v->code == XV_OK || v->code > XV_E_REPLAY) {
        printf("  EK certificate   chains to the trusted CA\n");
        printf("  AK               activated against that EK\n");
        printf("  quote            fresh (our nonce and TLS channel binding), signed by the AK\n");
        printf("  event log        %u events, replays to the quoted PCRs 8, 9, 10\n", v->nevents);
    }
    if (v->code == XV_OK) {
        tohex(v->policy_sha256, 32, h);
        printf("  hv, stub domains reference values\n");
        printf("  policy           %.16s... (reference), enforcing\n", h);
        for (unsigned i = 0; i < v->ndom; i++) {
            tohex(v->dom[i].image, 32, h);
            printf("  domain %-9u %s (%s), image %.16s... (reference)\n", v->dom[i].domid,
                   v->dom[i].name, v->dom[i].label, h);
        }
        printf("  isolation        no information flow between %s and any other tenant\n",
               opt.level);
    }
verdict:
    if (v->code == XV_OK)
        printf("VERDICT: TRUSTED\n");
    else
        printf("VERDICT: REFUSED (%s): %s\n", xv_code_name(v->code), v->reason);
}

/* ---- the session ------------------------------------------------------------------ */

static int refuse(struct xv_verdict *v, int code, const char *prefix, const char *detail)
{
    memset(v, 0, sizeof(*v));
    v->code = code;
    snprintf(v->reason, sizeof(v->reason), "%s%s", prefix, detail);
    return code;
}

/* Receive one message of the expected type (an ERROR message becomes the reason). */
static int recv_expect(struct tlschan *c, uint16_t want, uint8_t *buf, size_t cap, size_t *len,
                       char *why, size_t whylen)
{
    uint16_t type;
    int rc = tlschan_recv(c, &type, buf, cap, len, TIMEOUT_MS);

    if (rc < 0) {
        snprintf(why, whylen, "no answer from the agent (error %d)", rc);
        return -1;
    }
    if (type == XENIA_ATT_MSG_ERROR) {
        struct att_item it[2];
        unsigned n;
        if (att_items_parse(buf, *len, it, 2, &n, why, whylen) == 0 && n >= 1 &&
            it[0].tag == XENIA_ATT_ERROR && it[0].len >= 4)
            snprintf(why, whylen, "the agent refused: %.*s (error %d)", (int)(it[0].len - 4),
                     (const char *)it[0].data + 4, *(const int32_t *)(const void *)it[0].data);
        else
            snprintf(why, whylen, "the agent sent a malformed error");
        return -1;
    }
    if (type != want) {
        snprintf(why, whylen, "protocol: message type %u where %u was expected", type, want);
        return -1;
    }
    return 0;
}

static int online(mbedtls_x509_crt *trust, struct xv_verdict *v, char *where, size_t wlen)
{
    static uint8_t msg[XENIA_ATT_MSG_MAX];
    uint8_t nonce[32], secret[32], name[34], idobj[XENIA_TPM_IDOBJ_MAX], enc[XENIA_TPM_ENCSEC_MAX];
    uint8_t hello[256], act[1024], lvl[64] = { 0 };
    size_t hl = 0, al = 0, ml, idl, encl;
    struct tlschan *c = NULL;
    struct xv_evidence ev;
    mbedtls_pk_context ek;
    char why[600];
    int rc;

    snprintf(where, wlen, "%s:%u", opt.host, opt.port);
    if (mbedtls_ctr_drbg_random(&drbg, nonce, sizeof(nonce)) != 0 ||
        mbedtls_ctr_drbg_random(&drbg, secret, sizeof(secret)) != 0)
        return refuse(v, XV_E_CONNECT, "", "no randomness");
    rc = tlschan_connect(opt.host, (uint16_t)opt.port, TIMEOUT_MS, &c, why, sizeof(why));
    if (rc < 0)
        return refuse(v, XV_E_CONNECT, "cannot reach the attestation agent: ", why);
    snprintf((char *)lvl, sizeof(lvl), "%s", opt.level);
    if (att_item_put(hello, sizeof(hello), &hl, XENIA_ATT_NONCE, nonce, 32) < 0 ||
        att_item_put(hello, sizeof(hello), &hl, XENIA_ATT_LEVEL, lvl, sizeof(lvl)) < 0 ||
        tlschan_send(c, XENIA_ATT_MSG_HELLO, hello, (uint32_t)hl) < 0) {
        tlschan_close(c);
        return refuse(v, XV_E_CONNECT, "", "cannot send the request");
    }
    if (recv_expect(c, XENIA_ATT_MSG_EVIDENCE, msg, sizeof(msg), &ml, why, sizeof(why)) < 0) {
        tlschan_close(c);
        return refuse(v, XV_E_CONNECT, "", why);
    }
    if (xv_evidence_parse(msg, ml, &ev, why, sizeof(why)) < 0) {
        tlschan_close(c);
        return refuse(v, XV_E_EVIDENCE, "", why);
    }
    /* Credential activation: only the TPM holding this EK can open the credential,
     * and it does so only for the AK with this name (TPM 2.0 Part 1 §24). */
    {
        const uint8_t *chain[8];
        size_t chain_len[8];
        for (unsigned i = 0; i < ev.nchain; i++) {
            chain[i] = ev.chain[i].data;
            chain_len[i] = ev.chain[i].len;
        }
        mbedtls_pk_init(&ek);
        if (xv_ek_chain_verify(ev.ek.data, ev.ek.len, chain, chain_len, ev.nchain, trust, &ek,
                               why, sizeof(why)) < 0) {
            mbedtls_pk_free(&ek);
            tlschan_close(c);
            return refuse(v, XV_E_EK, "", why);
        }
        if (tpm2_public_name(ev.ak.data, ev.ak.len, name) < 0) {
            mbedtls_pk_free(&ek);
            tlschan_close(c);
            return refuse(v, XV_E_AK, "", "the AK public area does not parse");
        }
        rc = xv_make_credential(&ek, name, sizeof(name), secret, sizeof(secret),
                                mbedtls_ctr_drbg_random, &drbg, idobj, sizeof(idobj), &idl, enc,
                                sizeof(enc), &encl);
        mbedtls_pk_free(&ek);
        if (rc < 0 ||
            att_item_put(act, sizeof(act), &al, XENIA_ATT_IDOBJ, idobj, (uint32_t)idl) < 0 ||
            att_item_put(act, sizeof(act), &al, XENIA_ATT_ENCSECRET, enc, (uint32_t)encl) < 0 ||
            tlschan_send(c, XENIA_ATT_MSG_ACTIVATE, act, (uint32_t)al) < 0) {
            tlschan_close(c);
            return refuse(v, XV_E_CONNECT, "", "cannot send the credential");
        }
        static uint8_t rep[4096];
        size_t rl;
        struct att_item it[2];
        unsigned n;
        if (recv_expect(c, XENIA_ATT_MSG_ACTIVATED, rep, sizeof(rep), &rl, why, sizeof(why)) < 0) {
            tlschan_close(c);
            return refuse(v, XV_E_ACTIVATION, "credential activation failed: ", why);
        }
        if (att_items_parse(rep, rl, it, 2, &n, why, sizeof(why)) < 0 || n != 1 ||
            it[0].tag != XENIA_ATT_SECRET || it[0].len != sizeof(secret) ||
            memcmp(it[0].data, secret, sizeof(secret)) != 0) {
            tlschan_close(c);
            return refuse(v, XV_E_ACTIVATION, "", "credential activation failed: the AK is "
                          "not a key of the TPM that holds this EK");
        }
    }
    {
        struct xv_expect ex = { .nonce = nonce, .binding = tlschan_binding(c), .ak_name = name,
                                .level = opt.level, .ref = &ref, .trust = trust };
        xv_verify(&ev, &ex, v);
        if (opt.save) {
            size_t cap = ml + 256, bl = 0;
            uint8_t *b = malloc(cap);
            FILE *f = fopen(opt.save, "wb");
            if (b && f &&
                att_item_put(b, cap, &bl, XENIA_ATT_BUNDLE_EVIDENCE, msg, (uint32_t)ml) == 0 &&
                att_item_put(b, cap, &bl, XENIA_ATT_BUNDLE_NONCE, nonce, 32) == 0 &&
                att_item_put(b, cap, &bl, XENIA_ATT_BUNDLE_BINDING, ex.binding, 32) == 0 &&
                att_item_put(b, cap, &bl, XENIA_ATT_BUNDLE_AK_NAME, name, 34) == 0 &&
                fwrite(b, 1, bl, f) == bl) {
                /* saved */
            } else {
                fprintf(stderr, "xenia-verify: cannot save the evidence to %s\n", opt.save);
            }
            if (f)
                fclose(f);
            free(b);
        }
    }
    tlschan_close(c);
    return v->code;
}

static int offline(mbedtls_x509_crt *trust, struct xv_verdict *v, char *where, size_t wlen)
{
    struct att_item it[8];
    const struct att_item *e, *n, *b, *a;
    struct xv_evidence ev;
    uint8_t nonce[32];
    unsigned cnt;
    size_t len;
    char why[600];
    uint8_t *buf = read_file(opt.evidence, 8u << 20, &len);
    struct timespec t0, t1;
    int code = XV_E_EVIDENCE;

    snprintf(where, wlen, "evidence %s", opt.evidence);
    if (buf == NULL)
        return refuse(v, XV_E_EVIDENCE, "cannot read the evidence file: ", strerror(errno));
    if (att_items_parse(buf, len, it, 8, &cnt, why, sizeof(why)) < 0 ||
        (e = att_item_find(it, cnt, XENIA_ATT_BUNDLE_EVIDENCE, 0)) == NULL ||
        (n = att_item_find(it, cnt, XENIA_ATT_BUNDLE_NONCE, 0)) == NULL || n->len != 32 ||
        (b = att_item_find(it, cnt, XENIA_ATT_BUNDLE_BINDING, 0)) == NULL || b->len != 32 ||
        (a = att_item_find(it, cnt, XENIA_ATT_BUNDLE_AK_NAME, 0)) == NULL || a->len != 34) {
        refuse(v, XV_E_EVIDENCE, "", "not an evidence bundle (xenia-verify --save)");
        goto out;
    }
    memcpy(nonce, n->data, 32);
    if (opt.nonce_hex && unhex(opt.nonce_hex, nonce, 32) < 0) {
        fprintf(stderr, "xenia-verify: --nonce needs 64 hex digits\n");
        free(buf);
        exit(2);
    }
    if (xv_evidence_parse(e->data, e->len, &ev, why, sizeof(why)) < 0) {
        refuse(v, XV_E_EVIDENCE, "", why);
        goto out;
    }
    struct xv_expect ex = { .nonce = nonce, .binding = b->data, .ak_name = a->data,
                            .level = opt.level, .ref = &ref, .trust = trust };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned i = 0; i < opt.repeat; i++)
        code = xv_verify(&ev, &ex, v);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (opt.repeat > 1) {
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(stderr, "xenia-verify: %u decisions in %.3f s: %.0f verdicts/s (%.3f ms each)\n",
                opt.repeat, s, opt.repeat / s, s * 1e3 / opt.repeat);
    }
out:
    free(buf);
    return code;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'H' },     { "port", required_argument, NULL, 'p' },
        { "run-dir", required_argument, NULL, 'r' },  { "ca", required_argument, NULL, 'c' },
        { "manifest", required_argument, NULL, 'm' }, { "level", required_argument, NULL, 'l' },
        { "image", required_argument, NULL, 'i' },    { "json", no_argument, NULL, 'j' },
        { "save", required_argument, NULL, 's' },     { "evidence", required_argument, NULL, 'e' },
        { "nonce", required_argument, NULL, 'n' },    { "repeat", required_argument, NULL, 'R' },
        { "quiet", no_argument, NULL, 'q' },          { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static char images[16][600];
    unsigned nimages = 0;
    char path[700], where[700], err[512];
    mbedtls_x509_crt trust;
    struct xv_verdict *v;
    size_t len;
    int c, code;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H': opt.host = optarg; break;
        case 'p': opt.port = (unsigned)atoi(optarg); break;
        case 'r': opt.run_dir = optarg; break;
        case 'c': opt.ca = optarg; break;
        case 'm': opt.manifest = optarg; break;
        case 'l': opt.level = optarg; break;
        case 'j': opt.json = 1; break;
        case 's': opt.save = optarg; break;
        case 'e': opt.evidence = optarg; break;
        case 'n': opt.nonce_hex = optarg; break;
        case 'R': opt.repeat = (unsigned)atoi(optarg); break;
        case 'q': opt.quiet = 1; break;
        case 'i':
            if (nimages >= 16) {
                fprintf(stderr, "xenia-verify: at most 16 --image\n");
                return 2;
            }
            snprintf(images[nimages++], sizeof(images[0]), "%s", optarg);
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || opt.level == NULL || opt.repeat == 0) {
        usage(stderr);
        return 2;
    }
    if (opt.run_dir) {
        if (opt.port == 0) {
            FILE *f;
            snprintf(path, sizeof(path), "%s/attest.port", opt.run_dir);
            f = fopen(path, "r");
            if (f == NULL || fscanf(f, "%u", &opt.port) != 1) {
                fprintf(stderr, "xenia-verify: cannot read the agent's port from %s\n", path);
                return 1;
            }
            fclose(f);
        }
        if (opt.ca == NULL) {
            static char ca[700];
            snprintf(ca, sizeof(ca), "%s/tpm/ca/swtpm-localca-rootca-cert.pem", opt.run_dir);
            opt.ca = ca;
        }
    }
    if (opt.port == 0)
        opt.port = XENIA_ATT_PORT;
    if (opt.manifest == NULL) {
        static char man[700];
        char self[600];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        self[n > 0 ? n : 0] = 0;
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = 0;
        snprintf(man, sizeof(man), "%s/../attest/manifest.cfg", self);
        opt.manifest = man;
    }
    if (opt.ca == NULL) {
        fprintf(stderr, "xenia-verify: name the EK CA root with --ca (or --run-dir)\n");
        return 2;
    }
    {
        uint8_t *text = read_file(opt.manifest, 1u << 20, &len);
        if (text == NULL) {
            fprintf(stderr, "xenia-verify: cannot read the manifest %s: %s\n", opt.manifest,
                    strerror(errno));
            return 2;
        }
        if (xv_manifest_parse((const char *)text, &ref, err, sizeof(err)) < 0) {
            fprintf(stderr, "xenia-verify: %s: %s\n", opt.manifest, err);
            free(text);
            return 2;
        }
        free(text);
    }
    for (unsigned i = 0; i < nimages; i++)
        if (add_image(images[i]) < 0) {
            fprintf(stderr, "xenia-verify: bad --image %s (NAME=PATH or NAME=SHA256)\n", images[i]);
            return 2;
        }
    mbedtls_x509_crt_init(&trust);
    if (mbedtls_x509_crt_parse_file(&trust, opt.ca) != 0) {
        fprintf(stderr, "xenia-verify: cannot read the EK CA certificate %s\n", opt.ca);
        return 2;
    }
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                              (const unsigned char *)"xenia-verify", 12) != 0) {
        fprintf(stderr, "xenia-verify: no entropy\n");
        return 2;
    }
    v = calloc(1, sizeof(*v));
    if (v == NULL)
        return 2;
    if (opt.evidence) {
        code = offline(&trust, v, where, sizeof(where));
    } else {
        /* --repeat N online: N whole sessions (connect, TLS, nonce, activation,
         * verdict) one after another; the median and 90th percentile to stderr. */
        double *ms = calloc(opt.repeat, sizeof(double));
        code = XV_OK;
        for (unsigned i = 0; ms && i < opt.repeat; i++) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            code = online(&trust, v, where, sizeof(where));
            clock_gettime(CLOCK_MONOTONIC, &t1);
            ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
            if (code != XV_OK)
                break;
        }
        if (ms && opt.repeat > 1 && code == XV_OK) {
            qsort(ms, opt.repeat, sizeof(double), cmp_double);
            fprintf(stderr, "xenia-verify: %u sessions: nonce -> verdict median %.2f ms, p90 %.2f ms\n",
                    opt.repeat, ms[opt.repeat / 2], ms[opt.repeat * 9 / 10]);
        }
        free(ms);
    }
    print_verdict(v, where);
    free(v);
    mbedtls_x509_crt_free(&trust);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return code == XV_OK ? 0 : 1;
}
