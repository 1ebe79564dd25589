# Domain builder stub domain (stubdoms/builder): xenia-builder, static and
# never sanitized ($(B)/stubobj, STUB_CFLAGS: it runs in an empty root under a
# seccomp allowlist, stubdoms/builder/seccomp.def).
# elf.c and build.c are pure (no system calls) and are unit tested alone, with
# sanitizers (tests/unit/test_builder.c, $(B)/obj); main.c is the system-call shell.
BUILDER_OBJS := $(B)/stubobj/stubdoms/builder/main.o \
	$(B)/stubobj/stubdoms/builder/build.o \
	$(B)/stubobj/stubdoms/builder/elf.o

UNIT_DEPS_builder := $(B)/obj/stubdoms/builder/elf.o $(B)/obj/stubdoms/builder/build.o

all: $(B)/bin/xenia-builder

$(B)/bin/xenia-builder: $(BUILDER_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(STUB_LDFLAGS) -o $@ $^
