/*
 * The kernel readiness API of this OS, in the three moves the lesson needs: register an fd
 * once, change what we wait for on it, and wait for the ready ones. epoll.c (Linux) and
 * kqueue.c (macOS, the BSDs) implement it in the same shape, to be read side by side.
 *
 * Level-triggered: an fd stays ready while data waits (or room to write exists), so a callback
 * that reads only part of it is simply told again on the next wait.
 */
#ifndef READINESS_H
#define READINESS_H

#include <stdbool.h>

typedef enum { WANT_READ = 1, WANT_WRITE = 2 } interest;

typedef struct {
    void *owner;   /* what was registered with the fd */
    bool readable; /* data (or the peer's FIN) waits */
    bool writable; /* the socket has room again */
    bool failed;   /* hang-up or error: the peer is gone */
} ready_event;

/* Creates the kernel object (epoll instance / kqueue). Returns 0, or -1 with errno. */
int readiness_open(void);
void readiness_close(void);

/* Registers fd once, waiting for `want`. */
int readiness_add(int fd, interest want, void *owner);
/* Switches what fd waits for (read <-> write); `was` is its current interest. */
int readiness_change(int fd, interest was, interest want, void *owner);
/* Unregisters fd, before it is closed. */
void readiness_remove(int fd, interest was);

/* Sleeps until some registered fds are ready; fills at most `max` events, returns how many
 * (0 when a signal interrupted the wait). */
int readiness_wait(ready_event *events, int max);

/* How many fds are registered: "ready 3 of 10001". */
int readiness_registered(void);
/* "epoll_wait" or "kevent", for the log. */
const char *readiness_wait_call(void);

#endif
