# Tests. Unit tests: every tests/unit/test_<x>.c is a cmocka program linked with
# the objects listed in UNIT_DEPS_<x> and libraries in UNIT_LIBS_<x> (set by the
# fragment of the component under test).
.SECONDEXPANSION:

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))

$(B)/tests/test_%: $(B)/obj/tests/unit/test_%.o $$(UNIT_DEPS_$$*)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(UNIT_LIBS_$*)

all: $(UNIT_BINS)

unit-test: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

guest-test: all
	SAN=$(SAN) bash tests/guests/run.sh $(B)

integration-test: all
	SAN=$(SAN) bash tests/integration/run.sh $(B)
	SAN=$(SAN) bash tests/integration/xsm.sh $(B)
	SAN=$(SAN) bash tests/integration/stubdom.sh $(B)
	SAN=$(SAN) bash tests/integration/kvstore.sh $(B)
	SAN=$(SAN) bash tests/integration/attest.sh $(B)
	SAN=$(SAN) bash tests/integration/attest_guest.sh $(B)

# The main job, run as an end-to-end test (its own log directory).
demo-test: all
	bash tests/integration/demo_check.sh $(B)
