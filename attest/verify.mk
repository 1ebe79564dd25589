# The verifier (xenia-verify): the decision (attest/verify.c, pure) over the
# evidence parsers (attest/eventlog.c, tpm2_parse.c, items.c), mbedTLS crypto
# (attest/xvcrypto.c), the policy reader and the isolation analyser
# (policy/policydb.o, policy/analyze.o, xsm/flask/ss.o); the shell
# (attest/xenia-verify.c) adds TLS (attest/tlschan.c), files and output.
XV_PURE_OBJS := $(B)/obj/attest/verify.o $(B)/obj/attest/eventlog.o $(B)/obj/attest/tpm2_parse.o \
	$(B)/obj/attest/items.o $(B)/obj/attest/xvcrypto.o \
	$(B)/obj/policy/policydb.o $(ANALYZE_PURE_OBJS) $(FLASK_SS_OBJS)
XV_LIBS := -lconfig -lmbedtls -lmbedx509 -lmbedcrypto

all: $(B)/bin/xenia-verify

$(B)/bin/xenia-verify: $(B)/obj/attest/xenia-verify.o $(B)/obj/attest/tlschan.o $(XV_PURE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XV_LIBS)

UNIT_DEPS_verify := $(XV_PURE_OBJS)
UNIT_LIBS_verify := $(XV_LIBS)

# Test tool: take evidence bundles apart and tamper with them (tests/integration/attest.sh).
all: $(B)/tests/att-bundle
$(B)/tests/att-bundle: $(B)/obj/tests/attest/bundle.o $(B)/obj/attest/items.o $(B)/obj/attest/eventlog.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmbedcrypto
