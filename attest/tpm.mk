# attest/tpm.mk: hv's TPM shell (TPM2-TSS ESYS) and the swtpm launcher.
# The lead links ATTEST_HV_OBJS / ATTEST_HV_LIBS into xenia-hv (hv/hv.mk).
ATTEST_HV_OBJS := $(B)/obj/attest/tpm.o $(B)/obj/attest/swtpm.o
ATTEST_HV_LIBS := -ltss2-esys -ltss2-tctildr -ltss2-mu -ltss2-rc

# tests/unit/test_tpm.c: a real swtpm (skips when swtpm is missing), tpm2-tools
# as the independent checker, mbedTLS for SHA-256 and the EK certificate chain.
UNIT_DEPS_tpm := $(ATTEST_HV_OBJS)
UNIT_LIBS_tpm := $(ATTEST_HV_LIBS) -lmbedx509 -lmbedcrypto
