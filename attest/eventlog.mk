# attest/eventlog.mk: the pure (no system call) attestation parts.
#   attest/eventlog.c    TCG PC Client crypto-agile event log: encode, parse, replay
#   attest/tpm2_parse.c  TPM 2.0 Part 2 parsers: TPMS_ATTEST (quote), TPMT_SIGNATURE,
#                        TPMT_PUBLIC (ECC), AK check, object Name, PCR digest
# Both need only mbedTLS's SHA-256 (-lmbedcrypto).
ATTEST_PURE_OBJS     := $(B)/obj/attest/eventlog.o $(B)/obj/attest/tpm2_parse.o
# The same sources for stub domains (static, unsanitized; see STUB_CFLAGS).
ATTEST_PURE_STUBOBJS := $(B)/stubobj/attest/eventlog.o $(B)/stubobj/attest/tpm2_parse.o
ATTEST_PURE_LIBS     := -lmbedcrypto

# Unit tests (tests/tests.mk). test_eventlog also checks our logs against
# tpm2_eventlog (tpm2-tools); test_tpm2_parse reads tests/attest/fixtures/
# (made by tests/attest/make_fixtures.sh from swtpm).
UNIT_DEPS_eventlog   := $(B)/obj/attest/eventlog.o
UNIT_LIBS_eventlog   := -lmbedcrypto
UNIT_DEPS_tpm2_parse := $(B)/obj/attest/tpm2_parse.o
UNIT_LIBS_tpm2_parse := -lmbedcrypto
