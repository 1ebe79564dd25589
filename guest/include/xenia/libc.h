/* SPDX-License-Identifier: MIT */
/*
 * Xenia PV guest SDK: the freestanding C runtime (guest/lib/). Semantics are
 * those of ISO C11 §7.21-7.24 for the functions of the same name unless a
 * comment says otherwise.
 */
#ifndef XENIA_GUEST_LIBC_H
#define XENIA_GUEST_LIBC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* <string.h> (C11 §7.24) */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/*
 * <stdio.h> formatting (C11 §7.21.6), subset: conversions d i u x X o c s p %;
 * flags - 0 + space #; width and precision (digits or *); length modifiers
 * hh h l ll z t. Returns the length the full output would have (excluding
 * the NUL), like C11; output is truncated to size-1 bytes and NUL-terminated
 * when size > 0. Unknown conversions are copied literally.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Console output through a line buffer (guest/lib/console.c): flushed on
 * newline, when full, by xenia_console_flush() and on shutdown. Return the
 * number of characters formatted, or a negative XENIA_E* if a flush failed.
 */
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int putchar(int c);
int puts(const char *s);   /* writes s and a newline */

/*
 * <stdlib.h> memory (C11 §7.22.3): first-fit free list over the heap range
 * from the start-info page, coalescing on free, 16-byte aligned blocks.
 * malloc(0) returns a unique pointer; sizes that overflow return NULL;
 * free() of a pointer malloc did not return panics the domain (crash).
 */
void *malloc(size_t n);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

#endif /* XENIA_GUEST_LIBC_H */
