# 09-green-threads: the runtime (scheduler, parking I/O, stack switch) and the poller of this OS.
# BACKEND=kqueue takes netpoll_kqueue.c on Linux too (with KQUEUE_SHIM: see the Makefile);
# 08-ae's other BACKEND values change nothing here.
STAGE_SRCS := main.c scheduler.c gt_io.c context_switch.c
ifeq ($(BACKEND),kqueue)
STAGE_SRCS += netpoll_kqueue.c
else ifeq ($(OS_NAME),Linux)
STAGE_SRCS += netpoll_epoll.c
else
STAGE_SRCS += netpoll_kqueue.c
endif
