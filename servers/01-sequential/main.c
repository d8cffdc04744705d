/*
 * 01-sequential: one client at a time.
 *
 * The loop accepts one client and serves it until it leaves; only then does it accept the next.
 * The others are not refused: the kernel completes their TCP handshake and parks them in the
 * listen backlog, connected but without the '*' that says "you are being served". Five clients
 * at once therefore take about five times as long as one (notes, section A).
 */
#include <unistd.h>

#include "common/blocking.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/server.h"
#include "common/stop.h"
#include "common/trace.h"

int main(int argc, char **argv) {
    server_config cfg = cli_parse(argc, argv, "01-sequential: one client at a time; the rest wait in the backlog.", NULL, 0);
    int listener = server_start(&cfg, "01-sequential");

    char peer[PEER_NAME_MAX];
    int fd;
    while ((fd = accept_client(listener, peer)) >= 0) {
        stop_wakes(fd);
        int why = serve_blocking(fd, peer); /* everyone else waits in the backlog until this returns */
        stop_forget(fd);
        close(fd);
        TRACE(CONN_CLOSED, fd, why);
        log_event("peer %s done", peer);
    }

    server_finish(listener);
    return 0;
}
