/* Hostile settings: every SOCKSHIELD_* variable with values nobody should
 * write, log paths that cannot be logged to, and a secure-execution
 * process told where to log.  Each run is compared with a bare run of
 * 'tame' (a little I/O, exit 42): same stdout, same status, one warning
 * when the value is refused, the defaults in force, nothing blocks.
 *
 * Tests run as root, so "unwritable" is made three ways root cannot
 * override: a path under a regular file (ENOTDIR), a read-only bind mount
 * in a private mount namespace (EROFS), and a run as nobody (EACCES). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "evlog.h"
#include "harness.h"

/* ---- running tame ---------------------------------------------------------- */

/* The bare run, once per process: stdout to compare with. */
static const char *bare_out(void)
{
    static char *out;
    if (!out) {
        struct ss_env e;
        ss_env_init(&e, false);
        const char *argv[] = { ss_helper("tame"), NULL };
        struct ss_run r;
        ss_run(&r, argv, &e, -1, 30);
        ss_env_free(&e);
        cr_assert(ss_exited(&r, 42), "bare tame: %s", ss_describe(&r));
        cr_assert(strstr(r.err, "tame: sigpipe=default sigchld=default"), "%s", ss_describe(&r));
        out = strdup(r.out);
        ss_run_free(&r);
    }
    return out;
}

/* Runs argv (tame by default) under the preload with the given extra
 * settings; each a NAME=VALUE string. */
static void run_tame(struct ss_run *r, const char *const set[], const char *const argv_in[])
{
    struct ss_env e;
    ss_env_init(&e, true);
    for (int i = 0; set && set[i]; i++)
        ss_env_set(&e, "%s", set[i]);
    /* (ss_helper's buffer is shared: argv_in[0] may live in it) */
    const char *tame[] = { argv_in ? NULL : ss_helper("tame"), NULL };
    ss_run(r, argv_in ? argv_in : tame, &e, -1, 30);
    ss_env_free(&e);
}

static int warnings(const char *err)
{
    return ss_count(err, "sockshield: SOCKSHIELD_") + ss_count(err, "sockshield: cannot ");
}

/* What every run must show: the program's own behaviour, untouched, and
 * never a wait (a FIFO, a lock) on the library's account. */
static void expect_unchanged(const struct ss_run *r, const char *what)
{
    cr_assert(ss_exited(r, 42), "%s: %s", what, ss_describe(r));
    cr_expect_str_eq(r->out, bare_out(), "%s: stdout differs from the bare run", what);
    cr_expect_lt(r->seconds, 10.0, "%s: took %.1f s", what, r->seconds);
}

/* The defaults in force, as far as tame shows them: SIGPIPE caught
 * (SOCKSHIELD_SIGPIPE=catch), SIGCHLD left alone (REAP=off), LD_PRELOAD
 * kept (INHERIT=on), no summary (SUMMARY=off), and the events on stderr
 * (LOG=stderr) as text (LOG_FORMAT=text): the EAGAIN (EVENTS default) and
 * not the EOF (not a default event), once (LOG_RATE). */
static void expect_defaults(const struct ss_run *r, const char *what, bool events_on_stderr)
{
    cr_expect(strstr(r->err, "tame: sigpipe=caught sigchld=default\n"), "%s: %s", what,
              ss_describe(r));
    cr_expect(strstr(r->err, "tame: inherit=yes"), "%s: %s", what, ss_describe(r));
    cr_expect_null(strstr(r->err, " summary pid="), "%s: %s", what, ss_describe(r));
    cr_expect_eq(ss_count(r->err, " event=eagain "), events_on_stderr ? 1 : 0, "%s: %s", what,
                 ss_describe(r));
    cr_expect_null(strstr(r->err, "event=eof"), "%s: %s", what, ss_describe(r));
    cr_expect_null(strstr(r->err, "{\""), "%s: JSON on stderr: %s", what, ss_describe(r));
}

/* ---- every variable, every kind of bad value ---------------------------------- */

struct var {
    const char *name;
    const char *fallback; /* as the warning spells the default */
    bool list;
};

static const struct var vars[] = {
    { "SOCKSHIELD_SIGPIPE", "catch", false },
    { "SOCKSHIELD_RESTART", "on", false },
    { "SOCKSHIELD_NORESTART", "ALRM,INT,TERM,HUP,QUIT", true },
    { "SOCKSHIELD_SIGNAL", "persistent", false },
    { "SOCKSHIELD_REAP", "off", false },
    { "SOCKSHIELD_RUNTIMES", "auto", false },
    { "SOCKSHIELD_EVENTS", "epipe,reset,refused,eagain", true },
    { "SOCKSHIELD_LOG", "stderr", false },
    { "SOCKSHIELD_LOG_FORMAT", "text", false },
    { "SOCKSHIELD_LOG_RATE", "20", false },
    { "SOCKSHIELD_SUMMARY", "off", false },
    { "SOCKSHIELD_INHERIT", "on", false },
};

enum kind { EMPTY, HUGE, MEBI, NONUTF8, NEGATIVE, OVERFLOW, UNKNOWN, DUPLICATE, KINDS };
static const char *const kind_names[KINDS] = {
    "empty", "128 KiB", "1 MiB", "non-UTF-8", "negative", "overflowing", "unknown", "duplicated",
};

/* execve refuses any one string of MAX_ARG_STRLEN (32 pages) or more, so
 * "NAME=value" gets 131071 bytes; a larger value reaches the library only
 * from inside the process: libssfirst's constructor sets it (it runs
 * before ours). */
#define EXEC_STRING_MAX 131071

static void bad_value(const struct var *v, enum kind k, char *setting, size_t cap,
                      char *first, size_t first_cap)
{
    first[0] = '\0';
    switch (k) {
    case EMPTY: snprintf(setting, cap, "%s=", v->name); break;
    case HUGE: {
        int n = snprintf(setting, cap, "%s=", v->name);
        memset(setting + n, 'x', EXEC_STRING_MAX - (size_t)n);
        setting[EXEC_STRING_MAX] = '\0';
        break;
    }
    case MEBI:
        setting[0] = '\0';
        snprintf(first, first_cap, "SS_FIRST=setenv:%s=1048576:x", v->name);
        break;
    case NONUTF8: snprintf(setting, cap, "%s=\xff\xfe\xc0\x80", v->name); break;
    case NEGATIVE: snprintf(setting, cap, "%s=-1", v->name); break;
    case OVERFLOW: snprintf(setting, cap, "%s=184467440737095516160000", v->name); break;
    case UNKNOWN: snprintf(setting, cap, "%s=bogus", v->name); break;
    case DUPLICATE:
        snprintf(setting, cap, "%s=%s", v->name,
                 !strcmp(v->name, "SOCKSHIELD_EVENTS") ? "eagain,epipe,eagain" : "ALRM,INT,ALRM");
        break;
    case KINDS: break;
    }
}

/* SOCKSHIELD_LOG takes any file path: these values are file names, which
 * is what a user who writes them gets (a file in the current directory). */
static bool is_a_file_name(const struct var *v, enum kind k)
{
    return !strcmp(v->name, "SOCKSHIELD_LOG") &&
           (k == NONUTF8 || k == NEGATIVE || k == OVERFLOW || k == UNKNOWN);
}

Test(hostile, every_variable_with_every_bad_value_warns_once_and_changes_nothing, .timeout = 300)
{
    /* Relative log file names land here. */
    char cwd[4096];
    snprintf(cwd, sizeof cwd, "%s", ev_tmp_path("cwd-"));
    cr_assert_eq(mkdir(cwd, 0700), 0);
    cr_assert_eq(chdir(cwd), 0);
    static char setting[EXEC_STRING_MAX + 1];
    char first[160];
    int tried = 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        for (enum kind k = 0; k < KINDS; k++) {
            if (k == DUPLICATE && !vars[i].list)
                continue;
            bad_value(&vars[i], k, setting, sizeof setting, first, sizeof first);
            const char *set[3] = { NULL, NULL, NULL };
            int ns = 0;
            if (setting[0])
                set[ns++] = setting;
            if (first[0])
                set[ns++] = first;
            char what[128];
            snprintf(what, sizeof what, "%s, %s value", vars[i].name, kind_names[k]);
            struct ss_run r;
            run_tame(&r, set, NULL);
            tried++;
            expect_unchanged(&r, what);
            bool file = is_a_file_name(&vars[i], k);
            expect_defaults(&r, what, !file);
            if (file) {
                cr_expect_eq(warnings(r.err), 0, "%s: %s", what, ss_describe(&r));
                const char *name = strchr(setting, '=') + 1;
                char *log = ss_slurp(name, NULL);
                cr_expect(log && ss_count(log, " event=eagain ") == 1,
                          "%s: no log file '%s' in the current directory", what, name);
                free(log);
                unlink(name);
                ss_run_free(&r);
                continue;
            }
            cr_expect_eq(warnings(r.err), 1, "%s: %s", what, ss_describe(&r));
            /* the warning names the variable and the default it falls back to */
            char head[64], tail[96];
            snprintf(head, sizeof head, "sockshield: %s='", vars[i].name);
            snprintf(tail, sizeof tail, "; using %s\n", vars[i].fallback);
            const char *w = strstr(r.err, head);
            cr_expect(w, "%s: %s", what, ss_describe(&r));
            if (w) {
                size_t len = strcspn(w, "\n") + 1;
                cr_expect_leq(len, 512, "%s: a %zu-byte warning", what, len);
                cr_expect(len >= strlen(tail) && !strncmp(w + len - strlen(tail), tail, strlen(tail)),
                          "%s: %.*s", what, (int)len, w);
            }
            ss_run_free(&r);
        }
    }
    fprintf(stderr, "figures: %d hostile settings tried\n", tried);
    cr_assert_eq(chdir("/"), 0);
    rmdir(cwd);
}

/* A name that is none of the variables (a typo, another case): one
 * warning each, naming it; the program and the defaults untouched. */
Test(hostile, a_misspelt_variable_warns_once_and_changes_nothing)
{
    const char *set[] = { "SOCKSHIELD_FORMAT=json", "SOCKSHIELD_log=none", NULL };
    struct ss_run r;
    run_tame(&r, set, NULL);
    expect_unchanged(&r, "misspelt");
    expect_defaults(&r, "misspelt", true);
    cr_expect_eq(warnings(r.err), 2, "%s", ss_describe(&r));
    cr_expect(strstr(r.err, "sockshield: SOCKSHIELD_FORMAT is not a sockshield variable, ignored "
                            "(known: SOCKSHIELD_SIGPIPE, "),
              "%s", ss_describe(&r));
    cr_expect(strstr(r.err, "sockshield: SOCKSHIELD_log is not"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* ---- log paths that cannot take a log ----------------------------------------- */

/* tame with SOCKSHIELD_LOG=path: its behaviour unchanged, exactly one
 * warning naming errname, the events on stderr instead. */
static void expect_refused_path(const char *path, const char *errname, const char *const pre[])
{
    char setting[4200];
    snprintf(setting, sizeof setting, "SOCKSHIELD_LOG=%s", path);
    const char *set[] = { setting, NULL };
    struct ss_run r;
    if (pre) {
        /* a wrapper (setpriv, unshare) starts tame: the settings go to
         * tame alone through env(1), so the wrapper itself runs bare */
        const char *argv[32];
        int n = 0;
        for (; pre[n]; n++)
            argv[n] = pre[n];
        char ld[4200];
        snprintf(ld, sizeof ld, "LD_PRELOAD=%s%s", ss_preload_prefix(), ss_lib());
        argv[n++] = "/usr/bin/env";
        argv[n++] = ld;
        argv[n++] = setting;
        argv[n++] = ss_helper("tame");
        argv[n] = NULL;
        struct ss_env e;
        ss_env_init(&e, false);
        ss_run(&r, argv, &e, -1, 30);
        ss_env_free(&e);
    } else {
        run_tame(&r, set, NULL);
    }
    expect_unchanged(&r, path);
    expect_defaults(&r, path, true);
    cr_expect_eq(warnings(r.err), 1, "%s: %s", path, ss_describe(&r));
    char want[64];
    snprintf(want, sizeof want, "': %s; events go to stderr\n", errname);
    cr_expect(strstr(r.err, want), "%s: want %s: %s", path, errname, ss_describe(&r));
    ss_run_free(&r);
}

static const char *in_tmp(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", ss_tmpdir(), name);
    return path;
}

Test(hostile, a_dangling_symlink_a_directory_a_loop_and_a_path_under_a_file)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", in_tmp("dangling"));
    cr_assert_eq(symlink("/nonexistent-sockshield-dir/log", p), 0);
    expect_refused_path(p, "ELOOP", NULL); /* a symlink: refused as such */
    snprintf(p, sizeof p, "%s", in_tmp("dir"));
    cr_assert_eq(mkdir(p, 0700), 0);
    expect_refused_path(p, "EISDIR", NULL);
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s", in_tmp("loop-a"));
    snprintf(b, sizeof b, "%s", in_tmp("loop-b"));
    cr_assert(symlink(b, a) == 0 && symlink(a, b) == 0);
    expect_refused_path(a, "ELOOP", NULL);
    snprintf(p, sizeof p, "%s", in_tmp("plain"));
    int fd = open(p, O_CREAT | O_WRONLY, 0600);
    cr_assert_geq(fd, 0);
    close(fd);
    strcat(p, "/log");
    expect_refused_path(p, "ENOTDIR", NULL);
}

/* A dangling symlink whose target can be created is refused all the same
 * (O_NOFOLLOW: in a shared directory, a link planted by another user must
 * not choose the file): one warning, the lines go to stderr, and the
 * target is never created. */
Test(hostile, a_dangling_symlink_to_a_creatable_file_is_refused)
{
    char link[4096], target[4096];
    snprintf(target, sizeof target, "%s", in_tmp("target"));
    snprintf(link, sizeof link, "%s", in_tmp("link"));
    cr_assert_eq(symlink(target, link), 0);
    expect_refused_path(link, "ELOOP", NULL);
    cr_expect(access(target, F_OK) != 0, "the symlink's target was created");
}

/* A FIFO nobody reads from: opening it would block a writer forever; the
 * library opens without blocking (ENXIO) and says so once. */
Test(hostile, a_fifo_without_a_reader_never_blocks)
{
    const char *p = in_tmp("fifo");
    cr_assert_eq(mkfifo(p, 0600), 0);
    expect_refused_path(p, "ENXIO", NULL);
}

/* A FIFO whose reader never reads: the first 64 KiB go into the pipe, the
 * rest are dropped (never waited for).  3000 event lines, no rate limit. */
Test(hostile, a_fifo_whose_reader_never_reads_never_blocks)
{
    const char *p = in_tmp("full-fifo");
    cr_assert_eq(mkfifo(p, 0600), 0);
    int reader = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    cr_assert_geq(reader, 0);
    char setting[4200];
    snprintf(setting, sizeof setting, "SOCKSHIELD_LOG=%s", p);
    const char *set[] = { setting, "SOCKSHIELD_LOG_RATE=0", "SOCKSHIELD_SUMMARY=on", NULL };
    const char *argv[] = { ss_helper("evprobe"), "burst", "3000", NULL };
    struct ss_run r;
    run_tame(&r, set, argv);
    cr_expect(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_expect_lt(r.seconds, 10.0);
    cr_expect_eq(warnings(r.err), 0, "%s", ss_describe(&r));
    /* what the pipe holds: whole lines only, fewer than 3000 */
    static char buf[1 << 20];
    ssize_t n = read(reader, buf, sizeof buf - 1);
    cr_assert_gt(n, 0);
    buf[n] = '\0';
    cr_expect_eq(buf[n - 1], '\n', "a torn line in the FIFO");
    cr_expect_lt(ss_count(buf, " event=eagain "), 3000);
    close(reader);
    ss_run_free(&r);
}

/* /dev/full takes the open and refuses every write (ENOSPC): lines are
 * lost, counted, never retried, and the program does not notice. */
Test(hostile, a_full_device_loses_lines_silently)
{
    const char *set[] = { "SOCKSHIELD_LOG=/dev/full", NULL };
    struct ss_run r;
    run_tame(&r, set, NULL);
    expect_unchanged(&r, "/dev/full");
    cr_expect_eq(warnings(r.err), 0, "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* Root overrides permissions, so the run is made as nobody (setpriv),
 * on a file only root may write. */
Test(hostile, an_unwritable_file_as_another_user)
{
    cr_assert_eq(access("/usr/bin/setpriv", X_OK), 0, "setpriv (util-linux) is needed");
    cr_assert_eq(getuid(), 0, "this test switches to nobody, so it needs root");
    /* nobody must reach the file to be refused by its mode */
    cr_assert_eq(chmod(ss_tmpdir(), 0711), 0);
    const char *p = in_tmp("root-only");
    int fd = open(p, O_CREAT | O_WRONLY, 0600);
    cr_assert_geq(fd, 0);
    close(fd);
    const char *pre[] = { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                          NULL };
    expect_refused_path(p, "EACCES", pre);
}

/* A read-only bind mount, private to the run (unshare -m): EROFS. */
static const char ro_script[] =
    "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" \"$1\" || exit 99\n"
    "shift\n"
    "exec \"$@\"\n";

Test(hostile, a_read_only_file_system)
{
    cr_assert_eq(access("/usr/bin/unshare", X_OK), 0, "unshare (util-linux) is needed");
    char dir[4096], log[4200];
    snprintf(dir, sizeof dir, "%s", in_tmp("ro"));
    cr_assert_eq(mkdir(dir, 0700), 0);
    snprintf(log, sizeof log, "%s/log", dir);
    const char *pre[] = { "/usr/bin/unshare", "-m", "/bin/sh", "-c", ro_script, "sh", dir, NULL };
    expect_refused_path(log, "EROFS", pre);
}

/* ---- secure execution ---------------------------------------------------------------
 *
 * A setuid program (AT_SECURE) must not let its caller choose where it
 * writes: the library reads its settings with secure_getenv, so a log path
 * (and every other setting) from the environment is ignored there.
 * ld.so drops LD_PRELOAD entries with a slash in secure mode, so the
 * library comes from /etc/ld.so.preload instead, in a private mount
 * namespace: /etc gets an overlay whose upper layer (on a tmpfs) holds
 * the file.  The machine's /etc is never touched.  The program is a copy
 * of tame owned by nobody; with the setuid bit, run by root, its euid
 * differs from its uid: AT_SECURE.  The same copy without the bit is the
 * control: there the path is honoured. */

static const char secure_script[] =
    "set -e\n"
    "mount -t tmpfs sockshield-test \"$1\"\n"
    "mkdir \"$1/upper\" \"$1/work\"\n"
    "mount -t overlay sockshield-test -o \"lowerdir=/etc,upperdir=$1/upper,workdir=$1/work\" /etc\n"
    "printf '%s\\n' \"$2\" > /etc/ld.so.preload\n"
    "shift 2\n"
    "exec \"$@\"\n";

static void run_secure(struct ss_run *r, const char *program, const char *logpath)
{
    char layer[4096];
    snprintf(layer, sizeof layer, "%s-layer", program);
    mkdir(layer, 0700);
    /* in the sanitizer build the ASan runtime first there too: ld.so
     * ignores LD_PRELOAD's paths in the setuid run */
    char preload[4200];
    snprintf(preload, sizeof preload, "%s%s", ss_preload_prefix(), ss_lib());
    const char *argv[] = { "/usr/bin/unshare", "-m", "/bin/sh", "-c", secure_script, "sh",
                           layer, preload, program, NULL };
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "SOCKSHIELD_LOG=%s", logpath);
    ss_env_set(&e, "SOCKSHIELD_LOG_FORMAT=json");
    ss_env_set(&e, "SOCKSHIELD_FORMAT=json"); /* a typo: warned about, unless secure */
    ss_run(r, argv, &e, -1, 30);
    ss_env_free(&e);
}

Test(hostile, a_secure_execution_process_ignores_the_log_path)
{
    cr_assert_eq(getuid(), 0, "setting up a setuid program and a mount namespace needs root");
    bool had_preload_file = access("/etc/ld.so.preload", F_OK) == 0;
    cr_assert_eq(access("/usr/bin/unshare", X_OK), 0, "unshare (util-linux) is needed");
    /* the setuid bit must count where the copy lives */
    struct statvfs fs;
    cr_assert_eq(statvfs(ss_tmpdir(), &fs), 0);
    cr_assert(!(fs.f_flag & ST_NOSUID), "%s is mounted nosuid: set TMPDIR elsewhere", ss_tmpdir());
    /* nobody must be able to create the log, so that only secure_getenv
     * can be what stops it */
    cr_assert_eq(chmod(ss_tmpdir(), 0711), 0);
    char logs[4096];
    snprintf(logs, sizeof logs, "%s", in_tmp("logs"));
    cr_assert_eq(mkdir(logs, 0777), 0);
    cr_assert_eq(chmod(logs, 0777), 0);

    size_t len;
    char *tame = ss_slurp(ss_helper("tame"), &len);
    cr_assert_not_null(tame);
    static const char *const names[] = { "tame-plain", "tame-setuid" };
    char copy[2][4096];
    for (int i = 0; i < 2; i++) {
        snprintf(copy[i], sizeof copy[i], "%s", in_tmp(names[i]));
        int fd = open(copy[i], O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0755);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, tame, len), (ssize_t)len);
        close(fd);
        cr_assert_eq(chown(copy[i], 65534, 65534), 0);
        cr_assert_eq(chmod(copy[i], i ? 04755 : 0755), 0);
    }
    free(tame);

    /* the control: honoured, JSON in the file */
    char log[4200];
    snprintf(log, sizeof log, "%s/plain.log", logs);
    struct ss_run r;
    run_secure(&r, copy[0], log);
    cr_assert(ss_exited(&r, 42), "plain: %s", ss_describe(&r));
    cr_expect(strstr(r.err, "secure=0"), "%s", ss_describe(&r));
    cr_expect(strstr(r.err, "sigpipe=caught"), "the library was not loaded: %s", ss_describe(&r));
    cr_expect(strstr(r.err, "sockshield: SOCKSHIELD_FORMAT is not a sockshield variable"), "%s",
              ss_describe(&r));
    char *text = ss_slurp(log, NULL);
    cr_expect(text && strstr(text, "\"event\":\"eagain\""), "plain: no JSON log at %s", log);
    free(text);
    ss_run_free(&r);

    /* secure: the path and the format ignored, text events on stderr */
    snprintf(log, sizeof log, "%s/setuid.log", logs);
    run_secure(&r, copy[1], log);
    cr_assert(ss_exited(&r, 42), "setuid: %s", ss_describe(&r));
    cr_expect(strstr(r.err, "secure=1"), "not a secure-execution process: %s", ss_describe(&r));
    cr_expect(strstr(r.err, "sigpipe=caught"), "the library was not loaded: %s", ss_describe(&r));
    cr_expect_eq(ss_count(r.err, " event=eagain "), 1, "%s", ss_describe(&r));
    cr_expect_eq(warnings(r.err), 0, "%s", ss_describe(&r));
    cr_expect_neq(access(log, F_OK), 0, "a secure-execution process wrote to %s", log);
    cr_expect_str_eq(r.out, bare_out());
    ss_run_free(&r);
    for (int i = 0; i < 2; i++)
        unlink(copy[i]);
    /* and the machine's /etc is as it was */
    cr_expect_eq(access("/etc/ld.so.preload", F_OK) == 0, had_preload_file);
}
