/* The library's own output is invisible to the program: the stderr sink
 * never blocks it and never changes fd 2's file status flags, no write of
 * the library raises a signal the program can see, and no event line lands
 * in a file the program opened on fd 2 after stderr was closed (a dup2
 * onto fd 2, a redirect made on purpose, is followed).  Each test runs the
 * helper bare too: there nothing is logged, so the two must agree. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

TestSuite(selfout, .fini = ss_tmpdir_remove);
TestSuite(filesink, .fini = ss_tmpdir_remove);

static void run(struct ss_run *r, bool preload, const char *const argv[],
                const char *const extra_env[])
{
    struct ss_env e;
    ss_env_init(&e, preload);
    for (int i = 0; extra_env && extra_env[i]; i++)
        ss_env_set(&e, "%s", extra_env[i]);
    ss_run(r, argv, &e, -1, 30);
    ss_env_free(&e);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs `selfout flood N` with a stderr pipe of one page that nobody reads
 * until the helper has exited (or the watchdog of `seconds` killed it).
 * Returns its stdout; *status is waitpid's, *stderr_bytes what reached the
 * pipe, *killed whether the watchdog fired. */
static char *flood_into_undrained_pipe(bool preload, int n, double seconds, int *status,
                                       size_t *stderr_bytes, bool *killed)
{
    int out[2], err[2];
    cr_assert(pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0);
    fcntl(err[1], F_SETPIPE_SZ, 4096);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawnattr_t at;
    ss_spawnattr_clean(&at, 0);
    struct ss_env e;
    ss_env_init(&e, preload);
    ss_env_set(&e, "SOCKSHIELD_LOG_RATE=0");
    char count[16];
    snprintf(count, sizeof count, "%d", n);
    const char *argv[] = { ss_helper("selfout"), "flood", count, NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, &at, (char *const *)argv, e.v);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    ss_env_free(&e);
    close(out[1]);
    close(err[1]);
    cr_assert(rc == 0, "posix_spawn: %s", strerror(rc));

    char *buf = calloc(1, 4096);
    size_t len = 0;
    double deadline = now() + seconds;
    *killed = false;
    for (;;) {
        int left = (int)((deadline - now()) * 1000);
        if (left <= 0) {
            kill(pid, SIGKILL);
            *killed = true;
            break;
        }
        struct pollfd p = { out[0], POLLIN, 0 };
        if (poll(&p, 1, left) <= 0)
            continue;
        ssize_t k = read(out[0], buf + len, 4095 - len);
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    waitpid(pid, status, 0);
    *stderr_bytes = 0;
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    char tmp[4096];
    ssize_t k;
    while ((k = read(err[0], tmp, sizeof tmp)) > 0)
        *stderr_bytes += (size_t)k;
    close(out[0]);
    close(err[0]);
    return buf;
}

/* Bare the program never writes to stderr, so an undrained stderr pipe
 * costs it nothing; shielded, 5000 event lines (far more than the page the
 * pipe holds) must not stop it either, and fd 2 keeps its flags.  The
 * watchdog is generous: the run takes milliseconds, a blocked one forever. */
Test(selfout, an_undrained_stderr_pipe_never_blocks_and_keeps_its_flags)
{
    for (int preload = 0; preload <= 1; preload++) {
        int status;
        size_t bytes;
        bool killed;
        char *out = flood_into_undrained_pipe(preload, 5000, 20, &status, &bytes, &killed);
        const char *how = preload ? "shielded" : "bare";
        cr_expect(!killed, "%s: blocked (killed by the watchdog): %s", how, out);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: status %#x: %s", how,
                  status, out);
        cr_expect(strstr(out, "done\n"), "%s: %s", how, out);
        const char *before = strstr(out, "flags-before="), *after = strstr(out, "flags-after=");
        cr_expect(before && after &&
                      strncmp(before + 13, after + 12, strcspn(after + 12, "\n")) == 0,
                  "%s: flags changed: %s", how, out);
        cr_expect(before && !(strtol(before + 13, NULL, 16) & O_NONBLOCK), "%s: %s", how, out);
        if (preload)
            cr_expect(bytes > 0 && bytes <= 4096, "shielded: %zu bytes of lines", bytes);
        else
            cr_expect_eq(bytes, 0, "bare wrote to stderr");
        free(out);
    }
}

/* A program that closes its stderr (a daemon leaving its stdio, a
 * command in a shell's $(...)) gives the pipe's reader EOF at once, while
 * it goes on running.  Our lines into that pipe must not keep a writer of
 * ours open on it, or the reader waits until the program exits. */
Test(selfout, a_reader_sees_eof_when_the_program_closes_stderr_as_bare)
{
    for (int preload = 0; preload <= 1; preload++) {
        const char *how = preload ? "shielded" : "bare";
        int err[2];
        cr_assert(pipe2(err, O_CLOEXEC) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, err[1], 2);
        posix_spawnattr_t at;
        ss_spawnattr_clean(&at, 0);
        struct ss_env e;
        ss_env_init(&e, preload);
        const char *argv[] = { ss_helper("selfout"), "eof", NULL };
        pid_t pid;
        int rc = posix_spawn(&pid, argv[0], &fa, &at, (char *const *)argv, e.v);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&at);
        ss_env_free(&e);
        close(err[1]);
        cr_assert(rc == 0, "posix_spawn: %s", strerror(rc));

        char buf[8192];
        size_t len = 0;
        bool eof = false;
        double deadline = now() + 20;
        while (!eof && now() < deadline) {
            struct pollfd p = { err[0], POLLIN, 0 };
            if (poll(&p, 1, 100) <= 0)
                continue;
            ssize_t k = read(err[0], buf + len, sizeof buf - 1 - len);
            if (k <= 0)
                eof = true;
            else
                len += (size_t)k;
        }
        buf[len] = '\0';
        int status;
        pid_t done = waitpid(pid, &status, WNOHANG);
        cr_expect(eof, "%s: no EOF on the stderr pipe", how);
        cr_expect_eq(done, 0, "%s: the EOF came only when the program exited", how);
        cr_expect_eq(ss_count(buf, "event=eagain"), preload ? 1 : 0, "%s: %s", how, buf);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        close(err[0]);
    }
}

/* When stderr is a broken pipe or socket, an event line fails with EPIPE:
 * that write must raise nothing the program sees.  Bare, nothing is
 * written and nothing raised. */
Test(selfout, writing_a_line_into_a_broken_stderr_raises_no_signal_in_the_program)
{
    static const char *kinds[] = { "pipe", "socket" };
    for (size_t k = 0; k < 2; k++) {
        /* SIGPIPE=off: the program's own default kills, as bare */
        const char *off[] = { "SOCKSHIELD_SIGPIPE=off", "SOCKSHIELD_LOG_RATE=0", NULL };
        const char *rate[] = { "SOCKSHIELD_LOG_RATE=0", NULL };
        const char *dfl[] = { ss_helper("selfout"), "sigpipe", kinds[k], "dfl", NULL };
        const char *hdl[] = { ss_helper("selfout"), "sigpipe", kinds[k], "handler", NULL };
        const char *blk[] = { ss_helper("selfout"), "sigpipe", kinds[k], "blocked", NULL };
        const char *const *argvs[] = { dfl, hdl, blk };
        for (size_t m = 0; m < 3; m++) {
            struct ss_run bare, shielded;
            run(&bare, false, argvs[m], NULL);
            run(&shielded, true, argvs[m], m == 0 ? off : rate);
            cr_expect(ss_exited(&bare, 0), "bare %s %s: %s", kinds[k], argvs[m][3],
                      ss_describe(&bare));
            cr_expect(ss_exited(&shielded, 0), "shielded %s %s: %s", kinds[k], argvs[m][3],
                      ss_describe(&shielded));
            cr_expect_str_eq(shielded.out, "handler-ran=0 pending=no\n", "shielded %s %s",
                             kinds[k], argvs[m][3]);
            cr_expect_str_eq(bare.out, shielded.out, "%s %s", kinds[k], argvs[m][3]);
            ss_run_free(&bare);
            ss_run_free(&shielded);
        }
    }
}

/* fd 2 closed when the library loaded: there is no stderr sink, and the
 * file the program opens next (on fd 2) gets no line.  The same when the
 * program closes its stderr itself after load, as daemons do.  A dup2
 * onto fd 2 is the program's own redirect: the lines follow it. */
Test(selfout, lines_never_land_in_a_file_the_program_opened_on_a_closed_fd_2)
{
    const char *rate[] = { "SOCKSHIELD_LOG_RATE=0", NULL };
    const char *modes[] = { "closed-at-start", "daemon", "redirect" };
    const char *want[] = { "own-file-lines=0\n", "own-file-lines=0\n", "own-file-lines=3\n" };
    for (size_t i = 0; i < 3; i++) {
        const char *argv[] = { ss_helper("selfout"), modes[i], ss_tmpdir(), NULL };
        struct ss_run bare, shielded;
        run(&bare, false, argv, rate);
        run(&shielded, true, argv, rate);
        cr_expect(ss_exited(&bare, 0), "bare %s: %s", modes[i], ss_describe(&bare));
        cr_expect(ss_exited(&shielded, 0), "shielded %s: %s", modes[i], ss_describe(&shielded));
        cr_expect_str_eq(bare.out, "own-file-lines=0\n", "bare %s", modes[i]);
        cr_expect_str_eq(shielded.out, want[i], "shielded %s", modes[i]);
        ss_run_free(&bare);
        ss_run_free(&shielded);
    }
}

/* ---- the file sink in shared folders ------------------------------------------ */

static char *path_in_tmp(const char *name)
{
    char *p = malloc(4200);
    snprintf(p, 4200, "%s/%s", ss_tmpdir(), name);
    return p;
}

static size_t file_size(const char *path)
{
    struct stat st;
    cr_assert(lstat(path, &st) == 0, "%s", path);
    return (size_t)st.st_size;
}

/* A symlink planted at the log's name (in /tmp, by another user) must not
 * send the lines into its target: the library refuses it with one warning
 * naming the path, and the lines go to stderr instead.  Bare, nothing. */
Test(filesink, a_symlink_at_the_log_path_is_refused_with_one_warning)
{
    char *victim = path_in_tmp("victim"), *log = path_in_tmp("ss.log");
    int fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(fd >= 0);
    close(fd);
    unlink(log);
    cr_assert(symlink(victim, log) == 0);
    const char *argv[] = { ss_helper("evprobe"), "eagain", NULL };
    char setting[4300];
    snprintf(setting, sizeof setting, "SOCKSHIELD_LOG=%s", log);
    const char *env[] = { setting, NULL };
    struct ss_run bare, shielded;
    run(&bare, false, argv, env);
    run(&shielded, true, argv, env);
    cr_expect(ss_exited(&bare, 0) && ss_exited(&shielded, 0), "%s", ss_describe(&shielded));
    cr_expect_eq(file_size(victim), 0, "the symlink's target got lines");
    cr_expect_eq(ss_count(shielded.err, log), 1, "one warning naming the path: %s",
                 ss_describe(&shielded));
    cr_expect(strstr(shielded.err, "symbolic link") && strstr(shielded.err, "ELOOP"), "%s",
              ss_describe(&shielded));
    cr_expect(strstr(shielded.err, "event=eagain"), "lines go to stderr: %s",
              ss_describe(&shielded));
    cr_expect(!strstr(bare.err, "sockshield"), "%s", ss_describe(&bare));
    ss_run_free(&bare);
    ss_run_free(&shielded);
    free(victim);
    free(log);
}

/* A new log file is readable by its owner only (0600 before the umask). */
Test(filesink, a_new_log_file_is_the_owners_only)
{
    char *log = path_in_tmp("mode.log");
    unlink(log);
    const char *argv[] = { ss_helper("evprobe"), "eagain", NULL };
    char setting[4300];
    snprintf(setting, sizeof setting, "SOCKSHIELD_LOG=%s", log);
    const char *env[] = { setting, NULL };
    struct ss_run r;
    run(&r, true, argv, env);
    cr_expect(ss_exited(&r, 0), "%s", ss_describe(&r));
    struct stat st;
    cr_assert(stat(log, &st) == 0, "no log file: %s", ss_describe(&r));
    mode_t mask = umask(0);
    umask(mask);
    cr_expect_eq(st.st_mode & 0777, 0600 & ~mask, "mode %o", (unsigned)(st.st_mode & 0777));
    cr_expect(!(st.st_mode & 0077), "mode %o", (unsigned)(st.st_mode & 0777));
    cr_expect(st.st_size > 0, "no line in %s", log);
    ss_run_free(&r);
    free(log);
}

/* The name replaced by a symlink while the program runs, and the library's
 * fd closed under it: the reopen refuses the link, says so once, and the
 * target gets nothing. */
Test(filesink, a_symlink_planted_before_a_reopen_is_refused_once)
{
    char *victim = path_in_tmp("victim2"), *log = path_in_tmp("re.log");
    int fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(fd >= 0);
    close(fd);
    unlink(log);
    const char *argv[] = { ss_helper("selfout"), "replant", log, victim, NULL };
    char setting[4300];
    snprintf(setting, sizeof setting, "SOCKSHIELD_LOG=%s", log);
    const char *env[] = { setting, "SOCKSHIELD_LOG_RATE=0", NULL };
    struct ss_run bare, shielded;
    run(&bare, false, argv, env);
    unlink(log); /* the bare run planted it too */
    run(&shielded, true, argv, env);
    cr_expect(ss_exited(&bare, 0) && strstr(bare.out, "replanted"), "%s", ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 0) && strstr(shielded.out, "replanted"), "%s",
              ss_describe(&shielded));
    cr_expect_eq(file_size(victim), 0, "the symlink's target got lines");
    cr_expect_eq(ss_count(shielded.err, log), 1, "one warning naming the path: %s",
                 ss_describe(&shielded));
    cr_expect(strstr(shielded.err, "events are dropped"), "%s", ss_describe(&shielded));
    cr_expect(!strstr(bare.err, "sockshield"), "%s", ss_describe(&bare));
    ss_run_free(&bare);
    ss_run_free(&shielded);
    free(victim);
    free(log);
}
