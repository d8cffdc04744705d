#include "common/answer.h"

#include <errno.h>
#include <string.h>

#include "common/prime.h"
#include "common/trace.h"

/* Where reply bytes go: straight onto a blocking socket, or into a send buffer. 0 or -1. */
typedef int (*deliver_fn)(int fd, void *to, const void *bytes, size_t len);

_Static_assert(PRIME_STOPPED == TRACE_WORK_STOPPED && PRIME_YES == TRACE_WORK_PRIME, "WORK_DONE's value is the verdict");

/* Feeds the parser and delivers replies in request order. The work request runs right here, on
 * whichever thread fed the bytes: that is the point of the stages that use this file. */
static int answer(int fd, protocol_parser *parser, const uint8_t *in, size_t n, deliver_fn deliver, void *to) {
    uint8_t reply[4096];
    while (n > 0) {
        size_t chunk = n < sizeof reply ? n : sizeof reply;
        protocol_step step = protocol_feed(parser, in, chunk, reply);
        in += step.consumed;
        n -= step.consumed;
        if (step.produced > 0 && deliver(fd, to, reply, step.produced) != 0) return -1;
        if (step.work) {
            TRACE_WAIT(WORK_STARTED, fd, step.number); /* flushed: the view shows the work while it runs */
            prime_verdict verdict = trial_division(step.number);
            TRACE(WORK_DONE, fd, verdict);
            /* A stop signal cut it short: no reply, and the rest of the bytes are left unread. */
            if (verdict == PRIME_STOPPED) return 0;
            const char *text = protocol_work_reply(verdict == PRIME_YES);
            if (deliver(fd, to, text, strlen(text)) != 0) return -1;
        }
    }
    return 0;
}

static int deliver_now(int fd, void *unused, const void *bytes, size_t len) {
    (void)unused;
    TRACE_WAIT(SEND_BEGIN, fd, len);
    int rc = send_all(fd, bytes, len);
    TRACE(SEND_END, fd, rc == 0 ? (int64_t)len : -errno);
    return rc;
}

static int deliver_later(int fd, void *out, const void *bytes, size_t len) {
    (void)fd;
    return sendbuf_append(out, bytes, len) ? 0 : -1;
}

int answer_blocking(int fd, protocol_parser *parser, const uint8_t *in, size_t n) {
    return answer(fd, parser, in, n, deliver_now, NULL);
}

int answer_buffered(int fd, protocol_parser *parser, send_buffer *out, const uint8_t *in, size_t n) {
    return answer(fd, parser, in, n, deliver_later, out);
}

void peer_init(peer *p, int fd, const char *name) {
    p->fd = fd;
    strncpy(p->name, name, PEER_NAME_MAX - 1);
    p->name[PEER_NAME_MAX - 1] = '\0';
    protocol_init(&p->parser);
    sendbuf_init(&p->out);
    p->read_closed = false;
}

void peer_release(peer *p) { sendbuf_free(&p->out); }

const char *close_reason_text(int why) {
    switch (why) {
    case TRACE_CLOSE_PEER: return "disconnected";
    case TRACE_CLOSE_ERROR: return "failed; closed";
    case TRACE_CLOSE_REFUSED: return "refused";
    default: return "closed (stopping)";
    }
}
