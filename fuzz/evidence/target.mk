# fuzz target evidence (fuzz/README.md): the project sources it links
# (xv_evidence_parse lives in attest/verify.c: XV_PURE_OBJS' sources, attest/verify.mk).
FUZZ_TARGETS += evidence
FUZZ_SRCS_evidence := attest/items.c attest/verify.c attest/eventlog.c attest/tpm2_parse.c \
	attest/xvcrypto.c policy/policydb.c policy/analyze.c policy/audit2allow.c xsm/flask/ss.c
FUZZ_LIBS_evidence := -lconfig -lmbedtls -lmbedx509 -lmbedcrypto
