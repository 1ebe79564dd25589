/* SPDX-License-Identifier: MIT */
/*
 * Linked into the coverage builds only (make fuzz-cov, fuzz/fuzz.mk): those have no
 * sanitizer runtime, so sanitizer interface functions that a harness calls directly
 * are defined here as weak no-ops (a real runtime's definition wins if linked).
 */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* LSan: "no leaks found" (coverage runs do not look for leaks). */
int __lsan_do_recoverable_leak_check(void)
{
    return 0;
}
