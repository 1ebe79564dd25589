# fuzz target tpm2_quote (fuzz/README.md): the project sources it links.
FUZZ_TARGETS += tpm2_quote
FUZZ_SRCS_tpm2_quote := attest/tpm2_parse.c
FUZZ_LIBS_tpm2_quote := -lmbedcrypto
