/*
 * SIGINT / SIGTERM end a stage cleanly within a second. The handler only sets a flag, shuts
 * down the sockets a stage registered with stop_wakes() and calls the stop_calls() hook, all
 * async-signal-safe. A thread that computes rather than waits reads the flag itself: trial
 * division gives up a work request within a millisecond of the signal (prime.h).
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
/* True once SIGINT/SIGTERM arrived. Trial division (prime.h) checks it too. */
bool stop_requested(void);

/* For a stage whose thread sleeps in a library's loop that neither the flag nor a shut-down
 * socket wakes (07: libuv): the handler also calls wake() on the first stop signal, or
 * stop_calls() calls it at once if that signal already came. wake must be async-signal-safe
 * (uv_async_send is). One hook; NULL removes it. */
typedef void (*stop_wake_fn)(void);
void stop_calls(stop_wake_fn wake);

/* Shut `fd` down when a stop signal arrives. Call stop_forget(fd) before closing it, so that a
 * recycled fd number is never shut down by mistake. Holds a handful of fds (STOP_WAKE_MAX). */
#define STOP_WAKE_MAX 8
void stop_wakes(int fd);
void stop_forget(int fd);

#endif
