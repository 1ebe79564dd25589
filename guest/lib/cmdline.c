/* SPDX-License-Identifier: MIT */
/* Command-line words of a PV guest (start-info cmdline, set by its domain config). */
#include <xenia/guest.h>

/* Start of word @w (followed by '=' when @eq, else by a space or the end), or NULL. */
static const char *find_word(const char *w, int eq)
{
    const char *c = xenia_cmdline();
    size_t n = strlen(w);

    for (const char *p = c; *p; p++) {
        if ((p != c && p[-1] != ' ') || strncmp(p, w, n) != 0)
            continue;
        if (eq ? p[n] == '=' : (p[n] == ' ' || p[n] == 0))
            return p;
    }
    return NULL;
}

uint64_t xenia_cmdline_num(const char *key, uint64_t dflt)
{
    const char *p = find_word(key, 1);
    uint64_t v = 0;

    if (p == NULL)
        return dflt;
    for (p += strlen(key) + 1; *p >= '0' && *p <= '9'; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return UINT64_MAX;
        v = v * 10 + d;
    }
    return v;
}

int xenia_cmdline_flag(const char *w)
{
    return find_word(w, 0) != NULL;
}
