# 09-green-threads: the runtime (scheduler, parking I/O, stack switch) and the poller of this OS.
STAGE_SRCS := main.c scheduler.c gt_io.c context_switch.c
ifeq ($(OS_NAME),Linux)
STAGE_SRCS += netpoll_epoll.c
else
STAGE_SRCS += netpoll_kqueue.c
endif
