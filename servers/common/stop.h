/*
 * SIGINT / SIGTERM end a stage cleanly within a second. The handler only sets a flag and shuts
 * down the sockets a stage registered with stop_wakes(), both async-signal-safe.
 *
 * Why no SA_RESTART: a thread asleep in accept() or recv() must come back (EINTR) to notice the
 * flag. Why stop_wakes(): a signal that lands between "check the flag" and "enter accept()"
 * would otherwise leave the thread asleep; shutdown() on the listener (Linux) or on a connected
 * socket (everywhere) wakes it, and every later call on it returns at once.
 * SIGPIPE is ignored: a peer that vanished makes send() fail with EPIPE instead of killing us.
 *
 * When SERVER_MODELS_PARENT_PIPE is set, the stage was started by the extension or the command
 * line with its stdin on a pipe they hold: end of file there means the parent is gone (even
 * killed), and the stage stops as on SIGTERM instead of living on as an orphan.
 */
#ifndef COMMON_STOP_H
#define COMMON_STOP_H

#include <stdbool.h>

void stop_on_signals(void);
bool stop_requested(void);

/* Shut `fd` down when a stop signal arrives. Call stop_forget(fd) before closing it, so that a
 * recycled fd number is never shut down by mistake. Holds a handful of fds (STOP_WAKE_MAX). */
#define STOP_WAKE_MAX 8
void stop_wakes(int fd);
void stop_forget(int fd);

#endif
