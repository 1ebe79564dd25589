# Domain builder stub domain (stubdoms/builder): xenia-builder.
# elf.c and build.c are pure (no system calls) and are unit tested alone
# (tests/unit/test_builder.c); main.c is the system-call shell.
BUILDER_OBJS := $(B)/obj/stubdoms/builder/main.o \
	$(B)/obj/stubdoms/builder/build.o \
	$(B)/obj/stubdoms/builder/elf.o

UNIT_DEPS_builder := $(B)/obj/stubdoms/builder/elf.o $(B)/obj/stubdoms/builder/build.o

all: $(B)/bin/xenia-builder

$(B)/bin/xenia-builder: $(BUILDER_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
