# fuzz target hypercall (fuzz/README.md): the project sources it links.
FUZZ_TARGETS += hypercall
FUZZ_SRCS_hypercall := hv/hypercall.c hv/guestmem.c hv/evtchn_table.c
