# Information-flow analyser, audit2allow and their CLI commands (policy/).
# Included by the top Makefile before policy/policy.mk, which links ANALYZE_OBJS
# into xenia-policy.
#   analyze.o      an_flow, an_check_isolation (pure; calls ss_compute_av)
#   audit2allow.o  AVC denial lines -> suggested rules (pure)
#   cmd_analyze.o  the `analyze`, `check-isolation`, `audit2allow` commands (I/O)
ANALYZE_PURE_OBJS := $(B)/obj/policy/analyze.o $(B)/obj/policy/audit2allow.o
ANALYZE_OBJS      := $(ANALYZE_PURE_OBJS) $(B)/obj/policy/cmd_analyze.o

all: $(ANALYZE_OBJS)

# Unit tests: the pure objects + the security server's decision code + the
# policydb and compiler (POLICY_OBJS from policy/policy.mk, expanded late since
# that fragment is included after this one), to test over real sources.
ANALYZE_COMPILE_OBJS := $(B)/obj/policy/policydb.o $(patsubst %.c,$(B)/obj/%.o,\
	$(filter-out policy/xenia-policy.c,$(wildcard policy/compile*.c policy/lex*.c)))
UNIT_DEPS_analyze      = $(ANALYZE_PURE_OBJS) $(FLASK_SS_OBJS) \
	$(if $(POLICY_OBJS),$(POLICY_OBJS),$(ANALYZE_COMPILE_OBJS))
UNIT_DEPS_audit2allow  = $(UNIT_DEPS_analyze)

# With helper A's compiler present, the tests also compile the default policy.
ifneq ($(wildcard policy/compile.c),)
$(B)/obj/tests/unit/test_analyze.o $(B)/obj/tests/unit/test_audit2allow.o: CFLAGS += -DHAVE_POL_COMPILE=1
endif

# CLI-level isolation checks (default policy, tests/policy/good/iso_*.te).
.PHONY: iso-test
iso-test: $(B)/bin/xenia-policy
	bash tests/policy/run_iso.sh $(B)
unit-test: iso-test
