/*
 * The wire protocol as a state machine: feed it the bytes a peer sent, get back the bytes to
 * send, and be told about work requests. It never runs the work itself: WHERE the work runs (on
 * the loop, on a pool thread, on a carrier) is each stage's lesson.
 *
 *   on accept         the server sends PROTOCOL_ACK ('*')
 *   outside a frame   '^' opens a frame; '!' starts a work request; every other byte is dropped
 *   inside a frame    '$' closes it; every other byte comes back as byte+1 (mod 256)
 *   work request      '!' + 1..19 decimal digits + '$', number <= 2^63-1: reply "prime\n" or
 *                     "composite\n". Any other byte after '!' (or a 20th digit) drops the request
 *                     and is then read as a byte outside a frame, so "!^ab$" still opens a frame.
 *                     A number above 2^63-1 is dropped silently at its '$'.
 * The state carries across reads. src/core/protocol.ts restates these rules as the test oracle.
 */
#ifndef COMMON_PROTOCOL_H
#define COMMON_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTOCOL_ACK '*'
#define PROTOCOL_MAX_DIGITS 19

typedef struct {
    uint8_t state;  /* outside, in a frame, or reading a work request's digits */
    uint8_t digits; /* digits read so far in a work request */
    uint64_t number;
} protocol_parser;

typedef struct {
    size_t consumed;  /* input bytes used; less than offered when a work request stopped the feed */
    size_t produced;  /* reply bytes written to `out` */
    bool work;        /* a complete work request ended at in[consumed - 1] */
    uint64_t number;  /* its number, when `work` */
} protocol_step;

void protocol_init(protocol_parser *p);

/* Reads in[0..len) until the input ends or a work request completes, whichever is first; writes
 * at most `len` reply bytes to `out`. Send `out`, do the work if `work`, send its reply, then feed
 * the rest: replies stay in the order the requests came. */
protocol_step protocol_feed(protocol_parser *p, const uint8_t *in, size_t len, uint8_t *out);

/* "prime\n" or "composite\n" */
const char *protocol_work_reply(bool prime);

#endif
