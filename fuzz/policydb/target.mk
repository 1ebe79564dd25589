# fuzz target policydb (fuzz/README.md): the project sources it links.
FUZZ_TARGETS += policydb
FUZZ_SRCS_policydb := policy/policydb.c
