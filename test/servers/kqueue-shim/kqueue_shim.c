/*
 * kqueue over epoll, for the tests only (see sys/event.h): enough of kqueue(2) for the kqueue
 * backends of 06, 08 and 09 to run on Linux with kqueue's semantics, not epoll's.
 *
 * Where the two differ, and what this file does about it:
 * - kqueue registers (fd, filter) pairs, each with its own udata, and reports each pair as its
 *   own entry; epoll has one registration per fd. The shim keeps the filters of each fd and
 *   gives epoll their union (EPOLLIN for a read filter, EPOLLOUT for a write filter); one epoll
 *   event becomes up to two kevents.
 * - kqueue drops a descriptor's filters when it is closed. epoll drops its registration when the
 *   last reference to the open file goes, and the shim never sees close(). So the shim remembers
 *   which file its filters belong to (fstat: device and inode) and forgets them once the fd
 *   number names another file.
 * - EV_ONESHOT and EV_DISABLE are the shim's own bookkeeping: epoll is level-triggered and is
 *   told only about enabled filters.
 *
 * One mutex guards all the bookkeeping; kevent() does not hold it while it waits, so a change
 * from another thread reaches a waiting kevent(), as in kqueue (09's carriers arm fds while its
 * poller waits).
 *
 * Not emulated: other filters and flags (sys/event.h does not declare them), regular files
 * (epoll refuses them, EPERM), the listen backlog as a listener's `data` (0 here), the room in
 * the send buffer as a write filter's `data` (0), a socket error in `fflags` (reading SO_ERROR
 * would clear it), and a descriptor that is dup()ed, or shared with another process, and then
 * closed: epoll keeps watching the file, the shim drops those events but may wake up for them.
 */
#include <sys/event.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    bool added;   /* the (fd, filter) pair is registered */
    bool enabled; /* false after EV_DISABLE: kept, but not reported */
    bool oneshot; /* EV_ONESHOT: removed once reported */
    void *udata;
} filter_state;

typedef struct {
    filter_state read, write;
    bool in_epoll; /* the fd is in the epoll set: some filter is enabled */
    uint32_t gen;  /* counts EPOLL_CTL_ADDs of this fd number; travels in each epoll event */
    dev_t dev;     /* the open file the filters belong to */
    ino_t ino;
} fd_state;

typedef struct queue {
    int epfd;     /* the kqueue descriptor is the epoll instance's */
    fd_state *fd; /* indexed by fd */
    int nfd;
    struct queue *next;
} queue;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Never freed: a kevent() still waiting on a closed queue must not touch freed memory. */
static queue *queues;

static queue *find_queue(int kq) {
    for (queue *q = queues; q; q = q->next)
        if (q->epfd == kq) return q;
    return NULL;
}

int kqueue(void) {
    /* kqueue: "the queue is not inherited by a child created with fork"; close-on-exec is the
     * nearest epoll offers. */
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return -1;
    pthread_mutex_lock(&lock);
    queue *q = find_queue(epfd);
    if (q) {
        /* An earlier queue had this number and was closed (close() is not seen here): start
         * afresh in its place. */
        free(q->fd);
        q->fd = NULL;
        q->nfd = 0;
    } else if ((q = calloc(1, sizeof *q)) != NULL) {
        q->epfd = epfd;
        q->next = queues;
        queues = q;
    }
    pthread_mutex_unlock(&lock);
    if (!q) {
        close(epfd);
        errno = ENOMEM;
        return -1;
    }
    return epfd;
}

/* The bookkeeping of fd, the table grown to hold it; NULL when out of memory. */
static fd_state *state_of(queue *q, int fd) {
    if (fd >= q->nfd) {
        int n = q->nfd ? q->nfd : 64;
        while (n <= fd) n = n > INT_MAX / 2 ? INT_MAX : n * 2;
        fd_state *grown = realloc(q->fd, (size_t)n * sizeof *grown);
        if (!grown) return NULL;
        memset(grown + q->nfd, 0, (size_t)(n - q->nfd) * sizeof *grown);
        q->fd = grown;
        q->nfd = n;
    }
    return &q->fd[fd];
}

/* The fd was closed: its filters went with it. `gen` is kept, so that an epoll registration
 * left over from the old file (a dup elsewhere) never matches a new one. */
static void forget_filters(fd_state *s) {
    s->read = (filter_state){0};
    s->write = (filter_state){0};
    s->in_epoll = false;
}

static uint32_t epoll_interest(const fd_state *s) {
    uint32_t events = 0;
    /* EPOLLRDHUP tells the peer's FIN apart from plain data: the read filter's EV_EOF. */
    if (s->read.added && s->read.enabled) events |= EPOLLIN | EPOLLRDHUP;
    if (s->write.added && s->write.enabled) events |= EPOLLOUT;
    return events;
}

/* Makes epoll watch what the filters of fd want. Returns 0 or an errno. */
static int sync_epoll(queue *q, int fd, fd_state *s) {
    uint32_t events = epoll_interest(s);
    if (events == 0) {
        /* Leave the set rather than stay with no events: epoll would still report hang-ups. A
         * failure means the file is gone from the set already. */
        if (s->in_epoll) (void)epoll_ctl(q->epfd, EPOLL_CTL_DEL, fd, NULL);
        s->in_epoll = false;
        return 0;
    }
    struct epoll_event ev = {.events = events};
    if (s->in_epoll) {
        ev.data.u64 = (uint64_t)s->gen << 32 | (uint32_t)fd;
        if (epoll_ctl(q->epfd, EPOLL_CTL_MOD, fd, &ev) == 0) return 0;
        if (errno != ENOENT) return errno;
        /* Closed and reopened onto the same file: the registration went with the close. */
    }
    s->gen++;
    ev.data.u64 = (uint64_t)s->gen << 32 | (uint32_t)fd;
    if (epoll_ctl(q->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) return errno;
    s->in_epoll = true;
    return 0;
}

/* Applies one entry of a changelist, as kqueue(2) describes. Returns 0 or an errno. */
static int apply_change(queue *q, const struct kevent *change) {
    if (change->filter != EVFILT_READ && change->filter != EVFILT_WRITE) return EINVAL;
    if (change->flags & ~(EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_ONESHOT)) return EINVAL;
    if (change->ident > INT_MAX) return EBADF;
    int fd = (int)change->ident;
    struct stat file;
    if (fstat(fd, &file) != 0) {
        /* Not open (EBADF). If it was, its filters are gone with it. */
        if (fd < q->nfd) forget_filters(&q->fd[fd]);
        return errno;
    }
    fd_state *s = state_of(q, fd);
    if (!s) return ENOMEM;
    bool had_filters = s->read.added || s->write.added;
    if (had_filters && (s->dev != file.st_dev || s->ino != file.st_ino)) {
        forget_filters(s); /* the number was closed and now names another file */
        had_filters = false;
    }
    filter_state *f = change->filter == EVFILT_READ ? &s->read : &s->write;
    if (!f->added && !(change->flags & EV_ADD)) return ENOENT;
    const fd_state before = *s;
    if (change->flags & EV_DELETE) {
        *f = (filter_state){0};
    } else {
        if (change->flags & EV_ADD) {
            /* Adding again changes the pair in place (udata, EV_ONESHOT); adding enables it. */
            f->added = true;
            f->enabled = true;
            f->oneshot = (change->flags & EV_ONESHOT) != 0;
            f->udata = change->udata;
        }
        if (change->flags & EV_ENABLE) f->enabled = true;
        if (change->flags & EV_DISABLE) f->enabled = false;
    }
    if (!had_filters) {
        s->dev = file.st_dev;
        s->ino = file.st_ino;
    }
    int err = sync_epoll(q, fd, s);
    if (err) *s = before; /* e.g. EPERM: a regular file, which epoll cannot watch */
    return err;
}

/* Bytes waiting to be read: the read filter's `data`. 0 where FIONREAD has no answer (a
 * listening socket: kqueue would give the backlog's length). */
static intptr_t bytes_waiting(int fd) {
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) != 0) n = 0;
    return n;
}

/*
 * Turns one epoll event into kevents (at most `room`); returns how many. Called with the lock
 * held, after epoll_wait returned without it: the filters may have changed in between, so they
 * are asked again, and an event of a registration that has since been replaced is dropped.
 */
static int translate(queue *q, const struct epoll_event *ev, struct kevent *out, int room) {
    int fd = (int)(uint32_t)ev->data.u64;
    uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
    if (fd >= q->nfd) return 0;
    fd_state *s = &q->fd[fd];
    if (!s->in_epoll || s->gen != gen) return 0;
    uint32_t e = ev->events;
    int n = 0;
    bool fired_oneshot = false;
    /* The read filter fires for data, the peer's FIN, a hang-up or an error; EV_EOF when the peer
     * will send nothing more (kqueue sets it while data may still wait: `data` says how much). */
    if (n < room && s->read.added && s->read.enabled && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        unsigned short flags = (s->read.oneshot ? EV_ONESHOT : 0) | ((e & (EPOLLRDHUP | EPOLLHUP)) ? EV_EOF : 0);
        out[n++] = (struct kevent){.ident = (uintptr_t)fd, .filter = EVFILT_READ, .flags = flags, .data = bytes_waiting(fd), .udata = s->read.udata};
        if (s->read.oneshot) {
            s->read = (filter_state){0};
            fired_oneshot = true;
        }
    }
    /* The write filter fires for room to write, and with EV_EOF when nothing can be sent any
     * more: a hang-up or an error. A peer's FIN alone does not end our sending: no EV_EOF. */
    if (n < room && s->write.added && s->write.enabled && (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
        unsigned short flags = (s->write.oneshot ? EV_ONESHOT : 0) | ((e & (EPOLLHUP | EPOLLERR)) ? EV_EOF : 0);
        out[n++] = (struct kevent){.ident = (uintptr_t)fd, .filter = EVFILT_WRITE, .flags = flags, .data = 0, .udata = s->write.udata};
        if (s->write.oneshot) {
            s->write = (filter_state){0};
            fired_oneshot = true;
        }
    }
    /* Removing interest never fails in a way that matters: a DEL of a gone file is a no-op. */
    if (fired_oneshot) (void)sync_epoll(q, fd, s);
    return n;
}

/* Milliseconds from now until `deadline` (CLOCK_MONOTONIC), rounded up; 0 once it has passed. */
static int ms_until(const struct timespec *deadline) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ns = (long long)(deadline->tv_sec - now.tv_sec) * 1000000000LL + (deadline->tv_nsec - now.tv_nsec);
    if (ns <= 0) return 0;
    long long ms = (ns + 999999) / 1000000;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* The waiting half of kevent(): a NULL timeout blocks, a zero one polls. */
static int wait_events(queue *q, struct kevent *out, int nevents, const struct timespec *timeout) {
    struct timespec deadline = {0};
    if (timeout) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        /* Capped at about 30 years, so that the sum cannot overflow. */
        deadline.tv_sec += timeout->tv_sec < 1000000000 ? timeout->tv_sec : 1000000000;
        deadline.tv_nsec += timeout->tv_nsec;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    struct epoll_event ready[64];
    int max = nevents < 64 ? nevents : 64;
    for (;;) {
        int ms = timeout ? ms_until(&deadline) : -1;
        int n = epoll_wait(q->epfd, ready, max, ms);
        if (n < 0) return -1; /* EINTR: kevent is interrupted by a signal too */
        int got = 0;
        pthread_mutex_lock(&lock);
        for (int i = 0; i < n && got < nevents; i++) got += translate(q, &ready[i], out + got, nevents - got);
        pthread_mutex_unlock(&lock);
        /* Nothing left after translation (a filter deleted or disabled meanwhile): unlike epoll,
         * kevent does not return empty-handed before its timeout, so wait again. */
        if (got > 0 || ms == 0) return got;
    }
}

int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents,
           const struct timespec *timeout) {
    if (nchanges < 0 || nevents < 0 || (nchanges > 0 && !changelist) || (nevents > 0 && !eventlist) ||
        (timeout && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L))) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&lock);
    queue *q = find_queue(kq);
    if (!q) {
        pthread_mutex_unlock(&lock);
        errno = EBADF;
        return -1;
    }
    /* Changes apply in order. One that fails becomes an EV_ERROR entry (data = errno) while the
     * eventlist has room, and the rest still apply; with no room left, kevent fails with that
     * errno and the rest are not applied. The eventlist may be the changelist itself: entry i
     * is read before entry i is written, since errors <= i. */
    int errors = 0;
    for (int i = 0; i < nchanges; i++) {
        struct kevent change = changelist[i];
        int err = apply_change(q, &change);
        if (err == 0) continue;
        if (errors == nevents) {
            pthread_mutex_unlock(&lock);
            errno = err;
            return -1;
        }
        change.flags = EV_ERROR;
        change.data = err;
        eventlist[errors++] = change;
    }
    pthread_mutex_unlock(&lock);
    /* With errors to report, kevent returns them without waiting; with no room for events, it
     * only applied the changes and does not wait either, whatever the timeout. */
    if (errors > 0) return errors;
    if (nevents == 0) return 0;
    return wait_events(q, eventlist, nevents, timeout);
}
