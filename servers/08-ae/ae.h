/*
 * ae: a small event loop in the style of the one inside Redis, written for this lesson.
 *
 * One thread, one loop. The loop owns a table of file events (indexed by fd: what to call when
 * the fd is readable or writable) and a list of time events (what to call when a deadline
 * passes). ae_process_events asks the backend (epoll, kqueue or select, chosen at compile time
 * in ae.c) which fds are ready; the backend writes them into `fired`, and the loop calls the
 * registered procedures one after another. Nothing runs in parallel: a procedure that takes a
 * second freezes every other client for that second. That is the lesson of this stage.
 */
#ifndef AE_H
#define AE_H

#define AE_OK 0
#define AE_ERR (-1)

/* File event masks. */
#define AE_NONE 0
#define AE_READABLE 1
#define AE_WRITABLE 2

/* Flags of ae_process_events. */
#define AE_FILE_EVENTS 1
#define AE_TIME_EVENTS 2
#define AE_ALL_EVENTS (AE_FILE_EVENTS | AE_TIME_EVENTS)
#define AE_DONT_WAIT 4          /* poll without sleeping */
#define AE_CALL_BEFORE_SLEEP 8  /* run the before-sleep hook right before the backend sleeps */

/* What a time procedure returns to say "do not call me again". */
#define AE_NOMORE (-1)

typedef struct ae_loop ae_loop;

/* Called when fd is ready; mask says which of AE_READABLE / AE_WRITABLE fired. */
typedef void ae_file_proc(ae_loop *loop, int fd, void *data, int mask);
/*
 * Called when a time event is due. late_ms says how long after its deadline it actually ran
 * (a busy loop makes timers late). Returns the next interval in ms, or AE_NOMORE.
 */
typedef int ae_time_proc(ae_loop *loop, long long id, long long late_ms, void *data);
typedef void ae_before_sleep_proc(ae_loop *loop);

typedef struct ae_file_event {
    int mask; /* AE_READABLE | AE_WRITABLE, or AE_NONE for a free slot */
    ae_file_proc *on_readable;
    ae_file_proc *on_writable;
    void *data;
} ae_file_event;

/* One entry per ready fd, written by the backend's poll, read by ae_process_events. */
typedef struct ae_fired_event {
    int fd;
    int mask;
} ae_fired_event;

typedef struct ae_time_event {
    long long id;       /* -1 once deleted; the node is freed on the next pass */
    long long when_ms;  /* monotonic deadline */
    ae_time_proc *proc;
    void *data;
    struct ae_time_event *next;
} ae_time_event;

struct ae_loop {
    int setsize;             /* file events are indexed by fd, so fds must be < setsize */
    int maxfd;               /* highest registered fd, -1 if none (select needs it) */
    int registered;          /* how many fds have a non-empty mask */
    ae_file_event *events;   /* [setsize] */
    ae_fired_event *fired;   /* [setsize] */
    ae_time_event *timers;
    long long next_timer_id;
    int stop;
    ae_before_sleep_proc *before_sleep;
    void *backend;           /* the backend's own state (epoll fd, kqueue fd, fd_sets) */
};

/* setsize is capped by what the backend can watch (FD_SETSIZE for select). NULL on failure. */
ae_loop *ae_create_loop(int setsize);
void ae_delete_loop(ae_loop *loop);

/* Adds mask to fd's interest. AE_ERR (errno = ERANGE) if fd >= setsize. */
int ae_create_file_event(ae_loop *loop, int fd, int mask, ae_file_proc *proc, void *data);
void ae_delete_file_event(ae_loop *loop, int fd, int mask);
int ae_get_file_events(const ae_loop *loop, int fd);

/* Returns the new time event's id, or AE_ERR. */
long long ae_create_time_event(ae_loop *loop, long long ms, ae_time_proc *proc, void *data);
int ae_delete_time_event(ae_loop *loop, long long id);

void ae_set_before_sleep(ae_loop *loop, ae_before_sleep_proc *proc);

/* One turn: wait (unless AE_DONT_WAIT), run fired file events, then due time events. */
int ae_process_events(ae_loop *loop, int flags);
void ae_main(ae_loop *loop);
void ae_stop(ae_loop *loop);

/* "epoll", "kqueue" or "select": which backend this build uses. */
const char *ae_backend_name(void);
/* The wait call the backend sleeps in, for the log and the trace: "epoll_wait", ... */
const char *ae_backend_wait_call(void);

#endif
