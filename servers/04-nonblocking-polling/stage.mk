# 04-nonblocking-polling: no extra sources, flags or libraries.
STAGE_SRCS := main.c
