# fuzz target image (fuzz/README.md): the domain builder's pure code.
FUZZ_TARGETS += image
FUZZ_SRCS_image := stubdoms/builder/elf.c stubdoms/builder/build.c
