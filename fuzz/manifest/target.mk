# fuzz target manifest (fuzz/README.md): the project sources it links
# (xv_manifest_parse lives in attest/verify.c: XV_PURE_OBJS' sources, attest/verify.mk).
FUZZ_TARGETS += manifest
FUZZ_SRCS_manifest := attest/verify.c attest/items.c attest/eventlog.c attest/tpm2_parse.c \
	attest/xvcrypto.c policy/policydb.c policy/analyze.c policy/audit2allow.c xsm/flask/ss.c
FUZZ_LIBS_manifest := -lconfig -lmbedtls -lmbedx509 -lmbedcrypto
