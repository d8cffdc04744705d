/*
 * The poller under the green threads: "wake this waiter when that fd is ready", one shot at a
 * time. A parked green thread is armed once per park, and a readiness event hands it back
 * exactly once, so two carriers can never resume the same green thread. epoll on Linux
 * (netpoll_epoll.c), kqueue on macOS and the BSDs (netpoll_kqueue.c), same shape.
 */
#ifndef GT_NETPOLL_H
#define GT_NETPOLL_H

#include <stdbool.h>

typedef struct netpoll netpoll;

typedef enum { WAIT_READ, WAIT_WRITE } wait_kind;

netpoll *netpoll_open(void);
void netpoll_close(netpoll *np);

/* Arms a one-shot wait for fd. `first` says fd was never armed before (epoll needs ADD, not MOD). */
int netpoll_arm(netpoll *np, int fd, wait_kind kind, void *waiter, bool first);
/* Forgets fd before it is closed. */
void netpoll_forget(netpoll *np, int fd);

/* Sleeps until some armed fds are ready (or netpoll_wake) and stores their waiters; returns how
 * many (0 after a wake-up or a signal). */
int netpoll_wait(netpoll *np, void **waiters, int max);
/* Makes a sleeping netpoll_wait return, from any thread. */
void netpoll_wake(netpoll *np);

/* How many fds are registered: the trace's "waiting on N fds". */
int netpoll_registered(const netpoll *np);

/* "epoll_wait" or "kevent", for the log. */
const char *netpoll_wait_call(void);

#endif
