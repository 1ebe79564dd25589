// expect-shutdown: poweroff
// expect-console: AKPUB 0023
// expect-console: QUOTE ff544347
// expect-console: Test result: SUCCESS
// timeout: 60
/* SPDX-License-Identifier: MIT */
/*
 * attest_op (hypercall 48, include/xenia/attest.h) from inside a guest.
 * Command line: "nonce=<64 hex digits>" (tests/integration/attest_guest.sh picks
 * a random one and checks the quote with tpm2_checkquote); without it a fixed
 * nonce (bytes 00..1f) is used, as under tests/guests/run.sh. Prints
 *   AKPUB <hex TPMT_PUBLIC>
 *   QUOTE <hex TPMS_ATTEST> <hex TPMT_SIGNATURE>
 *   DOMID <n>
 * then checks the ABI's edges: a buffer too small (-E2BIG, lengths filled in,
 * nothing written), non-zero pads, wrong version, bad command, buf_len over
 * XENIA_CONSOLEIO_MAX (-EINVAL, the struct untouched), unmapped and read-only
 * struct or buffer (-EFAULT), and the rate limit (burst XENIA_ATTEST_BURST, then
 * -EAGAIN; a token comes back after 1/XENIA_ATTEST_RATE s). With "denied" on
 * the command line it checks instead that both commands are -EACCES (a policy
 * without attest:guest_quote for the domain). Needs a TPM in hv
 * (xenia-hv's default --tpm swtpm); without one, ATTESTOP_ak_pub fails with
 * -ENODATA and the test fails.
 */
#include <xenia/attest_guest.h>

#include "hc_common.h"
#include "peer_common.h"

#define BUF_MAX XENIA_CONSOLEIO_MAX
#define TPM_GENERATED_VALUE 0xff544347u   /* TPM 2.0 Part 2 §6.2 */
#define TPM_ST_ATTEST_QUOTE 0x8018u       /* TPM 2.0 Part 2 §6.9 */
#define TPM_ALG_ECC         0x0023u       /* TPM 2.0 Part 2 §6.3 */
#define TPM_ALG_SHA256      0x000bu

static uint8_t buf[BUF_MAX];
static uint8_t quote[BUF_MAX];
static uint32_t quote_alen, quote_slen;
static const uint8_t ro_buf[256];                 /* .rodata: user read-only */
static const struct xenia_attest_quote ro_q = {   /* a valid struct, read-only */
    .version = XENIA_INTERFACE_VERSION, .buf = (uint64_t)(uintptr_t)buf, .buf_len = 16 };

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "nonce=<64 hex>" from the command line into n[32]: 1 found, 0 absent, -1 malformed. */
static int cmdline_nonce(uint8_t n[32])
{
    const char *c = xenia_cmdline();

    for (const char *p = c; *p; p++) {
        if ((p != c && p[-1] != ' ') || strncmp(p, "nonce=", 6) != 0)
            continue;
        p += 6;
        for (unsigned i = 0; i < 32; i++) {
            int hi = hexval(p[2 * i]), lo = hi < 0 ? -1 : hexval(p[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return -1;
            n[i] = (uint8_t)(hi << 4 | lo);
        }
        return p[64] == 0 || p[64] == ' ' ? 1 : -1;
    }
    return 0;
}

/* Print p[0..n) as lower-case hex, no separator. */
static void put_hex(const uint8_t *p, uint32_t n)
{
    static const char d[] = "0123456789abcdef";
    char line[129];

    while (n) {
        uint32_t k = n > 64 ? 64 : n;
        for (uint32_t i = 0; i < k; i++) {
            line[2 * i] = d[p[i] >> 4];
            line[2 * i + 1] = d[p[i] & 15];
        }
        line[2 * k] = 0;
        printf("%s", line);
        p += k;
        n -= k;
    }
}

/* A valid request for cmd into buf[0..len). */
static void fill(struct xenia_attest_quote *q, const uint8_t nonce[32], uint64_t gva, uint32_t len)
{
    memset(q, 0, sizeof(*q));
    q->version = XENIA_INTERFACE_VERSION;
    memcpy(q->nonce, nonce, 32);
    q->buf = gva;
    q->buf_len = len;
}

/*
 * The extraData (qualifyingData) of a marshaled TPMS_ATTEST (TPM 2.0 Part 2
 * §10.12.12: magic, type, qualifiedSigner TPM2B_NAME, extraData TPM2B_DATA):
 * returns its offset and sets *len, or returns 0 when a size runs past @n.
 */
static uint32_t extra_data(const uint8_t *a, uint32_t n, uint32_t *len)
{
    uint32_t off = 6;

    if (n < off + 2 || off + 2 + be16(a + off) + 2 > n)
        return 0;
    off += 2 + be16(a + off);
    *len = be16(a + off);
    if (off + 2 + *len > n)
        return 0;
    return off + 2;
}

static void test_ak_pub(void)
{
    uint32_t alen = 0xdead, slen = 0xdead;
    long rc = xenia_attest(XENIA_ATTESTOP_ak_pub, NULL, buf, sizeof(buf), &alen, &slen);

    xt_check_eq(rc, 0, "ATTESTOP_ak_pub");
    if (rc == -XENIA_ENODATA)
        printf("attest_quote: hv has no TPM (-ENODATA)\n");
    if (rc != 0)
        return;
    xt_check(alen >= 4 && alen <= XENIA_TPM_PUB_MAX, "AK TPMT_PUBLIC size %u", alen);
    xt_check_eq(slen, 0, "ak_pub sig_len");
    if (alen < 4 || alen > XENIA_TPM_PUB_MAX)
        return;
    xt_check_eq(be16(buf), TPM_ALG_ECC, "AK type (attest.h: ECC P-256)");
    xt_check_eq(be16(buf + 2), TPM_ALG_SHA256, "AK nameAlg");
    printf("AKPUB ");
    put_hex(buf, alen);
    printf("\n");

    /* Too small a buffer: -E2BIG with the size, nothing written. */
    memset(buf, 0x5a, 64);
    uint32_t a2 = 0, s2 = 0;
    xt_check_eq(xenia_attest(XENIA_ATTESTOP_ak_pub, NULL, buf, 8, &a2, &s2), -XENIA_E2BIG,
                "ak_pub into 8 bytes");
    xt_check_eq(a2, alen, "ak_pub -E2BIG reports the size");
    xt_check(buf[0] == 0x5a && buf[7] == 0x5a, "ak_pub -E2BIG wrote nothing");
}

/* The quote for @nonce; prints QUOTE and DOMID. */
static void test_quote(const uint8_t nonce[32])
{
    uint32_t xoff, xlen = 0;
    long rc = xenia_attest(XENIA_ATTESTOP_quote, nonce, quote, sizeof(quote), &quote_alen,
                           &quote_slen);

    xt_check_eq(rc, 0, "ATTESTOP_quote");
    if (rc != 0)
        return;
    xt_check(quote_alen > 10 && quote_alen <= XENIA_TPM_ATTEST_MAX, "TPMS_ATTEST size %u",
             quote_alen);
    xt_check(quote_slen > 4 && quote_slen <= XENIA_TPM_SIG_MAX, "TPMT_SIGNATURE size %u",
             quote_slen);
    if (quote_alen <= 10 || quote_alen > XENIA_TPM_ATTEST_MAX || quote_slen > XENIA_TPM_SIG_MAX)
        return;
    xt_check_eq(be32(quote), TPM_GENERATED_VALUE, "TPMS_ATTEST magic");
    xt_check_eq(be16(quote + 4), TPM_ST_ATTEST_QUOTE, "TPMS_ATTEST type");
    xoff = extra_data(quote, quote_alen, &xlen);
    xt_check(xoff != 0, "TPMS_ATTEST sizes run past its end");
    xt_check_eq(xlen, XENIA_SHA256_LEN, "extraData is one SHA-256");
    /* qualifyingData = SHA-256(tag || domid || nonce): not the bare nonce. */
    xt_check(xoff == 0 || memcmp(quote + xoff, nonce, 32) != 0, "extraData is not the raw nonce");
    printf("QUOTE ");
    put_hex(quote, quote_alen);
    printf(" ");
    put_hex(quote + quote_alen, quote_slen);
    printf("\nDOMID %u\n", xenia_start_info()->domid);
    xenia_console_flush();
}

/* Too small a buffer: -E2BIG, both lengths filled in, the buffer untouched. */
static void test_e2big(const uint8_t nonce[32])
{
    struct xenia_attest_quote q;

    memset(buf, 0x5a, 64);
    fill(&q, nonce, XENIA_GVA(buf), 16);
    xt_check_eq(xenia_attest_op(XENIA_ATTESTOP_quote, &q), -XENIA_E2BIG, "quote into 16 bytes");
    xt_check(q.attest_len > 0 && q.sig_len > 0 && q.attest_len + q.sig_len > 16,
             "-E2BIG fills attest_len %u, sig_len %u", q.attest_len, q.sig_len);
    if (quote_alen)
        xt_check_eq(q.attest_len, quote_alen, "-E2BIG attest_len = a quote's size");
    xt_check(buf[0] == 0x5a && buf[15] == 0x5a && buf[63] == 0x5a, "-E2BIG wrote nothing");
}

/* Decode refuses: -EINVAL, and the struct's OUT fields are untouched. */
static void test_einval(const uint8_t nonce[32])
{
    struct xenia_attest_quote q;

#define BAD(cmd, a3, field, val, what)                                                   \
    do {                                                                                 \
        fill(&q, nonce, XENIA_GVA(buf), sizeof(buf));                                    \
        q.attest_len = 0x11111111;                                                       \
        q.field = val;                                                                   \
        xt_check_eq(xenia_hypercall3(XENIA_HC_attest_op, (cmd), XENIA_GVA(&q), (a3)),     \
                    -XENIA_EINVAL, what);                                                \
        xt_check_eq(q.attest_len, 0x11111111, what ": struct untouched");                \
    } while (0)
    BAD(XENIA_ATTESTOP_quote, 0, pad, 1, "pad 1");
    BAD(XENIA_ATTESTOP_quote, 0, pad, 0x80000000u, "pad bit 31");
    BAD(XENIA_ATTESTOP_quote, 0, pad2, 1, "pad2 1");
    BAD(XENIA_ATTESTOP_ak_pub, 0, pad2, 0xffffffffu, "ak_pub pad2");
    BAD(XENIA_ATTESTOP_quote, 0, version, XENIA_INTERFACE_VERSION + 1, "version + 1");
    BAD(XENIA_ATTESTOP_quote, 0, version, 0, "version 0");
    BAD(XENIA_ATTESTOP_quote, 0, buf_len, XENIA_CONSOLEIO_MAX + 1, "buf_len over the maximum");
    BAD(XENIA_ATTESTOP_quote, 0, buf_len, 0xffffffffu, "buf_len ~0");
    BAD(2, 0, pad, 0, "cmd 2");
    BAD(XENIA_ATTESTOP_quote | (1ull << 32), 0, pad, 0, "cmd | 1<<32");
    BAD(XENIA_ATTESTOP_quote, 1, pad, 0, "third argument 1");
#undef BAD
}

/* Unmapped, supervisor-only and read-only structs and buffers: -EFAULT. */
static void test_efault(const uint8_t nonce[32], uint64_t guard)
{
    struct xenia_attest_quote q;
    uint8_t *tail = xenia_gva_ptr(guard - 16);

#define BUFAT(gva, len, what)                                                            \
    do {                                                                                 \
        fill(&q, nonce, (gva), (len));                                                   \
        xt_check_eq(xenia_attest_op(XENIA_ATTESTOP_quote, &q), -XENIA_EFAULT, what);     \
    } while (0)
    BUFAT(BAD_NULL, 64, "buf at NULL");
    BUFAT(guard, 64, "buf in the guard page");
    memset(tail, 0x5a, 16);
    BUFAT(guard - 16, 64, "buf running into the guard page");
    xt_check(tail[0] == 0x5a && tail[15] == 0x5a, "nothing written before the guard page");
    BUFAT(BAD_BUILDER, 64, "buf in the builder area (supervisor)");
    BUFAT(BAD_NONCANON, 64, "buf non-canonical");
    BUFAT(BAD_KERNEL_HALF, 64, "buf upper half");
    BUFAT(0xffffffffffffffc0ull, 0x100, "buf that wraps");
    BUFAT(XENIA_GVA(ro_buf), sizeof(ro_buf), "buf read-only (rodata)");
    BUFAT(XENIA_GVA(&main), 64, "buf in the text segment");
#undef BUFAT
    xt_check_eq(xenia_hypercall3(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, BAD_NULL, 0),
                -XENIA_EFAULT, "struct at NULL");
    xt_check_eq(xenia_hypercall3(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, guard, 0),
                -XENIA_EFAULT, "struct in the guard page");
    xt_check_eq(xenia_hypercall3(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, guard - 32, 0),
                -XENIA_EFAULT, "struct running into the guard page");
    xt_check_eq(xenia_hypercall3(XENIA_HC_attest_op, XENIA_ATTESTOP_ak_pub, XENIA_GVA(&ro_q), 0),
                -XENIA_EFAULT, "struct read-only (OUT fields)");
}

/*
 * Rate limit: after a pause that refills the bucket, 10 quotes back to back:
 * the first XENIA_ATTEST_BURST succeed, at least one later is -EAGAIN, and
 * 1/XENIA_ATTEST_RATE s later a quote succeeds again.
 */
static void test_rate(const uint8_t nonce[32])
{
    uint32_t ok = 0, again = 0, other = 0, first_fail = 0, alen, slen;
    uint64_t t0, t1;

    peer_sleep(SEC * XENIA_ATTEST_BURST / XENIA_ATTEST_RATE + SEC / 10);
    t0 = xenia_now_ns();
    for (uint32_t i = 0; i < 10; i++) {
        long rc = xenia_attest(XENIA_ATTESTOP_quote, nonce, buf, sizeof(buf), &alen, &slen);
        if (rc == 0)
            ok++;
        else if (rc == -XENIA_EAGAIN)
            again++;
        else
            other++;
        if (rc != 0 && first_fail == 0)
            first_fail = i + 1;
    }
    t1 = xenia_now_ns();
    printf("attest_quote: 10 quotes in %llu us: %u ok, %u -EAGAIN, %u other\n",
           (unsigned long long)((t1 - t0) / 1000), ok, again, other);
    xt_check_eq(other, 0, "rate: no error but -EAGAIN");
    xt_check(again >= 1, "rate: at least one -EAGAIN in 10 quotes");
    xt_check(first_fail == 0 || first_fail > XENIA_ATTEST_BURST,
             "rate: the burst of %u succeeds (first refusal at call %u)", XENIA_ATTEST_BURST,
             first_fail);
    peer_sleep(SEC / XENIA_ATTEST_RATE + SEC / 50);
    xt_check_eq(xenia_attest(XENIA_ATTESTOP_quote, nonce, buf, sizeof(buf), &alen, &slen), 0,
                "rate: a token comes back after 1/rate s");
    /* ak_pub is not rate limited (no TPM command). */
    for (uint32_t i = 0; i < 10; i++)
        if (xenia_attest(XENIA_ATTESTOP_ak_pub, NULL, buf, sizeof(buf), &alen, &slen) != 0)
            other++;
    xt_check_eq(other, 0, "rate: ak_pub is not limited");
}

/*
 * "denied" on the command line: the policy in force lacks attest:guest_quote for
 * this domain (tests/integration/attest_guest.sh loads such a variant): both
 * commands are -EACCES and nothing is written.
 */
static void test_denied(const uint8_t nonce[32])
{
    struct xenia_attest_quote q;

    for (uint32_t cmd = XENIA_ATTESTOP_quote; cmd <= XENIA_ATTESTOP_ak_pub; cmd++) {
        memset(buf, 0x5a, 64);
        fill(&q, nonce, XENIA_GVA(buf), sizeof(buf));
        q.attest_len = 0x11111111;
        xt_check_eq(xenia_attest_op(cmd, &q), -XENIA_EACCES, cmd ? "denied ak_pub" : "denied quote");
        xt_check_eq(q.attest_len, 0x11111111, "denied: struct untouched");
        xt_check(buf[0] == 0x5a && buf[63] == 0x5a, "denied: buffer untouched");
    }
    printf("attest_quote: attest_op denied (-EACCES) as expected\n");
}

int main(void)
{
    uint8_t nonce[32];
    int have = cmdline_nonce(nonce);

    xt_check(have >= 0, "cmdline \"%s\": nonce= wants 64 hex digits", xenia_cmdline());
    if (have <= 0) {
        for (unsigned i = 0; i < 32; i++)
            nonce[i] = (uint8_t)i;
        printf("attest_quote: no nonce= on the command line; using 00..1f\n");
    }
    if (peer_flag("denied")) {
        test_denied(nonce);
        xt_done();
    }
    test_ak_pub();
    test_quote(nonce);
    test_e2big(nonce);
    test_einval(nonce);
    test_efault(nonce, hc_guard_page());
    test_rate(nonce);
    xt_done();
}
