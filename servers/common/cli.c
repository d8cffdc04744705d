#include "common/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static const char *program_name(const char *argv0) {
    const char *slash = strrchr(argv0, '/');
    return slash ? slash + 1 : argv0;
}

static void print_help(const char *prog, const char *summary, const cli_flag *flags, size_t nflags) {
    printf("usage: %s [--host ADDR] [--port N] [--quiet]", prog);
    for (size_t i = 0; i < nflags; i++)
        printf(flags[i].kind == CLI_SWITCH ? " [%s]" : flags[i].kind == CLI_INT ? " [%s N]" : " [%s VALUE]", flags[i].name);
    printf("\n%s\n\n", summary);
    printf("  --host ADDR  address to listen on (default 127.0.0.1)\n");
    printf("  --port N     TCP port (default 8080; 0 picks a free one, printed on the 'listening on' line)\n");
    printf("  --quiet      print only the 'listening on' line and errors\n");
    for (size_t i = 0; i < nflags; i++) {
        const cli_flag *f = &flags[i];
        switch (f->kind) {
        case CLI_INT:
            printf("  %s N  %s (default %ld, %ld..%ld)\n", f->name, f->help, *(long *)f->value, f->min, f->max);
            break;
        case CLI_SWITCH:
            printf("  %s  %s\n", f->name, f->help);
            break;
        case CLI_TEXT:
            printf("  %s VALUE  %s (default %s)\n", f->name, f->help, *(const char **)f->value);
            break;
        }
    }
    printf("  --help       this text\n\nSERVER_MODELS_TRACE=PATH writes trace events to PATH (a Unix socket or a file).\n");
}

static _Noreturn void usage_error(const char *prog, const char *what, const char *arg) {
    fprintf(stderr, "%s: %s: %s (try --help)\n", prog, what, arg);
    exit(2);
}

static long parse_long(const char *prog, const char *name, const char *text, long min, long max) {
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "%s: %s wants a whole number in %ld..%ld, got '%s'\n", prog, name, min, max, text);
        exit(2);
    }
    return v;
}

/* Accepts both "--name value" and "--name=value". Returns the value, or NULL if `arg` is not `name`. */
static const char *flag_value(const char *name, int argc, char **argv, int *i, bool wants_value) {
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return NULL;
    if (arg[n] == '=' && wants_value) return arg + n + 1;
    if (arg[n] != '\0') return NULL;
    if (!wants_value) return arg;
    if (*i + 1 >= argc) usage_error(program_name(argv[0]), "missing value for", name);
    return argv[++*i];
}

server_config cli_parse(int argc, char **argv, const char *summary, const cli_flag *flags, size_t nflags) {
    const char *prog = program_name(argv[0]);
    server_config cfg = { "127.0.0.1", 8080 };
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help(prog, summary, flags, nflags);
            exit(0);
        }
        if (flag_value("--quiet", argc, argv, &i, false)) { log_set_quiet(true); continue; }
        if ((v = flag_value("--host", argc, argv, &i, true))) { cfg.host = v; continue; }
        if ((v = flag_value("--port", argc, argv, &i, true))) { cfg.port = (int)parse_long(prog, "--port", v, 0, 65535); continue; }
        bool matched = false;
        for (size_t f = 0; f < nflags && !matched; f++) {
            const cli_flag *flag = &flags[f];
            v = flag_value(flag->name, argc, argv, &i, flag->kind != CLI_SWITCH);
            if (!v) continue;
            matched = true;
            if (flag->kind == CLI_INT) *(long *)flag->value = parse_long(prog, flag->name, v, flag->min, flag->max);
            else if (flag->kind == CLI_SWITCH) *(bool *)flag->value = true;
            else *(const char **)flag->value = v;
        }
        if (!matched) usage_error(prog, "unknown argument", argv[i]);
    }
    return cfg;
}
