# 08-ae: the ae library and the server on top of it. ae.c picks its backend at compile time
# (epoll, else kqueue, else select); BACKEND=epoll|kqueue|select forces one, e.g.
#   make -C servers 08-ae BACKEND=select BUILD_DIR=build-select
# Use a separate BUILD_DIR per backend: make does not rebuild ae.o when only a flag changes.
# BACKEND=kqueue on Linux also needs KQUEUE_SHIM (see the Makefile), which builds into
# $(BUILD_DIR)/kqueue-shim/ by itself.
STAGE_SRCS := main.c ae.c
ifneq ($(BACKEND),)
ifeq ($(filter $(BACKEND),epoll kqueue select),)
$(error BACKEND must be epoll, kqueue or select, not '$(BACKEND)')
endif
STAGE_CFLAGS := -DAE_BACKEND_$(shell echo $(BACKEND) | tr a-z A-Z)
endif
