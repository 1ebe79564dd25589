# PV guest SDK (guest/) and guest test images (tests/guests/*.c).
#   $(B)/guest/libxenia.a        crt0 is separate; lib/*.c
#   $(B)/guests/<name>.elf       crt0 + tests/guests/<name>.c + libxenia.a
#   $(B)/guests/<app>.elf        crt0 + guest/apps/<app>.c + libxenia.a (tenant programs)
# Built with GUEST_CC, GUEST_CFLAGS and GUEST_LDFLAGS from the top Makefile.

GUEST_LIB_SRCS := $(wildcard guest/lib/*.c)
GUEST_LIB_OBJS := $(patsubst guest/lib/%.c,$(B)/guest/obj/lib/%.o,$(GUEST_LIB_SRCS))
GUEST_CRT0     := $(B)/guest/obj/crt0.o
GUEST_LIB      := $(B)/guest/libxenia.a
GUEST_TESTS    := $(patsubst tests/guests/%.c,%,$(wildcard tests/guests/*.c))
GUEST_ELFS     := $(patsubst %,$(B)/guests/%.elf,$(GUEST_TESTS))
GUEST_TEST_OBJS := $(patsubst %,$(B)/guest/obj/tests/%.o,$(GUEST_TESTS))
GUEST_APPS     := $(patsubst guest/apps/%.c,%,$(wildcard guest/apps/*.c))
GUEST_APP_ELFS := $(patsubst %,$(B)/guests/%.elf,$(GUEST_APPS))

# Keep the test objects (make would delete them as intermediates).
.SECONDARY: $(GUEST_TEST_OBJS) $(patsubst %,$(B)/guest/obj/apps/%.o,$(GUEST_APPS))

all: $(GUEST_LIB) $(GUEST_ELFS) $(GUEST_APP_ELFS)

# The runtime's own loops must not be turned back into memcpy/memset calls.
$(B)/guest/obj/lib/%.o: guest/lib/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -fno-tree-loop-distribute-patterns -MMD -MP -c $< -o $@

$(GUEST_CRT0): guest/crt0.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/guest/obj/tests/%.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/guest/obj/apps/%.o: guest/apps/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_LIB): $(GUEST_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/guests/%.elf: $(GUEST_CRT0) $(B)/guest/obj/tests/%.o $(GUEST_LIB) guest/guest.ld
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_CRT0) \
		$(B)/guest/obj/tests/$*.o $(GUEST_LIB) -lgcc

$(GUEST_APP_ELFS): $(B)/guests/%.elf: $(GUEST_CRT0) $(B)/guest/obj/apps/%.o $(GUEST_LIB) guest/guest.ld
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_CRT0) \
		$(B)/guest/obj/apps/$*.o $(GUEST_LIB) -lgcc

-include $(wildcard $(B)/guest/obj/*.d $(B)/guest/obj/lib/*.d $(B)/guest/obj/tests/*.d $(B)/guest/obj/apps/*.d)
