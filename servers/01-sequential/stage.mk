# 01-sequential: no extra sources, flags or libraries.
STAGE_SRCS := main.c
