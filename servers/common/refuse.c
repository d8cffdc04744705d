#include "common/refuse.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/net.h"

/* Short enough for one segment; a reader gives up on a longer "line" (see protocol.ts). */
#define REFUSAL_MAX 200

void send_refusal(int fd, const char *fmt, ...) {
    char line[REFUSAL_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof line - 2) n = (int)sizeof line - 2; /* cut, but still one line */
    line[n++] = '\n';
    /* The thread that refuses is the one that accepts: it must not wait for this client. A fresh
     * socket's send buffer is empty, so the line goes out whole; if not, the client still sees
     * the close. */
    (void)send(fd, line, (size_t)n, SEND_FLAGS | MSG_DONTWAIT);
    /* What the client sent already is read and dropped: close() on a socket with unread bytes
     * sends a reset instead of a FIN, and a reset can make the client's kernel discard the line
     * before the client reads it. Bounded, and bytes still to come are not waited for. */
    char drop[4096];
    for (int i = 0; i < 16 && recv(fd, drop, sizeof drop, MSG_DONTWAIT) > 0; i++) {
    }
}
