/*
 * Refusing a client at a limit (02 past --max-threads) so that it learns why: instead of the '*'
 * it gets one line of text, then the close. A client reads a first line that is not '*',
 * followed by the close, as a refusal in the server's words (src/core/protocol.ts,
 * RefusalReader), not as a broken reply.
 */
#ifndef COMMON_REFUSE_H
#define COMMON_REFUSE_H

/* Writes the line (printf-style, the newline is added) to a client that has not been sent
 * anything yet, without ever blocking. The caller closes fd. */
void send_refusal(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
