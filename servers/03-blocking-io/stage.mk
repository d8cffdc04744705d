# 03-blocking-io: no extra sources, flags or libraries.
STAGE_SRCS := main.c
