# Attestation agent stub domain (stubdoms/attest): xenia-attest, one per host.
# Static and never sanitized (STUB_CFLAGS, $(B)/stubobj); linked with the
# static mbedTLS archives. Its seccomp allowlist is stubdoms/attest/seccomp.def
# (role STUBDOM_ATTEST of hv/stubdom.c).
#   attest/items.c          item codec (pure), shared with hv and the verifier
#   attest/tlschan.c        TLS 1.2 channel (server side only in the agent:
#                           -DTLSCHAN_SERVER_ONLY leaves out getaddrinfo/connect)
#   stubdoms/attest/agentproto.c  request/reply encode/decode, HELLO/ACTIVATE
#                           checks, EVIDENCE assembly (pure, fuzzable)
#   stubdoms/attest/main.c  the system-call shell
AGENT_SRCS := stubdoms/attest/main.c stubdoms/attest/agentproto.c attest/items.c attest/tlschan.c
AGENT_OBJS := $(patsubst %.c,$(B)/stubobj/%.o,$(AGENT_SRCS))
AGENT_LIBS := -lmbedtls -lmbedx509 -lmbedcrypto

$(B)/stubobj/attest/tlschan.o: STUB_CFLAGS += -DTLSCHAN_SERVER_ONLY

all: $(B)/bin/xenia-attest

$(B)/bin/xenia-attest: $(AGENT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(STUB_LDFLAGS) -o $@ $^ $(AGENT_LIBS)

# Pure parts as sanitized host objects (unit tests, fuzzing): they need only
# mbedTLS's SHA-256 (-lmbedcrypto).
AGENT_PURE_OBJS := $(B)/obj/attest/items.o $(B)/obj/stubdoms/attest/agentproto.o
AGENT_PURE_LIBS := -lmbedcrypto
# The TLS channel for host programs (the verifier, tests): client and server.
TLSCHAN_OBJS := $(B)/obj/attest/tlschan.o $(B)/obj/attest/items.o
TLSCHAN_LIBS := -lmbedtls -lmbedx509 -lmbedcrypto

UNIT_DEPS_items := $(B)/obj/attest/items.o

# test_agent runs the real xenia-attest of this build directory (unsanitized
# even in a SAN=1 build), unconfined and under stubdom_spawn (hv/stubdom.c).
UNIT_DEPS_agent := $(B)/obj/stubdoms/attest/agentproto.o $(B)/obj/attest/tlschan.o \
	$(B)/obj/attest/items.o $(B)/obj/hv/stubdom.o $(B)/obj/hv/stubdom_seccomp.o $(B)/obj/hv/log.o
UNIT_LIBS_agent := $(TLSCHAN_LIBS) -lseccomp -lpthread
$(B)/tests/test_agent: | $(B)/bin/xenia-attest
$(B)/obj/tests/unit/test_agent.o: CFLAGS += -DAGENT_TEST_BIN_DIR='"$(B)/bin"'
