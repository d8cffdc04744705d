/*
 * Socket plumbing that is the same in every stage, so that main.c shows only the model.
 */
#ifndef COMMON_NET_H
#define COMMON_NET_H

#include <stddef.h>
#include <sys/types.h>

#include "common/cli.h"

/* "127.0.0.1:54321" or "[::1]:54321" */
#define PEER_NAME_MAX 64

/* Flags for every send(): no SIGPIPE on Linux (SIGPIPE is also ignored, see stop.h). */
#ifdef MSG_NOSIGNAL
#define SEND_FLAGS MSG_NOSIGNAL
#else
#define SEND_FLAGS 0
#endif

/* Binds and listens on cfg's address (SO_REUSEADDR, a deep backlog), then prints
 * "listening on <host>:<port>" with the real port, flushed. Exits with a message on failure. */
int listen_on(const server_config *cfg);

/* accept() that also names the peer and leaves the new socket blocking (macOS would hand down
 * the listener's O_NONBLOCK) with TCP_NODELAY. Returns -1 with errno as accept() left it. */
int accept_peer(int listener, char name[PEER_NAME_MAX]);

/* The socket's own port (the real one after --port 0). */
int local_port(int fd);
/* The peer's port: what the client sees as its local port, to pair client and server events. */
int peer_port(int fd);

int set_nonblocking(int fd);

/* Blocking send of all `len` bytes, resuming after partial sends and EINTR (unless a stop was
 * requested). Returns 0, or -1 with errno (EPIPE, ECONNRESET, EINTR on stop ...). */
int send_all(int fd, const void *buf, size_t len);

#endif
