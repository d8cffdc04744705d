# 05-select: no extra sources, flags or libraries.
STAGE_SRCS := main.c
