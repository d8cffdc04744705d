/*
 * A per-peer send buffer for non-blocking sockets: replies wait here until the socket takes
 * them, and a partial send resumes exactly where it stopped, so no byte is lost or sent twice.
 */
#ifndef COMMON_SENDBUF_H
#define COMMON_SENDBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Past this many unsent bytes a loop should stop reading from the peer until it drains: a peer
 * that sends without reading must not make the server buffer without bound. */
#define SENDBUF_HIGH_WATER (256 * 1024)

typedef struct {
    uint8_t *data;
    size_t head, tail, cap; /* unsent bytes are data[head..tail) */
} send_buffer;

typedef enum { SEND_DONE, SEND_PENDING, SEND_FAILED } send_result;

void sendbuf_init(send_buffer *b);
void sendbuf_free(send_buffer *b);
/* Returns false only when memory runs out. */
bool sendbuf_append(send_buffer *b, const void *bytes, size_t len);
size_t sendbuf_pending(const send_buffer *b);
bool sendbuf_over_high_water(const send_buffer *b);

/* Sends what the socket takes now (fd must be non-blocking). SEND_DONE: all sent; SEND_PENDING:
 * the socket is full (EAGAIN), wait for it to be writable; SEND_FAILED: errno says why (EPIPE,
 * ECONNRESET ...). `sent` (may be NULL) gets the bytes sent by this call. */
send_result sendbuf_flush(send_buffer *b, int fd, size_t *sent);

#endif
