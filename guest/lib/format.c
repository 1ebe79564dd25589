/* SPDX-License-Identifier: MIT */
/* Freestanding vsnprintf/snprintf (ISO C11 §7.21.6.1 subset; see libc.h). */
#include <xenia/libc.h>

struct sink {
    char *buf;
    size_t size;   /* capacity including the NUL */
    size_t pos;    /* characters produced so far (may exceed size) */
};

static void put(struct sink *s, char c)
{
    if (s->size > 0 && s->pos < s->size - 1)
        s->buf[s->pos] = c;
    s->pos++;
}

static void put_n(struct sink *s, char c, int n)
{
    while (n-- > 0)
        put(s, c);
}

#define F_LEFT  0x01u
#define F_ZERO  0x02u
#define F_PLUS  0x04u
#define F_SPACE 0x08u
#define F_ALT   0x10u

/* One integer conversion: magnitude v, sign, base, flags, width, precision (-1 = none). */
static void put_int(struct sink *s, unsigned long long v, int neg, unsigned base, int upper,
                    unsigned flags, int width, int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, pfx_len = 0;
    char pfx[3];

    while (v != 0) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    if (prec < 0 && n == 0)
        tmp[n++] = '0';
    if (neg)
        pfx[pfx_len++] = '-';
    else if (flags & F_PLUS)
        pfx[pfx_len++] = '+';
    else if (flags & F_SPACE)
        pfx[pfx_len++] = ' ';
    if ((flags & F_ALT) && base == 16 && n > 0 && !(n == 1 && tmp[0] == '0')) {
        pfx[pfx_len++] = '0';
        pfx[pfx_len++] = upper ? 'X' : 'x';
    } else if ((flags & F_ALT) && base == 8 && tmp[n - 1] != '0') {
        tmp[n++] = '0';
    }
    int zeros = prec > n ? prec - n : 0;
    int len = pfx_len + zeros + n;
    int pad = width > len ? width - len : 0;

    if (!(flags & F_LEFT) && !((flags & F_ZERO) && prec < 0))
        put_n(s, ' ', pad);
    for (int i = 0; i < pfx_len; i++)
        put(s, pfx[i]);
    if (!(flags & F_LEFT) && (flags & F_ZERO) && prec < 0)
        put_n(s, '0', pad);
    put_n(s, '0', zeros);
    while (n > 0)
        put(s, tmp[--n]);
    if (flags & F_LEFT)
        put_n(s, ' ', pad);
}

static void put_str(struct sink *s, const char *str, unsigned flags, int width, int prec)
{
    if (str == NULL)
        str = "(null)";
    size_t n = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
    int pad = width > 0 && (size_t)width > n ? width - (int)n : 0;

    if (!(flags & F_LEFT))
        put_n(s, ' ', pad);
    for (size_t i = 0; i < n; i++)
        put(s, str[i]);
    if (flags & F_LEFT)
        put_n(s, ' ', pad);
}

/* Parse a decimal field; saturates at 1<<20 to stay far from int overflow. */
static int parse_num(const char **p)
{
    int v = 0;

    while (**p >= '0' && **p <= '9') {
        if (v < (1 << 20))
            v = v * 10 + (**p - '0');
        (*p)++;
    }
    return v;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { buf, size, 0 };
    const char *p = fmt;

    while (*p != '\0') {
        if (*p != '%') {
            put(&s, *p++);
            continue;
        }
        const char *start = p++;
        unsigned flags = 0;
        for (;; p++) {
            if (*p == '-') flags |= F_LEFT;
            else if (*p == '0') flags |= F_ZERO;
            else if (*p == '+') flags |= F_PLUS;
            else if (*p == ' ') flags |= F_SPACE;
            else if (*p == '#') flags |= F_ALT;
            else break;
        }
        int width = 0, prec = -1;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = width < -(1 << 20) ? (1 << 20) : -width;
            }
            p++;
        } else {
            width = parse_num(&p);
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;
                p++;
            } else {
                prec = parse_num(&p);
            }
        }
        int len = 0;   /* 0 int, -1 char, -2 short, 1 long, 2 long long, 3 size_t, 4 ptrdiff_t */
        if (*p == 'h') {
            p++;
            len = -2;
            if (*p == 'h') { p++; len = -1; }
        } else if (*p == 'l') {
            p++;
            len = 1;
            if (*p == 'l') { p++; len = 2; }
        } else if (*p == 'z') {
            p++;
            len = 3;
        } else if (*p == 't') {
            p++;
            len = 4;
        }
        char conv = *p;
        if (conv == '\0') {
            while (start < p)
                put(&s, *start++);
            break;
        }
        p++;
        switch (conv) {
        case 'd':
        case 'i': {
            long long v;
            switch (len) {
            case -1: v = (signed char)va_arg(ap, int); break;
            case -2: v = (short)va_arg(ap, int); break;
            case 1: v = va_arg(ap, long); break;
            case 2: v = va_arg(ap, long long); break;
            case 3: v = (long long)va_arg(ap, size_t); break;   /* ssize_t */
            case 4: v = va_arg(ap, ptrdiff_t); break;
            default: v = va_arg(ap, int); break;
            }
            unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            put_int(&s, mag, v < 0, 10, 0, flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v;
            switch (len) {
            case -1: v = (unsigned char)va_arg(ap, unsigned); break;
            case -2: v = (unsigned short)va_arg(ap, unsigned); break;
            case 1: v = va_arg(ap, unsigned long); break;
            case 2: v = va_arg(ap, unsigned long long); break;
            case 3: v = va_arg(ap, size_t); break;
            case 4: v = (unsigned long long)va_arg(ap, ptrdiff_t); break;
            default: v = va_arg(ap, unsigned); break;
            }
            unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
            put_int(&s, v, 0, base, conv == 'X', flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            if (v == 0)
                put_str(&s, "0x0", flags & F_LEFT, width, -1);
            else
                put_int(&s, v, 0, 16, 0, F_ALT | (flags & F_LEFT), width, -1);
            break;
        }
        case 'c':
            put_n(&s, ' ', !(flags & F_LEFT) && width > 1 ? width - 1 : 0);
            put(&s, (char)va_arg(ap, int));
            put_n(&s, ' ', (flags & F_LEFT) && width > 1 ? width - 1 : 0);
            break;
        case 's':
            put_str(&s, va_arg(ap, const char *), flags, width, prec);
            break;
        case '%':
            put(&s, '%');
            break;
        default:   /* unknown: copy the directive literally */
            while (start < p)
                put(&s, *start++);
            break;
        }
    }
    if (size > 0)
        buf[s.pos < size ? s.pos : size - 1] = '\0';
    return s.pos > (size_t)INT32_MAX ? INT32_MAX : (int)s.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
