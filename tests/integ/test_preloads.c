/* Other preload libraries next to ours, in both orders in LD_PRELOAD:
 * jemalloc (an allocator), libfaketime (clocks and timers), socket_wrapper
 * (the socket and read/write family, in pass-through mode: no
 * SOCKET_WRAPPER_DIR), libeatmydata (open and the sync family).  With each,
 * the SIGPIPE helper still survives, the storm helper still moves every
 * byte, the thread helper still finishes; nothing hangs (every run is
 * bounded).
 *
 * One order has a known limit, asserted as such: socket_wrapper binds libc
 * itself (dlopen("libc.so.6") and dlsym on that handle), so when it comes
 * first its read, write and send call libc directly and never reach us.
 * SIGPIPE is still caught (that is a disposition, not a wrapper), but no
 * event is logged and EINTR is not resumed for those calls.  sockshield
 * must come before such a library.
 *
 * And a preload after ours whose `write` leads back to our wrapper
 * (tests/helpers/selfbind.c): refused at load, by name.
 *
 * The libraries come from Debian packages that tools/install-deps installs;
 * a missing one fails its test, naming the package. */
#include <criterion/criterion.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct other {
    const char *name;    /* as in test names and messages */
    const char *package; /* the Debian package with the library */
    const char *pattern; /* glob(3) patterns, tried in order */
    const char *pattern2;
    const char *env;     /* what it needs in the environment, or NULL */
    bool binds_libc;     /* calls libc itself: ahead of us it hides calls */
};

static const struct other others[] = {
    { "jemalloc", "libjemalloc2", "/usr/lib/*/libjemalloc.so.2", "/usr/lib*/libjemalloc.so.2",
      NULL, false },
    /* an offset, not a frozen clock: the storm's pauses watch the clock */
    { "libfaketime", "libfaketime", "/usr/lib/*/faketime/libfaketime.so.1",
      "/usr/lib*/faketime/libfaketime.so.1", "FAKETIME=-10d", false },
    { "socket_wrapper", "libsocket-wrapper", "/usr/lib/*/libsocket_wrapper.so",
      "/usr/lib*/libsocket_wrapper.so", NULL, true },
    { "libeatmydata", "libeatmydata1", "/usr/lib/*/libeatmydata.so.1",
      "/usr/lib*/libeatmydata.so.1", NULL, false },
};

static const struct other *find_other(const char *name)
{
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (!strcmp(others[i].name, name))
            return &others[i];
    cr_assert_fail("no such library in the table: %s", name);
    return NULL;
}

/* The library's path; fails the test, naming the package, if missing. */
static const char *library(const struct other *o)
{
    static char path[4096];
    const char *patterns[] = { o->pattern, o->pattern2 };
    for (int i = 0; i < 2; i++) {
        glob_t g;
        if (glob(patterns[i], 0, NULL, &g) == 0 && g.gl_pathc > 0) {
            snprintf(path, sizeof path, "%s", g.gl_pathv[0]);
            globfree(&g);
            return path;
        }
        globfree(&g);
    }
    cr_assert_fail("%s not found (%s): install the Debian package '%s' (tools/install-deps "
                   "does)",
                   o->name, o->pattern, o->package);
    return NULL;
}

enum order { OURS_FIRST, THEIRS_FIRST, THEIRS_ONLY };
static const char *const order_names[] = { "sockshield first", "sockshield second",
                                           "without sockshield" };

static void run(struct ss_run *r, const struct other *o, enum order order,
                const char *const argv[], const char *extra, double timeout)
{
    struct ss_env e;
    ss_env_init(&e, false);
    const char *lib = library(o);
    switch (order) {
    case OURS_FIRST: ss_env_set(&e, "LD_PRELOAD=%s:%s", ss_lib(), lib); break;
    case THEIRS_FIRST: ss_env_set(&e, "LD_PRELOAD=%s:%s", lib, ss_lib()); break;
    case THEIRS_ONLY: ss_env_set(&e, "LD_PRELOAD=%s", lib); break;
    }
    if (o->env)
        ss_env_set(&e, "%s", o->env);
    if (extra)
        ss_env_set(&e, "%s", extra);
    ss_run(r, argv, &e, -1, timeout);
    ss_env_free(&e);
}

static bool full(void)
{
    const char *s = getenv("SOCKSHIELD_STRESS");
    return s && !strcmp(s, "full");
}

/* The text after key up to a space or newline, in a static buffer. */
static const char *field(const char *text, const char *key)
{
    static char v[128];
    const char *p = strstr(text, key);
    v[0] = '\0';
    if (p) {
        p += strlen(key);
        snprintf(v, sizeof v, "%.*s", (int)strcspn(p, " \n"), p);
    }
    return v;
}

/* Both libraries are mapped, in the order asked: the positive control that
 * the other library is really there (ld.so only warns about a preload it
 * cannot load). */
static void expect_both_loaded(const struct other *o, enum order order)
{
    const char *argv[] = { "/bin/cat", "/proc/self/maps", NULL };
    struct ss_run r;
    run(&r, o, order, argv, NULL, 30);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    const char *ours = strstr(r.out, ss_lib()), *theirs = strstr(r.out, library(o));
    cr_assert(ours && theirs, "%s, %s: not both mapped: %s", o->name, order_names[order], r.out);
    ss_run_free(&r);
}

/* pipewriter on a pipe (after signal(SIGPIPE, SIG_DFL)) and on a socket:
 * exit 0 with EPIPE; the event logged unless a libc-binding library comes
 * first and hides the write. */
static void expect_sigpipe_shielded(const struct other *o, enum order order)
{
    static const char *const kinds[][2] = { { "pipe", "signal" }, { "socket", NULL } };
    for (int k = 0; k < 2; k++) {
        const char *argv[] = { ss_helper("pipewriter"), kinds[k][0], kinds[k][1], NULL };
        struct ss_run r;
        run(&r, o, order, argv, NULL, 30);
        cr_expect(ss_exited(&r, 0), "%s, %s, %s: %s", o->name, order_names[order], kinds[k][0],
                  ss_describe(&r));
        cr_expect(strstr(r.out, "result=-1 errno=Broken pipe"), "%s", ss_describe(&r));
        bool hidden = order == THEIRS_FIRST && o->binds_libc;
        cr_expect_eq(strstr(r.err, "event=epipe") != NULL, !hidden,
                     "%s, %s, %s: the event line %s: %s", o->name, order_names[order],
                     kinds[k][0], hidden ? "should be hidden (known limit)" : "is missing",
                     ss_describe(&r));
        ss_run_free(&r);
    }
}

/* The storm helper (a 10 kHz SIGUSR1 storm without SA_RESTART on both
 * sides of a transfer): every byte arrives, same checksum on both sides. */
static void expect_storm_survived(const struct other *o, enum order order)
{
    const char *mib = full() ? "64" : "8";
    const char *argv[] = { ss_helper("storm"), mib, NULL };
    struct ss_run r;
    run(&r, o, order, argv, "SOCKSHIELD_LOG=none", 120);
    cr_expect(ss_exited(&r, 0), "%s, %s: storm %s: %s", o->name, order_names[order], mib,
              ss_describe(&r));
    char bytes[32];
    snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)atoi(mib) << 20);
    const char *reader = strstr(r.out, "reader:"), *writer = strstr(r.out, "writer:");
    cr_expect(reader && writer, "%s", ss_describe(&r));
    if (reader && writer) {
        cr_expect_str_eq(field(reader, "bytes="), bytes);
        char sum[32];
        snprintf(sum, sizeof sum, "%s", field(writer, "sum="));
        cr_expect_str_eq(field(reader, "sum="), sum, "%s", ss_describe(&r));
    }
    ss_run_free(&r);
}

/* The thread helper (16 threads of failing calls and a blocking exchange
 * under a storm whose handler makes failing calls too): no crash, no
 * hang, no EINTR, every message intact. */
static void expect_threads_survived(const struct other *o, enum order order)
{
    const char *argv[] = { ss_helper("threads"), "16", full() ? "50000" : "2000", NULL };
    struct ss_run r;
    run(&r, o, order, argv, "SOCKSHIELD_LOG=none", 120);
    cr_expect(ss_exited(&r, 0), "%s, %s: threads: %s", o->name, order_names[order],
              ss_describe(&r));
    cr_expect(strstr(r.out, "intact=yes"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

static void with(const char *name)
{
    const struct other *o = find_other(name);
    /* the control: their library alone does not shield anything */
    const char *argv[] = { ss_helper("pipewriter"), "pipe", NULL };
    struct ss_run r;
    run(&r, o, THEIRS_ONLY, argv, NULL, 30);
    cr_expect(ss_signaled(&r, 13), "%s alone: %s", name, ss_describe(&r));
    ss_run_free(&r);
    for (enum order order = OURS_FIRST; order <= THEIRS_FIRST; order++) {
        expect_both_loaded(o, order);
        expect_sigpipe_shielded(o, order);
        if (order == THEIRS_FIRST && o->binds_libc)
            continue; /* the storm's EINTRs would reach it: see the top */
        expect_storm_survived(o, order);
        expect_threads_survived(o, order);
    }
}

Test(preloads, jemalloc_in_either_order, .timeout = 600) { with("jemalloc"); }
/* With the ASan runtime preloaded, libfaketime deadlocks before main,
 * sockshield or not (LD_PRELOAD=libasan.so:libfaketime.so.1 cat alone
 * does): ASan's allocator calls clock_gettime while it holds a size
 * class's lock, libfaketime's clock_gettime first looks up its real
 * functions with dlsym, a failed lookup allocates its error message, and
 * that allocation waits for the same lock.  The normal build runs it. */
Test(preloads, libfaketime_in_either_order, .timeout = 600)
{
    if (ss_sanitizers())
        cr_skip_test("libfaketime deadlocks with the ASan runtime preloaded (clock_gettime "
                     "inside ASan's allocator)");
    with("libfaketime");
}
Test(preloads, socket_wrapper_in_either_order, .timeout = 600) { with("socket_wrapper"); }
Test(preloads, libeatmydata_in_either_order, .timeout = 600) { with("libeatmydata"); }

/* The known limit, measured: socket_wrapper first, the storm's EINTR
 * reaches the program (exit 4) because its read and write call libc
 * directly.  Long enough (64 MiB at 10 kHz) that the interruption is
 * certain; the run is bounded and must not hang or crash either way. */
Test(preloads, socket_wrapper_first_hides_reads_and_writes_from_sockshield, .timeout = 300)
{
    const struct other *o = find_other("socket_wrapper");
    const char *argv[] = { ss_helper("storm"), "64", NULL };
    struct ss_run r;
    run(&r, o, THEIRS_FIRST, argv, "SOCKSHIELD_LOG=none", 120);
    cr_expect(ss_exited(&r, 4), "expected EINTR to get through: %s", ss_describe(&r));
    cr_expect(strstr(r.out, "errno=EINTR"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* A preload after us whose `write` leads back to our wrapper
 * (tests/helpers/selfbind.c): the library refuses at load, naming the
 * call, rather than recursing until the stack runs out.  Alone, that
 * preload changes nothing. */
Test(preloads, a_next_write_that_is_our_own_is_refused_at_load, .timeout = 60)
{
    char selfbind[4096];
    snprintf(selfbind, sizeof selfbind, "%s/.libs/libssselfbind.so", getenv("SOCKSHIELD_TEST_HELPERS"));
    const char *argv[] = { ss_helper("tame"), NULL };
    struct ss_env e;
    struct ss_run r;

    ss_env_init(&e, false);
    ss_env_set(&e, "LD_PRELOAD=%s", selfbind);
    ss_run(&r, argv, &e, -1, 30);
    ss_env_free(&e);
    cr_expect(ss_exited(&r, 42), "alone: %s", ss_describe(&r));
    ss_run_free(&r);

    ss_env_init(&e, false);
    ss_env_set(&e, "LD_PRELOAD=%s:%s", ss_lib(), selfbind);
    ss_run(&r, argv, &e, -1, 30);
    ss_env_free(&e);
    cr_expect(ss_signaled(&r, SIGABRT), "after sockshield: %s", ss_describe(&r));
    cr_expect(strstr(r.err, "sockshield: fatal: the real 'write' resolves to sockshield's own "
                            "wrapper; refusing to recurse\n"),
              "%s", ss_describe(&r));
    ss_run_free(&r);
}
