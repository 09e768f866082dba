/* Threads and fork, at two sizes: small in `make check`, full in
 * `make check-stress` (SOCKSHIELD_STRESS=full in the environment).
 *
 * The thread test holds the exit summary to the errors the helper counted
 * itself, call by call, so a lost or double count fails it, and so does a
 * crash or a deadlock (the run is bounded).  The fork test checks every
 * child's own log file line by line.  Each has a control that shows what
 * the helper does without the library, or without the feature at stake. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evlog.h"
#include "harness.h"

static bool full(void)
{
    const char *s = getenv("SOCKSHIELD_STRESS");
    return s && !strcmp(s, "full");
}

/* env: NULL-terminated NAME=VALUE list; preload or bare. */
static void run(struct ss_run *r, bool preload, const char *const env[], const char *const argv[],
                double timeout)
{
    struct ss_env e;
    ss_env_init(&e, preload);
    for (int i = 0; env && env[i]; i++)
        ss_env_set(&e, "%s", env[i]);
    ss_run(r, argv, &e, -1, timeout);
    ss_env_free(&e);
}

/* The value after "key" (up to a space or newline) in text; "" if absent. */
static const char *field(const char *text, const char *key)
{
    static char v[64];
    const char *p = strstr(text, key);
    v[0] = '\0';
    if (p) {
        p += strlen(key);
        size_t n = strcspn(p, " \n");
        snprintf(v, sizeof v, "%.*s", (int)(n < sizeof v ? n : sizeof v - 1), p);
    }
    return v;
}

/* The first line of text starting with prefix, in a static buffer. */
static const char *line_of(const char *text, const char *prefix)
{
    static char v[256];
    const char *p = strstr(text, prefix);
    v[0] = '\0';
    if (p)
        snprintf(v, sizeof v, "%.*s", (int)strcspn(p, "\n"), p);
    return v;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text starting with prefix, sorted, joined by newlines. */
static char *sorted_lines(const char *text, const char *prefix)
{
    char *lines[512];
    int n = 0;
    for (const char *p = text; *p && n < 512;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (!strncmp(p, prefix, strlen(prefix)))
            lines[n++] = strndup(p, len);
        p += len + (nl ? 1 : 0);
    }
    qsort(lines, (size_t)n, sizeof lines[0], by_text);
    size_t total = 1;
    for (int i = 0; i < n; i++)
        total += strlen(lines[i]) + 1;
    char *out = calloc(1, total);
    for (int i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
        free(lines[i]);
    }
    return out;
}

/* A JSON log's account: the summary's count per event and call, in the
 * helper's own "count" form, and what the lines carry. */
static const char account_py[] =
    "import json, sys\n"
    "lines = rep = sup = 0\n"
    "summ = []\n"
    "for raw in open(sys.argv[1], 'rb'):\n"
    "    o = json.loads(raw.decode('utf-8', 'strict'))\n"
    "    if 'summary' in o:\n"
    "        summ.append(o)\n"
    "        continue\n"
    "    lines += 1\n"
    "    rep += o.get('repeat', 0)\n"
    "    sup += o.get('suppressed', 0)\n"
    "assert len(summ) == 1, 'summaries: %d' % len(summ)\n"
    "s = summ[0]['summary']\n"
    "assert 'omitted' not in s, s\n"
    "for e, calls in s['counts'].items():\n"
    "    for c, n in calls.items():\n"
    "        print('count event=%s call=%s n=%d' % (e, c, n))\n"
    "print('total events=%d unlogged=%d lines=%d repeat=%d suppressed=%d'\n"
    "      % (s['events'], s['unlogged'], lines, rep, sup))\n";

/* ---- threads ------------------------------------------------------------- */

/* 16 threads, each CALLS wrapped calls on reset and empty sockets and a
 * blocking exchange with a partner, under a 10 kHz SIGUSR1 storm whose
 * handler makes three failing calls itself.  Would break: a count lost or
 * doubled under contention (atomics, the per-call rows), an event raised
 * inside a handler that interrupted the library not counted, a deadlock
 * between a handler and the thread it interrupted (the timeout), a crash,
 * an EINTR reaching the program, a damaged message. */
static void threads_once(const char *calls)
{
    char log[4096], logenv[4200];
    snprintf(log, sizeof log, "%s", ev_tmp_path("threads-"));
    snprintf(logenv, sizeof logenv, "SOCKSHIELD_LOG=%s", log);
    const char *const env[] = { logenv, "SOCKSHIELD_LOG_FORMAT=json", "SOCKSHIELD_SUMMARY=on", NULL };
    const char *argv[] = { ss_helper("threads"), "16", calls, NULL };
    struct ss_run r;
    run(&r, true, env, argv, full() ? 300 : 120);
    cr_assert(ss_exited(&r, 0), "threads 16 %s: %s", calls, ss_describe(&r));
    cr_expect_str_eq(field(r.out, "intact="), "yes", "%s", r.out);
    cr_expect_gt(atol(field(r.out, "signals=")), 0, "no signal was delivered: %s", r.out);
    /* the handler's calls happened, and are part of the counts */
    cr_expect(strstr(r.out, "handler event=epipe call=send n=") &&
                  strstr(r.out, "handler event=eagain call=recv n=") &&
                  strstr(r.out, "handler event=epipe call=write n="),
              "%s", r.out);

    char *out;
    const char *const args[] = { log, NULL };
    int rc = ev_python(account_py, args, &out);
    cr_assert_neq(rc, -1, "python3 is needed to read the JSON log (tools/install-deps installs it)");
    cr_assert_eq(rc, 0, "%s", out);
    char *mine = sorted_lines(r.out, "count "), *lib = sorted_lines(out, "count ");
    /* the workers never write into a pipe: that row is the handler's alone */
    char handler_writes[96];
    snprintf(handler_writes, sizeof handler_writes, "count event=epipe call=write n=%s\n",
             field(r.out, "handler event=epipe call=write n="));
    cr_expect(strstr(lib, handler_writes), "%s not in the summary:\n%s", handler_writes, lib);
    cr_expect_str_eq(lib, mine, "the summary's counts:\n%sdiffer from the helper's:\n%s", lib, mine);
    long helper_total = 0;
    for (const char *p = r.out; (p = strstr(p, "count event=")); p++)
        helper_total += atol(field(p, " n="));
    long events = atol(field(out, "total events=")), unlogged = atol(field(out, " unlogged="));
    long lines = atol(field(out, " lines=")), rep = atol(field(out, " repeat="));
    long sup = atol(field(out, " suppressed="));
    cr_expect_eq(events, helper_total, "summary events=%ld, the helper counted %ld", events,
                 helper_total);
    /* nothing lost: every event is a line, in a line's repeat= or
     * suppressed=, or counted as unlogged */
    cr_expect_eq(lines + rep + sup + unlogged, events, "%s", out);
    fprintf(stderr, "figures: %s", line_of(r.out, "threads="));
    fprintf(stderr, " %s; events=%ld lines=%ld\n", line_of(r.out, "bytes="), events, lines);
    free(mine);
    free(lib);
    free(out);
    unlink(log);
    ss_run_free(&r);
}

Test(stress, sixteen_threads_under_a_storm_account_for_every_error, .timeout = 1200)
{
    /* full: five runs of 16 x 100 000, for the rarer interleavings */
    for (int i = 0; i < (full() ? 5 : 1); i++)
        threads_once(full() ? "100000" : "5000");
}

/* The same helper bare dies of SIGPIPE, and with SOCKSHIELD_RESTART=off an
 * EINTR reaches it (exit 4): the storm does interrupt the calls counted
 * above.  Run long (it stops at the first failure), so the EINTR is sure. */
Test(stress, the_thread_helper_fails_bare_and_without_restart, .timeout = 300)
{
    const char *argv[] = { ss_helper("threads"), "16", "100000", NULL };
    struct ss_run r;
    run(&r, false, NULL, argv, 120);
    cr_expect(ss_signaled(&r, 13), "bare: %s", ss_describe(&r));
    ss_run_free(&r);
    const char *const off[] = { "SOCKSHIELD_RESTART=off", "SOCKSHIELD_LOG=none", NULL };
    run(&r, true, off, argv, 120);
    cr_expect(ss_exited(&r, 4), "restart off: %s", ss_describe(&r));
    cr_expect(strstr(r.err, "errno=EINTR"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* ---- fork ----------------------------------------------------------------- */

/* Checks one process's log file: every line is that pid's, `events` epipe
 * event lines and one summary saying so.  Returns the number of lines. */
static int check_child_log(const char *dir, long pid, int events)
{
    char path[4200], want[96];
    snprintf(path, sizeof path, "%s/log.%ld", dir, pid);
    size_t len;
    char *text = ss_slurp(path, &len);
    cr_assert_not_null(text, "child %ld has no log file of its own (%s)", pid, path);
    int lines = 0, ev = 0, mine = 0;
    snprintf(want, sizeof want, " pid=%ld ", pid);
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        cr_assert_not_null(nl, "unterminated line in %s", path);
        *nl = '\0';
        lines++;
        if (strstr(p, " pid=")) {
            cr_assert(strstr(p, want), "%s holds another process's line: %s", path, p);
            mine++;
        }
        ev += strstr(p, " event=epipe ") != NULL;
        p = nl + 1;
    }
    char summary[128];
    snprintf(summary, sizeof summary, " summary pid=%ld prog=forks events=%d unlogged=0\n", pid,
             events);
    cr_expect_eq(ev, events, "%s:\n%s", path, text);
    cr_expect_eq(mine, events + 1, "%s:\n%s", path, text);
    free(text);
    text = ss_slurp(path, NULL);
    cr_expect(strstr(text, summary), "%s has no summary of its own:\n%s", path, text);
    free(text);
    unlink(path);
    return lines;
}

/* fork() while two threads are inside the event path writing lines and a
 * third is changing handlers (the signal table's lock), over and over.
 * Each child makes wrapped calls, installs and raises a handler, asks
 * SIGPIPE's default, writes into a broken pipe again, and exits through
 * exit() so its summary is written.  Would break: a lock or a "reopen in
 * progress" flag inherited held (the child hangs: bounded, and the helper
 * prints the hung threads' system calls), a child writing into the
 * parent's file or the parent's counts showing in a child's summary (%p
 * gives each its own file), a child killed by SIGPIPE. */
Test(stress, forks_amid_threads_in_the_library_give_working_children, .timeout = 900)
{
    const char *n = full() ? "5000" : "200";
    char dir[4096], logenv[4200];
    snprintf(dir, sizeof dir, "%s", ev_tmp_path("forks-"));
    cr_assert_eq(mkdir(dir, 0700), 0);
    snprintf(logenv, sizeof logenv, "SOCKSHIELD_LOG=%s/log.%%p", dir);
    const char *const env[] = { logenv, "SOCKSHIELD_LOG_RATE=0", "SOCKSHIELD_SUMMARY=on", NULL };
    const char *argv[] = { ss_helper("forks"), n, NULL };
    struct ss_run r;
    run(&r, true, env, argv, full() ? 600 : 180);
    cr_assert(ss_exited(&r, 0), "forks %s: %s", n, ss_describe(&r));

    int children = 0;
    for (const char *p = r.out; (p = strstr(p, "child pid=")); p++) {
        check_child_log(dir, atol(p + 10), 3);
        children++;
    }
    cr_expect_eq(children, atoi(n));
    /* the parent's file: its own lines only (and plenty of them) */
    long parent = atol(field(r.out, "parent pid="));
    char path[4200], want[64];
    snprintf(path, sizeof path, "%s/log.%ld", dir, parent);
    snprintf(want, sizeof want, " pid=%ld ", parent);
    size_t len;
    char *text = ss_slurp(path, &len);
    cr_assert_not_null(text, "no parent log %s", path);
    int lines = 0;
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        cr_assert_not_null(nl);
        *nl = '\0';
        if (strstr(p, " pid="))
            cr_assert(strstr(p, want), "the parent's file holds another process's line: %s", p);
        lines++;
        p = nl + 1;
    }
    cr_expect_gt(lines, 100, "the parent's threads were not logging");
    free(text);
    unlink(path);
    /* nothing else was created */
    DIR *d = opendir(dir);
    struct dirent *e;
    int left = 0;
    while ((e = readdir(d)))
        left += e->d_name[0] != '.';
    closedir(d);
    cr_expect_eq(left, 0, "files other than one per process in %s", dir);
    rmdir(dir);
    fprintf(stderr, "figures: %s (parent log: %d lines, %.1f MB)\n", line_of(r.out, "forks="), lines, len / 1e6);
    ss_run_free(&r);
}

/* Bare, the first child dies of SIGPIPE on its send (exit 3): the calls the
 * children make are the hazard. */
Test(stress, the_fork_helper_fails_bare)
{
    const char *argv[] = { ss_helper("forks"), "3", NULL };
    struct ss_run r;
    run(&r, false, NULL, argv, 60);
    cr_expect(ss_exited(&r, 3), "%s", ss_describe(&r));
    cr_expect(strstr(r.err, "status 0xd"), "the child died of SIGPIPE: %s", ss_describe(&r));
    ss_run_free(&r);
}
