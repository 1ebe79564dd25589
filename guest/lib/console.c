/* SPDX-License-Identifier: MIT */
/* Console output (line-buffered printf) and input, over console_io (hypercall.h). */
#include <xenia/guest.h>

#define CONSOLE_BUF 512u

static char out_buf[CONSOLE_BUF];
static size_t out_len;
static long out_err;   /* first error seen by a flush, reported by printf */

/* Write without touching the buffer; chunks of at most XENIA_CONSOLEIO_MAX. */
static long console_write_raw(const char *p, size_t len)
{
    size_t done = 0;

    while (done < len) {
        size_t n = len - done > XENIA_CONSOLEIO_MAX ? XENIA_CONSOLEIO_MAX : len - done;
        long rc = xenia_console_io(XENIA_CONSOLEIO_write, n, XENIA_GVA(p + done));
        if (rc < 0)
            return rc;
        if (rc == 0 || (size_t)rc > n)
            return -XENIA_EIO;
        done += (size_t)rc;
    }
    return (long)len;
}

void xenia_console_flush(void)
{
    if (out_len > 0) {
        long rc = console_write_raw(out_buf, out_len);
        if (rc < 0 && out_err == 0)
            out_err = rc;
        out_len = 0;
    }
}

long xenia_console_write(const void *buf, size_t len)
{
    xenia_console_flush();
    return console_write_raw(buf, len);
}

long xenia_console_read(void *buf, size_t len)
{
    if (len > XENIA_CONSOLEIO_MAX)
        return -XENIA_EINVAL;
    return xenia_console_io(XENIA_CONSOLEIO_read, len, XENIA_GVA(buf));
}

int putchar(int c)
{
    out_buf[out_len++] = (char)c;
    if (c == '\n' || out_len == CONSOLE_BUF)
        xenia_console_flush();
    return (unsigned char)c;
}

int puts(const char *s)
{
    while (*s != '\0')
        putchar(*s++);
    putchar('\n');
    return 0;
}

int vprintf(const char *fmt, va_list ap)
{
    char tmp[CONSOLE_BUF];
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return n;
    if ((size_t)n < sizeof(tmp)) {
        for (int i = 0; i < n; i++)
            putchar(tmp[i]);
    } else {
        /* Longer than the stack buffer: format into the heap once. */
        char *big = malloc((size_t)n + 1);
        if (big == NULL) {
            for (size_t i = 0; i + 1 < sizeof(tmp); i++)
                putchar(tmp[i]);
        } else {
            va_copy(ap2, ap);
            vsnprintf(big, (size_t)n + 1, fmt, ap2);
            va_end(ap2);
            for (int i = 0; i < n; i++)
                putchar(big[i]);
            free(big);
        }
    }
    if (out_err < 0) {
        long e = out_err;
        out_err = 0;
        return (int)e;
    }
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
