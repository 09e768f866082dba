/* SOCKSHIELD_* environment variables parsed into one struct (sockshield(1),
 * ENVIRONMENT).
 *
 * Pure code: no preload state, no allocation, no stdio.  The parser reads the
 * environment through a caller-supplied getter (the library passes
 * secure_getenv, unit tests pass a table) and reports each bad value through
 * a caller-supplied warning sink as one complete line.  It is linked both into
 * libsockshield.so and into the unit tests. */
#ifndef SOCKSHIELD_CONFIG_H
#define SOCKSHIELD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "fmt.h"

/* The variable names: the one place they are spelled. */
#define SOCKSHIELD_ENV_SIGPIPE    "SOCKSHIELD_SIGPIPE"
#define SOCKSHIELD_ENV_PIPELINE   "SOCKSHIELD_PIPELINE"
#define SOCKSHIELD_ENV_RESTART    "SOCKSHIELD_RESTART"
#define SOCKSHIELD_ENV_NORESTART  "SOCKSHIELD_NORESTART"
#define SOCKSHIELD_ENV_SIGNAL     "SOCKSHIELD_SIGNAL"
#define SOCKSHIELD_ENV_REAP       "SOCKSHIELD_REAP"
#define SOCKSHIELD_ENV_RUNTIMES   "SOCKSHIELD_RUNTIMES"
#define SOCKSHIELD_ENV_EVENTS     "SOCKSHIELD_EVENTS"
#define SOCKSHIELD_ENV_LOG        "SOCKSHIELD_LOG"
#define SOCKSHIELD_ENV_LOG_FORMAT "SOCKSHIELD_LOG_FORMAT"
#define SOCKSHIELD_ENV_LOG_RATE   "SOCKSHIELD_LOG_RATE"
#define SOCKSHIELD_ENV_SUMMARY    "SOCKSHIELD_SUMMARY"
#define SOCKSHIELD_ENV_INHERIT    "SOCKSHIELD_INHERIT"
/* Set by the launcher next to its `trap '' PIPE`: the inherited SIG_IGN of
 * SIGPIPE is the launcher's, the program's own view is SIG_DFL.  Internal,
 * removed from the environment by the library at load. */
#define SOCKSHIELD_ENV_LAUNCHER   "SOCKSHIELD_LAUNCHER_SIGPIPE"

enum sockshield_sigpipe_mode {
    SOCKSHIELD_SIGPIPE_CATCH = 0,
    SOCKSHIELD_SIGPIPE_IGNORE,
    SOCKSHIELD_SIGPIPE_OFF,
};

enum sockshield_log_kind {
    SOCKSHIELD_LOG_STDERR = 0,
    SOCKSHIELD_LOG_FILE,
    SOCKSHIELD_LOG_SYSLOG,      /* log_path holds the socket, "/dev/log" by default */
    SOCKSHIELD_LOG_NONE,
    SOCKSHIELD_LOG_JOURNAL,     /* log_path holds journald's native socket (src/core/journal.h) */
};

#define SOCKSHIELD_PATH_MAX 1024

/* A set of signals 1..64: bit (n - 1) is signal n. */
typedef uint64_t sockshield_sigset;
#define SOCKSHIELD_SIGBIT(n) ((sockshield_sigset)1 << ((n) - 1))

struct sockshield_config {
    enum sockshield_sigpipe_mode sigpipe;
    bool pipeline_end;                  /* SOCKSHIELD_PIPELINE=end */
    bool restart;
    sockshield_sigset norestart;
    bool signal_persistent;
    bool reap;
    bool runtimes;                      /* auto: runtimes' handlers get their EINTR */
    unsigned events;                    /* SOCKSHIELD_EV_BIT set */
    enum sockshield_log_kind log;
    char log_path[SOCKSHIELD_PATH_MAX]; /* file path (with %p), syslog or journal socket */
    enum sockshield_log_format log_format;
    unsigned log_rate;                  /* lines per second per kind, 0 = unlimited */
    bool summary;
    bool inherit;
};

/* Reads one variable; returns NULL when unset. */
typedef const char *(*sockshield_getenv_fn)(const char *name);
/* Receives one warning line, newline-terminated, at most 512 bytes. */
typedef void (*sockshield_warn_fn)(void *ctx, const char *line, size_t len);

/* Fills *cfg with the defaults (the fallbacks of config.c's table, checked
 * against them by tests/unit/test_config.c). */
void sockshield_config_defaults(struct sockshield_config *cfg);

/* Defaults, then every SOCKSHIELD_* variable that is set.  A bad value gives
 * exactly one warning naming the variable, the (shortened, escaped) value
 * and what is accepted, and leaves that field at its default.  Returns the
 * number of warnings. */
int sockshield_config_load(struct sockshield_config *cfg,
                           sockshield_getenv_fn get,
                           sockshield_warn_fn warn, void *warn_ctx);

/* One entry of the environment ("NAME=value"): when NAME starts with
 * SOCKSHIELD_ and is none of the variables (a typo, SOCKSHIELD_FORMAT for
 * SOCKSHIELD_LOG_FORMAT), and get(NAME) finds it, one warning naming it and
 * the variables there are.  Names longer than 64 bytes, the launcher's
 * marker and the test preload's variables are passed over.  Returns the
 * number of warnings (0 or 1). */
int sockshield_config_unknown(const char *entry, sockshield_getenv_fn get,
                              sockshield_warn_fn warn, void *warn_ctx);

/* The variables in the order they are read and warned about: the i-th's
 * name, what its warning says is accepted, and its default as a user would
 * spell it.  False past the last.  The launcher's --help, the man pages and
 * their test (tests/integ/test_manpage.c) are checked against these. */
bool sockshield_config_variable(unsigned i, const char **name, const char **accepted,
                                const char **fallback);

/* Signal name without "SIG" ("PIPE"), or NULL for numbers without one. */
const char *sockshield_signal_name(int sig);

#endif
