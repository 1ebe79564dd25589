# fuzz target hypercall (fuzz/README.md): the project sources it links. The
# harness fakes domain_peer, domain_raise_event, dm_kick_fd, hv_log, xsm_check and
# gnttab.c's weak mapping hooks, and wraps the guest-memory copies to record them.
FUZZ_TARGETS += hypercall
FUZZ_SRCS_hypercall := hv/hypercall.c hv/guestmem.c hv/evtchn.c hv/evtchn_table.c \
	hv/gnttab.c hv/gnttab_check.c
FUZZ_LIBS_hypercall := -Wl,--wrap=gmem_copy_to -Wl,--wrap=gmem_copy_from -lpthread
