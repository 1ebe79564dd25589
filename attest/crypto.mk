# attest/crypto.mk: the verifier's cryptography (mbedTLS only, no TSS):
# MakeCredential, ECDSA P-256 quote signatures, EK certificate chains, the TLS
# 1.2 exporter used as the channel binding. Linked into xenia-verify.
XV_CRYPTO_OBJS := $(B)/obj/attest/xvcrypto.o
XV_CRYPTO_LIBS := -lmbedtls -lmbedx509 -lmbedcrypto

# tests/unit/test_xvcrypto.c also drives a swtpm with tpm2-tools
# (tests/attest/xvcrypto_tpm.sh); it skips those tests when swtpm is missing.
UNIT_DEPS_xvcrypto := $(XV_CRYPTO_OBJS)
UNIT_LIBS_xvcrypto := $(XV_CRYPTO_LIBS)
