/* SPDX-License-Identifier: MIT */
/*
 * hv's TPM shell over TPM2-TSS ESYS (see tpm.h). Every TPM command is one
 * ESYS call; this file only builds the inputs (templates, selections), checks
 * sizes and copies outputs. Sources: TCG TPM 2.0 Library Part 2 (structures)
 * and Part 3 (commands), TCG EK Credential Profile 2.0 (template L-1, §B.3.3),
 * TCG TSS 2.0 ESAPI specification.
 */
#include "attest/tpm.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "xenia/abi.h"

struct tpm {
    TSS2_TCTI_CONTEXT *tcti;
    ESYS_CONTEXT *esys;
    ESYS_TR ek;                /* ESYS_TR_NONE until tpm_ak_setup */
    bool ek_transient;         /* made by CreatePrimary: flush on close */
    ESYS_TR ak;                /* ESYS_TR_NONE until tpm_ak_setup */
    TPMT_PUBLIC ak_pub;        /* as returned by TPM2_Create */
    uint16_t nv_chunk;         /* bytes per TPM2_NV_Read; 0 = not asked yet */
};

/* TCG EK Credential Profile 2.0 §B.3.2: policy A, PolicySecret(TPM_RH_ENDORSEMENT). */
static const uint8_t ek_policy_a[32] = {
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
    0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

#define EK_ATTRS (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
                  TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY | \
                  TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)
#define AK_ATTRS (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
                  TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | \
                  TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT)

static void seterr_rc(char *err, size_t errlen, const char *call, TSS2_RC rc)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s (0x%x)", call, Tss2_RC_Decode(rc), (unsigned)rc);
}

static void seterr(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

/* True for a response code the TPM itself produced (not the TSS or TCTI). */
static bool rc_from_tpm(TSS2_RC rc)
{
    return (rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER;
}

/* Flush a loaded object or session, ignoring errors (cleanup paths). */
static void flush(struct tpm *t, ESYS_TR *h)
{
    if (*h != ESYS_TR_NONE) {
        (void)Esys_FlushContext(t->esys, *h);
        *h = ESYS_TR_NONE;
    }
}

/* SHA-256 bank selection of the PCRs in mask (bits < 24). */
static void pcr_selection(uint32_t mask, TPML_PCR_SELECTION *sel)
{
    memset(sel, 0, sizeof(*sel));
    sel->count = 1;
    sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
    sel->pcrSelections[0].sizeofSelect = 3;
    sel->pcrSelections[0].pcrSelect[0] = (uint8_t)(mask & 0xff);
    sel->pcrSelections[0].pcrSelect[1] = (uint8_t)((mask >> 8) & 0xff);
    sel->pcrSelections[0].pcrSelect[2] = (uint8_t)((mask >> 16) & 0xff);
}

int tpm_open(const char *tcti_conf, struct tpm **out, char *err, size_t errlen)
{
    const char *lvl = getenv("XENIA_TSS2_LOG");
    struct tpm *t;
    TSS2_RC rc;

    if (err && errlen)
        err[0] = '\0';
    if (!tcti_conf || !out)
        return -XENIA_EINVAL;
    *out = NULL;
    if (lvl)
        setenv("TSS2_LOG", lvl, 1);
    else
        setenv("TSS2_LOG", "all+NONE", 0);

    t = calloc(1, sizeof(*t));
    if (!t) {
        seterr(err, errlen, "tpm_open: out of memory");
        return -XENIA_ENOMEM;
    }
    t->ek = ESYS_TR_NONE;
    t->ak = ESYS_TR_NONE;
    rc = Tss2_TctiLdr_Initialize(tcti_conf, &t->tcti);
    if (rc != TSS2_RC_SUCCESS) {
        seterr_rc(err, errlen, "Tss2_TctiLdr_Initialize", rc);
        goto fail;
    }
    rc = Esys_Initialize(&t->esys, t->tcti, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        seterr_rc(err, errlen, "Esys_Initialize", rc);
        goto fail;
    }
    /* swtpm runs with startup-clear and the kernel starts hardware TPMs:
     * TPM_RC_INITIALIZE (already started) is the normal answer. */
    rc = Esys_Startup(t->esys, TPM2_SU_CLEAR);
    if (rc != TSS2_RC_SUCCESS && rc != TPM2_RC_INITIALIZE) {
        seterr_rc(err, errlen, "Esys_Startup", rc);
        goto fail;
    }
    *out = t;
    return 0;
fail:
    tpm_close(t);
    return -XENIA_EIO;
}

void tpm_close(struct tpm *t)
{
    if (!t)
        return;
    if (t->esys) {
        flush(t, &t->ak);
        if (t->ek != ESYS_TR_NONE) {
            if (t->ek_transient)
                flush(t, &t->ek);
            else
                (void)Esys_TR_Close(t->esys, &t->ek);
        }
        Esys_Finalize(&t->esys);
    }
    if (t->tcti)
        Tss2_TctiLdr_Finalize(&t->tcti);
    free(t);
}

int tpm_extend(struct tpm *t, uint32_t pcr, const uint8_t digest[32])
{
    TPML_DIGEST_VALUES dv;

    if (!t || !digest || pcr >= XENIA_NR_PCRS)
        return -XENIA_EINVAL;
    memset(&dv, 0, sizeof(dv));
    dv.count = 1;
    dv.digests[0].hashAlg = TPM2_ALG_SHA256;
    memcpy(dv.digests[0].digest.sha256, digest, 32);
    if (Esys_PCR_Extend(t->esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                        ESYS_TR_NONE, &dv) != TSS2_RC_SUCCESS)
        return -XENIA_EIO;
    return 0;
}

int tpm_pcr_read(struct tpm *t, uint32_t mask, uint8_t pcrs[XENIA_NR_PCRS][32])
{
    uint32_t left = mask;

    if (!t || !pcrs || (mask >> XENIA_NR_PCRS) != 0)
        return -XENIA_EINVAL;
    /* Each call returns at least one PCR or we stop: <= 24 round trips. */
    for (unsigned round = 0; left != 0 && round < XENIA_NR_PCRS; round++) {
        TPML_PCR_SELECTION sel, *osel = NULL;
        TPML_DIGEST *vals = NULL;
        UINT32 counter;
        uint32_t got = 0;
        int ret = 0;
        unsigned k = 0;

        pcr_selection(left, &sel);
        if (Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel,
                          &counter, &osel, &vals) != TSS2_RC_SUCCESS)
            return -XENIA_EIO;
        /* Digests come in selection order, low PCR first (Part 3 §22.4). */
        for (uint32_t s = 0; s < osel->count && s < TPM2_NUM_PCR_BANKS && ret == 0; s++) {
            const TPMS_PCR_SELECTION *ps = &osel->pcrSelections[s];
            for (unsigned i = 0; i < ps->sizeofSelect && i < TPM2_PCR_SELECT_MAX && ret == 0; i++)
                for (unsigned b = 0; b < 8; b++) {
                    unsigned pcr = i * 8 + b;
                    if (!(ps->pcrSelect[i] & (1u << b)))
                        continue;
                    if (ps->hash != TPM2_ALG_SHA256 || pcr >= XENIA_NR_PCRS ||
                        !(left & (1u << pcr)) || k >= vals->count ||
                        vals->digests[k].size != 32) {
                        ret = -XENIA_EIO;       /* not what we asked for */
                        break;
                    }
                    memcpy(pcrs[pcr], vals->digests[k].buffer, 32);
                    got |= 1u << pcr;
                    k++;
                }
        }
        Esys_Free(osel);
        Esys_Free(vals);
        if (ret < 0)
            return ret;
        if (got == 0)
            return -XENIA_EIO;                  /* the TPM lacks a selected PCR */
        left &= ~got;
    }
    return left ? -XENIA_EIO : 0;
}

/*
 * A policy session satisfying policy A: PolicySecret(TPM_RH_ENDORSEMENT) with
 * the (empty) endorsement hierarchy password. continueSession is set so the
 * session outlives the command and the caller always flushes it.
 */
static TSS2_RC ek_policy_session(struct tpm *t, ESYS_TR *sess, const char **what)
{
    TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
    TPM2B_NONCE nonce_tpm = { .size = 0 }, ref = { .size = 0 };
    TPM2B_DIGEST cphash = { .size = 0 };
    TSS2_RC rc;

    *sess = ESYS_TR_NONE;
    rc = Esys_StartAuthSession(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                               ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_POLICY, &sym,
                               TPM2_ALG_SHA256, sess);
    if (rc != TSS2_RC_SUCCESS) {
        *what = "Esys_StartAuthSession";
        *sess = ESYS_TR_NONE;
        return rc;
    }
    rc = Esys_TRSess_SetAttributes(t->esys, *sess, TPMA_SESSION_CONTINUESESSION,
                                   TPMA_SESSION_CONTINUESESSION);
    if (rc != TSS2_RC_SUCCESS) {
        *what = "Esys_TRSess_SetAttributes";
        flush(t, sess);
        return rc;
    }
    rc = Esys_PolicySecret(t->esys, ESYS_TR_RH_ENDORSEMENT, *sess, ESYS_TR_PASSWORD,
                           ESYS_TR_NONE, ESYS_TR_NONE, &nonce_tpm, &cphash, &ref, 0,
                           NULL, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        *what = "Esys_PolicySecret";
        flush(t, sess);
    }
    return rc;
}

/* The EK: persistent at TPM_EK_HANDLE, else CreatePrimary with template L-1. */
static TSS2_RC find_ek(struct tpm *t, const char **what)
{
    ESYS_TR ek = ESYS_TR_NONE;
    TSS2_RC rc;

    rc = Esys_TR_FromTPMPublic(t->esys, TPM_EK_HANDLE, ESYS_TR_NONE, ESYS_TR_NONE,
                               ESYS_TR_NONE, &ek);
    if (rc == TSS2_RC_SUCCESS) {
        t->ek = ek;
        t->ek_transient = false;
        return rc;
    }
    if (!rc_from_tpm(rc)) {       /* the TPM did not answer: do not go on */
        *what = "Esys_TR_FromTPMPublic(EK 0x81010001)";
        return rc;
    }

    /* TCG EK Credential Profile 2.0 §B.3.3 template L-1 (RSA 2048). */
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PUBLIC tmpl;
    TPM2B_DATA outside = { .size = 0 };
    TPML_PCR_SELECTION none = { .count = 0 };

    memset(&sens, 0, sizeof(sens));
    memset(&tmpl, 0, sizeof(tmpl));
    tmpl.publicArea.type = TPM2_ALG_RSA;
    tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
    tmpl.publicArea.objectAttributes = EK_ATTRS;
    tmpl.publicArea.authPolicy.size = sizeof(ek_policy_a);
    memcpy(tmpl.publicArea.authPolicy.buffer, ek_policy_a, sizeof(ek_policy_a));
    tmpl.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_AES;
    tmpl.publicArea.parameters.rsaDetail.symmetric.keyBits.aes = 128;
    tmpl.publicArea.parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CFB;
    tmpl.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
    tmpl.publicArea.parameters.rsaDetail.keyBits = 2048;
    tmpl.publicArea.parameters.rsaDetail.exponent = 0;
    tmpl.publicArea.unique.rsa.size = 256;      /* 256 zero bytes */
    rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                            ESYS_TR_NONE, &sens, &tmpl, &outside, &none, &ek,
                            NULL, NULL, NULL, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        *what = "Esys_CreatePrimary(EK)";
        return rc;
    }
    t->ek = ek;
    t->ek_transient = true;
    return rc;
}

int tpm_ak_setup(struct tpm *t, char *err, size_t errlen)
{
    const char *what = "";
    ESYS_TR sess = ESYS_TR_NONE, ak = ESYS_TR_NONE;
    TPM2B_PRIVATE *priv = NULL;
    TPM2B_PUBLIC *pub = NULL;
    TSS2_RC rc = TSS2_RC_SUCCESS;
    int ret = -XENIA_EIO;

    if (err && errlen)
        err[0] = '\0';
    if (!t)
        return -XENIA_EINVAL;
    if (t->ek == ESYS_TR_NONE) {
        rc = find_ek(t, &what);
        if (rc != TSS2_RC_SUCCESS)
            goto out;
    }

    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PUBLIC tmpl;
    TPM2B_DATA outside = { .size = 0 };
    TPML_PCR_SELECTION none = { .count = 0 };

    memset(&sens, 0, sizeof(sens));
    memset(&tmpl, 0, sizeof(tmpl));
    tmpl.publicArea.type = TPM2_ALG_ECC;
    tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
    tmpl.publicArea.objectAttributes = AK_ATTRS;
    tmpl.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    tmpl.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
    tmpl.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    tmpl.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    tmpl.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;

    rc = ek_policy_session(t, &sess, &what);
    if (rc != TSS2_RC_SUCCESS)
        goto out;
    rc = Esys_Create(t->esys, t->ek, sess, ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl,
                     &outside, &none, &priv, &pub, NULL, NULL, NULL);
    flush(t, &sess);
    if (rc != TSS2_RC_SUCCESS) {
        what = "Esys_Create(AK)";
        goto out;
    }
    rc = ek_policy_session(t, &sess, &what);
    if (rc != TSS2_RC_SUCCESS)
        goto out;
    rc = Esys_Load(t->esys, t->ek, sess, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub, &ak);
    flush(t, &sess);
    if (rc != TSS2_RC_SUCCESS) {
        what = "Esys_Load(AK)";
        goto out;
    }
    /* The new AK is in place: retire the old one. */
    flush(t, &t->ak);
    t->ak = ak;
    t->ak_pub = pub->publicArea;
    ret = 0;
out:
    if (ret < 0)
        seterr_rc(err, errlen, what, rc);
    Esys_Free(priv);
    Esys_Free(pub);
    return ret;
}

/* Bytes per TPM2_NV_Read: TPM_PT_NV_BUFFER_MAX, capped by TPM2B_MAX_NV_BUFFER. */
static int nv_chunk(struct tpm *t)
{
    TPMS_CAPABILITY_DATA *cap = NULL;
    TPMI_YES_NO more;
    uint32_t n = 256;                 /* if the TPM does not say: a safe size */

    if (t->nv_chunk)
        return 0;
    if (Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                           TPM2_CAP_TPM_PROPERTIES, TPM2_PT_NV_BUFFER_MAX, 1, &more,
                           &cap) != TSS2_RC_SUCCESS)
        return -XENIA_EIO;
    if (cap->data.tpmProperties.count >= 1 &&
        cap->data.tpmProperties.tpmProperty[0].property == TPM2_PT_NV_BUFFER_MAX &&
        cap->data.tpmProperties.tpmProperty[0].value > 0)
        n = cap->data.tpmProperties.tpmProperty[0].value;
    Esys_Free(cap);
    if (n > sizeof(((TPM2B_MAX_NV_BUFFER *)0)->buffer))
        n = sizeof(((TPM2B_MAX_NV_BUFFER *)0)->buffer);
    t->nv_chunk = (uint16_t)n;
    return 0;
}

int tpm_ek_cert(struct tpm *t, uint8_t *der, size_t cap, size_t *len)
{
    ESYS_TR nv = ESYS_TR_NONE;
    TPM2B_NV_PUBLIC *nvpub = NULL;
    TPM2B_NAME *nvname = NULL;
    size_t size, off;
    int ret;

    if (!t || !len || (!der && cap))
        return -XENIA_EINVAL;
    *len = 0;
    ret = nv_chunk(t);
    if (ret < 0)
        return ret;
    ret = -XENIA_EIO;
    if (Esys_TR_FromTPMPublic(t->esys, TPM_EK_CERT_NV, ESYS_TR_NONE, ESYS_TR_NONE,
                              ESYS_TR_NONE, &nv) != TSS2_RC_SUCCESS) {
        nv = ESYS_TR_NONE;
        goto out;
    }
    if (Esys_NV_ReadPublic(t->esys, nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                           &nvpub, &nvname) != TSS2_RC_SUCCESS)
        goto out;
    size = nvpub->nvPublic.dataSize;
    *len = size;
    if (size == 0)
        goto out;                      /* an empty certificate index is an error */
    if (size > cap) {
        ret = -XENIA_E2BIG;
        goto out;
    }
    /* dataSize <= 65535 and chunk >= 1: bounded by 65535 reads. */
    for (off = 0; off < size;) {
        TPM2B_MAX_NV_BUFFER *data = NULL;
        uint16_t n = (uint16_t)(size - off < t->nv_chunk ? size - off : t->nv_chunk);

        /* authRead with the index's own (empty) auth value. */
        if (Esys_NV_Read(t->esys, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                         n, (uint16_t)off, &data) != TSS2_RC_SUCCESS)
            goto out;
        if (data->size != n) {
            Esys_Free(data);
            goto out;
        }
        memcpy(der + off, data->buffer, n);
        Esys_Free(data);
        off += n;
    }
    ret = 0;
out:
    Esys_Free(nvpub);
    Esys_Free(nvname);
    if (nv != ESYS_TR_NONE)
        (void)Esys_TR_Close(t->esys, &nv);
    return ret;
}

int tpm_ak_public(struct tpm *t, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t buf[sizeof(TPMT_PUBLIC)];
    size_t off = 0;

    if (!t || !len || (!out && cap))
        return -XENIA_EINVAL;
    *len = 0;
    if (t->ak == ESYS_TR_NONE)
        return -XENIA_EINVAL;
    if (Tss2_MU_TPMT_PUBLIC_Marshal(&t->ak_pub, buf, sizeof(buf), &off) != TSS2_RC_SUCCESS)
        return -XENIA_EIO;
    *len = off;
    if (off > cap)
        return -XENIA_E2BIG;
    memcpy(out, buf, off);
    return 0;
}

int tpm_quote(struct tpm *t, uint32_t pcr_mask, const uint8_t *qdata, size_t qlen,
              uint8_t *attest, size_t acap, size_t *alen,
              uint8_t *sig, size_t scap, size_t *slen)
{
    TPM2B_DATA qd = { .size = 0 };
    TPMT_SIG_SCHEME scheme = {
        .scheme = TPM2_ALG_ECDSA,
        .details.ecdsa.hashAlg = TPM2_ALG_SHA256,
    };
    TPML_PCR_SELECTION sel;
    TPM2B_ATTEST *quoted = NULL;
    TPMT_SIGNATURE *signature = NULL;
    uint8_t sbuf[sizeof(TPMT_SIGNATURE)];
    size_t soff = 0;
    int ret = -XENIA_EIO;

    if (!t || !alen || !slen || (!attest && acap) || (!sig && scap) ||
        (!qdata && qlen) || qlen > sizeof(qd.buffer) ||
        pcr_mask == 0 || (pcr_mask >> XENIA_NR_PCRS) != 0)
        return -XENIA_EINVAL;
    *alen = 0;
    *slen = 0;
    if (t->ak == ESYS_TR_NONE)
        return -XENIA_EINVAL;
    qd.size = (UINT16)qlen;
    if (qlen)
        memcpy(qd.buffer, qdata, qlen);
    pcr_selection(pcr_mask, &sel);
    if (Esys_Quote(t->esys, t->ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &qd,
                   &scheme, &sel, &quoted, &signature) != TSS2_RC_SUCCESS)
        goto out;
    if (Tss2_MU_TPMT_SIGNATURE_Marshal(signature, sbuf, sizeof(sbuf), &soff) !=
        TSS2_RC_SUCCESS)
        goto out;
    *alen = quoted->size;
    *slen = soff;
    if (quoted->size > acap || soff > scap) {
        ret = -XENIA_E2BIG;
        goto out;
    }
    memcpy(attest, quoted->attestationData, quoted->size);
    memcpy(sig, sbuf, soff);
    ret = 0;
out:
    Esys_Free(quoted);
    Esys_Free(signature);
    return ret;
}

/* TPM2_GetTestResult (Part 3 §10.4): true unless the TPM is in failure mode. */
static bool tpm_healthy(struct tpm *t)
{
    TPM2B_MAX_BUFFER *data = NULL;
    TPM2_RC result = TPM2_RC_FAILURE;
    TSS2_RC rc;

    rc = Esys_GetTestResult(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &data, &result);
    Esys_Free(data);
    return rc == TSS2_RC_SUCCESS && result == TPM2_RC_SUCCESS;
}

int tpm_activate(struct tpm *t, const uint8_t *idobj, size_t idlen,
                 const uint8_t *encsec, size_t enclen,
                 uint8_t *secret, size_t cap, size_t *slen)
{
    TPM2B_ID_OBJECT cred;
    TPM2B_ENCRYPTED_SECRET es;
    TPM2B_DIGEST *info = NULL;
    ESYS_TR sess = ESYS_TR_NONE;
    const char *what = "";
    TSS2_RC rc;
    int ret = -XENIA_EIO;

    if (!t || !idobj || !encsec || !slen || (!secret && cap) ||
        idlen == 0 || idlen > sizeof(cred.credential) ||
        enclen == 0 || enclen > sizeof(es.secret))
        return -XENIA_EINVAL;
    *slen = 0;
    if (t->ak == ESYS_TR_NONE || t->ek == ESYS_TR_NONE)
        return -XENIA_EINVAL;
    memset(&cred, 0, sizeof(cred));
    memset(&es, 0, sizeof(es));
    cred.size = (UINT16)idlen;
    memcpy(cred.credential, idobj, idlen);
    es.size = (UINT16)enclen;
    memcpy(es.secret, encsec, enclen);

    rc = ek_policy_session(t, &sess, &what);
    if (rc != TSS2_RC_SUCCESS)
        return -XENIA_EIO;
    rc = Esys_ActivateCredential(t->esys, t->ak, t->ek, ESYS_TR_PASSWORD, sess, ESYS_TR_NONE,
                                 &cred, &es, &info);
    flush(t, &sess);
    if (rc != TSS2_RC_SUCCESS) {
        /* A parameter error from the TPM (format 1, P bit) is its verdict on
         * the blob or the secret: integrity, value or size check failed. */
        if (rc_from_tpm(rc) && (rc & TPM2_RC_FMT1) && (rc & TPM2_RC_P))
            ret = -XENIA_EACCES;
        /* libtpms answers TPM_RC_FAILURE when the seed's OAEP decoding
         * fails; it is a refusal only if the TPM is not in failure mode. */
        else if (rc == TPM2_RC_FAILURE && tpm_healthy(t))
            ret = -XENIA_EACCES;
        goto out;
    }
    *slen = info->size;
    if (info->size > cap) {
        ret = -XENIA_E2BIG;
        goto out;
    }
    memcpy(secret, info->buffer, info->size);
    ret = 0;
out:
    Esys_Free(info);
    return ret;
}
