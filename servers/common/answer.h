/*
 * Turning a peer's bytes into the reply, for the stages that do the work right where they read
 * (01-06, 08: "a slow request blocks this thread"). A stage that sends work elsewhere (a pool, a
 * carrier) calls protocol_feed() itself.
 */
#ifndef COMMON_ANSWER_H
#define COMMON_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/net.h"
#include "common/protocol.h"
#include "common/sendbuf.h"

/* Blocking socket: replies to in[0..n) right now with send_all(), running work requests on the
 * calling thread. Returns 0, or -1 when sending failed (errno set). A work request that a stop
 * signal interrupts gets no reply, and what came after it is dropped: the caller is stopping
 * anyway (stop_requested()), and both functions then return 0. */
int answer_blocking(int fd, protocol_parser *parser, const uint8_t *in, size_t n);

/* Non-blocking socket: appends the reply to `out` for a later sendbuf_flush(), running work
 * requests on the calling thread. Returns 0, or -1 when memory ran out. */
int answer_buffered(int fd, protocol_parser *parser, send_buffer *out, const uint8_t *in, size_t n);

/* One connection of a single-threaded loop (04, 05, 06, 08): its socket, its parser state and
 * its unsent replies. */
typedef struct {
    int fd;
    char name[PEER_NAME_MAX];
    protocol_parser parser;
    send_buffer out;
    bool read_closed; /* the peer half-closed: nothing more to read, but replies still to send */
} peer;

void peer_init(peer *p, int fd, const char *name);
/* Frees the buffer; the caller closes the fd (after any stop_forget/unregistering). */
void peer_release(peer *p);

/* For log lines: "disconnected", "failed; closed", "refused", "closed (stopping)". */
const char *close_reason_text(int why);

#endif
