# xenia-hv: the hypervisor daemon.
HV_SRCS := $(wildcard hv/*.c)
HV_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(HV_SRCS))

all: $(B)/bin/xenia-hv

# Measured launch (attest/): the event log encoder and item codec (pure), the
# TPM2-TSS shell and the swtpm launcher.
HV_ATTEST_OBJS := $(B)/obj/attest/eventlog.o $(B)/obj/attest/items.o \
	$(B)/obj/attest/tpm.o $(B)/obj/attest/swtpm.o

$(B)/bin/xenia-hv: $(HV_OBJS) $(XSM_OBJS) $(HV_ATTEST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XSM_LIBS) -ltss2-esys -ltss2-tctildr -ltss2-mu -ltss2-rc \
		-lmbedx509 -lmbedcrypto -lseccomp -lpthread -lrt

# Pure parts, linked into unit tests and fuzz harnesses.
UNIT_DEPS_guestmem  := $(B)/obj/hv/guestmem.o
UNIT_DEPS_hypercall := $(B)/obj/hv/hypercall.o $(B)/obj/hv/guestmem.o $(B)/obj/hv/evtchn_table.o
UNIT_DEPS_evtchn    := $(B)/obj/hv/evtchn_table.o $(B)/obj/hv/gnttab_check.o
UNIT_DEPS_ctldecode := $(B)/obj/hv/ctl_decode.o

# Stub domain confinement (hv/stubdom.c): tests/unit/test_stubdom.c runs static
# probe binaries (tests/stubdom/probe.c, built like stub domains: STUB_CFLAGS,
# never sanitized) under each role's real filter.
UNIT_DEPS_stubdom := $(B)/obj/hv/stubdom.o $(B)/obj/hv/stubdom_seccomp.o $(B)/obj/hv/log.o
UNIT_LIBS_stubdom := -lseccomp -lpthread
STUBDOM_PROBE := $(B)/tests/stubdom-probe

$(STUBDOM_PROBE): $(B)/stubobj/tests/stubdom/probe.o
	@mkdir -p $(dir $@)
	$(CC) $(STUB_LDFLAGS) -o $@ $^

$(B)/tests/test_stubdom: | $(STUBDOM_PROBE)
