/*
 * The blocking-socket stages (01, 02, 03): wait in accept() for the next client, and serve one
 * client from its '*' to its last byte on the calling thread.
 */
#ifndef COMMON_BLOCKING_H
#define COMMON_BLOCKING_H

#include "common/net.h"

/* Blocks in accept() until a client arrives; logs "peer <name> connected" and returns its
 * (blocking) socket. Returns -1 only when a stop was requested. */
int accept_client(int listener, char peer[PEER_NAME_MAX]);

/* Sends the '*', then reads and answers until the peer closes, an error, or a stop; work runs
 * on the calling thread. Returns why it ended, as a CONN_CLOSED value (TRACE_CLOSE_*). */
int serve_blocking(int fd, const char *peer);

#endif
