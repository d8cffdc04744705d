# 07-libuv: links the system libuv, found with pkg-config; skipped with a hint when missing.
STAGE_REQUIRES := pkg-config --exists libuv
STAGE_REQUIRES_HINT := libuv is missing: apt-get install libuv1-dev (Debian/Ubuntu), brew install libuv (macOS)
STAGE_CFLAGS := $(shell pkg-config --cflags libuv 2>/dev/null)
STAGE_LDLIBS := $(shell pkg-config --libs libuv 2>/dev/null)
