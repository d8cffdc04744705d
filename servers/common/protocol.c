#include "common/protocol.h"

#include <string.h>

enum { OUTSIDE, IN_FRAME, WORK };

#define MAX_WORK_NUMBER ((uint64_t)INT64_MAX)

void protocol_init(protocol_parser *p) { memset(p, 0, sizeof *p); }

protocol_step protocol_feed(protocol_parser *p, const uint8_t *in, size_t len, uint8_t *out) {
    protocol_step step = { 0, 0, false, 0 };
    size_t i = 0;
    while (i < len) {
        uint8_t byte = in[i];
        switch (p->state) {
        case OUTSIDE:
            if (byte == '^') p->state = IN_FRAME;
            else if (byte == '!') { p->state = WORK; p->digits = 0; p->number = 0; }
            i++;
            break;
        case IN_FRAME:
            if (byte == '$') p->state = OUTSIDE;
            else out[step.produced++] = (uint8_t)(byte + 1);
            i++;
            break;
        case WORK:
            if (byte >= '0' && byte <= '9' && p->digits < PROTOCOL_MAX_DIGITS) {
                /* 19 digits stay below 10^19 < 2^64: no overflow before the range check. */
                p->number = p->number * 10 + (uint64_t)(byte - '0');
                p->digits++;
                i++;
                break;
            }
            p->state = OUTSIDE;
            if (byte == '$' && p->digits > 0) {
                i++;
                if (p->number <= MAX_WORK_NUMBER) {
                    step.consumed = i;
                    step.work = true;
                    step.number = p->number;
                    return step;
                }
            }
            /* Otherwise a malformed request: the same byte is read again, outside a frame. */
            break;
        }
    }
    step.consumed = i;
    return step;
}

const char *protocol_work_reply(bool prime) { return prime ? "prime\n" : "composite\n"; }
