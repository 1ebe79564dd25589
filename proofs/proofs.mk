# Frama-C WP proofs (proofs/README.md). Included by the top Makefile.
#   make proofs            every unit proofs/*/unit.conf; prints proved/total per unit,
#                          fails on any unproved goal
#   make proof UNIT=avc    one unit
# Needs frama-c-base, why3, cvc5 and z3 (tools/install-deps.sh).
PROOF_UNITS := $(sort $(patsubst proofs/%/unit.conf,%,$(wildcard proofs/*/unit.conf)))

.PHONY: proofs proof
proofs:
	@test -n "$(PROOF_UNITS)" || { echo "proofs: no unit in proofs/*/unit.conf"; exit 1; }
	@start=$$(date +%s); fail=0; \
	for u in $(PROOF_UNITS); do proofs/run.sh $$u $(B) || fail=$$((fail + 1)); done; \
	cat $(addprefix $(B)/proofs/,$(addsuffix .result,$(PROOF_UNITS))) 2>/dev/null | \
	  awk '{p += $$3; t += $$5} END {printf "proofs: all %d units: %d / %d goals proved", NR, p, t}'; \
	echo " in $$(( $$(date +%s) - start )) s wall"; \
	if [ $$fail -ne 0 ]; then echo "proofs: $$fail unit(s) failed"; exit 1; fi

proof:
	@test -n "$(UNIT)" || { echo "usage: make proof UNIT=<$(PROOF_UNITS)>"; exit 2; }
	proofs/run.sh $(UNIT) $(B)
