/* SPDX-License-Identifier: MIT */
/* XTF-style test helpers (xtf.h). */
#include <xenia/xtf.h>

static unsigned xt_failed, xt_passed;

void xt_pass_(void)
{
    xt_passed++;
}

void xt_fail_(const char *file, int line, const char *expr, const char *fmt, ...)
{
    va_list ap;

    xt_failed++;
    printf("FAIL %s:%d: %s: ", file, line, expr);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

unsigned xt_failures(void)
{
    return xt_failed;
}

void xt_done(void)
{
    printf("%u checks passed, %u failed\n", xt_passed, xt_failed);
    if (xt_failed == 0) {
        printf("Test result: SUCCESS\n");
        xenia_shutdown(XENIA_SHUTDOWN_poweroff);
    }
    printf("Test result: FAILURE (%u failed)\n", xt_failed);
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
