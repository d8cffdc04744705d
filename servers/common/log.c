#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool quiet;

void log_set_quiet(bool q) { quiet = q; }
bool log_is_quiet(void) { return quiet; }

static void vline(const char *fmt, va_list ap) {
    /* flockfile keeps a line whole when several threads log at once (02, 07, 09). */
    flockfile(stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    funlockfile(stdout);
}

void log_event(const char *fmt, ...) {
    if (quiet) return;
    va_list ap;
    va_start(ap, fmt);
    vline(fmt, ap);
    va_end(ap);
}

void log_always(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vline(fmt, ap);
    va_end(ap);
}

void log_errno(const char *what) {
    int saved = errno;
    fprintf(stderr, "%s: %s\n", what, strerror(saved));
    fflush(stderr);
    errno = saved;
}
