/*
 * <sys/event.h> for Linux, for the tests only: the part of the kqueue API (kqueue(2) as FreeBSD
 * and macOS document it) that the kqueue backends of 06-epoll, 08-ae and 09-green-threads use,
 * emulated over epoll in kqueue_shim.c. `make -C servers BACKEND=kqueue KQUEUE_SHIM=<this
 * folder>` builds those backends against it, so their code is compiled and run on Linux. It says
 * nothing about how a real kernel's kqueue behaves (servers/README.md, Tests).
 *
 * Only what is emulated is declared: a backend that starts using another filter or flag
 * (EVFILT_TIMER, EV_CLEAR, EV_RECEIPT, ...) fails to compile here instead of running on a guess.
 */
#ifndef KQUEUE_SHIM_SYS_EVENT_H
#define KQUEUE_SHIM_SYS_EVENT_H

#include <stdint.h>
#include <time.h> /* struct timespec */

/* The field types are macOS's; FreeBSD's `data` is 64-bit and it has four more `ext` words. */
struct kevent {
    uintptr_t ident;      /* the file descriptor */
    short filter;         /* EVFILT_READ or EVFILT_WRITE */
    unsigned short flags; /* in: the action and EV_ONESHOT; out: EV_ONESHOT, EV_EOF, EV_ERROR */
    unsigned int fflags;  /* unused by these two filters; returned as 0 */
    intptr_t data;        /* out: bytes waiting (read filter), or the errno of an EV_ERROR entry */
    void *udata;          /* given with EV_ADD, handed back untouched */
};

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)

#define EV_ADD 0x0001     /* add the (ident, filter) pair, or change the one there */
#define EV_DELETE 0x0002  /* remove it */
#define EV_ENABLE 0x0004  /* report it again */
#define EV_DISABLE 0x0008 /* keep it, but do not report it */
#define EV_ONESHOT 0x0010 /* remove it once it has been reported */
#define EV_ERROR 0x4000   /* out: this change failed, `data` is the errno */
#define EV_EOF 0x8000     /* out: read filter: the peer will send nothing more; write: it is gone */

#define EV_SET(kevp, a, b, c, d, e, f)   \
    do {                                 \
        struct kevent *ev_set_ = (kevp); \
        ev_set_->ident = (a);            \
        ev_set_->filter = (b);           \
        ev_set_->flags = (c);            \
        ev_set_->fflags = (d);           \
        ev_set_->data = (e);             \
        ev_set_->udata = (f);            \
    } while (0)

int kqueue(void);
int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents,
           const struct timespec *timeout);

#endif
