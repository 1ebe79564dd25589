/* SPDX-License-Identifier: MIT */
/*
 * XTF-style guest test helpers (cf. Xen Test Framework xtf_failure/xtf_success).
 *
 *   xt_check(cond, fmt, ...)       count a pass, or print "FAIL file:line: cond: msg"
 *   xt_check_eq(got, want, what)   integer equality with both values in the message
 *   xt_done()                      print "Test result: SUCCESS" and power off, or
 *                                  "Test result: FAILURE (n failed)" and crash
 */
#ifndef XENIA_XTF_H
#define XENIA_XTF_H

#include <xenia/guest.h>

void xt_pass_(void);
void xt_fail_(const char *file, int line, const char *expr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Number of failed checks so far. */
unsigned xt_failures(void);

/* Report and shut down: poweroff when no check failed, crash otherwise. */
void xt_done(void) __attribute__((noreturn));

#define xt_check(cond, ...)                                         \
    do {                                                            \
        if (cond)                                                   \
            xt_pass_();                                             \
        else                                                        \
            xt_fail_(__FILE__, __LINE__, #cond, __VA_ARGS__);       \
    } while (0)

#define xt_check_eq(got, want, what)                                \
    do {                                                            \
        long long xt_g_ = (long long)(got), xt_w_ = (long long)(want); \
        if (xt_g_ == xt_w_)                                         \
            xt_pass_();                                             \
        else                                                        \
            xt_fail_(__FILE__, __LINE__, #got " == " #want,         \
                     "%s: got %lld (%#llx), want %lld (%#llx)", (what), \
                     xt_g_, (unsigned long long)xt_g_, xt_w_,       \
                     (unsigned long long)xt_w_);                    \
    } while (0)

#endif /* XENIA_XTF_H */
