/*
 * What every stage does before its loop and after it, so that main.c starts at the model.
 */
#ifndef COMMON_SERVER_H
#define COMMON_SERVER_H

#include "common/cli.h"

/* Installs the stop signals, opens the trace (if SERVER_MODELS_TRACE is set), then listens and
 * prints "listening on <host>:<port>". Returns the listening socket, which a stop signal shuts
 * down (stop.h) so that a thread blocked on it wakes. Exits with a message on failure. */
int server_start(const server_config *cfg, const char *stage_id);

/* Closes the listener, prints "stopped" and flushes the trace. */
void server_finish(int listener);

#endif
