# fuzz target agentproto (fuzz/README.md): the project sources it links
# (AGENT_PURE_OBJS' sources, stubdoms/attest/agent.mk).
FUZZ_TARGETS += agentproto
FUZZ_SRCS_agentproto := stubdoms/attest/agentproto.c attest/items.c
FUZZ_LIBS_agentproto := -lmbedcrypto
