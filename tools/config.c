/* SPDX-License-Identifier: MIT */
/*
 * Domain configuration files: xl.cfg(5)-style text -> struct xenia_domcfg.
 *
 * Two steps, both pure:
 *  1. normalise(): a bounded one-pass lexer that rewrites the parts of xl.cfg's
 *     syntax libconfig 1.5 refuses into libconfig syntax, keeping every line
 *     where it was (so line numbers in messages stay right):
 *       'single quoted' strings       -> "double quoted" (xl accepts both)
 *       a trailing comma in [ a, b, ] -> dropped (xl accepts it)
 *     and refuses integer literals libconfig would silently wrap or clamp
 *     (libconfig 1.5 reads `memory = 4294967312` as 16).
 *  2. libconfig parses the result; the tree is then checked key by key
 *     (decode everything, then fill `out`).
 * What libconfig then accepts of xl.cfg: `key = value` lines with or without a
 * trailing `;` or `,`, "strings" with \" \\ \n \t \xNN escapes (adjacent strings
 * concatenate), decimal and 0x hex integers, [ lists ] of one element type,
 * comments (#, // and C-style block comments). Not accepted: a key set twice (xl keeps the
 * last: use KEY=VALUE overrides instead), keys that start with `_` or a digit,
 * bare words as values, lists mixing types.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Small helpers (ASCII only: no locale dependence)                          */
/* ------------------------------------------------------------------------ */

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static int is_xdigit(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }
/* libconfig setting names: [A-Za-z*][-A-Za-z0-9_*]* */
static int is_name_char(int c) { return is_alnum(c) || c == '-' || c == '_' || c == '*'; }

struct ctx {
    const char *source;   /* prefix of messages */
    char       *err;
    size_t      errlen;
};

static void seterr(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seterr(struct ctx *x, const char *fmt, ...)
{
    va_list ap;

    if (!x->err || x->errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(x->err, x->errlen, fmt, ap);
    va_end(ap);
}

/*
 * Copy `s` into buf for a message: non-printable bytes as \xNN, `"` and `\` escaped,
 * cut with "..." when longer than the buffer allows. Always NUL-terminates.
 */
static const char *show(const char *s, char *buf, size_t n)
{
    size_t o = 0;

    if (n == 0)
        return "";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        char tmp[5];
        size_t k;

        if (c < 0x20 || c >= 0x7f)
            k = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", c);
        else if (c == '"' || c == '\\')
            k = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
        else
            k = (size_t)snprintf(tmp, sizeof(tmp), "%c", c);
        if (o + k + 4 > n) {
            if (n >= 4) {
                while (o + 4 > n)
                    o--;
                memcpy(buf + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(buf + o, tmp, k);
        o += k;
    }
    buf[o] = '\0';
    return buf;
}

unsigned xenia_config_distance(const char *a, const char *b)
{
    unsigned d[64][64];
    size_t la, lb, i, j;

    if (!a || !b)
        return 1000;
    la = strlen(a);
    lb = strlen(b);
    if (la > 63 || lb > 63)
        return 1000;
    for (i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (i = 1; i <= la; i++) {
        for (j = 1; j <= lb; j++) {
            unsigned cost = lower((unsigned char)a[i - 1]) == lower((unsigned char)b[j - 1]) ? 0 : 1;
            unsigned v = d[i - 1][j] + 1;

            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && lower((unsigned char)a[i - 1]) == lower((unsigned char)b[j - 2]) &&
                lower((unsigned char)a[i - 2]) == lower((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

int xenia_config_name_ok(const char *s)
{
    size_t i;

    if (!s || !*s)
        return 0;
    for (i = 0; s[i]; i++) {
        if (i >= XENIA_NAME_MAX - 1)
            return 0;
        if (!is_alnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return 0;
    }
    return 1;
}

const char *xenia_config_action_name(unsigned action)
{
    switch (action) {
    case XENIA_ACTION_DESTROY:  return "destroy";
    case XENIA_ACTION_PRESERVE: return "preserve";
    case XENIA_ACTION_RESTART:  return "restart";
    default:                    return "?";
    }
}

/* ------------------------------------------------------------------------ */
/* Step 1: normalise xl.cfg syntax for libconfig                              */
/* ------------------------------------------------------------------------ */

/*
 * Check one number token tok[0..n) (sign included) the way libconfig 1.5 will read
 * it. Returns 1 if libconfig would store a different value than written (overflow
 * of its int / int64 types), 0 otherwise (including tokens that are not integers:
 * floats and malformed tokens are left to libconfig).
 */
static int number_wraps(const char *tok, size_t n)
{
    size_t i = 0;
    int neg = 0, hex = 0, is64 = 0, overflow = 0;
    unsigned base = 10;
    uint64_t mag = 0, limit;

    if (i < n && (tok[i] == '+' || tok[i] == '-')) {
        neg = tok[i] == '-';
        i++;
    }
    if (i + 1 < n && tok[i] == '0' && (tok[i + 1] == 'x' || tok[i + 1] == 'X')) {
        hex = 1;
        base = 16;
        i += 2;
    }
    if (n >= 2 && (tok[n - 1] == 'L' || tok[n - 1] == 'l')) {
        is64 = 1;
        n--;
        if (n >= 1 && (tok[n - 1] == 'L' || tok[n - 1] == 'l'))
            n--;
    }
    if (i >= n)
        return 0;
    for (; i < n; i++) {
        unsigned dv;
        int c = (unsigned char)tok[i];

        if (hex ? !is_xdigit(c) : !is_digit(c))
            return 0;                      /* float or junk: libconfig decides */
        dv = is_digit(c) ? (unsigned)(c - '0') : (unsigned)(lower(c) - 'a' + 10);
        if (mag > (UINT64_MAX - dv) / base)
            overflow = 1;
        else
            mag = mag * base + dv;
    }
    if (overflow)
        return 1;
    if (hex)
        limit = is64 ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX;
    else if (is64)
        limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    else
        limit = neg ? (uint64_t)INT32_MAX + 1u : (uint64_t)INT32_MAX;
    return mag > limit;
}

/*
 * 1 if tok[0..n) (sign included) is one of libconfig 1.5's number forms:
 * integer [0-9]+, hex 0x[0-9a-f]+ (either with an optional L or LL suffix), or a
 * float with a '.' and/or an exponent. 0 for anything else, e.g. "16MB".
 */
static int number_form_ok(const char *tok, size_t n)
{
    size_t i = 0, d = 0, f = 0;

    if (i < n && (tok[i] == '+' || tok[i] == '-'))
        i++;
    if (i + 1 < n && tok[i] == '0' && (tok[i + 1] == 'x' || tok[i + 1] == 'X')) {
        for (i += 2; i < n && is_xdigit((unsigned char)tok[i]); i++)
            d++;
        goto suffix;
    }
    for (; i < n && is_digit((unsigned char)tok[i]); i++)
        d++;
    if (i < n && tok[i] == '.') {
        for (i++; i < n && is_digit((unsigned char)tok[i]); i++)
            f++;
        if (d + f == 0)
            return 0;
        d = 1;
        if (i == n)
            return 1;
        if (tok[i] != 'e' && tok[i] != 'E')
            return 0;
    }
    if (i < n && (tok[i] == 'e' || tok[i] == 'E')) {
        size_t e = 0;

        if (d == 0)
            return 0;
        i++;
        if (i < n && (tok[i] == '+' || tok[i] == '-'))
            i++;
        for (; i < n && is_digit((unsigned char)tok[i]); i++)
            e++;
        return e > 0 && i == n;
    }
suffix:
    if (d == 0)
        return 0;
    if (i < n && (tok[i] == 'L' || tok[i] == 'l'))
        i++;
    if (i < n && (tok[i] == 'L' || tok[i] == 'l'))
        i++;
    return i == n;
}

/*
 * Rewrite text[0..len) into out (capacity 2 * len + 1, NUL-terminated) as
 * described at the top of this file. Returns 0, or -XENIA_EINVAL with *bad_line
 * and msg set (number out of range).
 */
static int normalise(const char *text, size_t len, char *out, unsigned *bad_line,
                     char *msg, size_t msglen)
{
    size_t i = 0, o = 0, comma = SIZE_MAX;
    unsigned line = 1;

    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        i = 3;      /* a UTF-8 byte order mark, as some editors write */
    while (i < len) {
        char c = text[i];

        if (c == '\n') {
            line++;
            out[o++] = text[i++];
        } else if (is_space((unsigned char)c)) {
            out[o++] = text[i++];
        } else if (c == '#' || (c == '/' && i + 1 < len && text[i + 1] == '/')) {
            while (i < len && text[i] != '\n')
                out[o++] = text[i++];
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            out[o++] = text[i++];
            out[o++] = text[i++];
            while (i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/')) {
                if (text[i] == '\n')
                    line++;
                out[o++] = text[i++];
            }
            if (i < len) {                 /* the closing star and slash */
                out[o++] = text[i++];
                out[o++] = text[i++];
            }
        } else if (c == '"') {
            comma = SIZE_MAX;
            out[o++] = text[i++];
            while (i < len && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < len)
                    out[o++] = text[i++];
                if (text[i] == '\n')
                    line++;
                out[o++] = text[i++];
            }
            if (i < len)
                out[o++] = text[i++];
        } else if (c == '\'') {
            /* xl single-quoted string -> libconfig double-quoted string */
            comma = SIZE_MAX;
            out[o++] = '"';
            i++;
            while (i < len && text[i] != '\'') {
                if (text[i] == '\\' && i + 1 < len) {
                    if (text[i + 1] == '\'') {
                        out[o++] = '\'';
                        i += 2;
                        continue;
                    }
                    out[o++] = text[i++];
                    out[o++] = text[i++];
                    continue;
                }
                if (text[i] == '"')
                    out[o++] = '\\';
                if (text[i] == '\n')
                    line++;
                out[o++] = text[i++];
            }
            if (i < len) {
                out[o++] = '"';
                i++;
            }
        } else if (c == ',') {
            comma = o;
            out[o++] = text[i++];
        } else if (c == ']' || c == ')') {
            if (comma != SIZE_MAX)
                out[comma] = ' ';
            comma = SIZE_MAX;
            out[o++] = text[i++];
        } else if (is_alpha((unsigned char)c) || c == '*') {
            comma = SIZE_MAX;
            while (i < len && is_name_char((unsigned char)text[i]))
                out[o++] = text[i++];
        } else if (is_digit((unsigned char)c) ||
                   ((c == '+' || c == '-' || c == '.') && i + 1 < len &&
                    (is_digit((unsigned char)text[i + 1]) || text[i + 1] == '.'))) {
            size_t start = i;
            int hex;

            comma = SIZE_MAX;
            if (c == '+' || c == '-')
                i++;
            hex = i + 1 < len && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X');
            while (i < len) {
                char d = text[i];

                if (is_alnum((unsigned char)d) || d == '.' || d == '_')
                    i++;
                else if ((d == '+' || d == '-') && !hex && i > start &&
                         (text[i - 1] == 'e' || text[i - 1] == 'E'))
                    i++;
                else
                    break;
            }
            if (!number_form_ok(text + start, i - start) ||
                number_wraps(text + start, i - start)) {
                char tok[48];
                size_t n = i - start < sizeof(tok) - 1 ? i - start : sizeof(tok) - 1;
                size_t k = 0;

                memcpy(tok, text + start, n);
                tok[n] = '\0';
                *bad_line = line;
                if (number_form_ok(text + start, i - start)) {
                    snprintf(msg, msglen, "the number %s%s is out of range: whole numbers "
                             "must lie between -2147483648 and 2147483647", tok,
                             n < i - start ? "..." : "");
                } else {
                    while (k < n && (is_digit((unsigned char)tok[k]) || (k == 0 &&
                           (tok[k] == '-' || tok[k] == '+'))))
                        k++;
                    snprintf(msg, msglen, "\"%s%s\" is not a number: write whole numbers "
                             "without units (memory is in MiB)%s%.*s", tok,
                             n < i - start ? "..." : "", k ? ", e.g. " : "", (int)k, tok);
                }
                return -XENIA_EINVAL;
            }
            memcpy(out + o, text + start, i - start);
            o += i - start;
        } else {
            comma = SIZE_MAX;
            out[o++] = text[i++];
        }
    }
    out[o] = '\0';
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                      */
/* ------------------------------------------------------------------------ */

enum ktype {
    K_NAME, K_KERNEL, K_MEMORY, K_CMDLINE, K_VCPUS, K_CAP,
    K_ON_POWEROFF, K_ON_REBOOT, K_ON_CRASH, K_TYPE, K_SECLABEL, K_DISK, K_UNSUPPORTED,
};

struct keydef {
    const char *key;
    enum ktype  type;
    int         is_string;   /* 1: a bare KEY=word override is taken as a string;
                                2: the same, unless the word starts with '[' (a list) */
    const char *why;         /* K_UNSUPPORTED: what to do instead */
};

static const struct keydef keys[] = {
    { "name",        K_NAME,        1, NULL },
    { "kernel",      K_KERNEL,      1, NULL },
    { "memory",      K_MEMORY,      0, NULL },
    { "cmdline",     K_CMDLINE,     1, NULL },
    { "vcpus",       K_VCPUS,       0, NULL },
    { "cap",         K_CAP,         0, NULL },
    { "on_poweroff", K_ON_POWEROFF, 1, NULL },
    { "on_reboot",   K_ON_REBOOT,   1, NULL },
    { "on_crash",    K_ON_CRASH,    1, NULL },
    { "type",        K_TYPE,        1, NULL },
    { "seclabel",    K_SECLABEL,    1, NULL },
    { "disk",        K_DISK,        2, NULL },
    /* xl.cfg(5) keys Xenia knows but does not support yet. */
    { "init_seclabel", K_UNSUPPORTED, 1,
      "a domain has one label for its whole life; use seclabel = \"...\"" },
    { "device_model_stubdomain_seclabel", K_UNSUPPORTED, 1,
      "a device-model stub domain's label comes from the policy (the type of its \"dm\" "
      "initial SID, the level of the domain it serves; `xenia info` shows it); "
      "remove the line" },
    { "vif", K_UNSUPPORTED, 0, "network devices are not supported; remove the line" },
    { "ramdisk", K_UNSUPPORTED, 1,
      "a PV image is one static ELF file, without a ramdisk; remove the line" },
    { "extra", K_UNSUPPORTED, 1, "write the whole command line in cmdline = \"...\"" },
    { "root", K_UNSUPPORTED, 1, "write the whole command line in cmdline = \"...\"" },
    { "maxmem", K_UNSUPPORTED, 0,
      "memory is fixed when the domain is created; set memory = MiB and remove maxmem" },
    { "maxvcpus", K_UNSUPPORTED, 0, "only 1 vCPU is supported for now; remove the line" },
    { "builder", K_UNSUPPORTED, 1, "only PV guests are supported; remove the line" },
    { "uuid", K_UNSUPPORTED, 1, "domains are known by name and domid; remove the line" },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define KNOWN_LIST "name, kernel, memory, cmdline, vcpus, cap, on_poweroff, on_reboot, on_crash, type, seclabel, disk"

static const struct keydef *find_key(const char *k)
{
    size_t i;

    for (i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].key, k) == 0)
            return &keys[i];
    return NULL;
}

/* Best "did you mean" candidate for an unknown key, or NULL. */
static const char *suggest(const char *k)
{
    const char *best = NULL;
    unsigned bestd = 3;
    size_t i, kl = strlen(k);

    for (i = 0; i < NKEYS; i++) {
        unsigned d = xenia_config_distance(k, keys[i].key);

        if (d < bestd && d < kl) {
            bestd = d;
            best = keys[i].key;
        }
    }
    if (!best && kl >= 3) {
        for (i = 0; i < NKEYS; i++)
            if (strncmp(keys[i].key, k, kl) == 0)
                return keys[i].key;
    }
    return best;
}

/* Where a setting's value came from, for messages. */
struct found {
    const config_setting_t *s;     /* NULL: key not set */
    const char             *ovr;   /* the KEY=VALUE text when from an override */
};

static void origin(const struct ctx *x, const struct found *f, char *buf, size_t n)
{
    char tmp[160];

    if (f->ovr) {
        snprintf(buf, n, "%s: override \"%s\"", x->source, show(f->ovr, tmp, sizeof(tmp)));
    } else {
        const char *file = config_setting_source_file(f->s);

        snprintf(buf, n, "%s:%u", file ? file : x->source,
                 (unsigned)config_setting_source_line(f->s));
    }
}

static const char *type_word(int t)
{
    switch (t) {
    case CONFIG_TYPE_GROUP:  return "a { group }";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:  return "a number";
    case CONFIG_TYPE_FLOAT:  return "a number with a fraction";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL:   return "true/false";
    case CONFIG_TYPE_ARRAY:
    case CONFIG_TYPE_LIST:   return "a list";
    default:                 return "something else";
    }
}

/* 1 if s is an optional sign followed by decimal digits only. */
static int looks_integer(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!is_digit((unsigned char)*s))
            return 0;
    return 1;
}

/* Read an integer value into *v; on a wrong type set the error and return -EINVAL. */
static int get_int(struct ctx *x, const struct found *f, const char *key, const char *example,
                   long long *v)
{
    char where[XENIA_CFG_ORIGIN_MAX], tmp[80];
    int t = config_setting_type(f->s);

    if (t == CONFIG_TYPE_INT) {
        *v = config_setting_get_int(f->s);
        return 0;
    }
    if (t == CONFIG_TYPE_INT64) {
        *v = config_setting_get_int64(f->s);
        return 0;
    }
    origin(x, f, where, sizeof(where));
    if (t == CONFIG_TYPE_STRING && looks_integer(config_setting_get_string(f->s)))
        seterr(x, "%s: %s must be a number, not a string: write %s = %s without quotes",
               where, key, key, show(config_setting_get_string(f->s), tmp, sizeof(tmp)));
    else
        seterr(x, "%s: %s must be a whole number, not %s: for example %s = %s",
               where, key, type_word(t), key, example);
    return -XENIA_EINVAL;
}

/* Read a string value (pointer into the libconfig tree). */
static int get_str(struct ctx *x, const struct found *f, const char *key, const char *example,
                   const char **v)
{
    char where[XENIA_CFG_ORIGIN_MAX];
    int t = config_setting_type(f->s);

    if (t == CONFIG_TYPE_STRING) {
        *v = config_setting_get_string(f->s);
        if (*v)
            return 0;
    }
    origin(x, f, where, sizeof(where));
    seterr(x, "%s: %s must be a string in double quotes, not %s: for example %s = \"%s\"",
           where, key, type_word(t), key, example);
    return -XENIA_EINVAL;
}

static int check_name(struct ctx *x, const struct found *f, const char *s, char *out)
{
    char where[XENIA_CFG_ORIGIN_MAX], tmp[96];
    size_t i, n = strlen(s);
    int all_digits = 1;

    origin(x, f, where, sizeof(where));
    if (n == 0) {
        seterr(x, "%s: name is empty: give the domain a name of 1 to 63 characters "
               "from A-Z a-z 0-9 _ . -", where);
        return -XENIA_EINVAL;
    }
    if (n > XENIA_NAME_MAX - 1) {
        seterr(x, "%s: name is %zu characters long; at most %u are allowed", where, n,
               XENIA_NAME_MAX - 1);
        return -XENIA_EINVAL;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!is_alnum(c) && c != '_' && c != '.' && c != '-') {
            char ch[8];

            if (c >= 0x20 && c < 0x7f)
                snprintf(ch, sizeof(ch), "'%c'", c);
            else
                snprintf(ch, sizeof(ch), "\\x%02x", c);
            seterr(x, "%s: name \"%s\" is not valid: character %s at position %zu is not "
                   "allowed; use only A-Z a-z 0-9 _ . - (1 to 63 characters)",
                   where, show(s, tmp, sizeof(tmp)), ch, i + 1);
            return -XENIA_EINVAL;
        }
        if (!is_digit(c))
            all_digits = 0;
    }
    if (all_digits) {
        seterr(x, "%s: name \"%s\" is all digits and would be taken for a domid; "
               "add a letter, e.g. \"vm%s\"", where, s, s);
        return -XENIA_EINVAL;
    }
    memcpy(out, s, n + 1);
    return 0;
}

static int check_action(struct ctx *x, const struct found *f, const char *key, uint8_t *out)
{
    char where[XENIA_CFG_ORIGIN_MAX], tmp[96];
    const char *s;
    int rc = get_str(x, f, key, "preserve", &s);

    if (rc < 0)
        return rc;
    if (strcmp(s, "destroy") == 0) {
        *out = XENIA_ACTION_DESTROY;
        return 0;
    }
    if (strcmp(s, "preserve") == 0) {
        *out = XENIA_ACTION_PRESERVE;
        return 0;
    }
    if (strcmp(s, "restart") == 0) {
        *out = XENIA_ACTION_RESTART;
        return 0;
    }
    origin(x, f, where, sizeof(where));
    if (strcmp(s, "coredump-destroy") == 0 || strcmp(s, "coredump-restart") == 0 ||
        strcmp(s, "rename-restart") == 0 || strcmp(s, "soft-reset") == 0)
        seterr(x, "%s: %s = \"%s\" is not supported by Xenia yet: use \"destroy\", "
               "\"preserve\" or \"restart\"", where, key, s);
    else
        seterr(x, "%s: %s = \"%s\" is not a valid action: use \"destroy\", \"preserve\" "
               "or \"restart\"", where, key, show(s, tmp, sizeof(tmp)));
    return -XENIA_EINVAL;
}

/*
 * seclabel = "user:role:type[:level]" (xl.cfg(5) seclabel; a FLASK security
 * context, Xen docs/misc/xsm-flask.txt). Checked here only for what the control
 * protocol carries (include/xenia/ctl.h: at most XENIA_SECLABEL_MAX - 1 bytes of
 * [A-Za-z0-9_.:,-]) and for the user:role:type shape; whether the context exists
 * is the loaded policy's business (hv refuses an invalid one).
 */
static int check_seclabel(struct ctx *x, const char *where, const char *s, char *out)
{
    char tmp[96];
    size_t i, n = strlen(s), start = 0;
    unsigned fields = 0, empty = 0;

    if (n == 0) {
        seterr(x, "%s: seclabel is empty: give a security context such as "
               "\"system_u:system_r:domU_t\", or remove the line to get the policy's "
               "default label", where);
        return -XENIA_EINVAL;
    }
    if (n > XENIA_SECLABEL_MAX - 1) {
        seterr(x, "%s: seclabel is %zu characters long; at most %u are allowed", where, n,
               XENIA_SECLABEL_MAX - 1);
        return -XENIA_EINVAL;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!is_alnum(c) && c != '_' && c != '.' && c != ':' && c != ',' && c != '-') {
            char ch[8];

            if (c >= 0x20 && c < 0x7f)
                snprintf(ch, sizeof(ch), "'%c'", c);
            else
                snprintf(ch, sizeof(ch), "\\x%02x", c);
            seterr(x, "%s: seclabel \"%s\" is not valid: character %s at position %zu is "
                   "not allowed; a security context uses only A-Z a-z 0-9 _ . : , -",
                   where, show(s, tmp, sizeof(tmp)), ch, i + 1);
            return -XENIA_EINVAL;
        }
    }
    /* user, role and type must be non-empty; the level (which may hold ':') may be absent */
    for (i = 0; i <= n && fields < 3; i++) {
        if (i == n || s[i] == ':') {
            if (i == start)
                empty = 1;
            fields++;
            start = i + 1;
        }
    }
    if (s[n - 1] == ':')
        empty = 1;
    if (fields < 3 || empty) {
        seterr(x, "%s: seclabel \"%s\" is not a security context: write "
               "user:role:type[:level], e.g. seclabel = \"system_u:system_r:domU_t\"",
               where, show(s, tmp, sizeof(tmp)));
        return -XENIA_EINVAL;
    }
    memcpy(out, s, n + 1);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* disk = [ "DISKSPEC" ] (xl-disk-configuration(5))                          */
/* ------------------------------------------------------------------------ */

#define DISKSPEC_MAX (XENIA_CFG_PATH_MAX + 256u)

static int dwhy(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int dwhy(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return -XENIA_EINVAL;
}

/* s[0..n) equals the NUL-terminated word w. */
static int tok_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* Copy s[0..n) into a NUL-terminated buffer for a message (shown escaped). */
static const char *show_n(const char *s, size_t n, char *buf, size_t bn)
{
    char tmp[128];

    if (n > sizeof(tmp) - 1)
        n = sizeof(tmp) - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return show(tmp, buf, bn);
}

/*
 * Shape of a vdev (xen-vbd-interface(7)): xvd, hd or sd followed by letters and
 * an optional partition number ("xvda", "sdb2"), or dN / dNpM ("d0p1").
 */
static int vdev_ok(const char *v, size_t n)
{
    size_t i = 0, k;

    if (n == 0 || n >= XENIA_CFG_VDEV_MAX)
        return 0;
    if (n > 3 && memcmp(v, "xvd", 3) == 0)
        i = 3;
    else if (n > 2 && (memcmp(v, "hd", 2) == 0 || memcmp(v, "sd", 2) == 0))
        i = 2;
    if (i) {
        for (k = i; k < n && v[k] >= 'a' && v[k] <= 'z'; k++)
            ;
        if (k == i)
            return 0;
        for (; k < n && is_digit((unsigned char)v[k]); k++)
            ;
        return k == n;
    }
    if (v[0] != 'd')
        return 0;
    for (k = 1; k < n && is_digit((unsigned char)v[k]); k++)
        ;
    if (k == 1)
        return 0;
    if (k == n)
        return 1;
    if (v[k] != 'p' || k + 1 == n)
        return 0;
    for (k++; k < n && is_digit((unsigned char)v[k]); k++)
        ;
    return k == n;
}

/* access: 1 read-only (r, ro), 0 read-write (w, rw, ""), -1 anything else. */
static int access_word(const char *s, size_t n)
{
    if (tok_is(s, n, "r") || tok_is(s, n, "ro"))
        return 1;
    if (n == 0 || tok_is(s, n, "w") || tok_is(s, n, "rw"))
        return 0;
    return -1;
}

struct dstate {
    const char *target;     /* into spec; NULL: not given */
    size_t      target_len;
    const char *vdev;
    size_t      vdev_len;
    int         vdev_set, format_set, access_set, ro, depr, short_form;
    char       *why;
    size_t      whylen;
};

static int d_format(struct dstate *d, const char *v, size_t n)
{
    char tmp[96];

    if (n == 0 || tok_is(v, n, "raw")) {
        d->format_set = 1;          /* xl: respecifying the same format is fine */
        return 0;
    }
    if (tok_is(v, n, "qcow") || tok_is(v, n, "qcow2") || tok_is(v, n, "vhd") ||
        tok_is(v, n, "qed"))
        return dwhy(d->why, d->whylen, "format %s is not supported: a Xenia disk is a raw "
                    "image file (convert it with: qemu-img convert -O raw IMAGE disk.img)",
                    show_n(v, n, tmp, sizeof(tmp)));
    if (tok_is(v, n, "empty"))
        return dwhy(d->why, d->whylen, "empty (CD-ROM) drives are not supported");
    return dwhy(d->why, d->whylen, "unknown disk format \"%s\": the only format is raw",
                show_n(v, n, tmp, sizeof(tmp)));
}

static int d_access(struct dstate *d, const char *v, size_t n)
{
    char tmp[96];
    int a = access_word(v, n);

    if (d->access_set)
        return dwhy(d->why, d->whylen, "access is given twice");
    if (a < 0)
        return dwhy(d->why, d->whylen, "unknown access mode \"%s\": use ro (read-only) or "
                    "rw (read-write)", show_n(v, n, tmp, sizeof(tmp)));
    d->access_set = 1;
    d->ro = a;
    return 0;
}

/* vdev, optionally with the deprecated ":disk" / ":cdrom" suffix when positional. */
static int d_vdev(struct dstate *d, const char *v, size_t n, int positional)
{
    char tmp[96];
    const char *colon = positional ? memchr(v, ':', n) : NULL;

    if (colon) {
        size_t t = n - (size_t)(colon + 1 - v);

        if (tok_is(colon + 1, t, "cdrom"))
            return dwhy(d->why, d->whylen, "CD-ROM devices are not supported: a Xenia disk "
                        "is a raw image file, read-write or read-only (,ro)");
        if (!tok_is(colon + 1, t, "disk"))
            return dwhy(d->why, d->whylen, "unknown device type \"%s\" after the vdev: "
                        "only :disk", show_n(colon + 1, t, tmp, sizeof(tmp)));
        n = (size_t)(colon - v);
    }
    if (d->vdev_set && d->vdev_len)
        return dwhy(d->why, d->whylen, "vdev is given twice");
    if (n && !vdev_ok(v, n))
        return dwhy(d->why, d->whylen, "vdev \"%s\" is not a virtual disk name such as "
                    "xvda, hda, sda or d0 (xen-vbd-interface(7))", show_n(v, n, tmp, sizeof(tmp)));
    d->vdev_set = 1;
    d->vdev = v;
    d->vdev_len = n;
    return 0;
}

/* A named parameter KEY=VALUE (not target=, handled by the caller). */
static int d_named(struct dstate *d, const char *k, size_t kn, const char *v, size_t vn)
{
    char tmp[96];
    static const char *const unsupported[] = {
        "backend", "backendtype", "script", "specification", "colo-host", "colo-port",
        "colo-export", "active-disk", "hidden-disk", "grant_usage",
    };
    size_t i;

    if (tok_is(k, kn, "format"))
        return d_format(d, v, vn);
    if (tok_is(k, kn, "access"))
        return d_access(d, v, vn);
    if (tok_is(k, kn, "vdev"))
        return d_vdev(d, v, vn, 0);
    if (tok_is(k, kn, "devtype")) {
        if (tok_is(v, vn, "disk"))
            return 0;
        if (tok_is(v, vn, "cdrom"))
            return dwhy(d->why, d->whylen, "CD-ROM devices are not supported: a Xenia disk "
                        "is a raw image file, read-write or read-only (,ro)");
        return dwhy(d->why, d->whylen, "unknown devtype \"%s\": only devtype=disk",
                    show_n(v, vn, tmp, sizeof(tmp)));
    }
    for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
        if (tok_is(k, kn, unsupported[i]))
            return dwhy(d->why, d->whylen, "%s= is not supported: each domain's disk is "
                        "served by its own device-model stub domain from a raw image file; "
                        "remove it", unsupported[i]);
    return dwhy(d->why, d->whylen, "unknown disk parameter \"%s\" (known: target, format, "
                "vdev, access, devtype)", show_n(k, kn, tmp, sizeof(tmp)));
}

/*
 * Length of a deprecated prefix at p (xl: "raw:", "file:", "tap:" ...), 0 if none.
 * Sets *kind: 0 ignored, 1 format raw, 2 another format (refused), 3 a block
 * script (refused), 4 an unknown prefix (refused).
 */
static size_t d_prefix(const char *p, int *kind)
{
    static const struct { const char *w; int kind; } pre[] = {
        { "raw:", 1 }, { "qcow:", 2 }, { "qcow2:", 2 }, { "vhd:", 2 },
        { "iscsi:", 3 }, { "nbd:", 3 }, { "enbd:", 3 }, { "drbd:", 3 },
        { "tapdisk:", 0 }, { "tap:", 0 }, { "tap2:", 0 }, { "aio:", 0 }, { "ioemu:", 0 },
        { "file:", 0 }, { "phy:", 0 },
    };
    size_t i, n;

    for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
        n = strlen(pre[i].w);
        if (strncmp(p, pre[i].w, n) == 0) {
            *kind = pre[i].kind;
            return n;
        }
    }
    /* [a-z][a-z0-9]*: followed by the end or a byte that is not [a-z0-9] */
    if (!(p[0] >= 'a' && p[0] <= 'z'))
        return 0;
    for (n = 1; (p[n] >= 'a' && p[n] <= 'z') || is_digit((unsigned char)p[n]); n++)
        if (n > 32)
            return 0;
    if (p[n] != ':')
        return 0;
    if ((p[n + 1] >= 'a' && p[n + 1] <= 'z') || is_digit((unsigned char)p[n + 1]))
        return 0;
    *kind = 4;
    return n + 1;
}

static int d_positional(struct dstate *d, const char *v, size_t n)
{
    char tmp[96];

    if (!d->target) {
        d->target = v;
        d->target_len = n;
        return 0;
    }
    if (!d->depr && !d->format_set && !d->short_form) {
        /* Xenia's short form PATH,ro / PATH,rw: no format is called that. */
        if (n && access_word(v, n) >= 0) {
            d->short_form = 1;
            return d_access(d, v, n);
        }
        return d_format(d, v, n);
    }
    if (!d->vdev_set)
        return d_vdev(d, v, n, 1);
    if (!d->access_set)
        return d_access(d, v, n);
    return dwhy(d->why, d->whylen, "too many positional parameters at \"%s\": the order is "
                "TARGET,FORMAT,VDEV,ACCESS", show_n(v, n, tmp, sizeof(tmp)));
}

int xenia_config_parse_disk(const char *spec, struct xenia_diskspec *out, char *why,
                            size_t whylen)
{
    static const char *const flags[] = {
        "discard", "no-discard", "direct-io-safe", "colo", "no-colo", "trusted", "untrusted",
    };
    struct dstate d;
    const char *p;
    char tmp[96];
    size_t i;
    int rc, kind;

    if (why && whylen)
        why[0] = '\0';
    if (!out)
        return -XENIA_EINVAL;
    memset(out, 0, sizeof(*out));
    memset(&d, 0, sizeof(d));
    d.why = why;
    d.whylen = whylen;
    if (!spec)
        return dwhy(why, whylen, "no disk specification");
    if (strnlen(spec, DISKSPEC_MAX + 1) > DISKSPEC_MAX)
        return dwhy(why, whylen, "the disk specification is longer than %u bytes", DISKSPEC_MAX);

    /* Each round consumes at least one byte of spec: the walk is bounded by its length. */
    for (p = spec; *p;) {
        const char *tok, *end, *eq, *k;
        size_t n;

        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        if (strncmp(p, "target=", 7) == 0) {
            /* takes the whole rest of the string, commas and blanks included */
            if (d.target && d.target_len)
                return dwhy(why, whylen, "the target is given twice");
            d.target = p + 7;
            d.target_len = strlen(p + 7);
            if (d.target_len && d.target[d.target_len - 1] == ',')
                d.target_len--;
            break;
        }
        n = d_prefix(p, &kind);
        if (n) {
            if (kind == 2)
                return d_format(&d, p, n - 1);
            if (kind == 3)
                return dwhy(why, whylen, "block scripts (%s) are not supported: give the path "
                            "of a raw image file", show_n(p, n, tmp, sizeof(tmp)));
            if (kind == 4)
                return dwhy(why, whylen, "unknown disk prefix \"%s\" (a path that contains "
                            "':' must be given as target=PATH, last)",
                            show_n(p, n, tmp, sizeof(tmp)));
            if (kind == 1 && (rc = d_format(&d, "raw", 3)) < 0)
                return rc;
            d.depr = 1;
            p += n;
            continue;
        }
        tok = p;
        end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        p = *end ? end + 1 : end;
        n = (size_t)(end - tok);
        while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t' || tok[n - 1] == '\n'))
            n--;
        eq = memchr(tok, '=', n);
        if (eq) {
            for (k = tok; k <= eq; k++)
                if (k == eq ? eq == tok : !((*k >= 'a' && *k <= 'z') || (k > tok && (*k == '-' || *k == '_' ||
                                                                is_digit((unsigned char)*k)))))
                    return dwhy(why, whylen, "\"%s\" is not a parameter: a path that contains "
                                "'=' must be given as target=PATH, last",
                                show_n(tok, n, tmp, sizeof(tmp)));
            if ((rc = d_named(&d, tok, (size_t)(eq - tok), eq + 1,
                              n - (size_t)(eq + 1 - tok))) < 0)
                return rc;
            continue;
        }
        if (tok_is(tok, n, "cdrom"))
            return dwhy(why, whylen, "CD-ROM devices are not supported: a Xenia disk is a raw "
                        "image file, read-write or read-only (,ro)");
        for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
            if (tok_is(tok, n, flags[i]))
                return dwhy(why, whylen, "the flag %s is not supported; remove it", flags[i]);
        if ((rc = d_positional(&d, tok, n)) < 0)
            return rc;
    }

    if (!d.target || d.target_len == 0)
        return dwhy(why, whylen, "no target: give the path of a raw image file, e.g. "
                    "disk = [ \"disk.img,rw\" ]");
    if (d.target_len >= sizeof(out->target))
        return dwhy(why, whylen, "the path is too long (%zu bytes; at most %u)", d.target_len,
                    XENIA_CFG_PATH_MAX - 1);
    if (memchr(d.target, '\n', d.target_len))
        return dwhy(why, whylen, "the path contains a line break");
    memcpy(out->target, d.target, d.target_len);
    out->target[d.target_len] = '\0';
    memcpy(out->vdev, d.vdev ? d.vdev : "", d.vdev_len);   /* < XENIA_CFG_VDEV_MAX: vdev_ok */
    out->vdev[d.vdev_len] = '\0';
    out->ro = (uint8_t)d.ro;
    return 0;
}

/*
 * Resolve path s as xl does for kernel: a relative path gets the config file's
 * directory (the part of x->source up to its last '/') prepended. Writes
 * XENIA_CFG_PATH_MAX bytes at most into out; *resolved = 1 if a directory was
 * prepended. Returns 0 or -XENIA_EINVAL (too long; message names `what`).
 */
static int resolve_path(struct ctx *x, const char *where, const char *what, const char *s,
                        char *out, uint8_t *resolved)
{
    const char *slash = strrchr(x->source, '/');
    size_t dirlen = 0, n = strlen(s);

    if (s[0] != '/' && slash)
        dirlen = (size_t)(slash - x->source) + 1;
    if (dirlen + n >= XENIA_CFG_PATH_MAX) {
        seterr(x, "%s: %s path is too long (%zu bytes; at most %u)", where, what,
               dirlen + n, XENIA_CFG_PATH_MAX - 1);
        return -XENIA_EINVAL;
    }
    *resolved = dirlen > 0;
    memcpy(out, x->source, dirlen);
    memcpy(out + dirlen, s, n + 1);
    return 0;
}

/*
 * disk = [ "DISKSPEC" ] (xl.cfg(5) disk; xl-disk-configuration(5)), also a bare
 * "DISKSPEC" string. An empty list means no disk; more than one is refused.
 */
static int apply_disk(struct ctx *x, const struct found *f, struct xenia_domcfg *out)
{
    char where[XENIA_CFG_ORIGIN_MAX], why[256], tmp[96];
    struct xenia_diskspec *ds;
    struct found ef = *f;
    const char *spec = NULL;
    int t = config_setting_type(f->s), n, rc;

    origin(x, f, where, sizeof(where));
    if (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) {
        n = config_setting_length(f->s);
        if (n == 0)
            return 0;                       /* disk = [ ]: no disk */
        if (n > 1) {
            seterr(x, "%s: %d disks are given, but only one disk per domain is supported "
                   "(its device-model stub domain serves one block device); keep one",
                   where, n);
            return -XENIA_EINVAL;
        }
        /* messages name the key's line: libconfig 1.5 gives an element the line of
         * the token after it */
        ef.s = config_setting_get_elem(f->s, 0);
        if (ef.s && config_setting_type(ef.s) == CONFIG_TYPE_STRING)
            spec = config_setting_get_string(ef.s);
        t = ef.s ? config_setting_type(ef.s) : CONFIG_TYPE_NONE;
    } else if (t == CONFIG_TYPE_STRING) {
        spec = config_setting_get_string(f->s);
    }
    if (!spec) {
        seterr(x, "%s: disk must be a list holding one string, not %s: for example "
               "disk = [ \"disk.img,rw\" ]", where, type_word(t));
        return -XENIA_EINVAL;
    }
    ds = malloc(sizeof(*ds));
    if (!ds)
        return -XENIA_ENOMEM;
    rc = xenia_config_parse_disk(spec, ds, why, sizeof(why));
    if (rc < 0) {
        seterr(x, "%s: disk \"%s\": %s", where, show(spec, tmp, sizeof(tmp)), why);
        goto out;
    }
    if ((rc = resolve_path(x, where, "disk", ds->target, out->disk, &out->disk_resolved)) < 0)
        goto out;
    memcpy(out->disk_vdev, ds->vdev, sizeof(out->disk_vdev));
    out->disk_ro = ds->ro;
    out->has_disk = 1;
    snprintf(out->disk_origin, sizeof(out->disk_origin), "%s", where);
out:
    free(ds);
    return rc;
}

/* Decode the value of one key into out. */
static int apply(struct ctx *x, const struct keydef *k, const struct found *f,
                 struct xenia_domcfg *out, int *have_name, int *have_kernel)
{
    char where[XENIA_CFG_ORIGIN_MAX], tmp[96];
    const char *s;
    long long v;
    size_t n;
    int rc;

    origin(x, f, where, sizeof(where));
    switch (k->type) {
    case K_NAME:
        if ((rc = get_str(x, f, "name", "vm1", &s)) < 0)
            return rc;
        if ((rc = check_name(x, f, s, out->name)) < 0)
            return rc;
        *have_name = 1;
        return 0;
    case K_KERNEL:
        if ((rc = get_str(x, f, "kernel", "/path/to/guest.elf", &s)) < 0)
            return rc;
        if (!*s) {
            seterr(x, "%s: kernel is empty: give the path of the guest's PV image "
                   "(a static ELF64 file built with guest/)", where);
            return -XENIA_EINVAL;
        }
        if ((rc = resolve_path(x, where, "kernel", s, out->kernel, &out->kernel_resolved)) < 0)
            return rc;
        snprintf(out->kernel_origin, sizeof(out->kernel_origin), "%s", where);
        *have_kernel = 1;
        return 0;
    case K_DISK:
        return apply_disk(x, f, out);
    case K_MEMORY:
        if ((rc = get_int(x, f, "memory", "64", &v)) < 0)
            return rc;
        if (v < XENIA_MEM_MIN_MIB || v > XENIA_MEM_MAX_MIB) {
            seterr(x, "%s: memory = %lld is out of range: memory is in MiB and must lie "
                   "between %u and %u, e.g. memory = 64", where, v, XENIA_MEM_MIN_MIB,
                   XENIA_MEM_MAX_MIB);
            return -XENIA_EINVAL;
        }
        out->memory_mib = (uint32_t)v;
        return 0;
    case K_CMDLINE:
        if ((rc = get_str(x, f, "cmdline", "console=hvc0", &s)) < 0)
            return rc;
        n = strlen(s);
        if (n >= XENIA_CMDLINE_MAX) {
            seterr(x, "%s: cmdline is %zu bytes long; at most %u bytes fit", where, n,
                   XENIA_CMDLINE_MAX - 1);
            return -XENIA_EINVAL;
        }
        memcpy(out->cmdline, s, n + 1);
        return 0;
    case K_VCPUS:
        if ((rc = get_int(x, f, "vcpus", "1", &v)) < 0)
            return rc;
        if (v != 1) {
            seterr(x, "%s: vcpus = %lld: only 1 vCPU per domain is supported for now; "
                   "set vcpus = 1 or remove the line", where, v);
            return -XENIA_EINVAL;
        }
        out->vcpus = 1;
        return 0;
    case K_CAP:
        if ((rc = get_int(x, f, "cap", "50", &v)) < 0)
            return rc;
        if (v < 0 || v > 100) {
            seterr(x, "%s: cap = %lld is out of range: cap is a percentage of one CPU, "
                   "0 to 100 (0 = no cap)", where, v);
            return -XENIA_EINVAL;
        }
        out->cap = (uint32_t)v;
        return 0;
    case K_ON_POWEROFF:
        return check_action(x, f, "on_poweroff", &out->on_poweroff);
    case K_ON_REBOOT:
        return check_action(x, f, "on_reboot", &out->on_reboot);
    case K_ON_CRASH:
        return check_action(x, f, "on_crash", &out->on_crash);
    case K_TYPE:
        if ((rc = get_str(x, f, "type", "pv", &s)) < 0)
            return rc;
        if (strcmp(s, "pv") == 0)
            return 0;
        if (strcmp(s, "hvm") == 0 || strcmp(s, "pvh") == 0)
            seterr(x, "%s: type = \"%s\" is not supported: only PV guests run on Xenia "
                   "for now; use type = \"pv\" or remove the line", where, s);
        else
            seterr(x, "%s: type = \"%s\" is not a valid guest type: use type = \"pv\"",
                   where, show(s, tmp, sizeof(tmp)));
        return -XENIA_EINVAL;
    case K_SECLABEL:
        if ((rc = get_str(x, f, "seclabel", "system_u:system_r:domU_t:s0", &s)) < 0)
            return rc;
        return check_seclabel(x, where, s, out->seclabel);
    case K_UNSUPPORTED:
        seterr(x, "%s: %s is not supported yet: %s", where, k->key, k->why);
        return -XENIA_EINVAL;
    }
    return -XENIA_EINVAL;
}

static void unknown_key(struct ctx *x, const char *where, const char *k)
{
    char tmp[96];
    const char *sug = suggest(k);

    if (sug)
        seterr(x, "%s: unknown key \"%s\": did you mean \"%s\"? (known keys: " KNOWN_LIST ")",
               where, show(k, tmp, sizeof(tmp)), sug);
    else
        seterr(x, "%s: unknown key \"%s\" (known keys: " KNOWN_LIST ")",
               where, show(k, tmp, sizeof(tmp)));
}

/* ------------------------------------------------------------------------ */
/* libconfig errors                                                          */
/* ------------------------------------------------------------------------ */

/* Copy line `line` (1-based) of text into buf (trimmed of leading blanks). */
static void get_line(const char *text, unsigned line, char *buf, size_t n)
{
    const char *p = text, *e;
    size_t k;

    while (line > 1 && *p) {
        if (*p++ == '\n')
            line--;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    e = strchr(p, '\n');
    k = e ? (size_t)(e - p) : strlen(p);
    if (k >= n)
        k = n - 1;
    memcpy(buf, p, k);
    buf[k] = '\0';
}

/* 1 if line l (trimmed at the start) is blank or only a comment. */
static int line_empty(const char *l)
{
    return !*l || *l == '#' || (l[0] == '/' && l[1] == '/');
}

/* 1 if line l looks unfinished: ends with = : , [ ( or has an open string. */
static int line_unfinished(const char *l)
{
    size_t n = strlen(l), q = 0, i;
    long open = 0;

    for (i = 0; i < n; i++) {
        if (l[i] == '\\' && i + 1 < n)
            i++;
        else if (l[i] == '"')
            q++;
        else if (q % 2 == 0 && (l[i] == '[' || l[i] == '('))
            open++;
        else if (q % 2 == 0 && (l[i] == ']' || l[i] == ')'))
            open--;
        else if (l[i] == '#' && q % 2 == 0)
            n = i;      /* the rest is a comment */
    }
    while (n > 0 && is_space((unsigned char)l[n - 1]))
        n--;
    return q % 2 == 1 || open > 0 || (n > 0 && strchr("=:,[(", l[n - 1]) != NULL);
}

/*
 * libconfig reports a syntax error at the token after the problem, which is on
 * the next non-blank line when a line is unfinished (`memory =`, an open string).
 * Move the report back to that line in those cases. Returns the line to report.
 */
static unsigned syntax_error_line(const char *ntext, unsigned line)
{
    char l[256];
    unsigned p;

    get_line(ntext, line, l, sizeof(l));
    for (p = line - 1; p >= 1; p--) {
        char pl[256];

        get_line(ntext, p, pl, sizeof(pl));
        if (line_empty(pl))
            continue;
        if (line_empty(l) || line_unfinished(pl))
            return p;
        break;
    }
    return line;
}

/* A hint for a syntax error on `l` (one line of the config). */
static const char *syntax_hint(const char *l, char *buf, size_t n)
{
    const char *p = l, *key = l, *val;
    size_t klen;

    if (*l == '_' || is_digit((unsigned char)*l))
        return "key names must start with a letter";
    while (is_name_char((unsigned char)*p))
        p++;
    klen = (size_t)(p - key);
    while (*p == ' ' || *p == '\t')
        p++;
    if (klen == 0 || (*p != '=' && *p != ':'))
        return "each setting is one line of the form: key = value";
    val = p + 1;
    while (*val == ' ' || *val == '\t')
        val++;
    if (is_digit((unsigned char)*val)) {
        const char *q = val;

        while (is_digit((unsigned char)*q))
            q++;
        if (is_alpha((unsigned char)*q) && klen < 32) {
            snprintf(buf, n, "numbers are written without units (memory is in MiB): "
                     "write %.*s = %.*s", (int)klen, key, (int)(q - val), val);
            return buf;
        }
    }
    if ((is_alpha((unsigned char)*val) || *val == '/' || *val == '.' || *val == '~') &&
        strncmp(val, "true", 4) != 0 && strncmp(val, "false", 5) != 0 && klen < 32) {
        const char *q = val;

        while (*q && !is_space((unsigned char)*q) && *q != ';' && *q != '#' && q - val < 40)
            q++;
        snprintf(buf, n, "string values must be in quotes: %.*s = \"%.*s\"",
                 (int)klen, key, (int)(q - val), val);
        return buf;
    }
    return "expected key = value, strings in quotes, lists in [ ], comments after #";
}

static void libconfig_error(struct ctx *x, const config_t *c, const char *ntext)
{
    const char *file = config_error_file(c);
    const char *what = config_error_text(c);
    unsigned line = (unsigned)config_error_line(c);
    char l[256], hint[192];

    if (!what)
        what = "cannot parse";
    if (!file)
        file = x->source;
    if (strcmp(what, "syntax error") == 0 && ntext && !config_error_file(c)) {
        const char *h;

        if (line > 1)
            line = syntax_error_line(ntext, line);
        get_line(ntext, line, l, sizeof(l));
        if (line_unfinished(l))
            h = "this line is unfinished: a value is missing, or a string or list is not "
                "closed";
        else
            h = syntax_hint(l, hint, sizeof(hint));
        seterr(x, "%s:%u: syntax error: %s", file, line, h);
    } else if (strcmp(what, "duplicate setting name") == 0) {
        char key[64] = "";

        if (ntext && !config_error_file(c)) {
            size_t k = 0;

            get_line(ntext, line, l, sizeof(l));
            while (k < sizeof(key) - 1 && is_name_char((unsigned char)l[k])) {
                key[k] = l[k];
                k++;
            }
            key[k] = '\0';
        }
        seterr(x, "%s:%u: key %s%s%sset twice: each key may appear only once (to override "
               "a value, pass KEY=VALUE after CONFIG on the command line)", file, line,
               key[0] ? "\"" : "", key, key[0] ? "\" " : "");
    } else if (strcmp(what, "mismatched element type in array") == 0) {
        seterr(x, "%s:%u: all elements of a [ list ] must have the same type", file, line);
    } else {
        seterr(x, "%s:%u: %s", file, line, what);
    }
}

/* ------------------------------------------------------------------------ */
/* Overrides (KEY=VALUE)                                                     */
/* ------------------------------------------------------------------------ */

struct ovr {
    config_t    cfg;
    int         inited;
    const char *text;   /* "KEY=VALUE" as given */
    const struct keydef *k;
};

/* Parse one KEY=VALUE into o->cfg (a tree with exactly one setting named KEY). */
static int parse_override(struct ctx *x, struct ovr *o)
{
    char key[64], tmp[160], msg[192];
    const char *eq = strchr(o->text, '=');
    const char *val;
    char *src = NULL, *norm = NULL;
    size_t klen, vlen, i, p = 0;
    unsigned bad_line = 0;
    int rc = -XENIA_EINVAL;

    if (!eq) {
        seterr(x, "%s: override \"%s\" is not KEY=VALUE (e.g. memory=128)", x->source,
               show(o->text, tmp, sizeof(tmp)));
        return -XENIA_EINVAL;
    }
    klen = (size_t)(eq - o->text);
    while (klen > 0 && is_space((unsigned char)o->text[klen - 1]))
        klen--;
    if (klen == 0 || klen >= sizeof(key) || !is_alpha((unsigned char)o->text[0])) {
        seterr(x, "%s: override \"%s\": KEY must be a config key such as memory or name",
               x->source, show(o->text, tmp, sizeof(tmp)));
        return -XENIA_EINVAL;
    }
    memcpy(key, o->text, klen);
    key[klen] = '\0';
    for (i = 0; i < klen; i++) {
        if (!is_name_char((unsigned char)key[i])) {
            seterr(x, "%s: override \"%s\": KEY must be a config key such as memory or name",
                   x->source, show(o->text, tmp, sizeof(tmp)));
            return -XENIA_EINVAL;
        }
    }
    o->k = find_key(key);
    if (!o->k) {
        char where[XENIA_CFG_ORIGIN_MAX];

        snprintf(where, sizeof(where), "%s: override \"%s\"", x->source,
                 show(o->text, tmp, sizeof(tmp)));
        unknown_key(x, where, key);
        return -XENIA_EINVAL;
    }
    val = eq + 1;
    while (*val == ' ' || *val == '\t')
        val++;
    vlen = strlen(val);
    if (vlen > XENIA_CFG_TEXT_MAX / 4) {
        seterr(x, "%s: override for %s is too long", x->source, key);
        return -XENIA_E2BIG;
    }
    /* "KEY = VALUE\n", or KEY = "escaped VALUE" for a bare word given to a string key */
    src = malloc(klen + 4 * vlen + 16);
    if (!src)
        return -XENIA_ENOMEM;
    p = (size_t)sprintf(src, "%s = ", key);
    if (o->k->is_string && val[0] != '"' && val[0] != '\'' &&
        !(o->k->is_string == 2 && val[0] == '[')) {
        src[p++] = '"';
        for (i = 0; i < vlen; i++) {
            unsigned char c = (unsigned char)val[i];

            if (c == '"' || c == '\\') {
                src[p++] = '\\';
                src[p++] = (char)c;
            } else if (c < 0x20 || c == 0x7f) {
                p += (size_t)sprintf(src + p, "\\x%02x", c);
            } else {
                src[p++] = (char)c;
            }
        }
        src[p++] = '"';
    } else {
        memcpy(src + p, val, vlen);
        p += vlen;
    }
    src[p++] = '\n';
    src[p] = '\0';

    norm = malloc(2 * p + 1);
    if (!norm) {
        rc = -XENIA_ENOMEM;
        goto out;
    }
    if (normalise(src, p, norm, &bad_line, msg, sizeof(msg)) < 0) {
        seterr(x, "%s: override \"%s\": %s", x->source, show(o->text, tmp, sizeof(tmp)), msg);
        goto out;
    }
    config_init(&o->cfg);
    o->inited = 1;
    if (config_read_string(&o->cfg, norm) != CONFIG_TRUE) {
        const char *what = config_error_text(&o->cfg);

        seterr(x, "%s: override \"%s\": cannot parse the value (%s): write numbers plain "
               "(memory=128) and strings plain or in double quotes (name=vm1)", x->source,
               show(o->text, tmp, sizeof(tmp)), what ? what : "syntax error");
        goto out;
    }
    if (config_setting_length(config_root_setting(&o->cfg)) != 1 ||
        !config_lookup(&o->cfg, key)) {
        seterr(x, "%s: override \"%s\": VALUE must be one value", x->source,
               show(o->text, tmp, sizeof(tmp)));
        goto out;
    }
    rc = 0;
out:
    free(norm);
    free(src);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */
/* ------------------------------------------------------------------------ */

int xenia_config_parse(const char *text, size_t len, const char *source,
                       const char *const *overrides, size_t n_overrides,
                       struct xenia_domcfg *out, char *err, size_t errlen)
{
    struct ctx x = { source ? source : "<config>", err, errlen };
    config_t cfg;
    int cfg_inited = 0, have_name = 0, have_kernel = 0, rc = -XENIA_EINVAL;
    struct ovr *ovr = NULL;
    char *norm = NULL, *dir = NULL, msg[192], where[XENIA_CFG_ORIGIN_MAX];
    config_setting_t *root;
    const char *slash;
    unsigned bad_line = 0;
    size_t i, j;
    int nset;

    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return -XENIA_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!text && len)
        return -XENIA_EINVAL;
    if (n_overrides && !overrides)
        return -XENIA_EINVAL;
    if (len > XENIA_CFG_TEXT_MAX) {
        seterr(&x, "%s: the file is too large (%zu bytes; at most %u)", x.source, len,
               XENIA_CFG_TEXT_MAX);
        return -XENIA_E2BIG;
    }
    if (len && memchr(text, '\0', len)) {
        const char *z = memchr(text, '\0', len), *q;
        unsigned line = 1;

        for (q = text; q < z; q++)
            line += *q == '\n';
        seterr(&x, "%s:%u: the file contains a NUL byte: a config file is text", x.source, line);
        return -XENIA_EINVAL;
    }

    /* Defaults (see config.h). */
    out->memory_mib = XENIA_CFG_MEMORY_DEFAULT_MIB;
    out->vcpus = 1;
    out->cap = 0;
    out->on_poweroff = XENIA_ACTION_PRESERVE;
    out->on_reboot = XENIA_ACTION_PRESERVE;
    out->on_crash = XENIA_ACTION_PRESERVE;

    norm = malloc(2 * len + 1);
    if (!norm) {
        rc = -XENIA_ENOMEM;
        goto out;
    }
    if (normalise(text ? text : "", len, norm, &bad_line, msg, sizeof(msg)) < 0) {
        seterr(&x, "%s:%u: %s", x.source, bad_line, msg);
        goto out;
    }

    config_init(&cfg);
    cfg_inited = 1;
    slash = strrchr(x.source, '/');
    if (slash) {
        dir = strndup(x.source, (size_t)(slash - x.source) + 1);
        if (!dir) {
            rc = -XENIA_ENOMEM;
            goto out;
        }
        config_set_include_dir(&cfg, dir);
    }
    if (config_read_string(&cfg, norm) != CONFIG_TRUE) {
        libconfig_error(&x, &cfg, norm);
        goto out;
    }

    if (n_overrides) {
        ovr = calloc(n_overrides, sizeof(*ovr));
        if (!ovr) {
            rc = -XENIA_ENOMEM;
            goto out;
        }
    }
    for (i = 0; i < n_overrides; i++) {
        if (!overrides[i]) {
            rc = -XENIA_EINVAL;
            goto out;
        }
        ovr[i].text = overrides[i];
        if ((rc = parse_override(&x, &ovr[i])) < 0)
            goto out;
    }
    rc = -XENIA_EINVAL;

    /* Every key in the file must be known (decode everything before filling out). */
    root = config_root_setting(&cfg);
    nset = config_setting_length(root);
    for (j = 0; j < (size_t)nset; j++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)j);
        const char *k = config_setting_name(s);
        struct found f = { s, NULL };

        if (!k)
            continue;
        if (!find_key(k)) {
            origin(&x, &f, where, sizeof(where));
            unknown_key(&x, where, k);
            goto out;
        }
    }

    /* Each key: the last override wins, else the file. */
    for (j = 0; j < NKEYS; j++) {
        struct found f = { NULL, NULL };

        for (i = n_overrides; i-- > 0;) {
            if (ovr[i].k == &keys[j]) {
                f.s = config_lookup(&ovr[i].cfg, keys[j].key);
                f.ovr = ovr[i].text;
                break;
            }
        }
        if (!f.s)
            f.s = config_setting_get_member(root, keys[j].key);
        if (!f.s)
            continue;
        if ((rc = apply(&x, &keys[j], &f, out, &have_name, &have_kernel)) < 0)
            goto out;
    }
    rc = -XENIA_EINVAL;

    if (!have_name) {
        seterr(&x, "%s: missing required key \"name\": add a line such as name = \"vm1\"",
               x.source);
        goto out;
    }
    if (!have_kernel) {
        seterr(&x, "%s: missing required key \"kernel\": add a line such as "
               "kernel = \"/path/to/guest.elf\" (the guest's PV image)", x.source);
        goto out;
    }
    rc = 0;

out:
    if (ovr) {
        for (i = 0; i < n_overrides; i++)
            if (ovr[i].inited)
                config_destroy(&ovr[i].cfg);
        free(ovr);
    }
    if (cfg_inited)
        config_destroy(&cfg);
    free(dir);
    free(norm);
    if (rc < 0) {
        memset(out, 0, sizeof(*out));
        if (err && errlen && !err[0])
            seterr(&x, "%s: %s", x.source, rc == -XENIA_ENOMEM ? "out of memory" :
                   "invalid configuration");
    }
    return rc;
}

int xenia_config_load(const char *path, const char *const *overrides, size_t n_overrides,
                      struct xenia_domcfg *out, char *err, size_t errlen)
{
    struct ctx x = { path ? path : "<config>", err, errlen };
    FILE *fp = NULL;
    char *buf = NULL;
    size_t n = 0;
    int rc;

    if (err && errlen)
        err[0] = '\0';
    if (!out || !path)
        return -XENIA_EINVAL;
    memset(out, 0, sizeof(*out));
    fp = fopen(path, "re");
    if (!fp) {
        rc = -errno;
        seterr(&x, "%s: cannot read the config file: %s", path, strerror(-rc));
        return rc;
    }
    buf = malloc(XENIA_CFG_TEXT_MAX + 1);
    if (!buf) {
        rc = -XENIA_ENOMEM;
        goto out;
    }
    n = fread(buf, 1, XENIA_CFG_TEXT_MAX + 1, fp);
    if (ferror(fp)) {
        rc = -XENIA_EIO;
        seterr(&x, "%s: cannot read the config file: %s", path,
               errno ? strerror(errno) : "I/O error");
        goto out;
    }
    if (n > XENIA_CFG_TEXT_MAX) {
        rc = -XENIA_E2BIG;
        seterr(&x, "%s: the file is too large (more than %u bytes): is it a config file?",
               path, XENIA_CFG_TEXT_MAX);
        goto out;
    }
    rc = xenia_config_parse(buf, n, path, overrides, n_overrides, out, err, errlen);
out:
    free(buf);
    fclose(fp);
    return rc;
}
