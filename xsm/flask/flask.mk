# FLASK security server + AVC (xsm/flask/). Included by the top Makefile.
#   FLASK_SS_OBJS  pure decision code (contexts, compute_av, transition): the analyser
#                  and the CLI link it alone.
#   FLASK_OBJS     the whole security server (server + AVC); needs pdb_read/pdb_free
#                  from policy/policydb.c ($(B)/obj/policy/policydb.o).
FLASK_SS_OBJS := $(B)/obj/xsm/flask/ss.o
FLASK_OBJS    := $(FLASK_SS_OBJS) $(B)/obj/xsm/flask/server.o $(B)/obj/xsm/flask/avc.o
FLASK_PDB_OBJ := $(B)/obj/policy/policydb.o

# Unit tests (tests/tests.mk links $(B)/tests/test_<x> with UNIT_DEPS_<x>).
# Recursive (=): POLICY_OBJS comes from policy/policy.mk, included after this file.
UNIT_DEPS_avc       = $(FLASK_OBJS) $(FLASK_PDB_OBJ)
# With helper A's compiler (policy/compile.c), test_flask_ss also compiles source.
ifneq ($(wildcard policy/compile.c),)
UNIT_DEPS_flask_ss  = $(sort $(FLASK_OBJS) $(FLASK_PDB_OBJ) $(POLICY_OBJS))
$(B)/obj/tests/unit/test_flask_ss.o: CFLAGS += -DHAVE_POL_COMPILE=1
else
UNIT_DEPS_flask_ss  = $(FLASK_OBJS) $(FLASK_PDB_OBJ)
endif

all: $(FLASK_OBJS)

# AVC latency benchmark (not in `all`): make $(B)/bench/avc_bench
$(B)/bench/avc_bench: $(B)/obj/tests/bench/avc_bench.o $(FLASK_OBJS) $(FLASK_PDB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
