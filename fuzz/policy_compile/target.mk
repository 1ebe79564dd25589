# fuzz target policy_compile (fuzz/README.md): the project sources it links.
FUZZ_TARGETS += policy_compile
FUZZ_SRCS_policy_compile := policy/policydb.c policy/lex.c policy/compile_parse.c policy/compile.c
