# fuzz target ctl_decode (fuzz/README.md): the project sources it links.
FUZZ_TARGETS += ctl_decode
FUZZ_SRCS_ctl_decode := hv/ctl_decode.c
