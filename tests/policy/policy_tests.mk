# Policy corpus tests (tests/policy/corpus/). Included by the top Makefile:
#   -include tests/policy/policy_tests.mk      (after policy/policy.mk)
#
#   test_policy_corpus   cmocka: every corpus file compiled by our compiler, decisions
#                        checked against tests/policy/corpus/<name>.expect (libsepol's
#                        answers, generated once by tests/policy/gen_expect.sh).
#   policy-diff-test     differential test against the reference toolchain:
#                        checkpolicy + libsepol (sepol_query) vs pol_compile +
#                        ss_compute_av (xenia_query), every query of the corpus.
#                        Needs checkpolicy and libsepol-dev (tools/install-deps.sh).
.SECONDEXPANSION:
SEPOL_A ?= /usr/lib/x86_64-linux-gnu/libsepol.a

# Recursive (=): POLICY_OBJS / FLASK_SS_OBJS come from policy/policy.mk, xsm/flask/flask.mk.
POLICY_QUERY_OBJS = $(sort $(POLICY_OBJS) $(FLASK_SS_OBJS))
UNIT_DEPS_policy_corpus = $(POLICY_QUERY_OBJS)

$(B)/tests/xenia_query: $(B)/obj/tests/policy/xenia_query.o $$(POLICY_QUERY_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

# The reference side: links Debian's static libsepol; its headers do not pass our
# warning flags, so it is built with its own.
$(B)/tests/sepol_query: tests/policy/sepol_query.c
	@test -f $(SEPOL_A) -a -f /usr/include/sepol/policydb/services.h || \
	  { echo "policy-diff-test: $(SEPOL_A) or /usr/include/sepol missing: install libsepol-dev (tools/install-deps.sh)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu11 -Wall -o $@ $< $(SEPOL_A)

.PHONY: policy-diff-test
policy-diff-test: $(B)/tests/xenia_query $(B)/tests/sepol_query
	bash tests/policy/run_diff.sh $(B)
