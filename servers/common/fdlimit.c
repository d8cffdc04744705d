#include "common/fdlimit.h"

#include <limits.h>
#include <sys/resource.h>

#if defined(__APPLE__)
#include <sys/syslimits.h> /* OPEN_MAX */
#endif

long raise_fd_limit(void) {
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return -1;
    rlim_t want = lim.rlim_max;
#if defined(__APPLE__)
    /* macOS reports an unlimited hard limit but refuses a soft limit above OPEN_MAX. */
    if (want == RLIM_INFINITY || want > OPEN_MAX) want = OPEN_MAX;
#endif
    if (want == RLIM_INFINITY) want = 1 << 20; /* keep per-fd tables indexed by fd reasonable */
    if (lim.rlim_cur < want) {
        struct rlimit raised = {want, lim.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim.rlim_cur = want;
    }
    return lim.rlim_cur == RLIM_INFINITY ? LONG_MAX : (long)lim.rlim_cur;
}
