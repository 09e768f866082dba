/* Where the lines go and how many: the file sink (high close-on-exec fd,
 * dev/ino checked, never a byte into the program's own files, %p), a path
 * that cannot be opened, syslog datagrams and streams (never blocking,
 * reconnecting), floods from many processes, the rate limit and collapsing,
 * and the summary. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evlog.h"
#include "harness.h"

#define ARGV(...) ((const char *const[]){ ss_helper("evprobe"), __VA_ARGS__, NULL })

static char *env_kv(const char *name, const char *value)
{
    char *s;
    cr_assert(asprintf(&s, "%s=%s", name, value) >= 0);
    return s;
}

/* ---- the file sink ------------------------------------------------------ */

static void squat(const char *how)
{
    char *log = strdup(ev_tmp_path("squat-log-"));
    char *dir = strdup(ev_tmp_path("squat-dir-"));
    cr_assert_eq(mkdir(dir, 0700), 0);
    char *logenv = env_kv("SOCKSHIELD_LOG", log);
    const char *const env[] = { logenv, "SOCKSHIELD_LOG_RATE=0", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("squat", log, dir, how));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));

    /* positive control: the log's fd was among those the program took */
    const char *p = strstr(run.r.out, "logfd=");
    int logfd = -1, cloexec = -1, append = -1;
    cr_assert(p && sscanf(p, "logfd=%d cloexec=%d append=%d", &logfd, &cloexec, &append) == 3,
              "the log was not open: %s", ss_describe(&run.r));
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    long floor = rl.rlim_cur == RLIM_INFINITY ? 256 : (long)(rl.rlim_cur - rl.rlim_cur / 4);
    cr_expect_geq(logfd, floor < 10 ? 10 : floor, "the log fd %d is not high", logfd);
    cr_expect_eq(cloexec, 1);
    cr_expect_eq(append, 1);
    char want[64];
    snprintf(want, sizeof want, "own fd=%d ", logfd);
    cr_assert(strstr(run.r.out, want), "the log's number was not reused: %s", run.r.out);

    /* the program's files hold exactly what it wrote */
    int owned = 0;
    for (p = run.r.out; (p = strstr(p, "own fd=")); p++) {
        char path[4096];
        int fd;
        cr_assert_eq(sscanf(p, "own fd=%d path=%4095s", &fd, path), 2);
        size_t len;
        char *data = ss_slurp(path, &len);
        cr_assert_not_null(data, "%s", path);
        cr_expect_str_eq(data, "own data\nown data 2\n", "fd %d (%s) got bytes of ours", fd, path);
        free(data);
        owned++;
    }
    cr_assert_geq(owned, 3);

    /* and the log went on: one event before, three after */
    struct ev_log l;
    ev_log_parse(&l, run.log);
    cr_expect_eq(l.n, 4, "the log:\n%s", run.log);
    cr_expect_eq(ev_count_lines(run.log), 4, "the log:\n%s", run.log);
    ev_log_free(&l);
    ev_run_free(&run);
    free(log);
    free(dir);
    free(logenv);
}

Test(sinks, a_program_that_closes_every_fd_with_closefrom_and_reuses_the_numbers)
{
    squat("closefrom");
}

Test(sinks, a_program_that_closes_every_fd_with_close_and_reuses_the_numbers)
{
    squat("close");
}

Test(sinks, pid_in_the_file_name_gives_each_forked_child_its_own_file)
{
    char *dir = strdup(ev_tmp_path("pid-dir-"));
    cr_assert_eq(mkdir(dir, 0700), 0);
    char *logenv;
    cr_assert(asprintf(&logenv, "SOCKSHIELD_LOG=%s/ev.%%p.log", dir) >= 0);
    const char *const env[] = { logenv, "SOCKSHIELD_LOG_RATE=0", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("flood", "3", "2"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));

    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0, children = 0;
    while ((e = readdir(d))) {
        int pid;
        if (sscanf(e->d_name, "ev.%d.log", &pid) != 1)
            continue;
        files++;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = ss_slurp(path, NULL);
        struct ev_log l;
        ev_log_parse(&l, text);
        if (l.n == 2)
            children++;
        else
            cr_expect_eq(l.n, 1, "the parent's %s:\n%s", path, text);
        for (int i = 0; i < l.n; i++)
            cr_expect_eq(atoi(ev_get(&l.l[i], "pid")), pid, "%s:\n%s", path, text);
        ev_log_free(&l);
        free(text);
    }
    closedir(d);
    /* the parent's file has its one event */
    cr_expect_eq(files, 4);
    cr_expect_eq(children, 3);
    ev_run_free(&run);
    free(logenv);
    free(dir);
}

/* A log that cannot be opened: one warning, and the program's own output,
 * status and behaviour are what they are bare. */
static void unopenable(const char *log, const char *what)
{
    const char *const argv[] = { ss_helper("evprobe"), "quiet", NULL };
    struct ss_env e;
    struct ss_run bare, shielded;
    ss_env_init(&e, false);
    ss_run(&bare, argv, &e, -1, 60);
    ss_env_free(&e);
    ss_env_init(&e, true);
    ss_env_set(&e, "SOCKSHIELD_LOG=%s", log);
    ss_run(&shielded, argv, &e, -1, 60);
    ss_env_free(&e);
    cr_assert(ss_exited(&bare, 3), "%s", ss_describe(&bare));
    cr_assert(ss_exited(&shielded, 3), "%s: %s", what, ss_describe(&shielded));
    cr_expect_str_eq(shielded.out, bare.out);
    cr_expect_eq(ss_count(shielded.err, "\n"), ss_count(bare.err, "\n") + 1, "%s: %s", what,
                 shielded.err);
    cr_expect_eq(ss_count(shielded.err, "sockshield: "), 1, "%s: %s", what, shielded.err);
    cr_expect(strstr(shielded.err, what), "%s: %s", what, shielded.err);
    cr_expect(strstr(shielded.err, bare.err), "%s", shielded.err);
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

Test(sinks, a_log_path_that_cannot_be_opened_warns_once_and_changes_nothing)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/no/such/dir/events.log", ss_tmpdir());
    unopenable(path, "ENOENT");
    unopenable(ss_tmpdir(), "EISDIR");
    /* a FIFO nobody reads: refused at once, never waited on */
    char *fifo = strdup(ev_tmp_path("fifo-"));
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    unopenable(fifo, "ENXIO");
    unlink(fifo);
    free(fifo);
    snprintf(path, sizeof path, "syslog:%s/no-such-socket", ss_tmpdir());
    unopenable(path, "ENOENT");

    /* the events then go to stderr */
    snprintf(path, sizeof path, "SOCKSHIELD_LOG=%s/no/such/dir/events.log", ss_tmpdir());
    const char *const env[] = { path, NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("eagain"));
    cr_assert_null(ss_slurp(run.logpath, NULL));
    free(run.log);
    run.log = strdup(run.r.err);
    run.logpath[0] = '\0';
    ev_check(&run, "text");
    cr_expect_eq(ss_count(run.r.err, "sockshield: cannot open"), 1, "%s", run.r.err);
    ev_run_free(&run);
}

Test(sinks, log_none_writes_nothing_anywhere)
{
    const char *const env[] = { "SOCKSHIELD_LOG=none", "SOCKSHIELD_SUMMARY=on", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("tcp-reset", "4"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    cr_expect_str_empty(run.r.err);
    ev_run_free(&run);
}

/* ---- floods --------------------------------------------------------------- */

/* Every line of a log: a whole event line, or part of a summary. */
static void assert_only_whole_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; n++) {
        const char *nl = strchr(p, '\n');
        cr_assert_not_null(nl, "the last line is cut: [%s]", p);
        cr_assert_eq(strncmp(p, "sockshield: ", 12), 0, "line %d: [%.*s]", n, (int)(nl - p), p);
        p = nl + 1;
    }
}

Test(sinks, fifty_processes_a_thousand_events_each_every_line_whole_and_counted,
     .timeout = 240)
{
    const char *const env[] = { "SOCKSHIELD_LOG_RATE=0", "SOCKSHIELD_SUMMARY=on", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("flood", "50", "1000"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    assert_only_whole_lines(run.log);
    struct ev_log l;
    ev_log_parse(&l, run.log); /* fails on any line that does not parse */
    cr_assert_eq(l.n, 50001);
    /* a thousand for each child, each numbered by its own pid */
    int pids[64], counts[64], np = 0;
    for (int i = 0; i < l.n; i++) {
        int pid = atoi(ev_get(&l.l[i], "pid")), k;
        cr_assert_str_eq(ev_get(&l.l[i], "event"), "eagain");
        for (k = 0; k < np && pids[k] != pid; k++)
            ;
        if (k == np) {
            cr_assert_lt(np, 64);
            pids[np] = pid;
            counts[np++] = 0;
        }
        counts[k]++;
    }
    cr_assert_eq(np, 51);
    int thousands = 0;
    for (int k = 0; k < np; k++) {
        cr_expect(counts[k] == 1000 || counts[k] == 1, "pid %d: %d lines", pids[k], counts[k]);
        thousands += counts[k] == 1000;
    }
    cr_expect_eq(thousands, 50);
    /* the summaries, one per process, each counting its own events only
     * (the children's counts did not start from the parent's) */
    cr_expect_eq(ss_count(run.log, " summary pid="), 51);
    cr_expect_eq(ss_count(run.log, " events=1000 unlogged=0\n"), 50, "%s",
                 strstr(run.log, " summary "));
    cr_expect_eq(ss_count(run.log, " events=1 unlogged=0\n"), 1);
    ev_log_free(&l);
    ev_run_free(&run);
}

/* Python's tally of a JSON log: event lines, the sums of repeat and
 * suppressed, and the sums of events and unlogged over the summaries. */
static const char tally_py[] =
    "import json, sys\n"
    "lines = rep = sup = ev = unl = summaries = 0\n"
    "for raw in open(sys.argv[1], 'rb'):\n"
    "    o = json.loads(raw.decode('utf-8', 'strict'))\n"
    "    if 'summary' in o:\n"
    "        summaries += 1\n"
    "        ev += o['summary']['events']\n"
    "        unl += o['summary']['unlogged']\n"
    "    else:\n"
    "        assert o['event'] in ('eagain', 'epipe', 'reset', 'refused'), o\n"
    "        lines += 1\n"
    "        rep += o.get('repeat', 0)\n"
    "        sup += o.get('suppressed', 0)\n"
    "print(lines, rep, sup, ev, unl, summaries)\n";

struct tally {
    long lines, repeat, suppressed, events, unlogged, summaries;
};

static void tally(const char *path, struct tally *t)
{
    char *out;
    const char *const args[] = { path, NULL };
    int rc = ev_python(tally_py, args, &out);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert_eq(sscanf(out, "%ld %ld %ld %ld %ld %ld", &t->lines, &t->repeat, &t->suppressed,
                        &t->events, &t->unlogged, &t->summaries),
                 6, "%s", out);
    free(out);
}

Test(sinks, fifty_processes_at_the_default_rate_account_for_every_event, .timeout = 240)
{
    const char *const env[] = { "SOCKSHIELD_SUMMARY=on", NULL };
    struct ev_run run;
    ev_probe(&run, "json", env, ARGV("flood", "50", "1000"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    struct tally t;
    tally(run.logpath, &t);
    cr_expect_eq(t.summaries, 51);
    cr_expect_eq(t.events, 50001);
    cr_expect_eq(t.lines + t.repeat + t.suppressed + t.unlogged, 50001,
                 "lines %ld + repeat %ld + suppressed %ld + unlogged %ld", t.lines, t.repeat,
                 t.suppressed, t.unlogged);
    /* collapsing did its work: nothing like a line per event */
    cr_expect_lt(t.lines, 5000, "%ld lines", t.lines);
    ev_run_free(&run);
}

Test(sinks, identical_repeats_collapse_and_are_counted)
{
    const char *const env[] = { "SOCKSHIELD_SUMMARY=on", NULL };
    struct ev_run run;
    ev_probe(&run, "json", env, ARGV("burst", "3000"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    struct tally t;
    tally(run.logpath, &t);
    cr_expect_eq(t.events, 3000);
    cr_expect_eq(t.lines + t.repeat + t.suppressed + t.unlogged, 3000);
    /* one line, then at most one a second for the same key */
    cr_expect_leq(t.lines, 2 + (long)(run.t1 - run.t0), "%ld lines in %.1f s", t.lines,
                  run.t1 - run.t0);
    ev_run_free(&run);

    /* the second half after the window: its first line carries the first
     * half's repeats, which are then no longer unlogged */
    ev_probe(&run, "json", env, ARGV("burst", "3000", "1100"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    tally(run.logpath, &t);
    cr_expect_eq(t.events, 3000);
    cr_expect_gt(t.repeat, 0, "no line carried repeat=");
    cr_expect_eq(t.lines + t.repeat + t.suppressed + t.unlogged, 3000,
                 "lines %ld + repeat %ld + suppressed %ld + unlogged %ld", t.lines, t.repeat,
                 t.suppressed, t.unlogged);
    ev_run_free(&run);

    /* rate 0: no collapsing, no limit */
    const char *const none[] = { "SOCKSHIELD_SUMMARY=on", "SOCKSHIELD_LOG_RATE=0", NULL };
    ev_probe(&run, "json", none, ARGV("burst", "3000"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    tally(run.logpath, &t);
    cr_expect_eq(t.lines, 3000);
    cr_expect_eq(t.repeat + t.suppressed + t.unlogged, 0);
    ev_run_free(&run);
}

Test(sinks, the_rate_limit_holds_each_kind_to_its_lines_per_second)
{
    /* 300 events on 300 fds: nothing collapses, the bucket decides.  Rate
     * 1: a burst of 1 + 0 + 1 = 2 lines, then one a second. */
    const char *const env[] = { "SOCKSHIELD_SUMMARY=on", "SOCKSHIELD_LOG_RATE=1", NULL };
    struct ev_run run;
    ev_probe(&run, "json", env, ARGV("spread", "300"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    struct tally t;
    tally(run.logpath, &t);
    cr_expect_eq(t.events, 300);
    cr_expect_eq(t.repeat, 0);
    cr_expect_eq(t.lines + t.suppressed + t.unlogged, 300);
    cr_expect_geq(t.lines, 2);
    cr_expect_leq(t.lines, 3 + (long)(run.t1 - run.t0), "%ld lines in %.1f s", t.lines,
                  run.t1 - run.t0);
    ev_run_free(&run);
}

Test(sinks, events_raised_by_a_handler_interrupting_the_log_are_all_counted)
{
    const char *const env[] = { "SOCKSHIELD_SUMMARY=on", "SOCKSHIELD_LOG_RATE=0", NULL };
    struct ev_run run;
    ev_probe(&run, "json", env, ARGV("storm", "3000"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    long events, mine, handler;
    const char *p = strstr(run.r.out, "events=");
    cr_assert(p && sscanf(p, "events=%ld main=%ld handler=%ld", &events, &mine, &handler) == 3,
              "%s", run.r.out);
    cr_expect_gt(handler, 0, "no signal was handled");
    struct tally t;
    tally(run.logpath, &t);
    cr_expect_eq(t.events, events);
    cr_expect_eq(t.lines + t.unlogged, events, "lines %ld unlogged %ld", t.lines, t.unlogged);
    ev_run_free(&run);
}

/* ---- the summary -------------------------------------------------------------- */

struct row {
    char event[32], call[32];
    long count;
};

/* The text table: rows after the header, aligned (every line as long). */
static int summary_rows(const char *text, struct row *rows, int cap, long *events,
                        long *unlogged)
{
    const char *h = strstr(text, " summary pid=");
    cr_assert_not_null(h, "no summary:\n%s", text);
    cr_assert_eq(sscanf(strstr(h, " events="), " events=%ld unlogged=%ld", events, unlogged), 2);
    const char *p = strchr(h, '\n') + 1;
    const char *nl = strchr(p, '\n');
    size_t width = (size_t)(nl - p);
    cr_assert_eq(strncmp(p, "sockshield:   event ", 20), 0, "%s", p);
    int n = 0;
    for (p = nl + 1; !strncmp(p, "sockshield:   ", 14); p = nl + 1) {
        nl = strchr(p, '\n');
        cr_assert_eq((size_t)(nl - p), width, "not aligned: [%.*s]", (int)(nl - p), p);
        cr_assert_lt(n, cap);
        cr_assert_eq(sscanf(p, "sockshield: %31s %31s %ld", rows[n].event, rows[n].call,
                            &rows[n].count),
                     3);
        n++;
    }
    return n;
}

static long row_count(const struct row *rows, int n, const char *event, const char *call)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(rows[i].event, event) && !strcmp(rows[i].call, call))
            return rows[i].count;
    return 0;
}

Test(sinks, the_text_summary_counts_what_happened_one_row_per_public_call)
{
    const char *const env[] = { "SOCKSHIELD_SUMMARY=on", "SOCKSHIELD_LOG_RATE=0", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("summary"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    struct row rows[32];
    long events, unlogged;
    int n = summary_rows(run.log, rows, 32, &events, &unlogged);
    cr_expect_eq(events, 11);
    cr_expect_eq(unlogged, 0);
    cr_expect_eq(n, 5, "%s", run.log);
    cr_expect_eq(row_count(rows, n, "eagain", "recv"), 5); /* recv and __recv_chk */
    cr_expect_eq(row_count(rows, n, "eagain", "read"), 2);
    cr_expect_eq(row_count(rows, n, "epipe", "write"), 1);
    cr_expect_eq(row_count(rows, n, "epipe", "send"), 1);
    cr_expect_eq(row_count(rows, n, "refused", "connect"), 2); /* connect and __connect */
    /* and the lines say the same */
    struct ev_log l;
    ev_log_parse(&l, run.log);
    cr_expect_eq(l.n, 11);
    for (int i = 0; i < n; i++) {
        int lines = 0;
        for (int k = 0; k < l.n; k++)
            lines += !strcmp(ev_get(&l.l[k], "event"), rows[i].event) &&
                     !strcmp(ev_get(&l.l[k], "call"), rows[i].call);
        cr_expect_eq(lines, rows[i].count, "%s %s", rows[i].event, rows[i].call);
    }
    ev_log_free(&l);
    ev_run_free(&run);
}

static const char summary_py[] =
    "import json, sys, collections\n"
    "lines = collections.Counter()\n"
    "summ = []\n"
    "for raw in open(sys.argv[1], 'rb'):\n"
    "    o = json.loads(raw.decode('utf-8', 'strict'))\n"
    "    if 'summary' in o:\n"
    "        summ.append(o)\n"
    "    else:\n"
    "        lines[(o['event'], o['call'])] += 1\n"
    "assert len(summ) == 1, summ\n"
    "s = summ[0]\n"
    "assert set(s) == {'time', 'pid', 'prog', 'summary'}, s\n"
    "assert s['prog'] == 'evprobe', s\n"
    "got = collections.Counter({(e, c): n for e, calls in s['summary']['counts'].items()\n"
    "                           for c, n in calls.items()})\n"
    "want = collections.Counter({('eagain', 'recv'): 5, ('eagain', 'read'): 2,\n"
    "                            ('epipe', 'write'): 1, ('epipe', 'send'): 1,\n"
    "                            ('refused', 'connect'): 2})\n"
    "assert got == want, got\n"
    "assert lines == want, lines\n"
    "assert s['summary']['events'] == 11 and s['summary']['unlogged'] == 0, s\n"
    "print('ok')\n";

Test(sinks, the_json_summary_is_one_object_with_the_same_counts)
{
    const char *const env[] = { "SOCKSHIELD_SUMMARY=on", "SOCKSHIELD_LOG_RATE=0", NULL };
    struct ev_run run;
    ev_probe(&run, "json", env, ARGV("summary"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    char *out;
    const char *const args[] = { run.logpath, NULL };
    int rc = ev_python(summary_py, args, &out);
    cr_expect_eq(rc, 0, "%s\nthe log:\n%s", out, run.log);
    free(out);
    ev_run_free(&run);
}

Test(sinks, the_summary_is_written_before_an_exec_and_by_the_new_image)
{
    const char *const env[] = { "SOCKSHIELD_SUMMARY=on", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("exec-after", ss_helper("evprobe"), "quiet"));
    cr_assert(ss_exited(&run.r, 3), "%s", ss_describe(&run.r));
    cr_expect_eq(ss_count(run.log, " summary pid="), 2, "%s", run.log);
    cr_expect_eq(ss_count(run.log, " events=1 unlogged=0\n"), 1, "%s", run.log);
    cr_expect_eq(ss_count(run.log, " events=0 unlogged=0\n"), 1, "%s", run.log);
    /* the one with the event comes first, and both are this pid's */
    cr_expect_lt(strstr(run.log, " events=1 "), strstr(run.log, " events=0 "), "%s", run.log);
    ev_run_free(&run);
}

/* ---- syslog ---------------------------------------------------------------- */

static int bound_unix(int type, const char *path)
{
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    cr_assert_lt(strlen(path), sizeof un.sun_path);
    strcpy(un.sun_path, path);
    cr_assert_eq(bind(fd, (struct sockaddr *)&un, sizeof un), 0, "bind %s: %s", path,
                 strerror(errno));
    return fd;
}

/* One datagram, waiting at most `ms`; its length, -1 when none came. */
static ssize_t datagram(int fd, char *buf, size_t cap, int ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, ms) != 1)
        return -1;
    return recv(fd, buf, cap, MSG_DONTWAIT);
}

/* "<12>sockshield[PID]: MSG", MSG a text line without its prefix and
 * without a newline. */
static void assert_syslog_message(const char *m, size_t n, struct ev_line *out)
{
    int pid = 0, used = 0;
    cr_assert(sscanf(m, "<12>sockshield[%d]: %n", &pid, &used) == 1 && used > 0,
              "not <PRI>TAG[PID]: [%.*s]", (int)n, m);
    cr_assert_null(memchr(m, '\n', n), "a newline in [%.*s]", (int)n, m);
    char line[8192];
    snprintf(line, sizeof line, "sockshield: %.*s", (int)(n - (size_t)used), m + used);
    cr_assert(ev_parse(line, strlen(line), true, out), "[%s]", line);
    cr_assert_eq(atoi(ev_get(out, "pid")), pid);
}

Test(sinks, syslog_datagrams_one_per_event_in_the_documented_form)
{
    char *path = strdup(ev_tmp_path("syslog-"));
    int rx = bound_unix(SOCK_DGRAM, path);
    char *logenv;
    cr_assert(asprintf(&logenv, "SOCKSHIELD_LOG=syslog:%s", path) >= 0);
    const char *const env[] = { logenv, "SOCKSHIELD_LOG_RATE=0", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("burst", "5"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    cr_expect_str_empty(run.r.err);
    char buf[8192];
    ssize_t n;
    int got = 0;
    while ((n = datagram(rx, buf, sizeof buf, 0)) >= 0) {
        struct ev_line l;
        assert_syslog_message(buf, (size_t)n, &l);
        cr_expect_str_eq(ev_get(&l, "event"), "eagain");
        cr_expect(ev_stamp_ok(l.stamp, run.t0, run.t1), "%s", l.stamp);
        ev_line_free(&l);
        got++;
    }
    cr_expect_eq(got, 5);
    ev_run_free(&run);

    /* JSON: the message is the JSON object */
    ev_probe(&run, "json", env, ARGV("burst", "3"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    char *copy = strdup(ev_tmp_path("syslog-json-"));
    FILE *f = fopen(copy, "w");
    got = 0;
    while ((n = datagram(rx, buf, sizeof buf, 0)) >= 0) {
        int used = 0, pid;
        buf[n] = '\0';
        cr_assert(sscanf(buf, "<12>sockshield[%d]: %n", &pid, &used) == 1 && used, "%s", buf);
        fprintf(f, "%s\n", buf + used);
        got++;
    }
    fclose(f);
    cr_expect_eq(got, 3);
    char *out;
    const char *const args[] = { copy, NULL };
    static const char check[] = "import json, sys\n"
                                "for l in open(sys.argv[1], 'rb'):\n"
                                "    o = json.loads(l.decode('utf-8', 'strict'))\n"
                                "    assert o['event'] == 'eagain' and o['call'] == 'recv', o\n";
    int rc = ev_python(check, args, &out);
    cr_expect_eq(rc, 0, "%s", out);
    free(out);
    unlink(copy);
    free(copy);
    ev_run_free(&run);
    close(rx);
    unlink(path);
    free(path);
    free(logenv);
}

Test(sinks, a_syslog_receiver_that_never_reads_never_blocks_the_program)
{
    char *path = strdup(ev_tmp_path("syslog-full-"));
    int rx = bound_unix(SOCK_DGRAM, path); /* never read until the end */
    char *logenv;
    cr_assert(asprintf(&logenv, "SOCKSHIELD_LOG=syslog:%s", path) >= 0);
    const char *const env[] = { logenv, "SOCKSHIELD_LOG_RATE=0", NULL };
    struct ev_run run;
    /* a blocking send would hang here until the harness kills it */
    ev_probe(&run, "text", env, ARGV("burst", "5000"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    char buf[8192];
    int got = 0;
    while (datagram(rx, buf, sizeof buf, 0) >= 0)
        got++;
    cr_expect_gt(got, 0);
    cr_expect_lt(got, 5000, "the receiver took everything: nothing was tested");
    ev_run_free(&run);
    close(rx);
    unlink(path);
    free(path);
    free(logenv);
}

/* A helper in the background, stdin and stdout through pipes. */
static pid_t spawn_piped(const char *const argv[], struct ss_env *e, int *to, int *from)
{
    int in[2], out[2];
    cr_assert(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawnattr_t at;
    ss_spawnattr_clean(&at, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, &at, (char *const *)argv, e->v);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    cr_assert_eq(rc, 0, "posix_spawn: %s", strerror(rc));
    close(in[0]);
    close(out[1]);
    *to = in[1];
    *from = out[0];
    return pid;
}

/* One step of `evprobe steps`: one event, acknowledged. */
static void step(int to, int from)
{
    char ack[3];
    cr_assert_eq(write(to, "s", 1), 1);
    struct pollfd p = { from, POLLIN, 0 };
    cr_assert_eq(poll(&p, 1, 30000), 1, "the helper did not answer");
    cr_assert_eq(read(from, ack, 3), 3);
}

Test(sinks, syslog_reconnects_when_the_daemon_restarts)
{
    char *path = strdup(ev_tmp_path("syslog-restart-"));
    int rx = bound_unix(SOCK_DGRAM, path);
    struct ss_env e;
    ss_env_init(&e, true);
    ss_env_set(&e, "SOCKSHIELD_LOG=syslog:%s", path);
    ss_env_set(&e, "SOCKSHIELD_LOG_RATE=0");
    int to, from;
    pid_t pid = spawn_piped((const char *const[]){ ss_helper("evprobe"), "steps", NULL }, &e,
                            &to, &from);
    ss_env_free(&e);
    char buf[8192];
    step(to, from);
    cr_expect_gt(datagram(rx, buf, sizeof buf, 30000), 0, "first message");

    /* the daemon goes away and comes back on the same path */
    close(rx);
    unlink(path);
    rx = bound_unix(SOCK_DGRAM, path);
    step(to, from);
    ssize_t n = datagram(rx, buf, sizeof buf, 30000);
    cr_expect_gt(n, 0, "nothing after the restart");
    if (n > 0) {
        struct ev_line l;
        assert_syslog_message(buf, (size_t)n, &l);
        cr_expect_eq(atoi(ev_get(&l, "pid")), pid);
        ev_line_free(&l);
    }
    step(to, from);
    cr_expect_gt(datagram(rx, buf, sizeof buf, 30000), 0, "and the next one");

    close(to);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    close(from);
    close(rx);
    unlink(path);
    free(path);
}

Test(sinks, syslog_over_a_stream_socket_frames_messages_with_nul)
{
    char *path = strdup(ev_tmp_path("syslog-stream-"));
    int l = bound_unix(SOCK_STREAM, path);
    cr_assert_eq(listen(l, 4), 0);
    char *logenv;
    cr_assert(asprintf(&logenv, "SOCKSHIELD_LOG=syslog:%s", path) >= 0);
    const char *const env[] = { logenv, "SOCKSHIELD_LOG_RATE=0", NULL };
    struct ev_run run;
    /* the connection waits in the backlog; what was sent waits in it */
    ev_probe(&run, "text", env, ARGV("burst", "3"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    cr_expect_str_empty(run.r.err);
    int c = accept(l, NULL, NULL);
    cr_assert_geq(c, 0);
    char buf[16384];
    size_t len = 0;
    ssize_t n;
    while ((n = read(c, buf + len, sizeof buf - len)) > 0)
        len += (size_t)n;
    int msgs = 0;
    for (size_t at = 0; at < len;) {
        const char *nul = memchr(buf + at, '\0', len - at);
        cr_assert_not_null(nul, "a message without its NUL");
        struct ev_line line;
        assert_syslog_message(buf + at, (size_t)(nul - (buf + at)), &line);
        cr_expect_str_eq(ev_get(&line, "event"), "eagain");
        ev_line_free(&line);
        at = (size_t)(nul - buf) + 1;
        msgs++;
    }
    cr_expect_eq(msgs, 3);
    ev_run_free(&run);
    close(c);
    close(l);
    unlink(path);
    free(path);
    free(logenv);
}

/* Without the summary, a single-threaded program's refused EAGAIN repeats
 * are counted where the wrapper makes the system call (log.c,
 * sockshield_log_again_direct): the counts must be the logger's.  First
 * half of a burst: one line, the rest collapsed; after the window, the
 * second half's first line carries exactly the first half's repeats. */
Test(sinks, repeats_counted_without_the_summary_are_exact)
{
    struct ev_run run;
    ev_probe(&run, "json", NULL, ARGV("burst", "3000", "1100"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    struct tally t;
    tally(run.logpath, &t);
    cr_expect_eq(t.lines, 2, "%ld lines", t.lines);
    cr_expect_eq(t.repeat, 1499, "repeat %ld", t.repeat);
    cr_expect_eq(t.suppressed, 0);
    ev_run_free(&run);
}

/* ... and only repeats are: events on two connections in turn each print
 * (20 lines fit the default rate's burst), and so does the first event of
 * a new connection on a reused fd number, whose second is a repeat. */
Test(sinks, events_that_change_key_or_connection_each_print_without_the_summary)
{
    struct ev_run run;
    ev_probe(&run, "json", NULL, ARGV("alternate", "19"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    cr_assert(strstr(run.r.out, "reused=1"), "the new connection got another fd: %s", run.r.out);
    struct tally t;
    tally(run.logpath, &t);
    cr_expect_eq(t.lines, 20, "%ld lines", t.lines);
    cr_expect_eq(t.repeat + t.suppressed, 0);
    ev_run_free(&run);
}
