#include "common/sendbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/net.h"

void sendbuf_init(send_buffer *b) { memset(b, 0, sizeof *b); }

void sendbuf_free(send_buffer *b) {
    free(b->data);
    sendbuf_init(b);
}

size_t sendbuf_pending(const send_buffer *b) { return b->tail - b->head; }

bool sendbuf_over_high_water(const send_buffer *b) { return sendbuf_pending(b) >= SENDBUF_HIGH_WATER; }

bool sendbuf_append(send_buffer *b, const void *bytes, size_t len) {
    if (len == 0) return true;
    if (b->tail + len > b->cap && b->head > 0) {
        memmove(b->data, b->data + b->head, b->tail - b->head);
        b->tail -= b->head;
        b->head = 0;
    }
    if (b->tail + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->tail + len) cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown) return false;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->tail, bytes, len);
    b->tail += len;
    return true;
}

send_result sendbuf_flush(send_buffer *b, int fd, size_t *sent) {
    size_t total = 0;
    send_result result = SEND_DONE;
    while (b->head < b->tail) {
        ssize_t n = send(fd, b->data + b->head, b->tail - b->head, SEND_FLAGS);
        if (n < 0) {
            if (errno == EINTR) continue;
            result = (errno == EAGAIN || errno == EWOULDBLOCK) ? SEND_PENDING : SEND_FAILED;
            break;
        }
        b->head += (size_t)n;
        total += (size_t)n;
    }
    if (b->head == b->tail) b->head = b->tail = 0;
    if (sent) *sent = total;
    return result;
}
