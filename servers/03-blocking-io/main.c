/*
 * 03-blocking-io: one thread, asleep in recv().
 *
 * recv() on a blocking socket does not return until the peer sends something (or leaves). While
 * it waits, the thread costs no CPU: the kernel has put it to sleep. But it is the only thread,
 * so a second client that connects meanwhile gets nothing, not even its '*', until the first
 * one leaves (notes, section C). The log prints every call, as in the notes:
 *
 *     Calling recv...
 *     recv returned 6 bytes
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/answer.h"
#include "common/blocking.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/server.h"
#include "common/stop.h"
#include "common/trace.h"

/* Returns why the client's turn ended, as a CONN_CLOSED value. */
static int serve_client(int fd, const char *peer) {
    protocol_parser parser;
    protocol_init(&parser);
    const uint8_t ack = PROTOCOL_ACK;
    if (send_all(fd, &ack, 1) != 0) return TRACE_CLOSE_ERROR;

    uint8_t in[16384];
    for (;;) {
        log_event("Calling recv...");
        TRACE_WAIT(RECV_BEGIN, fd, 0);
        ssize_t n = recv(fd, in, sizeof in, 0); /* the thread sleeps here until bytes arrive */
        TRACE(RECV_END, fd, n < 0 ? -errno : n);
        if (stop_requested()) return TRACE_CLOSE_STOPPING;
        if (n == 0) {
            log_event("recv returned 0: peer %s has disconnected", peer);
            return TRACE_CLOSE_PEER;
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            log_event("recv failed: %s", strerror(errno));
            return TRACE_CLOSE_ERROR;
        }
        log_event("recv returned %zd bytes", n);
        if (answer_blocking(fd, &parser, in, (size_t)n) != 0) {
            log_event("send to peer %s failed: %s", peer, strerror(errno));
            return TRACE_CLOSE_ERROR;
        }
    }
}

int main(int argc, char **argv) {
    server_config cfg = cli_parse(argc, argv, "03-blocking-io: one thread, blocking recv; the next client waits.", NULL, 0);
    int listener = server_start(&cfg, "03-blocking-io");

    char peer[PEER_NAME_MAX];
    int fd;
    while ((fd = accept_client(listener, peer)) >= 0) {
        stop_wakes(fd); /* a stop must wake the thread out of recv() */
        int why = serve_client(fd, peer); /* nobody else is served until this returns */
        stop_forget(fd);
        close(fd);
        TRACE(CONN_CLOSED, fd, why);
    }

    server_finish(listener);
    return 0;
}
