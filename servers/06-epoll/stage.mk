# 06-epoll: the same readiness moves with each OS's kernel API, one file each: epoll.c on Linux,
# kqueue.c elsewhere. BACKEND=kqueue takes kqueue.c on Linux too (with KQUEUE_SHIM: see the
# Makefile); 08-ae's other BACKEND values change nothing here.
STAGE_SRCS := main.c
ifeq ($(BACKEND),kqueue)
STAGE_SRCS += kqueue.c
else ifeq ($(OS_NAME),Linux)
STAGE_SRCS += epoll.c
else
STAGE_SRCS += kqueue.c
endif
