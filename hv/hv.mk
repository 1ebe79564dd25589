# xenia-hv: the hypervisor daemon.
HV_SRCS := $(wildcard hv/*.c)
HV_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(HV_SRCS))

all: $(B)/bin/xenia-hv

$(B)/bin/xenia-hv: $(HV_OBJS) $(XSM_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XSM_LIBS) -lpthread -lrt

# Pure parts, linked into unit tests and fuzz harnesses.
UNIT_DEPS_guestmem  := $(B)/obj/hv/guestmem.o
UNIT_DEPS_hypercall := $(B)/obj/hv/hypercall.o $(B)/obj/hv/guestmem.o $(B)/obj/hv/evtchn_table.o
UNIT_DEPS_evtchn    := $(B)/obj/hv/evtchn_table.o $(B)/obj/hv/gnttab_check.o
UNIT_DEPS_ctldecode := $(B)/obj/hv/ctl_decode.o
