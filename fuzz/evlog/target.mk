# fuzz target evlog (fuzz/README.md): the project sources it links.
FUZZ_TARGETS += evlog
FUZZ_SRCS_evlog := attest/eventlog.c
FUZZ_LIBS_evlog := -lmbedcrypto
