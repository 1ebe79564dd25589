# Policy compiler, policy binary, and the `xenia-policy` CLI (policy/).
# Included by the top Makefile after xsm/flask/flask.mk and policy/analyze.mk.
#   PDB_OBJS     the policy binary reader/writer (hv links only this)
#   POLICY_OBJS  the pure objects: policydb, lexer, parser, compiler
PDB_OBJS    := $(B)/obj/policy/policydb.o
POLICY_OBJS := $(PDB_OBJS) $(B)/obj/policy/lex.o $(B)/obj/policy/compile_parse.o \
	$(B)/obj/policy/compile.o

XENIA_POLICY_OBJS := $(sort $(B)/obj/policy/xenia-policy.o $(POLICY_OBJS) $(ANALYZE_OBJS) \
	$(if $(FLASK_SS_OBJS),$(FLASK_SS_OBJS),$(B)/obj/xsm/flask/ss.o))

all: $(B)/bin/xenia-policy

$(B)/bin/xenia-policy: $(XENIA_POLICY_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmbedcrypto

UNIT_DEPS_policydb       := $(POLICY_OBJS)
UNIT_DEPS_policy_compile := $(POLICY_OBJS)

# Differential test against checkpolicy/libsepol (tests/policy/diff_checkpolicy.sh).
$(B)/tests/diff_sepol: $(B)/obj/tests/policy/diff_sepol.o $(B)/obj/tests/policy/diff_sepol_ref.o $(POLICY_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -l:libsepol.a

# The bad-source corpus (tests/policy/bad/*.te): exact diagnostics; then the
# differential test.
.PHONY: policy-test
policy-test: $(B)/bin/xenia-policy $(B)/tests/diff_sepol
	bash tests/policy/run_bad.sh $(B)
	bash tests/policy/diff_checkpolicy.sh $(B)
unit-test: policy-test
