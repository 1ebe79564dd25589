# Xenia top-level Makefile.
#   make            build everything (-Wall -Wextra -Werror)
#   make test       install what is missing, build, run every test
#   make san        the same tests, built with ASan + UBSan (build-san/)
#   make demo       the main job (README)
#   make bench      benchmarks (tests/bench), figures only, never pass/fail
#   make fuzz-smoke every fuzz target for 6 s (fuzz/); make fuzz TARGET=x SECONDS=n
#   make proofs     Frama-C WP proofs of the deciding code (proofs/), proved/total per unit
# Each directory adds its rules through a *.mk fragment included below; every
# output goes under $(B)/.

B        ?= build
SAN      ?= 0
CC       ?= gcc
GUEST_CC ?= gcc

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -Iinclude -I. -D_GNU_SOURCE -fno-strict-aliasing
LDFLAGS  ?=
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

# Stub domain binaries (stubdoms/): statically linked (they run in an empty root)
# and never built with sanitizers (ASan needs files and address space that the
# confinement takes away); their pure parts are tested and fuzzed with sanitizers.
STUB_CFLAGS  := -O2 -g -std=gnu11 $(WARN) -Iinclude -I. -D_GNU_SOURCE -fno-strict-aliasing
STUB_LDFLAGS := -static

# Freestanding PV guests (guest/): ring 3, identity mapped, static ELF64.
GUEST_CFLAGS := -std=gnu11 $(WARN) -O2 -g -Iinclude -Iguest/include -ffreestanding \
	-fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-mno-red-zone -mgeneral-regs-only -fno-builtin -nostdinc \
	-isystem $(shell $(GUEST_CC) -print-file-name=include)
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
	-Wl,-z,max-page-size=4096 -T guest/guest.ld

.PHONY: all deps test unit-test guest-test integration-test demo-test san demo bench clean
all:

DEPS_STAMP := $(B)/.deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/install-deps.sh
	@mkdir -p $(B)
	bash tools/install-deps.sh
	@touch $@

# Order: libraries first (their object lists are used by the programs below).
-include xsm/flask/flask.mk
-include policy/analyze.mk
-include policy/policy.mk
-include tests/policy/policy_tests.mk
-include xsm/xsm.mk
include attest/attest.mk
include hv/hv.mk
include stubdoms/builder/builder.mk
include stubdoms/dm/dm.mk
include tools/tools.mk
include guest/guest.mk
include tests/tests.mk
-include fuzz/fuzz.mk
-include stubdoms/attest/agent.mk
include proofs/proofs.mk

# The reference manifest of this build (attest/verify.h, docs/attestation.md):
# what xenia-verify expects hv to measure. After every fragment, so that the
# guest image list is known.
$(B)/attest/manifest.cfg: tools/mkmanifest.sh $(B)/bin/xenia-hv $(B)/bin/xenia-builder \
		$(B)/bin/xenia-dm $(if $(wildcard stubdoms/attest/agent.mk),$(B)/bin/xenia-attest) $(B)/policy/xenia.xpol $(GUEST_ELFS) $(GUEST_APP_ELFS)
	@mkdir -p $(dir $@)
	bash tools/mkmanifest.sh $(B) > $@.tmp && mv $@.tmp $@
all: $(B)/attest/manifest.cfg

# Stub domain objects (no sanitizers, see STUB_CFLAGS).
$(B)/stubobj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STUB_CFLAGS) -MMD -MP -c $< -o $@

# Compile rule shared by host programs: one object per source, with header deps.
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(B)/obj $(B)/stubobj -name '*.d' 2>/dev/null)

test: deps
	$(MAKE) all
	$(MAKE) unit-test policy-diff-test guest-test integration-test demo-test fuzz-smoke proofs

san: deps
	$(MAKE) B=build-san SAN=1 all
	$(MAKE) B=build-san SAN=1 unit-test policy-diff-test guest-test integration-test demo-test

demo: deps
	$(MAKE) all
	bash tools/demo.sh $(B)

bench: deps
	$(MAKE) all
	bash tests/bench/run.sh $(B)
	bash tests/bench/stubdom.sh $(B)
	bash tests/bench/attest.sh $(B)

clean:
	rm -rf build build-san
