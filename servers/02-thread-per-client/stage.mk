# 02-thread-per-client: no extra sources, flags or libraries.
STAGE_SRCS := main.c
