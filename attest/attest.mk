# attest/: measured boot and remote attestation. Each part has its own fragment:
#   attest/eventlog.mk  TCG event log, item codec, TPM 2.0 structure parsers (pure)
#   attest/tpm.mk       TPM2-TSS ESYS shell and the swtpm launcher (hv side)
#   attest/crypto.mk    verifier crypto: MakeCredential, quote signature, EK chain (mbedTLS)
#   attest/verify.mk    the verifier's decision and xenia-verify
-include attest/eventlog.mk
-include attest/tpm.mk
-include attest/crypto.mk
-include attest/verify.mk
