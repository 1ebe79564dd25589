#!/usr/bin/env bash
# Installs the Debian packages Xenia needs to build and test; idempotent.
# Assumes only gcc, make and apt-get. Runs apt-get only for missing packages.
set -euo pipefail
PKGS=(
  pkg-config          # build flags of the libraries below
  libcmocka-dev       # unit tests
  libconfig-dev       # xl.cfg-style domain configuration files (tools/xenia)
  libseccomp-dev      # stub domain syscall allowlists (hv/stubdom_seccomp.c)
  libmbedtls-dev      # SHA-256 of policy binaries (policy/), later TLS and quotes (attest/)
  checkpolicy         # reference FLASK policy compiler: differential tests of policy/
  setools             # sesearch: reference rule queries for the differential tests
  libsepol-dev        # reference access decisions (sepol_compute_av) for differential tests
  clang               # fuzz/: libFuzzer harnesses (clang -fsanitize=fuzzer,address,undefined)
  libclang-rt-14-dev  # fuzz/: the libFuzzer, ASan and UBSan runtimes for clang 14
  afl++               # fuzz/: afl-clang-fast / afl-fuzz (optional engine, make fuzz ENGINE=afl)
  llvm                # fuzz/: llvm-profdata and llvm-cov for make fuzz-cov (fuzz/coverage.sh)
  libtss2-dev         # attest/: TPM2-TSS ESYS (hv's measurements, quotes, credential activation)
  libtss2-tcti-swtpm0 # attest/: the swtpm TCTI (swtpm:path=...)
  swtpm               # attest/: the default TPM 2.0, started by xenia-hv per run directory
  swtpm-tools         # attest/: swtpm_setup + swtpm_localca: EK and platform certificates
  tpm2-tools          # tests: tpm2_eventlog, tpm2_checkquote as independent checkers
  openssl             # tests/attest/xvcrypto_tpm.sh: DER conversion, test CAs and leaf certificates
  frama-c-base        # proofs/: Frama-C 25 with the WP plug-in (make proofs)
  why3                # proofs/: Why3 1.5.1, WP's bridge to the SMT provers (proofs/why3/why3.conf)
  cvc5                # proofs/: first prover (through proofs/why3/cvc5.drv)
  z3                  # proofs/: second prover
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
