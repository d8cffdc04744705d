#include "common/server.h"

#include <unistd.h>

#include "common/log.h"
#include "common/net.h"
#include "common/stop.h"
#include "common/trace.h"

int server_start(const server_config *cfg, const char *stage_id) {
    stop_on_signals();
    trace_open(stage_id);
    int listener = listen_on(cfg);
    stop_wakes(listener);
    return listener;
}

void server_finish(int listener) {
    stop_forget(listener);
    close(listener);
    log_always("stopped");
    trace_close();
}
