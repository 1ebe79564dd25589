# Fuzzing (fuzz/README.md). Included by the top Makefile with `-include fuzz/fuzz.mk`.
#   make fuzz-build                      every target for libFuzzer (+ AFL++ when installed)
#   make fuzz-smoke                      every target 6 s over a copy of its corpus; fails on a crash
#   make fuzz TARGET=x SECONDS=n [ENGINE=libfuzzer|afl]   one long campaign
# Sources are compiled directly with clang (never gcc objects), always ASan + UBSan.
# Each target t has fuzz/t/harness.c, fuzz/t/corpus/, optional fuzz/t/*.dict and
# fuzz/t/target.mk (FUZZ_TARGETS += t; FUZZ_SRCS_t: the project sources it links;
# optional FUZZ_LIBS_t: libraries, e.g. -lconfig).

FUZZ_TARGETS :=
include $(sort $(wildcard fuzz/*/target.mk))

FUZZ_CC      ?= clang
FUZZ_AFL_CC  ?= afl-clang-fast
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -std=gnu11 $(WARN) \
	-Iinclude -I. -D_GNU_SOURCE -fno-strict-aliasing
FUZZ_SMOKE_SECONDS ?= 6
SECONDS      ?= 600
ENGINE       ?= libfuzzer
FUZZ_HAVE_AFL := $(shell command -v $(FUZZ_AFL_CC) >/dev/null 2>&1 && echo 1)

fuzz_dict = $(firstword $(wildcard fuzz/$(1)/*.dict))
fuzz_deps = fuzz/$(1)/harness.c $(FUZZ_SRCS_$(1))

.PHONY: fuzz-build fuzz-build-libfuzzer fuzz-build-afl fuzz-smoke fuzz
fuzz-build: fuzz-build-libfuzzer fuzz-build-afl
fuzz-build-libfuzzer: $(foreach t,$(FUZZ_TARGETS),$(B)/fuzz/$(t)-libfuzzer)
ifeq ($(FUZZ_HAVE_AFL),1)
fuzz-build-afl: $(foreach t,$(FUZZ_TARGETS),$(B)/fuzz/$(t)-afl)
else
fuzz-build-afl:
	@echo "fuzz: $(FUZZ_AFL_CC) not found (apt-get install afl++): skipping the AFL++ builds"
endif

# One rule per target and engine; header dependencies via -MMD.
define FUZZ_TARGET_RULES
$(B)/fuzz/$(1)-libfuzzer: $(call fuzz_deps,$(1))
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -MF $$@.d -o $$@ $(call fuzz_deps,$(1)) $(FUZZ_LIBS_$(1))
$(B)/fuzz/$(1)-afl: $(call fuzz_deps,$(1))
	@mkdir -p $$(dir $$@)
	AFL_QUIET=1 $(FUZZ_AFL_CC) $(FUZZ_CFLAGS) -MMD -MP -MF $$@.d -o $$@ $(call fuzz_deps,$(1)) $(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULES,$(t))))
-include $(wildcard $(B)/fuzz/*.d)

# libFuzzer run of target $(1) for $(2) seconds over a fresh copy of its corpus;
# crashes go to $(B)/fuzz/$(1)-artifacts/. libFuzzer exits non-zero on any finding.
define fuzz_run_libfuzzer
	rm -rf $(B)/fuzz/$(1)-work && mkdir -p $(B)/fuzz/$(1)-work $(B)/fuzz/$(1)-artifacts
	cp fuzz/$(1)/corpus/* $(B)/fuzz/$(1)-work/
	$(B)/fuzz/$(1)-libfuzzer -max_total_time=$(2) -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix=$(B)/fuzz/$(1)-artifacts/ \
		$(if $(call fuzz_dict,$(1)),-dict=$(call fuzz_dict,$(1))) \
		$(B)/fuzz/$(1)-work 2> $(B)/fuzz/$(1).log || \
		{ tail -40 $(B)/fuzz/$(1).log; echo "fuzz: $(1): CRASH (log $(B)/fuzz/$(1).log)"; exit 1; }
	@echo "fuzz: $(1): ok, $$(grep -o 'exec/s: [0-9]*' $(B)/fuzz/$(1).log | tail -1)," \
		"$$(grep -o 'stat::number_of_executed_units: [0-9]*' $(B)/fuzz/$(1).log | cut -d' ' -f2) runs"
endef

# fuzz-run-<t>: one libFuzzer run of FUZZ_SECS seconds (used by fuzz-smoke and fuzz).
FUZZ_SECS ?= $(FUZZ_SMOKE_SECONDS)
$(foreach t,$(FUZZ_TARGETS),$(eval .PHONY: fuzz-run-$(t)))
$(foreach t,$(FUZZ_TARGETS),$(eval fuzz-run-$(t): $(B)/fuzz/$(t)-libfuzzer ; $$(call fuzz_run_libfuzzer,$(t),$$(FUZZ_SECS))))

# fuzz-smoke also builds every AFL++ binary and replays its corpus through it (the
# persistent-mode driver runs each file given as an argument once), so both engines'
# builds are checked on every run.
fuzz-smoke: fuzz-build-libfuzzer fuzz-build-afl
	$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory -j1 FUZZ_SECS=$(FUZZ_SMOKE_SECONDS) $(addprefix fuzz-run-,$(FUZZ_TARGETS))
ifeq ($(FUZZ_HAVE_AFL),1)
	@for t in $(FUZZ_TARGETS); do \
		$(B)/fuzz/$$t-afl fuzz/$$t/corpus/* > $(B)/fuzz/$$t-afl-replay.log 2>&1 || \
		{ tail -20 $(B)/fuzz/$$t-afl-replay.log; echo "fuzz: $$t: AFL++ build fails on its corpus"; exit 1; }; \
	done; echo "fuzz-smoke: AFL++ builds of all $(words $(FUZZ_TARGETS)) targets replayed their corpora"
endif
	@echo "fuzz-smoke: all $(words $(FUZZ_TARGETS)) targets ran $(FUZZ_SMOKE_SECONDS) s without a crash"

# A long campaign: make fuzz TARGET=policydb SECONDS=3600 [ENGINE=afl]. The libFuzzer
# corpus grows in $(B)/fuzz/TARGET-work (kept between campaigns only if you copy it).
fuzz:
	@test -n "$(TARGET)" || { echo "usage: make fuzz TARGET=<$(FUZZ_TARGETS)> SECONDS=n [ENGINE=libfuzzer|afl]"; exit 2; }
	@test -d fuzz/$(TARGET) || { echo "fuzz: no target fuzz/$(TARGET)"; exit 2; }
ifeq ($(ENGINE),afl)
	@test "$(FUZZ_HAVE_AFL)" = 1 || { echo "fuzz: $(FUZZ_AFL_CC) not found (apt-get install afl++)"; exit 2; }
	$(MAKE) $(B)/fuzz/$(TARGET)-afl
	rm -rf $(B)/fuzz/$(TARGET)-afl-out
	AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
		afl-fuzz -V $(SECONDS) -i fuzz/$(TARGET)/corpus -o $(B)/fuzz/$(TARGET)-afl-out \
		$(if $(call fuzz_dict,$(TARGET)),-x $(call fuzz_dict,$(TARGET))) \
		-- $(B)/fuzz/$(TARGET)-afl
	@n=$$(ls $(B)/fuzz/$(TARGET)-afl-out/default/crashes 2>/dev/null | grep -vc README); \
		if [ "$$n" -gt 0 ]; then echo "fuzz: $(TARGET): $$n crash(es) in $(B)/fuzz/$(TARGET)-afl-out/default/crashes"; exit 1; fi
else
	$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory FUZZ_SECS=$(SECONDS) fuzz-run-$(TARGET)
endif

# ---- coverage (fuzz/README.md "Coverage"; logic in fuzz/coverage.sh) -----------------
#   make fuzz-cov [TARGETS="a b"]   default: every target in FUZZ_TARGETS
# Each target's harness is built with source-based coverage and libFuzzer (no ASan,
# no UBSan: only the corpus is replayed), run with -runs=0 over fuzz/<t>/corpus and
# $(B)/fuzz/<t>-work, and reported for FUZZ_SRCS_<t>: $(B)/fuzz/cov/<t>.txt,
# $(B)/fuzz/cov/<t>/index.html and $(B)/fuzz/cov/summary.md.
FUZZ_COV_DIR     := $(B)/fuzz/cov
FUZZ_COV_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fprofile-instr-generate \
	-fcoverage-mapping -fsanitize=fuzzer -std=gnu11 $(WARN) -Iinclude -I. \
	-D_GNU_SOURCE -fno-strict-aliasing
FUZZ_COV_TARGETS  = $(or $(TARGETS),$(FUZZ_TARGETS))

define FUZZ_COV_RULES
$(FUZZ_COV_DIR)/$(1)-cov: $(call fuzz_deps,$(1)) fuzz/coverage_stubs.c
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(FUZZ_COV_CFLAGS) -MMD -MP -MF $$@.d -o $$@ $(call fuzz_deps,$(1)) \
		fuzz/coverage_stubs.c $(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_COV_RULES,$(t))))
-include $(wildcard $(FUZZ_COV_DIR)/*.d)

.PHONY: fuzz-cov
fuzz-cov: $(foreach t,$(filter $(FUZZ_TARGETS),$(FUZZ_COV_TARGETS)),$(FUZZ_COV_DIR)/$(t)-cov)
	@test -z "$(filter-out $(FUZZ_TARGETS),$(FUZZ_COV_TARGETS))" || \
		{ echo "fuzz-cov: unknown target(s) $(filter-out $(FUZZ_TARGETS),$(FUZZ_COV_TARGETS)) (have: $(FUZZ_TARGETS))"; exit 2; }
	@rc=0; $(foreach t,$(FUZZ_COV_TARGETS),B=$(B) sh fuzz/coverage.sh target $(FUZZ_COV_DIR) \
		$(t) $(FUZZ_COV_DIR)/$(t)-cov "$(FUZZ_SRCS_$(t))" || rc=1;) \
		B=$(B) sh fuzz/coverage.sh summary $(FUZZ_COV_DIR) $(FUZZ_COV_TARGETS); exit $$rc
# ---- end of coverage ------------------------------------------------------------------
