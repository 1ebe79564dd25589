# Device-model stub domain (stubdoms/dm): xenia-dm, and xenia-dm-test (the same
# sources with -DXENIA_DM_TEST_HOOKS: answers XENIA_BLKOP_TEST_SYSCALL by trying
# a forbidden system call, for the confinement tests; never shipped to guests).
# Both are static and unsanitized (STUB_CFLAGS). blkback.c, consback.c and
# dmconfig.c are pure and also built as sanitized $(B)/obj objects for the unit
# tests (tests/unit/test_blkback.c, test_consback.c, test_dm_process.c) and the
# fuzzer (fuzz/blkback).
DM_SRCS      := stubdoms/dm/main.c stubdoms/dm/blkback.c stubdoms/dm/consback.c \
	stubdoms/dm/dmconfig.c
DM_OBJS      := $(patsubst %.c,$(B)/stubobj/%.o,$(DM_SRCS))
DM_TEST_OBJS := $(patsubst %.c,$(B)/stubobj-test/%.o,$(DM_SRCS))

all: $(B)/bin/xenia-dm $(B)/bin/xenia-dm-test

$(B)/bin/xenia-dm: $(DM_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(STUB_LDFLAGS) -o $@ $^

$(B)/bin/xenia-dm-test: $(DM_TEST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(STUB_LDFLAGS) -o $@ $^

$(B)/stubobj-test/stubdoms/dm/%.o: stubdoms/dm/%.c
	@mkdir -p $(dir $@)
	$(CC) $(STUB_CFLAGS) -DXENIA_DM_TEST_HOOKS -MMD -MP -c $< -o $@

-include $(wildcard $(B)/stubobj-test/stubdoms/dm/*.d)

UNIT_DEPS_blkback    := $(B)/obj/stubdoms/dm/blkback.o
UNIT_DEPS_consback   := $(B)/obj/stubdoms/dm/consback.o
UNIT_DEPS_dm_process := $(B)/obj/stubdoms/dm/dmconfig.o

# test_dm_process runs the real binaries of this build directory (unsanitized
# even in a SAN=1 build); XENIA_BIN_DIR overrides the directory at run time.
$(B)/tests/test_dm_process: | $(B)/bin/xenia-dm $(B)/bin/xenia-dm-test
$(B)/obj/tests/unit/test_dm_process.o: CFLAGS += -DDM_TEST_BIN_DIR='"$(B)/bin"'

# The guest frontends built for the host (tests/unit/shim stands in for
# guest.h): test_dm_process runs them against the real dm.
DM_HOSTFRONT_OBJS := $(B)/obj/hostfront/blkfront.o $(B)/obj/hostfront/consfront.o
$(B)/obj/hostfront/%.o: guest/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DXENIA_IOFRONT_HOST_TEST -Itests/unit/shim -Iguest/include -MMD -MP -c $< -o $@
UNIT_DEPS_dm_process += $(DM_HOSTFRONT_OBJS)
$(B)/obj/tests/unit/test_dm_process.o: CFLAGS += -Itests/unit/shim -Iguest/include
