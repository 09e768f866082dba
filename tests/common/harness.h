/* Running helper programs from Criterion tests (HACKING.md, Adding a test).
 *
 * A helper runs with exactly the environment the test builds (never the
 * runner's: it carries BXFI_MAP and whatever CI set), with every signal at its
 * default and an empty mask, stdin from /dev/null unless given, and its
 * stdout and stderr captured.  A helper still running after the timeout is
 * killed with SIGKILL, so a hung helper fails its test instead of the suite. */
#ifndef SOCKSHIELD_TEST_HARNESS_H
#define SOCKSHIELD_TEST_HARNESS_H

#include <spawn.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ss_env {
    char *v[128];
    int n;
};

struct ss_run {
    int status;         /* as from waitpid */
    bool timed_out;
    char *out, *err;    /* NUL-terminated, malloc'ed */
    size_t out_len, err_len;
    double seconds;     /* wall time from spawn to exit */
};

/* Built-file locations, from the variables the Makefile exports. */
const char *ss_lib(void);                /* absolute path of libsockshield.so */
const char *ss_fault_lib(void);          /* the test-only fault preload */
const char *ss_helper(const char *name); /* tests/helpers/<name> in the build tree */
const char *ss_launcher(void);           /* tools/sockshield in the build tree */
const char *ss_tmpdir(void);             /* a fresh private directory per process */
/* Removes ss_tmpdir() and everything in it (a suite's .fini). */
void ss_tmpdir_remove(void);
/* Whether this is a sanitizer build (configure --enable-sanitizers). */
bool ss_sanitizers(void);
/* "" normally; "<ASan runtime>:" in a sanitizer build, what every
 * LD_PRELOAD the harness builds starts with. */
const char *ss_preload_prefix(void);

/* PATH and LANG=C only; with preload, LD_PRELOAD=<ss_lib()>.
 * In a sanitizer build also ASAN_OPTIONS and UBSAN_OPTIONS for
 * the helpers, and the ASan runtime in LD_PRELOAD even without preload. */
void ss_env_init(struct ss_env *e, bool preload);
/* Adds or replaces NAME=VALUE (printf-style).  In a sanitizer build an
 * LD_PRELOAD value gets ss_preload_prefix() in front. */
void ss_env_set(struct ss_env *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ss_env_unset(struct ss_env *e, const char *name);
void ss_env_free(struct ss_env *e);

/* Spawn attributes that give the child every signal at its default and an
 * empty mask, plus `flags` (POSIX_SPAWN_SETPGROUP, ...): the test runner
 * inherits make's and CI's dispositions and mask, and "dies of SIGPIPE
 * bare" must not pass or fail by accident. */
void ss_spawnattr_clean(posix_spawnattr_t *at, short flags);

/* Runs argv (argv[0] a path) with env; stdin_fd < 0 means /dev/null.
 * Fails the current test (cr_assert) when the spawn itself fails.  Skips
 * it, saying why, when the library is preloaded into a program (argv[0],
 * its "#!" interpreter, or a command after "--") or next to a library
 * built for another machine: the third-party programs of a cross build's
 * emulated test run (CI's aarch64 leg) cannot load it. */
void ss_run(struct ss_run *r, const char *const argv[], struct ss_env *e,
            int stdin_fd, double timeout_seconds);
/* That skip alone, for other ways of starting argv with env. */
void ss_skip_foreign(const char *const argv[], const struct ss_env *e);
void ss_run_free(struct ss_run *r);

/* Readable verdicts for assertions and failure messages. */
bool ss_exited(const struct ss_run *r, int code);
bool ss_signaled(const struct ss_run *r, int sig);
const char *ss_describe(const struct ss_run *r); /* "exit 1" / "signal 13" + stderr */

/* Reads a whole file (malloc'ed, NUL-terminated); NULL when missing. */
char *ss_slurp(const char *path, size_t *len);
/* Number of non-overlapping occurrences of needle in hay. */
int ss_count(const char *hay, const char *needle);

#endif
