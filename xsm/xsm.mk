# xsm/: the XSM hook layer (xsm.c: tables, dummy and flask modules, labels, audit).
# Linked into xenia-hv with the security server (FLASK_OBJS, xsm/flask/flask.mk)
# and the policy binary reader (PDB_OBJS, policy/policy.mk).
XSM_OBJS := $(B)/obj/xsm/xsm.o $(FLASK_OBJS) $(PDB_OBJS)
XSM_LIBS := -lmbedcrypto -lpthread

UNIT_DEPS_xsm := $(sort $(XSM_OBJS) $(POLICY_OBJS))
UNIT_LIBS_xsm := $(XSM_LIBS)

# The default policy, compiled (xenia-hv --policy $(B)/policy/xenia.xpol).
all: $(B)/policy/xenia.xpol
$(B)/policy/xenia.xpol: policy/default/xenia.te $(B)/bin/xenia-policy
	@mkdir -p $(dir $@)
	$(B)/bin/xenia-policy compile $< -o $@
