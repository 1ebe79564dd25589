# Frama-C WP proofs (proofs/README.md). Included by the top Makefile.
#   make proofs            every unit proofs/*/unit.conf, two at a time; prints goals
#                          proved/total per unit and in all; fails on any unproved goal
#   make proof UNIT=avc    one unit
# Needs frama-c-base, why3, cvc5 and z3 (tools/install-deps.sh).
PROOF_UNITS := $(sort $(patsubst proofs/%/unit.conf,%,$(wildcard proofs/*/unit.conf)))
PROOF_JOBS  ?= 2

.PHONY: proofs proof $(addprefix proof-,$(PROOF_UNITS))
$(addprefix proof-,$(PROOF_UNITS)): proof-%:
	@proofs/run.sh $* $(B)

# Units run in parallel (one WP process keeps about one core busy); the summary
# is printed whether or not a unit failed, then the status is that of the units.
proofs:
	@test -n "$(PROOF_UNITS)" || { echo "proofs: no unit in proofs/*/unit.conf"; exit 1; }
	@rm -f $(addprefix $(B)/proofs/,$(addsuffix .result,$(PROOF_UNITS)))
	@start=$$(date +%s); \
	$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory -k -j$(PROOF_JOBS) \
		$(addprefix proof-,$(PROOF_UNITS)); rc=$$?; \
	cat $(addprefix $(B)/proofs/,$(addsuffix .result,$(PROOF_UNITS))) 2>/dev/null | \
	  awk '{p += $$3; t += $$5} END {printf "proofs: %d of $(words $(PROOF_UNITS)) units proved: %d / %d goals", NR, p, t}'; \
	echo " in $$(( $$(date +%s) - start )) s wall"; \
	if [ $$rc -ne 0 ]; then echo "proofs: FAILED (see above)"; exit 1; fi

proof:
	@test -n "$(UNIT)" || { echo "usage: make proof UNIT=<$(PROOF_UNITS)>"; exit 2; }
	proofs/run.sh $(UNIT) $(B)
