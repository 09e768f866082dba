/* SOCKSHIELD_* environment variables into struct sockshield_config
 * (sockshield(1), ENVIRONMENT).
 *
 * This runs inside arbitrary host programs, from the constructor, possibly in
 * a setuid process and with hostile values: no allocation, no stdio, no
 * locale (the keywords are ASCII and compared by hand; strcasecmp and
 * tolower consult the locale), no mutable state outside the caller's struct,
 * and each value is read in time linear in its length, so a megabyte of junk
 * costs a few passes over a megabyte, and shows as 48 bytes in a warning. */
#include "config.h"

#include <signal.h>
#include <string.h>

/* Signal numbers as the program sees them (signal(7)): 1..31 standard, then
 * those the C library keeps for itself (32 and 33 for glibc's NPTL, 32 to 34
 * for musl), so SIGRTMIN is read at run time; SIGRTMAX is 64 on every Linux
 * architecture whose set fits sockshield_sigset. */
enum {
    SIGNUM_STD_MAX = 31,
    SIGNUM_RTMAX = 64,
};
#define SIGNUM_RTMIN ((int)SIGRTMIN)

/* The longest name sockshield_config_unknown() warns about (config.h). */
#define UNKNOWN_NAME_MAX 64
/* The longest value shown in a warning, in bytes of the original value. */
#define VALUE_SHOWN_MAX 48
/* The warning line, newline included (config.h). */
#define WARN_LINE_MAX 512

#define LOG_RATE_MAX 1000000u   /* also spelled in the LOG_RATE warning */

/* ---- names shared with the logger and the documentation ---------------- */


/* Indexed by the platform's own constants, so the numbering is right on any
 * Linux architecture (x86_64: 7 BUS, 10 USR1, 16 STKFLT, 29 IO, 30 PWR). */
static const char *const signal_names[SIGNUM_STD_MAX + 1] = {
    [SIGHUP] = "HUP",     [SIGINT] = "INT",       [SIGQUIT] = "QUIT",
    [SIGILL] = "ILL",     [SIGTRAP] = "TRAP",     [SIGABRT] = "ABRT",
    [SIGBUS] = "BUS",     [SIGFPE] = "FPE",       [SIGKILL] = "KILL",
    [SIGUSR1] = "USR1",   [SIGSEGV] = "SEGV",     [SIGUSR2] = "USR2",
    [SIGPIPE] = "PIPE",   [SIGALRM] = "ALRM",     [SIGTERM] = "TERM",
#ifdef SIGSTKFLT
    [SIGSTKFLT] = "STKFLT",
#endif
    [SIGCHLD] = "CHLD",   [SIGCONT] = "CONT",     [SIGSTOP] = "STOP",
    [SIGTSTP] = "TSTP",   [SIGTTIN] = "TTIN",     [SIGTTOU] = "TTOU",
    [SIGURG] = "URG",     [SIGXCPU] = "XCPU",     [SIGXFSZ] = "XFSZ",
    [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",   [SIGWINCH] = "WINCH",
    [SIGIO] = "IO",
#ifdef SIGPWR
    [SIGPWR] = "PWR",
#endif
    [SIGSYS] = "SYS",
};

/* Other spellings `kill -l` and signal.h accept; never printed. */
static const struct {
    const char *name;
    int sig;
} signal_aliases[] = {
    { "IOT", SIGABRT },
    { "CLD", SIGCHLD },
    { "POLL", SIGIO },
};

const char *sockshield_signal_name(int sig)
{
    if (sig < 1 || sig > SIGNUM_STD_MAX)
        return NULL;
    return signal_names[sig];
}

/* ---- byte spans --------------------------------------------------------- */

struct span {
    const char *p;
    size_t n;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Control bytes: C0 and DEL.  Bytes >= 0x80 are legal in file names. */
static bool is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static struct span trim(struct span s)
{
    while (s.n > 0 && is_blank(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* Whether s starts with word, ignoring ASCII case; the rest goes to *rest. */
static bool take_prefix(struct span s, const char *word, struct span *rest)
{
    size_t i;

    for (i = 0; word[i] != '\0'; i++)
        if (i == s.n || ascii_lower((unsigned char)s.p[i]) != ascii_lower((unsigned char)word[i]))
            return false;
    rest->p = s.p + i;
    rest->n = s.n - i;
    return true;
}

static bool equals_word(struct span s, const char *word)
{
    struct span rest;

    return take_prefix(s, word, &rest) && rest.n == 0;
}

/* Decimal digits only (no sign, no blanks), at most max.  Stops at the first
 * digit that would exceed max, so no length overflows. */
static bool parse_decimal(struct span s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    size_t i;

    if (s.n == 0)
        return false;
    for (i = 0; i < s.n; i++) {
        if (!is_digit(s.p[i]))
            return false;
        v = v * 10 + (unsigned long)(s.p[i] - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

/* A comma-separated list, walked one blank-trimmed item at a time.  An empty
 * item comes out as an empty span, for the item parser to refuse. */
struct list {
    struct span rest;
    bool done;
};

static bool list_next(struct list *l, struct span *item)
{
    const char *comma;

    if (l->done)
        return false;
    comma = memchr(l->rest.p, ',', l->rest.n);
    if (comma == NULL) {
        *item = trim(l->rest);
        l->done = true;
        return true;
    }
    item->p = l->rest.p;
    item->n = (size_t)(comma - l->rest.p);
    *item = trim(*item);
    l->rest.n -= (size_t)(comma + 1 - l->rest.p);
    l->rest.p = comma + 1;
    return true;
}

/* ---- one parser per value type ------------------------------------------ */

struct keyword {
    const char *word;
    int value;
};

static bool parse_keyword(struct span v, const struct keyword *kw, size_t count, int *out)
{
    size_t i;

    for (i = 0; i < count; i++) {
        if (equals_word(v, kw[i].word)) {
            *out = kw[i].value;
            return true;
        }
    }
    return false;
}

static bool parse_on_off(struct span v, bool *out)
{
    static const struct keyword kw[] = { { "on", 1 }, { "off", 0 } };
    int value;

    if (!parse_keyword(v, kw, sizeof kw / sizeof kw[0], &value))
        return false;
    *out = value;
    return true;
}

/* "n" (decimal) after RTMIN+ or RTMAX-, within the realtime range. */
static bool parse_rt_offset(struct span s, int base, int sign, int *sig)
{
    unsigned long n = 0;

    if (s.n > 0) {
        if (s.p[0] != (sign > 0 ? '+' : '-'))
            return false;
        s.p++;
        s.n--;
        if (!parse_decimal(s, (unsigned long)(SIGNUM_RTMAX - SIGNUM_RTMIN), &n))
            return false;
    }
    *sig = base + sign * (int)n;
    return true;
}

/* One signal: a number 1..64 except 32 and 33, or a name with or without
 * "SIG", or RTMIN, RTMIN+n, RTMAX, RTMAX-n. */
static bool parse_signal(struct span s, int *sig)
{
    struct span rest;
    unsigned long n;
    size_t i;

    if (s.n > 0 && is_digit(s.p[0])) {
        if (!parse_decimal(s, SIGNUM_RTMAX, &n) || n == 0 ||
            (n > SIGNUM_STD_MAX && n < (unsigned long)SIGNUM_RTMIN))
            return false;
        *sig = (int)n;
        return true;
    }
    if (take_prefix(s, "SIG", &rest))
        s = rest;
    if (take_prefix(s, "RTMIN", &rest))
        return parse_rt_offset(rest, SIGNUM_RTMIN, +1, sig);
    if (take_prefix(s, "RTMAX", &rest))
        return parse_rt_offset(rest, SIGNUM_RTMAX, -1, sig);
    for (i = 1; i <= SIGNUM_STD_MAX; i++) {
        if (signal_names[i] && equals_word(s, signal_names[i])) {
            *sig = (int)i;
            return true;
        }
    }
    for (i = 0; i < sizeof signal_aliases / sizeof signal_aliases[0]; i++) {
        if (equals_word(s, signal_aliases[i].name)) {
            *sig = signal_aliases[i].sig;
            return true;
        }
    }
    return false;
}

static bool parse_norestart(struct span v, struct sockshield_config *cfg)
{
    struct list l = { v, false };
    struct span item;
    sockshield_sigset set = 0;
    int sig;

    if (equals_word(v, "none")) {
        cfg->norestart = 0;
        return true;
    }
    while (list_next(&l, &item)) {
        if (!parse_signal(item, &sig) || (set & SOCKSHIELD_SIGBIT(sig)))
            return false;
        set |= SOCKSHIELD_SIGBIT(sig);
    }
    cfg->norestart = set;
    return true;
}

static bool parse_events(struct span v, struct sockshield_config *cfg)
{
    struct list l = { v, false };
    struct span item;
    unsigned set = 0;
    unsigned ev;

    if (equals_word(v, "none")) {
        cfg->events = 0;
        return true;
    }
    if (equals_word(v, "all")) {
        cfg->events = SOCKSHIELD_EV_ALL;
        return true;
    }
    while (list_next(&l, &item)) {
        for (ev = 0; ev < SOCKSHIELD_EV_COUNT; ev++)
            if (equals_word(item, sockshield_event_name(ev)))
                break;
        if (ev == SOCKSHIELD_EV_COUNT || (set & SOCKSHIELD_EV_BIT(ev)))
            return false;
        set |= SOCKSHIELD_EV_BIT(ev);
    }
    cfg->events = set;
    return true;
}

/* A path for log_path: not empty, fits with its NUL, no control byte (a
 * newline would forge log lines; the logger writes the path verbatim). */
static bool store_path(struct span p, char dst[SOCKSHIELD_PATH_MAX])
{
    size_t i;

    if (p.n == 0 || p.n >= SOCKSHIELD_PATH_MAX)
        return false;
    for (i = 0; i < p.n; i++)
        if (is_control((unsigned char)p.p[i]))
            return false;
    memcpy(dst, p.p, p.n);
    dst[p.n] = '\0';
    return true;
}

static bool parse_log(struct span v, struct sockshield_config *cfg)
{
    static const char syslog_socket[] = "/dev/log";
    static const char journal_socket[] = "/run/systemd/journal/socket";
    struct span path;

    if (equals_word(v, "stderr")) {
        cfg->log = SOCKSHIELD_LOG_STDERR;
        cfg->log_path[0] = '\0';
    } else if (equals_word(v, "none")) {
        cfg->log = SOCKSHIELD_LOG_NONE;
        cfg->log_path[0] = '\0';
    } else if (equals_word(v, "syslog")) {
        cfg->log = SOCKSHIELD_LOG_SYSLOG;
        memcpy(cfg->log_path, syslog_socket, sizeof syslog_socket);
    } else if (take_prefix(v, "syslog:", &path)) {
        /* A relative socket path would depend on the program's cwd. */
        if (path.n == 0 || path.p[0] != '/' || !store_path(path, cfg->log_path))
            return false;
        cfg->log = SOCKSHIELD_LOG_SYSLOG;
    } else if (equals_word(v, "journal")) {
        cfg->log = SOCKSHIELD_LOG_JOURNAL;
        memcpy(cfg->log_path, journal_socket, sizeof journal_socket);
    } else if (take_prefix(v, "journal:", &path)) {
        if (path.n == 0 || path.p[0] != '/' || !store_path(path, cfg->log_path))
            return false;
        cfg->log = SOCKSHIELD_LOG_JOURNAL;
    } else {
        if (!store_path(v, cfg->log_path))
            return false;
        cfg->log = SOCKSHIELD_LOG_FILE;
    }
    return true;
}

static bool parse_sigpipe(struct span v, struct sockshield_config *cfg)
{
    static const struct keyword kw[] = {
        { "catch", SOCKSHIELD_SIGPIPE_CATCH },
        { "ignore", SOCKSHIELD_SIGPIPE_IGNORE },
        { "off", SOCKSHIELD_SIGPIPE_OFF },
    };
    int mode;

    if (!parse_keyword(v, kw, sizeof kw / sizeof kw[0], &mode))
        return false;
    cfg->sigpipe = (enum sockshield_sigpipe_mode)mode;
    return true;
}

static bool parse_pipeline(struct span v, struct sockshield_config *cfg)
{
    static const struct keyword kw[] = { { "end", 1 }, { "shield", 0 } };
    int end;

    if (!parse_keyword(v, kw, sizeof kw / sizeof kw[0], &end))
        return false;
    cfg->pipeline_end = end;
    return true;
}

static bool parse_signal_mode(struct span v, struct sockshield_config *cfg)
{
    static const struct keyword kw[] = { { "persistent", 1 }, { "off", 0 } };
    int persistent;

    if (!parse_keyword(v, kw, sizeof kw / sizeof kw[0], &persistent))
        return false;
    cfg->signal_persistent = persistent;
    return true;
}

static bool parse_log_format(struct span v, struct sockshield_config *cfg)
{
    static const struct keyword kw[] = {
        { "text", SOCKSHIELD_FORMAT_TEXT },
        { "json", SOCKSHIELD_FORMAT_JSON },
    };
    int format;

    if (!parse_keyword(v, kw, sizeof kw / sizeof kw[0], &format))
        return false;
    cfg->log_format = (enum sockshield_log_format)format;
    return true;
}

static bool parse_log_rate(struct span v, struct sockshield_config *cfg)
{
    unsigned long rate;

    if (!parse_decimal(v, LOG_RATE_MAX, &rate))
        return false;
    cfg->log_rate = (unsigned)rate;
    return true;
}

static bool parse_restart(struct span v, struct sockshield_config *cfg)
{
    return parse_on_off(v, &cfg->restart);
}

static bool parse_reap(struct span v, struct sockshield_config *cfg)
{
    return parse_on_off(v, &cfg->reap);
}

static bool parse_runtimes(struct span v, struct sockshield_config *cfg)
{
    static const struct keyword kw[] = { { "auto", 1 }, { "off", 0 } };
    int on;

    if (!parse_keyword(v, kw, sizeof kw / sizeof kw[0], &on))
        return false;
    cfg->runtimes = on;
    return true;
}

static bool parse_summary(struct span v, struct sockshield_config *cfg)
{
    return parse_on_off(v, &cfg->summary);
}

static bool parse_inherit(struct span v, struct sockshield_config *cfg)
{
    return parse_on_off(v, &cfg->inherit);
}

/* ---- the variables ------------------------------------------------------ */

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* Each parser writes its field only when the whole value is good, so a bad
 * value leaves the default in place. */
static const struct variable {
    const char *name;
    bool (*parse)(struct span value, struct sockshield_config *cfg);
    const char *accepted;       /* for the warning */
    const char *fallback;       /* the default, spelled as a user would set it */
} variables[] = {
    { SOCKSHIELD_ENV_SIGPIPE, parse_sigpipe, "catch, ignore, off", "catch" },
    { SOCKSHIELD_ENV_PIPELINE, parse_pipeline, "end, shield", "end" },
    { SOCKSHIELD_ENV_RESTART, parse_restart, "on, off", "on" },
    { SOCKSHIELD_ENV_NORESTART, parse_norestart,
      "comma-separated signal names or numbers 1-64, or none",
      "ALRM,INT,TERM,HUP,QUIT" },
    { SOCKSHIELD_ENV_SIGNAL, parse_signal_mode, "persistent, off", "persistent" },
    { SOCKSHIELD_ENV_REAP, parse_reap, "on, off", "off" },
    { SOCKSHIELD_ENV_RUNTIMES, parse_runtimes, "auto, off", "auto" },
    { SOCKSHIELD_ENV_EVENTS, parse_events,
      "comma-separated epipe, reset, refused, eagain, eof, eintr, timeout, unreach, "
      "or all, or none",
      "epipe,reset,refused,eagain" },
    { SOCKSHIELD_ENV_LOG, parse_log,
      "stderr, none, syslog, syslog:/PATH, journal, journal:/PATH, or a file path shorter than "
      STRINGIFY(SOCKSHIELD_PATH_MAX) " bytes without control characters",
      "stderr" },
    { SOCKSHIELD_ENV_LOG_FORMAT, parse_log_format, "text, json", "text" },
    { SOCKSHIELD_ENV_LOG_RATE, parse_log_rate,
      "0-1000000 lines per second, 0 = unlimited", "20" },
    { SOCKSHIELD_ENV_SUMMARY, parse_summary, "on, off", "off" },
    { SOCKSHIELD_ENV_INHERIT, parse_inherit, "on, off", "on" },
};

bool sockshield_config_variable(unsigned i, const char **name, const char **accepted,
                                const char **fallback)
{
    if (i >= sizeof variables / sizeof variables[0])
        return false;
    *name = variables[i].name;
    *accepted = variables[i].accepted;
    *fallback = variables[i].fallback;
    return true;
}

/* ---- the warning line --------------------------------------------------- */

/* The value as the user set it, cut at VALUE_SHOWN_MAX bytes, each byte
 * outside printable ASCII, and the quote and backslash, as \xHH, so the line
 * stays one line of plain text whatever the value holds. */
static void put_value(struct sockshield_buf *b, const char *value)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strnlen(value, VALUE_SHOWN_MAX + 1);
    bool cut = n > VALUE_SHOWN_MAX;
    size_t i;

    if (cut)
        n = VALUE_SHOWN_MAX;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];

        if (c >= 0x20 && c <= 0x7e && c != '\'' && c != '\\') {
            sockshield_buf_char(b, (char)c);
        } else {
            char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 0xf] };

            sockshield_buf_mem(b, esc, sizeof esc);
        }
    }
    if (cut)
        sockshield_buf_str(b, "...");
}

/* The line is at most WARN_LINE_MAX bytes with its newline (the longest
 * today, a value of escaped bytes for SOCKSHIELD_LOG, is 380). */
static void warn_bad_value(const struct variable *var, const char *value,
                           sockshield_warn_fn warn, void *warn_ctx)
{
    char mem[WARN_LINE_MAX + 1];
    struct sockshield_buf b;

    if (warn == NULL)
        return;
    sockshield_buf_init(&b, mem, WARN_LINE_MAX);
    sockshield_buf_str(&b, "sockshield: ");
    sockshield_buf_str(&b, var->name);
    sockshield_buf_str(&b, "='");
    put_value(&b, value);
    sockshield_buf_str(&b, "' is not valid (accepted: ");
    sockshield_buf_str(&b, var->accepted);
    sockshield_buf_str(&b, "); using ");
    sockshield_buf_str(&b, var->fallback);
    size_t len = sockshield_buf_finish_line(&b);
    mem[len] = '\0';
    warn(warn_ctx, mem, len);
}

/* Names the library does not read that are not typos: the launcher's
 * marker (read by init.c, not here) and the test preload's variables
 * (tests/fault/fault.c). */
static const char *const quiet_names[] = {
    SOCKSHIELD_ENV_LAUNCHER,
    "SOCKSHIELD_FAULT",
    "SOCKSHIELD_FAULT_COUNT",
};

static bool known_name(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < sizeof variables / sizeof variables[0]; i++)
        if (strlen(variables[i].name) == len && memcmp(variables[i].name, name, len) == 0)
            return true;
    for (i = 0; i < sizeof quiet_names / sizeof quiet_names[0]; i++)
        if (strlen(quiet_names[i]) == len && memcmp(quiet_names[i], name, len) == 0)
            return true;
    return false;
}

/* ---- the API ------------------------------------------------------------ */

void sockshield_config_defaults(struct sockshield_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->sigpipe = SOCKSHIELD_SIGPIPE_CATCH;
    cfg->pipeline_end = true;
    cfg->restart = true;
    cfg->norestart = SOCKSHIELD_SIGBIT(SIGALRM) | SOCKSHIELD_SIGBIT(SIGINT) |
                     SOCKSHIELD_SIGBIT(SIGTERM) | SOCKSHIELD_SIGBIT(SIGHUP) |
                     SOCKSHIELD_SIGBIT(SIGQUIT);
    cfg->signal_persistent = true;
    cfg->reap = false;
    cfg->runtimes = true;
    cfg->events = SOCKSHIELD_EV_DEFAULT;
    cfg->log = SOCKSHIELD_LOG_STDERR;
    cfg->log_path[0] = '\0';
    cfg->log_format = SOCKSHIELD_FORMAT_TEXT;
    cfg->log_rate = 20;
    cfg->summary = false;
    cfg->inherit = true;
}

int sockshield_config_load(struct sockshield_config *cfg,
                           sockshield_getenv_fn get,
                           sockshield_warn_fn warn, void *warn_ctx)
{
    int warnings = 0;
    size_t i;

    sockshield_config_defaults(cfg);
    if (get == NULL)
        return 0;
    for (i = 0; i < sizeof variables / sizeof variables[0]; i++) {
        const char *value = get(variables[i].name);
        struct span v;

        if (value == NULL)
            continue;
        v.p = value;
        v.n = strlen(value);
        v = trim(v);
        /* An empty value is refused here rather than read as "unset": a user
         * who wrote SOCKSHIELD_LOG= meant something, and should hear so. */
        if (v.n == 0 || !variables[i].parse(v, cfg)) {
            warn_bad_value(&variables[i], value, warn, warn_ctx);
            warnings++;
        }
    }
    return warnings;
}

int sockshield_config_unknown(const char *entry, sockshield_getenv_fn get,
                              sockshield_warn_fn warn, void *warn_ctx)
{
    static const char prefix[] = "SOCKSHIELD_";
    char name[UNKNOWN_NAME_MAX + 1];
    char mem[WARN_LINE_MAX + 1];
    struct sockshield_buf b;
    size_t len, i;

    if (entry == NULL || strncmp(entry, prefix, sizeof prefix - 1) != 0)
        return 0;
    len = strcspn(entry, "=");
    if (len > UNKNOWN_NAME_MAX || known_name(entry, len))
        return 0;
    memcpy(name, entry, len);
    name[len] = '\0';
    /* read through the same getter as the variables: nothing is said
     * where nothing would be read (secure execution) */
    if (get == NULL || get(name) == NULL)
        return 0;
    if (warn != NULL) {
        sockshield_buf_init(&b, mem, WARN_LINE_MAX);
        sockshield_buf_str(&b, "sockshield: ");
        put_value(&b, name);
        sockshield_buf_str(&b, " is not a sockshield variable, ignored (known: ");
        for (i = 0; i < sizeof variables / sizeof variables[0]; i++) {
            if (i > 0)
                sockshield_buf_str(&b, ", ");
            sockshield_buf_str(&b, variables[i].name);
        }
        sockshield_buf_char(&b, ')');
        len = sockshield_buf_finish_line(&b);
        mem[len] = '\0';
        warn(warn_ctx, mem, len);
    }
    return 1;
}
