/* libFuzzer target: the configuration parser (src/core/config.c).
 *
 * Input: two bytes, a mask of which of the thirteen SOCKSHIELD_* variables
 * are set (bit i: variable i in the order below), then their values in
 * that order, separated by NUL bytes (a value cannot hold one; a missing
 * value is empty).
 *
 * Invariants, each an abort with a message:
 *  - only the thirteen names are asked for, each once;
 *  - the return value is the number of warnings; at most one warning per
 *    variable, only for a variable that is set, in table order;
 *  - each warning is one line of at most 512 bytes ending in '\n',
 *    printable ASCII before it, in the documented shape, quoting the
 *    value's first 48 bytes exactly (\xHH for the others, "..." when cut);
 *  - every field is within its domain, and at its default when its
 *    variable is unset or warned about;
 *  - each variable parses the same alone as among the others;
 *  - the configuration written back as variables (the canonical spelling
 *    of every field) parses to the same configuration without warnings;
 *  - each value taken as the tail of a SOCKSHIELD_ name: one warning
 *    exactly when that is none of the names (sockshield_config_unknown),
 *    one printable line listing the thirteen.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define NVARS 13
#define WARN_MAX 512
#define SHOWN_MAX 48

/* In src/core/config.c's table order, which is the order of its warnings. */
static const char *const names[NVARS] = {
    SOCKSHIELD_ENV_SIGPIPE,    SOCKSHIELD_ENV_PIPELINE, SOCKSHIELD_ENV_RESTART,
    SOCKSHIELD_ENV_NORESTART,  SOCKSHIELD_ENV_SIGNAL,   SOCKSHIELD_ENV_REAP,
    SOCKSHIELD_ENV_RUNTIMES,   SOCKSHIELD_ENV_EVENTS,   SOCKSHIELD_ENV_LOG,
    SOCKSHIELD_ENV_LOG_FORMAT, SOCKSHIELD_ENV_LOG_RATE, SOCKSHIELD_ENV_SUMMARY,
    SOCKSHIELD_ENV_INHERIT,
};
enum { V_SIGPIPE, V_PIPELINE, V_RESTART, V_NORESTART, V_SIGNAL, V_REAP, V_RUNTIMES, V_EVENTS,
       V_LOG, V_LOG_FORMAT, V_LOG_RATE, V_SUMMARY, V_INHERIT };

/* The environment the getter serves. */
static struct {
    const char *value[NVARS]; /* NULL: unset */
    int asked[NVARS];
} env;

/* The warnings received. */
struct warnings {
    int n;
    char line[NVARS + 1][WARN_MAX + 1];
    size_t len[NVARS + 1];
};

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "fuzz_config: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
            abort();                                                      \
        }                                                                 \
    } while (0)

static const char *get(const char *name)
{
    for (int i = 0; i < NVARS; i++) {
        if (strcmp(name, names[i]) == 0) {
            CHECK(env.asked[i] == 0, "%s asked for twice", name);
            env.asked[i]++;
            return env.value[i];
        }
    }
    CHECK(0, "asked for an unknown variable: %s", name);
    return NULL;
}

static void warn(void *ctx, const char *line, size_t len)
{
    struct warnings *w = ctx;

    CHECK(w->n < NVARS, "more than one warning per variable");
    CHECK(len >= 1 && len <= WARN_MAX, "warning of %zu bytes", len);
    memcpy(w->line[w->n], line, len);
    w->line[w->n][len] = '\0';
    w->len[w->n] = len;
    w->n++;
}

static int load(struct sockshield_config *cfg, struct warnings *w)
{
    memset(&env.asked, 0, sizeof env.asked);
    memset(w, 0, sizeof *w);
    int rc = sockshield_config_load(cfg, get, warn, w);
    for (int i = 0; i < NVARS; i++)
        CHECK(env.asked[i] == 1, "%s asked for %d times", names[i], env.asked[i]);
    CHECK(rc == w->n, "returned %d, %d warnings", rc, w->n);
    return rc;
}

/* ---- the warning line ----------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Checks one warning; returns the index of the variable it names. */
static int check_warning(const char *line, size_t len)
{
    static const char pre[] = "sockshield: ";
    static const char mid[] = "' is not valid (accepted: ";
    size_t i;
    int v;

    CHECK(line[len - 1] == '\n', "warning without its newline: [%s]", line);
    for (i = 0; i + 1 < len; i++)
        CHECK(line[i] >= 0x20 && line[i] <= 0x7e, "byte %#x at %zu in [%s]",
              (unsigned char)line[i], i, line);
    CHECK(strncmp(line, pre, sizeof pre - 1) == 0, "[%s]", line);
    const char *p = line + sizeof pre - 1;
    for (v = 0; v < NVARS; v++) {
        size_t n = strlen(names[v]);
        if (strncmp(p, names[v], n) == 0 && p[n] == '=' && p[n + 1] == '\'')
            break;
    }
    CHECK(v < NVARS, "no variable named: [%s]", line);
    CHECK(env.value[v] != NULL, "warning about unset %s", names[v]);
    p += strlen(names[v]) + 2;

    /* The value as shown, decoded, against the value as set. */
    const char *value = env.value[v];
    size_t vlen = strlen(value), want = vlen < SHOWN_MAX ? vlen : SHOWN_MAX, got = 0;
    while (got < want) {
        unsigned char c;
        CHECK(*p && *p != '\'', "value shown %zu of %zu bytes: [%s]", got, want, line);
        if (*p == '\\') {
            CHECK(p[1] == 'x' && hexval(p[2]) >= 0 && hexval(p[3]) >= 0, "bad escape: [%s]", line);
            c = (unsigned char)(hexval(p[2]) << 4 | hexval(p[3]));
            CHECK(c < 0x20 || c > 0x7e || c == '\'' || c == '\\', "needless escape: [%s]", line);
            p += 4;
        } else {
            c = (unsigned char)*p++;
        }
        CHECK((unsigned char)value[got] == c, "value shown wrong at %zu: [%s]", got, line);
        got++;
    }
    if (vlen > SHOWN_MAX) {
        CHECK(strncmp(p, "...", 3) == 0, "long value not marked cut: [%s]", line);
        p += 3;
    }
    CHECK(strncmp(p, mid, sizeof mid - 1) == 0, "[%s]", line);
    CHECK(strstr(p, "); using ") && len > 10, "[%s]", line);
    return v;
}

/* ---- a name that is none of the variables ----------------------------------- */

static const char *unknown_name;
static const char *get_unknown(const char *name)
{
    CHECK(strcmp(name, unknown_name) == 0, "asked for %s, not %s", name, unknown_name);
    return "1";
}

/* sockshield_config_unknown() on "SOCKSHIELD_" TAIL "=1": a warning exactly
 * when the name (up to the first '=') is at most 64 bytes and none of the
 * variables or the quiet names; then one printable line of at most 512
 * bytes naming it, and listing the thirteen in table order. */
static void check_unknown(const char *tail)
{
    static const char *const quiet[] = { SOCKSHIELD_ENV_LAUNCHER, "SOCKSHIELD_FAULT",
                                         "SOCKSHIELD_FAULT_COUNT" };
    static char entry[SOCKSHIELD_PATH_MAX + 32], name[SOCKSHIELD_PATH_MAX + 32];
    struct warnings w;

    snprintf(entry, sizeof entry, "SOCKSHIELD_%s=1", tail);
    size_t n = strcspn(entry, "=");
    memcpy(name, entry, n);
    name[n] = '\0';
    bool expect = n <= 64;
    for (int i = 0; i < NVARS; i++)
        expect &= strcmp(name, names[i]) != 0;
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        expect &= strcmp(name, quiet[i]) != 0;
    unknown_name = name;
    memset(&w, 0, sizeof w);
    int rc = sockshield_config_unknown(entry, get_unknown, warn, &w);
    CHECK(rc == w.n && rc == (expect ? 1 : 0), "%s: returned %d, %d warnings", name, rc, w.n);
    if (!rc)
        return;
    const char *line = w.line[0];
    size_t len = w.len[0];
    CHECK(line[len - 1] == '\n' && memchr(line, '\n', len) == line + len - 1, "[%s]", line);
    for (size_t i = 0; i + 1 < len; i++)
        CHECK(line[i] >= 0x20 && line[i] <= 0x7e, "byte %#x at %zu in [%s]",
              (unsigned char)line[i], i, line);
    CHECK(strncmp(line, "sockshield: SOCKSHIELD_", 23) == 0, "[%s]", line);
    char end[WARN_MAX + 1] = " is not a sockshield variable, ignored (known: ";
    for (int i = 0; i < NVARS; i++) {
        strcat(end, names[i]);
        strcat(end, i + 1 < NVARS ? ", " : ")\n");
    }
    size_t el = strlen(end);
    CHECK(len >= 23 + el && strcmp(line + len - el, end) == 0, "[%s]", line);
}

static void check_warnings(const struct warnings *w, bool warned[NVARS])
{
    int last = -1;

    memset(warned, 0, NVARS * sizeof warned[0]);
    for (int i = 0; i < w->n; i++) {
        CHECK(memchr(w->line[i], '\n', w->len[i]) == w->line[i] + w->len[i] - 1,
              "not one line: [%s]", w->line[i]);
        int v = check_warning(w->line[i], w->len[i]);
        CHECK(v > last, "warnings out of order or repeated: %s", names[v]);
        last = v;
        warned[v] = true;
    }
}

/* ---- the fields --------------------------------------------------------- */

static bool valid_bool(const bool *b)
{
    unsigned char raw;
    memcpy(&raw, b, 1);
    return raw <= 1;
}

static void check_domains(const struct sockshield_config *c)
{
    CHECK(c->sigpipe == SOCKSHIELD_SIGPIPE_CATCH || c->sigpipe == SOCKSHIELD_SIGPIPE_IGNORE ||
              c->sigpipe == SOCKSHIELD_SIGPIPE_OFF, "sigpipe %d", (int)c->sigpipe);
    CHECK(valid_bool(&c->pipeline_end) && valid_bool(&c->restart) &&
              valid_bool(&c->signal_persistent) && valid_bool(&c->reap) &&
              valid_bool(&c->runtimes) && valid_bool(&c->summary) && valid_bool(&c->inherit),
          "a bool is neither 0 nor 1");
    CHECK(!(c->norestart & (SOCKSHIELD_SIGBIT(32) | SOCKSHIELD_SIGBIT(33))),
          "norestart names signal 32 or 33: %#llx", (unsigned long long)c->norestart);
    CHECK(!(c->events & ~SOCKSHIELD_EV_ALL), "events %#x", c->events);
    CHECK(c->log_format == SOCKSHIELD_FORMAT_TEXT || c->log_format == SOCKSHIELD_FORMAT_JSON,
          "log_format %d", (int)c->log_format);
    CHECK(c->log_rate <= 1000000, "log_rate %u", c->log_rate);
    size_t n = strnlen(c->log_path, sizeof c->log_path);
    CHECK(n < sizeof c->log_path, "log_path not terminated");
    for (size_t i = 0; i < n; i++)
        CHECK((unsigned char)c->log_path[i] >= 0x20 && c->log_path[i] != 0x7f,
              "control byte in log_path");
    switch (c->log) {
    case SOCKSHIELD_LOG_STDERR:
    case SOCKSHIELD_LOG_NONE:
        CHECK(n == 0, "a path for stderr/none: [%s]", c->log_path);
        break;
    case SOCKSHIELD_LOG_SYSLOG:
    case SOCKSHIELD_LOG_JOURNAL:
        CHECK(n > 0 && c->log_path[0] == '/', "socket path [%s]", c->log_path);
        break;
    case SOCKSHIELD_LOG_FILE:
        CHECK(n > 0 && c->log_path[0] != ' ' && c->log_path[0] != '\t' &&
                  c->log_path[n - 1] != ' ' && c->log_path[n - 1] != '\t',
              "file path [%s]", c->log_path);
        break;
    default:
        CHECK(0, "log kind %d", (int)c->log);
    }
}

/* Whether the fields variable v sets are equal in a and b. */
static bool same_field(int v, const struct sockshield_config *a, const struct sockshield_config *b)
{
    switch (v) {
    case V_SIGPIPE: return a->sigpipe == b->sigpipe;
    case V_PIPELINE: return a->pipeline_end == b->pipeline_end;
    case V_RESTART: return a->restart == b->restart;
    case V_NORESTART: return a->norestart == b->norestart;
    case V_SIGNAL: return a->signal_persistent == b->signal_persistent;
    case V_REAP: return a->reap == b->reap;
    case V_RUNTIMES: return a->runtimes == b->runtimes;
    case V_EVENTS: return a->events == b->events;
    case V_LOG: return a->log == b->log && strcmp(a->log_path, b->log_path) == 0;
    case V_LOG_FORMAT: return a->log_format == b->log_format;
    case V_LOG_RATE: return a->log_rate == b->log_rate;
    case V_SUMMARY: return a->summary == b->summary;
    case V_INHERIT: return a->inherit == b->inherit;
    }
    return false;
}

/* ---- the configuration written back ---------------------------------------- */

static const char *on_off(bool b)
{
    return b ? "on" : "off";
}

static void render(const struct sockshield_config *c, char out[NVARS][SOCKSHIELD_PATH_MAX + 16])
{
    static const char *const pipe_modes[] = { "catch", "ignore", "off" };
    char *p;

    snprintf(out[V_SIGPIPE], sizeof out[0], "%s", pipe_modes[c->sigpipe]);
    snprintf(out[V_PIPELINE], sizeof out[0], "%s", c->pipeline_end ? "end" : "shield");
    snprintf(out[V_RESTART], sizeof out[0], "%s", on_off(c->restart));
    p = out[V_NORESTART];
    *p = '\0';
    for (int s = 1; s <= 64; s++)
        if (c->norestart & SOCKSHIELD_SIGBIT(s))
            p += sprintf(p, "%s%d", p == out[V_NORESTART] ? "" : ",", s);
    if (!c->norestart)
        strcpy(out[V_NORESTART], "none");
    snprintf(out[V_SIGNAL], sizeof out[0], "%s", c->signal_persistent ? "persistent" : "off");
    snprintf(out[V_REAP], sizeof out[0], "%s", on_off(c->reap));
    snprintf(out[V_RUNTIMES], sizeof out[0], "%s", c->runtimes ? "auto" : "off");
    p = out[V_EVENTS];
    *p = '\0';
    for (int e = 0; e < SOCKSHIELD_EV_COUNT; e++)
        if (c->events & SOCKSHIELD_EV_BIT(e))
            p += sprintf(p, "%s%s", p == out[V_EVENTS] ? "" : ",", sockshield_event_name(e));
    if (!c->events)
        strcpy(out[V_EVENTS], "none");
    switch (c->log) {
    case SOCKSHIELD_LOG_STDERR: strcpy(out[V_LOG], "stderr"); break;
    case SOCKSHIELD_LOG_NONE: strcpy(out[V_LOG], "none"); break;
    case SOCKSHIELD_LOG_SYSLOG: snprintf(out[V_LOG], sizeof out[0], "syslog:%s", c->log_path); break;
    case SOCKSHIELD_LOG_FILE: snprintf(out[V_LOG], sizeof out[0], "%s", c->log_path); break;
    case SOCKSHIELD_LOG_JOURNAL: snprintf(out[V_LOG], sizeof out[0], "journal:%s", c->log_path); break;
    }
    snprintf(out[V_LOG_FORMAT], sizeof out[0], "%s",
             c->log_format == SOCKSHIELD_FORMAT_JSON ? "json" : "text");
    snprintf(out[V_LOG_RATE], sizeof out[0], "%u", c->log_rate);
    snprintf(out[V_SUMMARY], sizeof out[0], "%s", on_off(c->summary));
    snprintf(out[V_INHERIT], sizeof out[0], "%s", on_off(c->inherit));
}

/* ---- the target ------------------------------------------------------------ */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char values[NVARS][1 << 16];
    struct sockshield_config cfg, defaults, one, again;
    struct warnings w, w1;
    bool warned[NVARS], set[NVARS];
    unsigned mask;
    size_t at = 2;

    if (size < 2)
        return 0;
    mask = (unsigned)data[0] | (unsigned)data[1] << 8;
    for (int i = 0; i < NVARS; i++) {
        set[i] = mask >> i & 1;
        env.value[i] = NULL;
        if (!set[i])
            continue;
        const uint8_t *end = at < size ? memchr(data + at, '\0', size - at) : NULL;
        size_t n = at >= size ? 0 : end ? (size_t)(end - data) - at : size - at;
        if (n >= sizeof values[i])
            n = sizeof values[i] - 1;
        memcpy(values[i], at < size ? data + at : data, n);
        values[i][n] = '\0';
        env.value[i] = values[i];
        at = end ? (size_t)(end - data) + 1 : size;
    }

    sockshield_config_defaults(&defaults);
    check_domains(&defaults);

    int rc = load(&cfg, &w);
    check_warnings(&w, warned);
    check_domains(&cfg);
    for (int i = 0; i < NVARS; i++)
        if (!set[i] || warned[i])
            CHECK(same_field(i, &cfg, &defaults), "%s %s, field not at its default", names[i],
                  set[i] ? "warned" : "unset");

    /* Each variable alone: the same field, the same warning. */
    const char *all[NVARS];
    memcpy(all, env.value, sizeof all);
    for (int i = 0; i < NVARS; i++) {
        if (!set[i])
            continue;
        for (int k = 0; k < NVARS; k++)
            env.value[k] = k == i ? all[k] : NULL;
        load(&one, &w1);
        CHECK(same_field(i, &one, &cfg), "%s parses differently alone", names[i]);
        CHECK(w1.n == (warned[i] ? 1 : 0), "%s: %d warnings alone", names[i], w1.n);
        for (int k = 0; k < NVARS; k++)
            if (k != i)
                CHECK(same_field(k, &one, &defaults), "%s changed %s", names[i], names[k]);
        if (warned[i]) {
            int j = 0;
            size_t nl = strlen(names[i]);
            while (j < w.n && !(strncmp(w.line[j] + 12, names[i], nl) == 0 &&
                                w.line[j][12 + nl] == '='))
                j++;
            CHECK(j < w.n && strcmp(w.line[j], w1.line[0]) == 0, "%s warns differently alone",
                  names[i]);
        }
    }

    /* Written back and read again: the same configuration, no warning. */
    static char canon[NVARS][SOCKSHIELD_PATH_MAX + 16];
    render(&cfg, canon);
    for (int i = 0; i < NVARS; i++)
        env.value[i] = canon[i];
    int rc2 = load(&again, &w1);
    CHECK(rc2 == 0, "the canonical spelling warns: %s", w1.line[0]);
    for (int i = 0; i < NVARS; i++)
        CHECK(same_field(i, &again, &cfg), "%s='%s' does not read back", names[i], canon[i]);
    memcpy(env.value, all, sizeof all);

    /* Each value also taken as a name: "SOCKSHIELD_" VALUE "=1". */
    for (int i = 0; i < NVARS; i++)
        if (set[i])
            check_unknown(all[i]);
    (void)rc;
    return 0;
}
