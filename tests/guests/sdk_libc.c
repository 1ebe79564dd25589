// expect-shutdown: poweroff
// expect-console: Test result: SUCCESS
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* The guest SDK's C runtime on the real target: formatting, strings, heap. */
#include <xenia/xtf.h>

#define FMT(want, ...)                                                       \
    do {                                                                     \
        char b_[128];                                                        \
        int n_ = snprintf(b_, sizeof(b_), __VA_ARGS__);                      \
        xt_check(strcmp(b_, want) == 0 && n_ == (int)strlen(want),           \
                 "format \"%s\" -> \"%s\" (%d)", #__VA_ARGS__, b_, n_);      \
    } while (0)

static void test_format(void)
{
    char small[8];

    FMT("42", "%d", 42);
    FMT("-42", "%i", -42);
    FMT("-2147483648", "%d", (int)-2147483647 - 1);
    FMT("4294967295", "%u", 4294967295u);
    FMT("ff", "%x", 255);
    FMT("FF", "%X", 255);
    FMT("0xff", "%#x", 255);
    FMT("ffffffffffffffff", "%lx", ~0ul);
    FMT("18446744073709551615", "%llu", ~0ull);
    FMT("-9223372036854775808", "%lld", (long long)(-9223372036854775807ll - 1));
    FMT("123456789012", "%zu", (size_t)123456789012ull);
    FMT("0x1000", "%p", (void *)0x1000);
    FMT("0x0", "%p", (void *)0);
    FMT("abc", "%s", "abc");
    FMT("(null)", "%s", (const char *)xenia_gva_ptr(0));
    FMT("ab", "%.2s", "abcdef");
    FMT("   ab", "%5.2s", "abcdef");
    FMT("ab   |", "%-5s|", "ab");
    FMT("x", "%c", 'x');
    FMT("100%", "%d%%", 100);
    FMT("00042", "%05d", 42);
    FMT("-0042", "%05d", -42);
    FMT("   42", "%5d", 42);
    FMT("42   |", "%-5d|", 42);
    FMT("+42", "%+d", 42);
    FMT("00000000deadbeef", "%016llx", 0xdeadbeefull);
    FMT("   7", "%*d", 4, 7);
    FMT("007", "%.3d", 7);
    FMT("17", "%o", 15);

    int n = snprintf(small, sizeof(small), "%s", "0123456789");
    xt_check(n == 10 && strcmp(small, "0123456") == 0, "truncation: %d \"%s\"", n, small);
    xt_check_eq(snprintf(NULL, 0, "%d", 12345), 5, "size 0 counts");
}

static void test_strings(void)
{
    char a[32];
    const char *s = "hello, world";

    xt_check_eq(strlen(s), 12, "strlen");
    xt_check_eq(strnlen(s, 5), 5, "strnlen");
    xt_check(strcmp("abc", "abd") < 0 && strcmp("abd", "abc") > 0 && strcmp("abc", "abc") == 0,
             "strcmp");
    xt_check(strncmp("abcx", "abcy", 3) == 0 && strncmp("ab", "abc", 3) < 0, "strncmp");
    xt_check(strchr(s, ',') == s + 5 && strchr(s, 'z') == NULL && strchr(s, '\0') == s + 12,
             "strchr");
    memset(a, 'x', sizeof(a));
    xt_check(a[0] == 'x' && a[31] == 'x', "memset");
    memcpy(a, "0123456789", 11);
    memmove(a + 2, a, 8);
    xt_check(memcmp(a, "0101234567", 10) == 0, "memmove forwards overlap: %.10s", a);
    memcpy(a, "0123456789", 11);
    memmove(a, a + 2, 8);
    xt_check(memcmp(a, "2345678989", 10) == 0, "memmove backwards overlap: %.10s", a);
    xt_check(memcmp("ab", "ac", 2) < 0 && memcmp("ab", "ab", 2) == 0, "memcmp");
}

static void test_heap(void)
{
    size_t free0 = xenia_heap_free_bytes();
    void *p[16];

    xt_check(free0 > 64 * 1024, "heap has %zu free bytes", free0);
    for (unsigned i = 0; i < 16; i++) {
        p[i] = malloc(1 + i * 37);
        xt_check(p[i] != NULL && ((uintptr_t)p[i] & 15) == 0, "malloc %u aligned: %p", i, p[i]);
        if (p[i] != NULL)
            memset(p[i], (int)i, 1 + i * 37);
    }
    for (unsigned i = 0; i < 16; i += 2)
        free(p[i]);
    for (unsigned i = 1; i < 16; i += 2) {
        const uint8_t *b = p[i];
        xt_check(b != NULL && b[0] == i && b[i * 37] == i, "block %u intact", i);
        free(p[i]);
    }
    xt_check_eq(xenia_heap_free_bytes(), free0, "all freed memory coalesced");

    void *big = malloc(free0 - 64);
    xt_check(big != NULL, "one block of almost the whole heap after coalescing");
    free(big);
    xt_check(malloc(free0 + 1) == NULL, "malloc larger than the heap");
    xt_check(malloc(~(size_t)0) == NULL, "malloc SIZE_MAX");
    xt_check(malloc(~(size_t)0 - 8) == NULL, "malloc SIZE_MAX-8");
    xt_check(calloc(~(size_t)0 / 2, 3) == NULL, "calloc overflow");

    uint32_t *z = calloc(100, sizeof(uint32_t));
    int zero = z != NULL;
    for (unsigned i = 0; zero && i < 100; i++)
        zero = z[i] == 0;
    xt_check(zero, "calloc zeroes");
    z = realloc(z, 1000 * sizeof(uint32_t));
    xt_check(z != NULL, "realloc grows");
    free(z);
    void *m0 = malloc(0);
    xt_check(m0 != NULL, "malloc(0) gives a unique pointer");
    free(m0);
    xt_check(realloc(NULL, 8) != NULL, "realloc(NULL) mallocs");
    xt_check_eq(xenia_heap_free_bytes() + 32, free0, "one 32-byte block still held");
}

int main(void)
{
    const struct xenia_start_info *si = xenia_start_info();

    xt_check(si != NULL && si->heap_end > si->heap_start, "start-info heap range");
    xt_check(memcmp(si->magic, XENIA_START_INFO_MAGIC, 16) == 0, "start-info magic");
    test_format();
    test_strings();
    test_heap();
    xt_done();
}
