/*
 * The command line every stage shares: --host, --port, --quiet, --help, plus the stage's own
 * knobs, declared as a table so that --help lists them and the parsing stays out of main.c.
 */
#ifndef COMMON_CLI_H
#define COMMON_CLI_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *host; /* --host, default 127.0.0.1 */
    int port;         /* --port, default 8080; 0 asks the kernel for any free port */
} server_config;

typedef enum { CLI_INT, CLI_SWITCH, CLI_TEXT } cli_kind;

/* One stage-specific flag. `value` points at a long (CLI_INT), bool (CLI_SWITCH) or const char *
 * (CLI_TEXT) that already holds the default. */
typedef struct {
    const char *name; /* "--poll-interval-ms" */
    cli_kind kind;
    void *value;
    long min, max; /* accepted range, CLI_INT only */
    const char *help;
} cli_flag;

#define CLI_INT_FLAG(name, ptr, min, max, help) { (name), CLI_INT, (ptr), (min), (max), (help) }
#define CLI_SWITCH_FLAG(name, ptr, help) { (name), CLI_SWITCH, (ptr), 0, 0, (help) }
#define CLI_TEXT_FLAG(name, ptr, help) { (name), CLI_TEXT, (ptr), 0, 0, (help) }
#define CLI_FLAG_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* Parses argv or exits: 0 after --help, 2 on a bad flag (with a message on stderr). `summary` is
 * the one-line description --help prints under the stage's name. --quiet silences log_event(). */
server_config cli_parse(int argc, char **argv, const char *summary, const cli_flag *flags, size_t nflags);

#endif
