/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the console backend (stubdoms/dm/consback.c) over a fake
 * I/O window: output and input with wrap-around, notifications, corrupt
 * indices (NEEDS_RESET) and the reset handshake, restart resumption, and
 * the backend's own indices being private.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <xenia/io.h>

#include "../../stubdoms/dm/consback.h"

static uint8_t *win;
static struct xenia_cons_ring *r;
static struct consback cb;

static int setup(void **state)
{
    (void)state;
    win = aligned_alloc(4096, XENIA_IOWIN_BYTES);
    assert_non_null(win);
    memset(win, 0, XENIA_IOWIN_BYTES);
    r = (struct xenia_cons_ring *)(win + XENIA_IOWIN_CONS_OFF);
    assert_int_equal(consback_init(&cb, win, XENIA_IOWIN_BYTES), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(win);
    return 0;
}

/* The guest writes len bytes to out[] (no check of room: tests decide). */
static void guest_out(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        r->out[(r->out_prod + i) % XENIA_CONS_OUT_SIZE] = s[i];
    r->out_prod += (uint32_t)len;
}

/* The guest reads everything in in[]. */
static size_t guest_in(char *buf, size_t cap)
{
    size_t n = 0;

    while (r->in_cons != r->in_prod && n < cap)
        buf[n++] = r->in[r->in_cons++ % XENIA_CONS_IN_SIZE];
    return n;
}

static void init_and_args(void **state)
{
    struct consback c2;

    (void)state;
    assert_int_equal(r->backend_state, XENIA_DEV_CONNECTED);
    assert_int_equal(consback_init(&c2, NULL, XENIA_IOWIN_BYTES), -XENIA_EINVAL);
    assert_int_equal(consback_init(&c2, win, 100), -XENIA_EINVAL);
    assert_int_equal(consback_init(&c2, win + 1, XENIA_IOWIN_BYTES - 8), -XENIA_EINVAL);
}

static void output_moves_bytes(void **state)
{
    char buf[XENIA_CONS_OUT_SIZE + 16];
    size_t n;

    (void)state;
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 0);
    guest_out("hello\n", 6);
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), 0);   /* small: no notify */
    assert_int_equal(n, 6);
    assert_memory_equal(buf, "hello\n", 6);
    assert_int_equal(r->out_cons, 6);

    /* Bounded by the caller's buffer. */
    guest_out("abcdefgh", 8);
    assert_int_equal(consback_output(&cb, buf, 3, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "defgh", 5);

    /* A full ring wrapping around the end: all of it, and a notification
     * (the frontend may be waiting for room). */
    {
        char big[XENIA_CONS_OUT_SIZE];
        for (unsigned i = 0; i < sizeof(big); i++)
            big[i] = (char)('A' + i % 26);
        guest_out(big, sizeof(big));
        assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), CONSBACK_NOTIFY);
        assert_int_equal(n, sizeof(big));
        assert_memory_equal(buf, big, sizeof(big));
    }
    assert_int_equal(cb.out_bytes, 6 + 8 + XENIA_CONS_OUT_SIZE);
}

static void input_queues_bytes(void **state)
{
    char buf[XENIA_CONS_IN_SIZE * 2];
    unsigned bits;
    size_t n;

    (void)state;
    assert_int_equal(consback_input_room(&cb, &bits), XENIA_CONS_IN_SIZE);
    assert_int_equal(bits, 0);
    assert_int_equal(consback_input(&cb, "ls\n", 3, &n), CONSBACK_NOTIFY);
    assert_int_equal(n, 3);
    assert_int_equal(r->in_prod, 3);
    assert_int_equal(consback_input_room(&cb, &bits), XENIA_CONS_IN_SIZE - 3);
    assert_int_equal(guest_in(buf, sizeof(buf)), 3);
    assert_memory_equal(buf, "ls\n", 3);

    /* More than fits: only the room is queued. */
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(consback_input(&cb, buf, sizeof(buf), &n), CONSBACK_NOTIFY);
    assert_int_equal(n, XENIA_CONS_IN_SIZE);
    assert_int_equal(consback_input_room(&cb, &bits), 0);
    assert_int_equal(consback_input(&cb, buf, 5, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(guest_in(buf, sizeof(buf)), XENIA_CONS_IN_SIZE);
    assert_int_equal(consback_input_room(&cb, &bits), XENIA_CONS_IN_SIZE);
}

static void corrupt_out_needs_reset(void **state)
{
    char buf[64];
    size_t n;
    unsigned bits;

    (void)state;
    r->out_prod = XENIA_CONS_OUT_SIZE + 1;   /* more than a ring ahead */
    r->out[0] = 'S';
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), CONSBACK_RESET | CONSBACK_NOTIFY);
    assert_int_equal(n, 0);
    assert_int_equal(r->backend_state, XENIA_DEV_NEEDS_RESET);
    assert_int_equal(r->out_cons, 0);
    /* Ignored from now on, told only once. */
    r->out_prod = 1;
    r->backend_state = XENIA_DEV_CONNECTED;
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), CONSBACK_RESET);
    assert_int_equal(n, 0);
    assert_int_equal(consback_input(&cb, "a", 1, &n), CONSBACK_RESET);
    assert_int_equal(n, 0);
    assert_int_equal(consback_input_room(&cb, &bits), 0);
    assert_int_equal(bits, CONSBACK_RESET);
    assert_int_equal(cb.resets, 1);

    /* INITIALISING with non-zero indices: still ignored. */
    r->frontend_state = XENIA_DEV_INITIALISING;
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), CONSBACK_RESET);
    /* Handshake. */
    r->out_prod = r->out_cons = r->in_prod = r->in_cons = 0;
    r->backend_state = 0;
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), CONSBACK_NOTIFY);
    assert_int_equal(r->backend_state, XENIA_DEV_CONNECTED);
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), 0);   /* told once */
    r->frontend_state = XENIA_DEV_CONNECTED;
    guest_out("ok", 2);
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(buf, "ok", 2);
}

static void corrupt_in_needs_reset(void **state)
{
    unsigned bits;
    size_t n;

    (void)state;
    assert_int_equal(consback_input(&cb, "abc", 3, &n), CONSBACK_NOTIFY);
    r->in_cons = 4;   /* consumed more than was produced */
    assert_int_equal(consback_input_room(&cb, &bits), 0);
    assert_int_equal(bits, CONSBACK_RESET | CONSBACK_NOTIFY);
    assert_int_equal(r->backend_state, XENIA_DEV_NEEDS_RESET);
    assert_int_equal(r->in_prod, 3);

    /* Through consback_input as well, on a fresh backend. */
    memset(win, 0, 4096);
    assert_int_equal(consback_init(&cb, win, XENIA_IOWIN_BYTES), 0);
    r->in_cons = 0x80000000u;
    assert_int_equal(consback_input(&cb, "x", 1, &n), CONSBACK_RESET | CONSBACK_NOTIFY);
    assert_int_equal(n, 0);
}

static void private_indices(void **state)
{
    char buf[64];
    size_t n;

    (void)state;
    guest_out("12345", 5);
    r->out_cons = 3;   /* the guest meddles with the backend's index */
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "12345", 5);
    r->in_prod = 1000;   /* and with the other one */
    assert_int_equal(consback_input(&cb, "z", 1, &n), CONSBACK_NOTIFY);
    assert_int_equal(r->in_prod, 1);
    assert_int_equal(r->in[0], 'z');
}

static void restart_and_wrap(void **state)
{
    char buf[64];
    size_t n;
    unsigned bits;

    (void)state;
    /* A previous backend left the indices near 2^32; output pending. */
    r->out_cons = 0xfffffffdu;
    r->out_prod = 0xfffffffdu;
    r->in_prod = r->in_cons = 0xffffffffu;
    assert_int_equal(consback_init(&cb, win, XENIA_IOWIN_BYTES), 0);
    guest_out("wrap!", 5);
    assert_int_equal(r->out_prod, 2);
    assert_int_equal(consback_output(&cb, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "wrap!", 5);
    assert_int_equal(r->out_cons, 2);
    assert_int_equal(consback_input(&cb, "in", 2, &n), CONSBACK_NOTIFY);
    assert_int_equal(r->in_prod, 1);
    assert_int_equal(guest_in(buf, sizeof(buf)), 2);
    assert_memory_equal(buf, "in", 2);

    /* A successor on corrupt indices starts in NEEDS_RESET, as it does on a
     * ring already marked so. */
    r->out_prod = r->out_cons + XENIA_CONS_OUT_SIZE + 1;
    assert_int_equal(consback_init(&cb, win, XENIA_IOWIN_BYTES), 0);
    assert_int_equal(r->backend_state, XENIA_DEV_NEEDS_RESET);
    r->out_prod = r->out_cons;
    assert_int_equal(consback_init(&cb, win, XENIA_IOWIN_BYTES), 0);
    assert_int_equal(cb.state, XENIA_DEV_NEEDS_RESET);
    assert_int_equal(consback_input_room(&cb, &bits), 0);
    r->in_prod = r->in_cons + XENIA_CONS_IN_SIZE + 1;
    r->backend_state = 0;
    assert_int_equal(consback_init(&cb, win, XENIA_IOWIN_BYTES), 0);
    assert_int_equal(cb.state, XENIA_DEV_NEEDS_RESET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(init_and_args, setup, teardown),
        cmocka_unit_test_setup_teardown(output_moves_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(input_queues_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupt_out_needs_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupt_in_needs_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(private_indices, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_and_wrap, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
