# fuzz target blkback (fuzz/README.md): the project sources it links.
FUZZ_TARGETS += blkback
FUZZ_SRCS_blkback := stubdoms/dm/blkback.c
