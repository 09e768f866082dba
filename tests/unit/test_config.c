/* SOCKSHIELD_* parsing (src/core/config.c): every accepted spelling, every class
 * of bad value, and the exact shape of the warning line. */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* ---- a table-driven fake environment ------------------------------------ */

struct var {
    const char *name;
    const char *value;
};

#define MAX_VARS 16
static struct var env[MAX_VARS];
static size_t env_count;

static void env_set(const char *name, const char *value)
{
    cr_assert_lt(env_count, MAX_VARS);
    env[env_count].name = name;
    env[env_count].value = value;
    env_count++;
}

static const char *fake_get(const char *name)
{
    size_t i;

    for (i = 0; i < env_count; i++)
        if (strcmp(env[i].name, name) == 0)
            return env[i].value;
    return NULL;
}

static void env_clear(void)
{
    env_count = 0;
}

/* ---- collected warnings ------------------------------------------------- */

#define MAX_WARNINGS 16
struct warnings {
    size_t count;
    char line[MAX_WARNINGS][600];
    size_t len[MAX_WARNINGS];
};

static void collect(void *ctx, const char *line, size_t len)
{
    struct warnings *w = ctx;

    cr_assert_leq(len, 512, "warning line of %zu bytes", len);
    cr_assert_gt(len, 0);
    cr_assert_eq(line[len - 1], '\n', "warning line not newline-terminated");
    cr_assert_null(memchr(line, '\n', len - 1), "warning is more than one line");
    if (w->count < MAX_WARNINGS) {
        memcpy(w->line[w->count], line, len);
        w->line[w->count][len] = '\0';
        w->len[w->count] = len;
    }
    w->count++;
}

static struct sockshield_config cfg;
static struct warnings warned;

/* Loads the fake environment; returns the function's own count, checked
 * against the lines the sink received. */
static int load(void)
{
    int n;

    memset(&warned, 0, sizeof warned);
    memset(&cfg, 0xa5, sizeof cfg);     /* load must not rely on a clean struct */
    n = sockshield_config_load(&cfg, fake_get, collect, &warned);
    cr_assert_eq((size_t)n, warned.count, "returned %d, sink got %zu", n, warned.count);
    return n;
}

/* Sets exactly one variable and loads it. */
static int load_one(const char *name, const char *value)
{
    env_clear();
    env_set(name, value);
    return load();
}

static void assert_config_eq(const struct sockshield_config *a, const struct sockshield_config *b)
{
    cr_assert_eq(a->sigpipe, b->sigpipe);
    cr_assert_eq(a->pipeline_end, b->pipeline_end);
    cr_assert_eq(a->restart, b->restart);
    cr_assert_eq(a->norestart, b->norestart, "norestart %#llx != %#llx",
                 (unsigned long long)a->norestart, (unsigned long long)b->norestart);
    cr_assert_eq(a->signal_persistent, b->signal_persistent);
    cr_assert_eq(a->reap, b->reap);
    cr_assert_eq(a->events, b->events, "events %#x != %#x", a->events, b->events);
    cr_assert_eq(a->log, b->log);
    cr_assert_str_eq(a->log_path, b->log_path);
    cr_assert_eq(a->log_format, b->log_format);
    cr_assert_eq(a->log_rate, b->log_rate);
    cr_assert_eq(a->summary, b->summary);
    cr_assert_eq(a->inherit, b->inherit);
    cr_assert_eq(a->runtimes, b->runtimes);
}

static void assert_defaults(void)
{
    struct sockshield_config def;

    sockshield_config_defaults(&def);
    assert_config_eq(&cfg, &def);
}

/* The value is bad: one warning naming the variable, everything at default. */
static void assert_bad(const char *name, const char *value)
{
    char head[64];

    cr_assert_eq(load_one(name, value), 1, "%s='%s' gave %zu warnings", name, value, warned.count);
    snprintf(head, sizeof head, "sockshield: %s='", name);
    cr_assert_eq(strncmp(warned.line[0], head, strlen(head)), 0, "line: %s", warned.line[0]);
    cr_assert_not_null(strstr(warned.line[0], "' is not valid (accepted: "), "line: %s", warned.line[0]);
    cr_assert_not_null(strstr(warned.line[0], "); using "), "line: %s", warned.line[0]);
    assert_defaults();
}

static void assert_good(const char *name, const char *value)
{
    cr_assert_eq(load_one(name, value), 0, "%s='%s' refused: %s", name, value, warned.line[0]);
}

#define SIG(n) SOCKSHIELD_SIGBIT(n)
#define EV(e) SOCKSHIELD_EV_BIT(SOCKSHIELD_EV_##e)

static const char *const all_names[] = {
    SOCKSHIELD_ENV_SIGPIPE, SOCKSHIELD_ENV_PIPELINE, SOCKSHIELD_ENV_RESTART, SOCKSHIELD_ENV_NORESTART,
    SOCKSHIELD_ENV_SIGNAL, SOCKSHIELD_ENV_REAP, SOCKSHIELD_ENV_RUNTIMES,
    SOCKSHIELD_ENV_EVENTS, SOCKSHIELD_ENV_LOG, SOCKSHIELD_ENV_LOG_FORMAT,
    SOCKSHIELD_ENV_LOG_RATE, SOCKSHIELD_ENV_SUMMARY, SOCKSHIELD_ENV_INHERIT,
};
#define NVARS (sizeof all_names / sizeof all_names[0])

/* ---- defaults ----------------------------------------------------------- */

Test(config, defaults_are_those_of_the_design)
{
    struct sockshield_config d;

    memset(&d, 0xa5, sizeof d);
    sockshield_config_defaults(&d);
    cr_assert_eq(d.sigpipe, SOCKSHIELD_SIGPIPE_CATCH);
    cr_assert(d.pipeline_end);
    cr_assert(d.restart);
    cr_assert_eq(d.norestart, SIG(SIGALRM) | SIG(SIGINT) | SIG(SIGTERM) | SIG(SIGHUP) | SIG(SIGQUIT));
    cr_assert(d.signal_persistent);
    cr_assert_not(d.reap);
    cr_assert_eq(d.events, EV(EPIPE) | EV(RESET) | EV(REFUSED) | EV(EAGAIN));
    cr_assert_eq(d.events, SOCKSHIELD_EV_DEFAULT);
    cr_assert_eq(d.log, SOCKSHIELD_LOG_STDERR);
    cr_assert_str_eq(d.log_path, "");
    cr_assert_eq(d.log_format, SOCKSHIELD_FORMAT_TEXT);
    cr_assert_eq(d.log_rate, 20);
    cr_assert_not(d.summary);
    cr_assert(d.inherit);
    cr_assert(d.runtimes);
}

Test(config, empty_environment_gives_defaults_without_warning)
{
    env_clear();
    cr_assert_eq(load(), 0);
    assert_defaults();
}

Test(config, unknown_sockshield_variables_are_not_read)
{
    env_clear();
    env_set("SOCKSHIELD_BOGUS", "junk");
    env_set("SOCKSHIELD_restart", "junk");
    cr_assert_eq(load(), 0);
    assert_defaults();
}

/* What sockshield_config_unknown() says of one environment entry, with the
 * fake environment as its getter; returns the warnings it counted, checked
 * against the lines the sink received. */
static int unknown(const char *entry)
{
    memset(&warned, 0, sizeof warned);
    int n = sockshield_config_unknown(entry, fake_get, collect, &warned);
    cr_assert_eq((size_t)n, warned.count, "returned %d, sink got %zu lines", n, warned.count);
    return n;
}

Test(config, a_misspelt_variable_gets_one_warning_naming_it_and_the_known_ones)
{
    env_clear();
    env_set("SOCKSHIELD_FORMAT", "json");
    cr_assert_eq(unknown("SOCKSHIELD_FORMAT=json"), 1);
    const char *line = warned.line[0];
    cr_expect(strncmp(line, "sockshield: SOCKSHIELD_FORMAT is not a sockshield variable, ignored "
                            "(known: SOCKSHIELD_SIGPIPE, ", 96) == 0, "%s", line);
    /* every variable is listed, the value is not shown */
    const char *name, *accepted, *fallback;
    unsigned count = 0;
    while (sockshield_config_variable(count, &name, &accepted, &fallback))
        count++;
    for (unsigned i = 0; sockshield_config_variable(i, &name, &accepted, &fallback); i++) {
        char listed[64];
        snprintf(listed, sizeof listed, " %s%s", name, i + 1 == count ? ")" : ",");
        cr_expect(strstr(line, listed), "%s not listed: %s", name, line);
    }
    cr_expect(!strstr(line, "json"), "%s", line);
    /* the lower-case spelling of a real one is not it */
    env_set("SOCKSHIELD_restart", "off");
    cr_assert_eq(unknown("SOCKSHIELD_restart=off"), 1);
    cr_expect(strstr(warned.line[0], "sockshield: SOCKSHIELD_restart is not"), "%s", warned.line[0]);
}

Test(config, variables_markers_and_other_names_get_no_warning)
{
    static const char *const quiet[] = {
        "SOCKSHIELD_LOG=stderr", "SOCKSHIELD_LOG_FORMAT=json", "SOCKSHIELD_INHERIT=junk",
        "SOCKSHIELD_LAUNCHER_SIGPIPE=1", "SOCKSHIELD_FAULT=read:EINTR:1",
        "SOCKSHIELD_FAULT_COUNT=read", "SOCKSHIELDX=1", "sockshield_log=x", "PATH=/bin",
        "SOCKSHIELD", "", NULL,
    };
    env_clear();
    for (unsigned i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        if (quiet[i])
            env_set(quiet[i], "x"); /* findable by the getter, whatever the entry */
        cr_expect_eq(unknown(quiet[i]), 0, "%s", quiet[i] ? quiet[i] : "(null)");
    }
}

Test(config, nothing_is_said_of_a_name_the_getter_does_not_give)
{
    /* secure execution: init.c's getter gives nothing, and nothing is said */
    env_clear();
    cr_expect_eq(unknown("SOCKSHIELD_FORMAT=json"), 0);
    env_set("SOCKSHIELD_FORMAT", "json");
    cr_expect_eq(sockshield_config_unknown("SOCKSHIELD_FORMAT=json", NULL, collect, &warned), 0);
    /* no sink: still counted */
    cr_expect_eq(sockshield_config_unknown("SOCKSHIELD_FORMAT=json", fake_get, NULL, NULL), 1);
}

Test(config, an_unknown_name_is_shown_escaped_and_a_long_one_is_passed_over)
{
    env_clear();
    env_set("SOCKSHIELD_A\tB'", "1");
    cr_assert_eq(unknown("SOCKSHIELD_A\tB'=1"), 1);
    cr_expect(strstr(warned.line[0], "sockshield: SOCKSHIELD_A\\x09B\\x27 is not"), "%s",
              warned.line[0]);
    char longname[80];
    memset(longname, 'X', sizeof longname);
    memcpy(longname, "SOCKSHIELD_", 11);
    longname[65] = '\0';
    env_set(longname, "1");
    cr_expect_eq(unknown(longname), 0, "a name of 65 bytes");
    longname[64] = '\0';
    env_set(longname, "1");
    cr_expect_eq(unknown(longname), 1, "a name of 64 bytes");
}

Test(config, missing_getter_or_sink_is_tolerated)
{
    struct sockshield_config c;

    cr_assert_eq(sockshield_config_load(&c, NULL, collect, &warned), 0);
    env_clear();
    env_set(SOCKSHIELD_ENV_RESTART, "maybe");
    env_set(SOCKSHIELD_ENV_REAP, "on");
    cr_assert_eq(sockshield_config_load(&c, fake_get, NULL, NULL), 1);
    cr_assert(c.restart);
    cr_assert(c.reap);
}

/* ---- the keyword variables ---------------------------------------------- */

Test(config, sigpipe_accepts_catch_ignore_off_in_any_case_with_blanks)
{
    assert_good(SOCKSHIELD_ENV_SIGPIPE, "ignore");
    cr_assert_eq(cfg.sigpipe, SOCKSHIELD_SIGPIPE_IGNORE);
    assert_good(SOCKSHIELD_ENV_SIGPIPE, " \tOFF\t ");
    cr_assert_eq(cfg.sigpipe, SOCKSHIELD_SIGPIPE_OFF);
    assert_good(SOCKSHIELD_ENV_SIGPIPE, "Catch");
    cr_assert_eq(cfg.sigpipe, SOCKSHIELD_SIGPIPE_CATCH);
    assert_good(SOCKSHIELD_ENV_SIGPIPE, "IgNoRe ");
    cr_assert_eq(cfg.sigpipe, SOCKSHIELD_SIGPIPE_IGNORE);
}

Test(config, sigpipe_refuses_other_words)
{
    assert_bad(SOCKSHIELD_ENV_SIGPIPE, "ign");
    assert_bad(SOCKSHIELD_ENV_SIGPIPE, "ignored");
    assert_bad(SOCKSHIELD_ENV_SIGPIPE, "catch,ignore");
    assert_bad(SOCKSHIELD_ENV_SIGPIPE, "on");
    assert_bad(SOCKSHIELD_ENV_SIGPIPE, "c atch");
    assert_bad(SOCKSHIELD_ENV_SIGPIPE, "catch\n");
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_SIGPIPE='catch\\x0a' is not valid "
                     "(accepted: catch, ignore, off); using catch\n");
}

Test(config, pipeline_accepts_end_and_shield_and_refuses_other_words)
{
    assert_good(SOCKSHIELD_ENV_PIPELINE, "shield");
    cr_assert(!cfg.pipeline_end);
    assert_good(SOCKSHIELD_ENV_PIPELINE, " End ");
    cr_assert(cfg.pipeline_end);
    assert_bad(SOCKSHIELD_ENV_PIPELINE, "off");
    assert_bad(SOCKSHIELD_ENV_PIPELINE, "ends");
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_PIPELINE='ends' is not valid "
                     "(accepted: end, shield); using end\n");
}

/* RESTART, REAP, SUMMARY, INHERIT share on/off; each lands in its own field. */
static bool *on_off_field(const char *name)
{
    if (strcmp(name, SOCKSHIELD_ENV_RESTART) == 0)
        return &cfg.restart;
    if (strcmp(name, SOCKSHIELD_ENV_REAP) == 0)
        return &cfg.reap;
    if (strcmp(name, SOCKSHIELD_ENV_SUMMARY) == 0)
        return &cfg.summary;
    return &cfg.inherit;
}

static void check_on_off(const char *name, bool def)
{
    static const char *const on[] = { "on", "ON", "On", " on", "on\t", "\t on \t" };
    static const char *const off[] = { "off", "OFF", "oFf", "  off  " };
    static const char *const bad[] = { "yes", "no", "1", "0", "true", "o n", "onn", "of", "on,off" };
    size_t i;

    for (i = 0; i < sizeof on / sizeof on[0]; i++) {
        assert_good(name, on[i]);
        cr_assert(*on_off_field(name), "%s='%s'", name, on[i]);
    }
    for (i = 0; i < sizeof off / sizeof off[0]; i++) {
        assert_good(name, off[i]);
        cr_assert_not(*on_off_field(name), "%s='%s'", name, off[i]);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_bad(name, bad[i]);
        cr_assert_eq(*on_off_field(name), def);
        cr_assert_not_null(strstr(warned.line[0], "(accepted: on, off); using "));
        cr_assert_not_null(strstr(warned.line[0], def ? "; using on\n" : "; using off\n"));
    }
}

Test(config, restart_accepts_on_and_off)
{
    check_on_off(SOCKSHIELD_ENV_RESTART, true);
}

Test(config, reap_accepts_on_and_off)
{
    check_on_off(SOCKSHIELD_ENV_REAP, false);
}

Test(config, summary_accepts_on_and_off)
{
    check_on_off(SOCKSHIELD_ENV_SUMMARY, false);
}

Test(config, inherit_accepts_on_and_off)
{
    check_on_off(SOCKSHIELD_ENV_INHERIT, true);
}

Test(config, signal_accepts_persistent_and_off)
{
    assert_good(SOCKSHIELD_ENV_SIGNAL, "off");
    cr_assert_not(cfg.signal_persistent);
    assert_good(SOCKSHIELD_ENV_SIGNAL, " PERSISTENT ");
    cr_assert(cfg.signal_persistent);
    assert_good(SOCKSHIELD_ENV_SIGNAL, "\tOff");
    cr_assert_not(cfg.signal_persistent);
    assert_bad(SOCKSHIELD_ENV_SIGNAL, "on");
    assert_bad(SOCKSHIELD_ENV_SIGNAL, "persist");
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_SIGNAL='persist' is not valid "
                     "(accepted: persistent, off); using persistent\n");
}

Test(config, runtimes_accepts_auto_and_off)
{
    assert_good(SOCKSHIELD_ENV_RUNTIMES, "off");
    cr_assert_not(cfg.runtimes);
    assert_good(SOCKSHIELD_ENV_RUNTIMES, " AUTO ");
    cr_assert(cfg.runtimes);
    assert_bad(SOCKSHIELD_ENV_RUNTIMES, "on");
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_RUNTIMES='on' is not valid "
                     "(accepted: auto, off); using auto\n");
}

Test(config, log_format_accepts_text_and_json)
{
    assert_good(SOCKSHIELD_ENV_LOG_FORMAT, "json");
    cr_assert_eq(cfg.log_format, SOCKSHIELD_FORMAT_JSON);
    assert_good(SOCKSHIELD_ENV_LOG_FORMAT, " JSON\t");
    cr_assert_eq(cfg.log_format, SOCKSHIELD_FORMAT_JSON);
    assert_good(SOCKSHIELD_ENV_LOG_FORMAT, "Text");
    cr_assert_eq(cfg.log_format, SOCKSHIELD_FORMAT_TEXT);
    assert_bad(SOCKSHIELD_ENV_LOG_FORMAT, "logfmt");
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_LOG_FORMAT='logfmt' is not valid "
                     "(accepted: text, json); using text\n");
    assert_bad(SOCKSHIELD_ENV_LOG_FORMAT, "jsonl");
}

/* ---- NORESTART ---------------------------------------------------------- */

Test(config, norestart_accepts_names_with_or_without_sig_in_any_case)
{
    assert_good(SOCKSHIELD_ENV_NORESTART, "ALRM");
    cr_assert_eq(cfg.norestart, SIG(SIGALRM));
    assert_good(SOCKSHIELD_ENV_NORESTART, "SIGALRM");
    cr_assert_eq(cfg.norestart, SIG(SIGALRM));
    assert_good(SOCKSHIELD_ENV_NORESTART, "alrm");
    cr_assert_eq(cfg.norestart, SIG(SIGALRM));
    assert_good(SOCKSHIELD_ENV_NORESTART, "sigAlrm");
    cr_assert_eq(cfg.norestart, SIG(SIGALRM));
    assert_good(SOCKSHIELD_ENV_NORESTART, " usr1 , SigUsr2,\tTERM\t,CHLD ");
    cr_assert_eq(cfg.norestart, SIG(SIGUSR1) | SIG(SIGUSR2) | SIG(SIGTERM) | SIG(SIGCHLD));
    /* the older spellings kill -l knows */
    assert_good(SOCKSHIELD_ENV_NORESTART, "IOT,SIGCLD,poll");
    cr_assert_eq(cfg.norestart, SIG(SIGABRT) | SIG(SIGCHLD) | SIG(SIGIO));
}

Test(config, norestart_accepts_every_standard_name_by_itself)
{
    char value[32];
    int sig;

    for (sig = 1; sig <= 31; sig++) {
        const char *name = sockshield_signal_name(sig);

        cr_assert_not_null(name, "signal %d has no name", sig);
        assert_good(SOCKSHIELD_ENV_NORESTART, name);
        cr_assert_eq(cfg.norestart, SIG(sig), "%s", name);
        snprintf(value, sizeof value, "SIG%s", name);
        assert_good(SOCKSHIELD_ENV_NORESTART, value);
        cr_assert_eq(cfg.norestart, SIG(sig), "%s", value);
    }
}

Test(config, norestart_accepts_numbers_and_realtime_names)
{
    assert_good(SOCKSHIELD_ENV_NORESTART, "1,14,31,34,64");
    cr_assert_eq(cfg.norestart, SIG(1) | SIG(14) | SIG(31) | SIG(34) | SIG(64));
    assert_good(SOCKSHIELD_ENV_NORESTART, "RTMIN");
    cr_assert_eq(cfg.norestart, SIG(34));
    assert_good(SOCKSHIELD_ENV_NORESTART, "SIGRTMIN+1,rtmin+30");
    cr_assert_eq(cfg.norestart, SIG(35) | SIG(64));
    assert_good(SOCKSHIELD_ENV_NORESTART, "RTMAX,SIGRTMAX-1,rtmax-30");
    cr_assert_eq(cfg.norestart, SIG(64) | SIG(63) | SIG(34));
    assert_good(SOCKSHIELD_ENV_NORESTART, "RTMIN+0,007");
    cr_assert_eq(cfg.norestart, SIG(34) | SIG(7));
}

Test(config, norestart_none_is_the_empty_set)
{
    assert_good(SOCKSHIELD_ENV_NORESTART, "none");
    cr_assert_eq(cfg.norestart, 0);
    assert_good(SOCKSHIELD_ENV_NORESTART, " NONE ");
    cr_assert_eq(cfg.norestart, 0);
}

Test(config, norestart_refuses_bad_lists_whole)
{
    static const char *const bad[] = {
        "", " ", "\t", ",", "ALRM,,INT", ",INT", "INT,", "INT , ,TERM",
        "INT,INT", "INT,SIGINT,2", "alrm,ALRM", "RTMIN,34", "RTMAX,RTMIN+30",
        "FOO", "SIG", "SIGSIGINT", "SIG2", "INT TERM", "INT;TERM",
        "0", "32", "33", "65", "-1", "+2", "2.0", "0x2", "99999999999999999999",
        "18446744073709551617", "RTMIN+31", "RTMAX-31", "RTMIN-1", "RTMAX+1",
        "RTMIN+", "RTMAX-", "RTMIN+-1", "RTMIN1", "RTMIN+99999999999999999999",
        "none,INT", "INT,none", "all", "none none",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_bad(SOCKSHIELD_ENV_NORESTART, bad[i]);
        cr_assert_not_null(strstr(warned.line[0],
                                  "(accepted: comma-separated signal names or numbers 1-64, or none); "
                                  "using ALRM,INT,TERM,HUP,QUIT\n"),
                           "line: %s", warned.line[0]);
    }
    assert_bad(SOCKSHIELD_ENV_NORESTART, "INT,SIGINT,2");
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_NORESTART='INT,SIGINT,2' is not valid "
                     "(accepted: comma-separated signal names or numbers 1-64, or none); "
                     "using ALRM,INT,TERM,HUP,QUIT\n");
}

/* ---- EVENTS ------------------------------------------------------------- */

Test(config, events_accepts_each_name_lists_all_and_none)
{
    static const char *const names[] = {
        "epipe", "reset", "refused", "eagain", "eof", "eintr", "timeout", "unreach",
    };
    char upper[16];
    unsigned e;
    size_t i;

    for (e = 0; e < SOCKSHIELD_EV_COUNT; e++) {
        assert_good(SOCKSHIELD_ENV_EVENTS, names[e]);
        cr_assert_eq(cfg.events, SOCKSHIELD_EV_BIT(e), "%s", names[e]);
        for (i = 0; names[e][i]; i++)
            upper[i] = (char)(names[e][i] - 'a' + 'A');
        upper[i] = '\0';
        assert_good(SOCKSHIELD_ENV_EVENTS, upper);
        cr_assert_eq(cfg.events, SOCKSHIELD_EV_BIT(e), "%s", upper);
    }
    assert_good(SOCKSHIELD_ENV_EVENTS, " eof ,\tReset,EINTR ");
    cr_assert_eq(cfg.events, EV(EOF) | EV(RESET) | EV(EINTR));
    assert_good(SOCKSHIELD_ENV_EVENTS, "epipe,reset,refused,eagain,eof,eintr,timeout,unreach");
    cr_assert_eq(cfg.events, SOCKSHIELD_EV_ALL);
    assert_good(SOCKSHIELD_ENV_EVENTS, "all");
    cr_assert_eq(cfg.events, SOCKSHIELD_EV_ALL);
    assert_good(SOCKSHIELD_ENV_EVENTS, " ALL\t");
    cr_assert_eq(cfg.events, SOCKSHIELD_EV_ALL);
    assert_good(SOCKSHIELD_ENV_EVENTS, "none");
    cr_assert_eq(cfg.events, 0);
    assert_good(SOCKSHIELD_ENV_EVENTS, "None");
    cr_assert_eq(cfg.events, 0);
}

Test(config, events_refuses_bad_lists_whole)
{
    static const char *const bad[] = {
        "", "  ", "epipe,,reset", ",eof", "eof,", "reset,reset", "eof,EOF",
        "rst", "epipes", "EPIPE;reset", "all,eof", "eof,all", "none,eof",
        "all,none", "all all", "1", "-1",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_bad(SOCKSHIELD_ENV_EVENTS, bad[i]);
        cr_assert_not_null(strstr(warned.line[0], "; using epipe,reset,refused,eagain\n"),
                           "line: %s", warned.line[0]);
        cr_assert_not_null(strstr(warned.line[0], "epipe, reset, refused, eagain, eof, eintr, "
                                  "timeout, unreach, or all, or none"), "line: %s", warned.line[0]);
    }
}

/* ---- LOG ---------------------------------------------------------------- */

Test(config, log_accepts_stderr_none_syslog_and_paths)
{
    assert_good(SOCKSHIELD_ENV_LOG, "none");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_NONE);
    assert_good(SOCKSHIELD_ENV_LOG, " STDERR ");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_STDERR);
    cr_assert_str_eq(cfg.log_path, "");
    assert_good(SOCKSHIELD_ENV_LOG, "syslog");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_SYSLOG);
    cr_assert_str_eq(cfg.log_path, "/dev/log");
    assert_good(SOCKSHIELD_ENV_LOG, "SysLog:/run/systemd/journal/dev-log");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_SYSLOG);
    cr_assert_str_eq(cfg.log_path, "/run/systemd/journal/dev-log");
    assert_good(SOCKSHIELD_ENV_LOG, "/var/log/ss-%p.log");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_FILE);
    cr_assert_str_eq(cfg.log_path, "/var/log/ss-%p.log", "%%p is the logger's business");
    assert_good(SOCKSHIELD_ENV_LOG, "\tss.log ");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_FILE);
    cr_assert_str_eq(cfg.log_path, "ss.log");
    assert_good(SOCKSHIELD_ENV_LOG, "/tmp/with inner space/caf\xc3\xa9\xff.log");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_FILE);
    cr_assert_str_eq(cfg.log_path, "/tmp/with inner space/caf\xc3\xa9\xff.log");
    assert_good(SOCKSHIELD_ENV_LOG, "none.log");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_FILE);
    cr_assert_str_eq(cfg.log_path, "none.log");
}

Test(config, log_accepts_journal_and_journal_path)
{
    assert_good(SOCKSHIELD_ENV_LOG, "journal");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_JOURNAL);
    cr_assert_str_eq(cfg.log_path, "/run/systemd/journal/socket");
    assert_good(SOCKSHIELD_ENV_LOG, " Journal:/tmp/j/socket ");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_JOURNAL);
    cr_assert_str_eq(cfg.log_path, "/tmp/j/socket");
    assert_good(SOCKSHIELD_ENV_LOG, "journal.log");
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_FILE);
    cr_assert_str_eq(cfg.log_path, "journal.log");
    static const char *const bad[] = { "journal:", "journal:run/x", "journal:/a\nb" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_bad(SOCKSHIELD_ENV_LOG, bad[i]);
        cr_assert_eq(cfg.log, SOCKSHIELD_LOG_STDERR);
        cr_assert_not_null(strstr(warned.line[0], "journal, journal:/PATH"), "%s", warned.line[0]);
    }
}

Test(config, log_path_must_fit_log_path)
{
    static char path[SOCKSHIELD_PATH_MAX + 1];
    static char sys[SOCKSHIELD_PATH_MAX + 16];

    memset(path, 'a', SOCKSHIELD_PATH_MAX - 1);
    path[0] = '/';
    path[SOCKSHIELD_PATH_MAX - 1] = '\0';
    assert_good(SOCKSHIELD_ENV_LOG, path);
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_FILE);
    cr_assert_str_eq(cfg.log_path, path);

    path[SOCKSHIELD_PATH_MAX - 1] = 'a';
    path[SOCKSHIELD_PATH_MAX] = '\0';
    assert_bad(SOCKSHIELD_ENV_LOG, path);

    path[SOCKSHIELD_PATH_MAX - 1] = '\0';
    snprintf(sys, sizeof sys, "syslog:%s", path);
    assert_good(SOCKSHIELD_ENV_LOG, sys);
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_SYSLOG);
    cr_assert_str_eq(cfg.log_path, path);
    path[SOCKSHIELD_PATH_MAX - 1] = 'a';
    snprintf(sys, sizeof sys, "syslog:%s", path);
    assert_bad(SOCKSHIELD_ENV_LOG, sys);
}

Test(config, log_refuses_empty_relative_syslog_and_control_bytes)
{
    static const char *const bad[] = {
        "", " \t ", "syslog:", "SYSLOG:", "syslog:dev/log", "syslog: /dev/log",
        "/tmp/a\nsockshield: forged", "/tmp/a\rb", "/tmp/a\tb", "/tmp/\x1b[31m",
        "/tmp/a\x7f", "syslog:/dev/\x01log",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_bad(SOCKSHIELD_ENV_LOG, bad[i]);
        cr_assert_eq(cfg.log, SOCKSHIELD_LOG_STDERR);
        cr_assert_not_null(strstr(warned.line[0], "(accepted: stderr, none, syslog, syslog:/PATH, "
                                  "journal, journal:/PATH, or a file path"), "line: %s", warned.line[0]);
        cr_assert_not_null(strstr(warned.line[0], "; using stderr\n"));
    }
    assert_bad(SOCKSHIELD_ENV_LOG, "/tmp/a\nsockshield: forged");
    cr_assert_not_null(strstr(warned.line[0], "='/tmp/a\\x0asockshield: forged'"), "%s", warned.line[0]);
}

/* ---- LOG_RATE ----------------------------------------------------------- */

Test(config, log_rate_accepts_digits_from_0_to_1000000)
{
    assert_good(SOCKSHIELD_ENV_LOG_RATE, "0");
    cr_assert_eq(cfg.log_rate, 0);
    assert_good(SOCKSHIELD_ENV_LOG_RATE, " 5 ");
    cr_assert_eq(cfg.log_rate, 5);
    assert_good(SOCKSHIELD_ENV_LOG_RATE, "1000000");
    cr_assert_eq(cfg.log_rate, 1000000);
    assert_good(SOCKSHIELD_ENV_LOG_RATE, "0000000000000000000000000100");
    cr_assert_eq(cfg.log_rate, 100);
}

Test(config, log_rate_refuses_signs_junk_and_overflow)
{
    static const char *const bad[] = {
        "", " ", "-1", "+5", "1000001", "99999999999999999999", "4294967296",
        "18446744073709551616", "1 000", "12a", "0x10", "1e3", "1.5", "ten", "none",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_bad(SOCKSHIELD_ENV_LOG_RATE, bad[i]);
        cr_assert_eq(cfg.log_rate, 20);
        cr_assert_not_null(strstr(warned.line[0], "(accepted: 0-1000000 lines per second, "
                                  "0 = unlimited); using 20\n"), "line: %s", warned.line[0]);
    }
    assert_bad(SOCKSHIELD_ENV_LOG_RATE, "-1");
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_LOG_RATE='-1' is not valid "
                     "(accepted: 0-1000000 lines per second, 0 = unlimited); using 20\n");
}

/* ---- the warning -------------------------------------------------------- */

Test(config, warning_has_the_documented_shape)
{
    cr_assert_eq(load_one(SOCKSHIELD_ENV_RESTART, "maybe"), 1);
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_RESTART='maybe' is not valid "
                     "(accepted: on, off); using on\n");
    cr_assert_eq(warned.len[0], strlen(warned.line[0]));
}

Test(config, warning_quotes_the_value_as_set_untrimmed)
{
    cr_assert_eq(load_one(SOCKSHIELD_ENV_SIGPIPE, " kill "), 1);
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_SIGPIPE=' kill ' is not valid "
                     "(accepted: catch, ignore, off); using catch\n");
}

Test(config, empty_value_is_bad_for_every_variable)
{
    size_t i;

    env_clear();
    for (i = 0; i < NVARS; i++)
        env_set(all_names[i], "");
    cr_assert_eq(load(), (int)NVARS);
    assert_defaults();
    for (i = 0; i < NVARS; i++) {
        char head[64];

        snprintf(head, sizeof head, "sockshield: %s='' is not valid (accepted: ", all_names[i]);
        cr_assert_eq(strncmp(warned.line[i], head, strlen(head)), 0, "line: %s", warned.line[i]);
    }
}

Test(config, unknown_word_is_bad_for_every_variable)
{
    size_t i;

    for (i = 0; i < NVARS; i++)
        assert_bad(all_names[i], "bogus\x01");
}

Test(config, bytes_outside_printable_ascii_quote_and_backslash_are_escaped)
{
    cr_assert_eq(load_one(SOCKSHIELD_ENV_REAP, "\xff\xfe""a'b\\c\x01\x7f \x80\xc3\xa9"), 1);
    cr_assert_str_eq(warned.line[0], "sockshield: SOCKSHIELD_REAP='\\xff\\xfea\\x27b\\x5cc\\x01\\x7f "
                     "\\x80\\xc3\\xa9' is not valid (accepted: on, off); using off\n");
}

Test(config, value_of_48_bytes_is_shown_whole_and_49_is_cut)
{
    char v[64];

    memset(v, 'x', 48);
    v[48] = '\0';
    cr_assert_eq(load_one(SOCKSHIELD_ENV_RESTART, v), 1);
    cr_assert_not_null(strstr(warned.line[0], "='xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is"),
                       "line: %s", warned.line[0]);
    v[48] = 'y';
    v[49] = '\0';
    cr_assert_eq(load_one(SOCKSHIELD_ENV_RESTART, v), 1);
    cr_assert_not_null(strstr(warned.line[0], "='xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is"),
                       "line: %s", warned.line[0]);
}

/* 1 MiB of each filler, for every variable: the line stays short and whole. */
Test(config, megabyte_value_gives_one_short_line_ending_in_ellipsis)
{
    static const char fillers[] = { 'a', ',', '9', '\xff', ' ' };
    size_t size = 1u << 20;
    char *v = malloc(size + 1);
    size_t f, i;

    cr_assert_not_null(v);
    for (f = 0; f < sizeof fillers; f++) {
        memset(v, fillers[f], size);
        v[0] = '/';             /* for LOG: an absolute path, too long */
        v[size] = '\0';
        for (i = 0; i < NVARS; i++) {
            const char *tail;

            /* "/" and a megabyte of blanks trims to the good path "/" */
            if (fillers[f] == ' ' && strcmp(all_names[i], SOCKSHIELD_ENV_LOG) == 0)
                continue;
            assert_bad(all_names[i], v);
            cr_assert_lt(warned.len[0], 512);
            tail = strstr(warned.line[0], "...' is not valid (accepted: ");
            cr_assert_not_null(tail, "line: %s", warned.line[0]);
        }
    }
    /* the longest possible line: every shown byte escaped, longest texts */
    memset(v, '\x80', size);
    for (i = 0; i < NVARS; i++) {
        assert_bad(all_names[i], v);
        cr_assert_not_null(strstr(warned.line[0], "\\x80...' is not valid"), "line: %s", warned.line[0]);
        cr_assert_eq(warned.line[0][warned.len[0] - 1], '\n');
    }
    /* a list of a million good items is still one value: parsed, then refused
     * for its duplicates, in linear time */
    for (i = 0; i + 4 <= size; i += 4)
        memcpy(v + i, "INT,", 4);
    v[size - 1] = 'X';
    assert_bad(SOCKSHIELD_ENV_NORESTART, v);
    free(v);
}

Test(config, bad_variable_keeps_default_while_the_others_apply)
{
    env_clear();
    env_set(SOCKSHIELD_ENV_SIGPIPE, "ignore");
    env_set(SOCKSHIELD_ENV_RESTART, "maybe");
    env_set(SOCKSHIELD_ENV_NORESTART, "INT,INT");
    env_set(SOCKSHIELD_ENV_SIGNAL, "off");
    env_set(SOCKSHIELD_ENV_REAP, "on");
    env_set(SOCKSHIELD_ENV_EVENTS, "all");
    env_set(SOCKSHIELD_ENV_LOG, "syslog:relative");
    env_set(SOCKSHIELD_ENV_LOG_FORMAT, "json");
    env_set(SOCKSHIELD_ENV_LOG_RATE, "99999999999999999999");
    env_set(SOCKSHIELD_ENV_SUMMARY, "on");
    env_set(SOCKSHIELD_ENV_INHERIT, "off");
    cr_assert_eq(load(), 4);

    cr_assert_eq(cfg.sigpipe, SOCKSHIELD_SIGPIPE_IGNORE);
    cr_assert(cfg.restart, "bad RESTART keeps its default");
    cr_assert_eq(cfg.norestart, SIG(SIGALRM) | SIG(SIGINT) | SIG(SIGTERM) | SIG(SIGHUP) | SIG(SIGQUIT));
    cr_assert_not(cfg.signal_persistent);
    cr_assert(cfg.reap);
    cr_assert_eq(cfg.events, SOCKSHIELD_EV_ALL);
    cr_assert_eq(cfg.log, SOCKSHIELD_LOG_STDERR);
    cr_assert_str_eq(cfg.log_path, "");
    cr_assert_eq(cfg.log_format, SOCKSHIELD_FORMAT_JSON);
    cr_assert_eq(cfg.log_rate, 20);
    cr_assert(cfg.summary);
    cr_assert_not(cfg.inherit);

    /* one line each, in table order, each naming its own variable */
    cr_assert_not_null(strstr(warned.line[0], "SOCKSHIELD_RESTART='maybe'"));
    cr_assert_not_null(strstr(warned.line[1], "SOCKSHIELD_NORESTART='INT,INT'"));
    cr_assert_not_null(strstr(warned.line[2], "SOCKSHIELD_LOG='syslog:relative'"));
    cr_assert_not_null(strstr(warned.line[3], "SOCKSHIELD_LOG_RATE='99999999999999999999'"));
}

/* What a warning says it uses instead must itself be a good value, and the
 * default: the text and sockshield_config_defaults cannot drift apart. */
Test(config, fallback_named_in_the_warning_parses_back_to_the_default)
{
    size_t i;

    for (i = 0; i < NVARS; i++) {
        char fallback[128];
        const char *p;
        size_t n;

        cr_assert_eq(load_one(all_names[i], ""), 1);
        p = strstr(warned.line[0], "); using ");
        cr_assert_not_null(p);
        p += strlen("); using ");
        n = strlen(p) - 1;
        cr_assert_lt(n, sizeof fallback);
        memcpy(fallback, p, n);
        fallback[n] = '\0';
        assert_good(all_names[i], fallback);
        assert_defaults();
    }
}

/* ---- names -------------------------------------------------------------- */

Test(config, event_names_cover_every_event_and_nothing_else)
{
    cr_assert_str_eq(sockshield_event_name(SOCKSHIELD_EV_EPIPE), "epipe");
    cr_assert_str_eq(sockshield_event_name(SOCKSHIELD_EV_RESET), "reset");
    cr_assert_str_eq(sockshield_event_name(SOCKSHIELD_EV_REFUSED), "refused");
    cr_assert_str_eq(sockshield_event_name(SOCKSHIELD_EV_EAGAIN), "eagain");
    cr_assert_str_eq(sockshield_event_name(SOCKSHIELD_EV_EOF), "eof");
    cr_assert_str_eq(sockshield_event_name(SOCKSHIELD_EV_EINTR), "eintr");
    cr_assert_str_eq(sockshield_event_name(SOCKSHIELD_EV_TIMEOUT), "timeout");
    cr_assert_str_eq(sockshield_event_name(SOCKSHIELD_EV_UNREACH), "unreach");
    cr_assert_null(sockshield_event_name(SOCKSHIELD_EV_COUNT));
    cr_assert_null(sockshield_event_name(SOCKSHIELD_EV_NONE));
    cr_assert_null(sockshield_event_name((enum sockshield_event)1000));
}

Test(config, signal_names_follow_linux_numbering)
{
    static const char *const x86_64[32] = {
        NULL, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
        "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT",
        "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS",
    };
    int sig;

    cr_assert_str_eq(sockshield_signal_name(SIGPIPE), "PIPE");
    cr_assert_str_eq(sockshield_signal_name(SIGBUS), "BUS");
    cr_assert_str_eq(sockshield_signal_name(SIGUSR1), "USR1");
    cr_assert_str_eq(sockshield_signal_name(SIGCHLD), "CHLD");
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
    for (sig = 1; sig <= 31; sig++)
        cr_assert_str_eq(sockshield_signal_name(sig), x86_64[sig], "signal %d", sig);
#else
    (void)x86_64;
    (void)sig;
#endif
    cr_assert_null(sockshield_signal_name(0));
    cr_assert_null(sockshield_signal_name(-1));
    cr_assert_null(sockshield_signal_name(32));
    cr_assert_null(sockshield_signal_name(34));
    cr_assert_null(sockshield_signal_name(64));
    cr_assert_null(sockshield_signal_name(65));
}
