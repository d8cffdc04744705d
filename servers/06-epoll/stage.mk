# 06-epoll: the same readiness moves with each OS's kernel API, one file each.
STAGE_SRCS := main.c
ifeq ($(OS_NAME),Linux)
STAGE_SRCS += epoll.c
else
STAGE_SRCS += kqueue.c
endif
