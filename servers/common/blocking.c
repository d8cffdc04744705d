#include "common/blocking.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/answer.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"
#include "common/trace.h"

int accept_client(int listener, char peer[PEER_NAME_MAX]) {
    while (!stop_requested()) {
        TRACE_WAIT(ACCEPT_BEGIN, listener, 0);
        int fd = accept_peer(listener, peer); /* the thread sleeps here until a client connects */
        TRACE(ACCEPT_END, listener, fd < 0 ? -errno : fd);
        if (fd >= 0) {
            log_event("peer %s connected", peer);
            TRACE(CONN_ACCEPTED, fd, peer_port(fd));
            return fd;
        }
        if (stop_requested()) break;
        if (errno == EMFILE || errno == ENFILE) { /* out of fds: retrying at once would spin */
            log_errno("accept");
            sleep_ms(100);
        } else if (errno != EINTR && errno != ECONNABORTED) {
            log_errno("accept");
        }
    }
    return -1;
}

int serve_blocking(int fd, const char *peer) {
    protocol_parser parser;
    protocol_init(&parser);
    const uint8_t ack = PROTOCOL_ACK;
    if (send_all(fd, &ack, 1) != 0) return stop_requested() ? TRACE_CLOSE_STOPPING : TRACE_CLOSE_ERROR;

    uint8_t in[16384];
    for (;;) {
        TRACE_WAIT(RECV_BEGIN, fd, 0);
        ssize_t n = recv(fd, in, sizeof in, 0);
        TRACE(RECV_END, fd, n < 0 ? -errno : n);
        if (stop_requested()) return TRACE_CLOSE_STOPPING;
        if (n == 0) return TRACE_CLOSE_PEER; /* the client closed its side */
        if (n < 0) {
            if (errno == EINTR) continue;
            log_event("peer %s: recv failed: %s", peer, strerror(errno));
            return TRACE_CLOSE_ERROR;
        }
        if (answer_blocking(fd, &parser, in, (size_t)n) != 0) {
            log_event("peer %s: send failed: %s", peer, strerror(errno));
            return stop_requested() ? TRACE_CLOSE_STOPPING : TRACE_CLOSE_ERROR;
        }
        if (stop_requested()) return TRACE_CLOSE_STOPPING; /* e.g. the work request was given up */
    }
}
