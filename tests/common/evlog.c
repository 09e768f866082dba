#include "evlog.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static const char prefix[] = "sockshield: ";

double ev_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool bare_ok(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != '"' && c != '=' && c != '\\';
}

bool ev_parse(const char *s, size_t len, bool stamp, struct ev_line *out)
{
    const char *end = s + len;
    memset(out, 0, sizeof *out);
    if (len && end[-1] == '\n')
        end--;
    if (stamp) {
        if ((size_t)(end - s) < sizeof prefix - 1 || memcmp(s, prefix, sizeof prefix - 1) != 0)
            return false;
        s += sizeof prefix - 1;
        const char *sp = memchr(s, ' ', (size_t)(end - s));
        size_t n = sp ? (size_t)(sp - s) : (size_t)(end - s);
        if (n == 0 || n >= sizeof out->stamp)
            return false;
        memcpy(out->stamp, s, n);
        s += n;
    }
    while (s < end) {
        if (stamp || out->n > 0) {
            if (*s != ' ')
                goto bad;
            s++;
        }
        if (out->n == EV_MAX_FIELDS)
            goto bad;
        struct ev_field *f = &out->f[out->n];
        size_t k = 0;
        while (s < end && ((*s >= 'a' && *s <= 'z') || *s == '_')) {
            if (k + 1 >= sizeof f->key)
                goto bad;
            f->key[k++] = *s++;
        }
        if (k == 0 || s >= end || *s != '=')
            goto bad;
        s++;
        f->val = malloc((size_t)(end - s) + 1);
        f->len = 0;
        out->n++;
        if (s < end && *s == '"') {
            s++;
            for (;;) {
                if (s >= end)
                    goto bad;
                unsigned char c = (unsigned char)*s++;
                if (c == '"')
                    break;
                if (c < 0x20 || c > 0x7e)
                    goto bad; /* raw bytes are always escaped */
                if (c != '\\') {
                    f->val[f->len++] = (char)c;
                    continue;
                }
                if (s >= end)
                    goto bad;
                c = (unsigned char)*s++;
                if (c == '"' || c == '\\')
                    f->val[f->len++] = (char)c;
                else if (c == 'n')
                    f->val[f->len++] = '\n';
                else if (c == 't')
                    f->val[f->len++] = '\t';
                else if (c == 'x' && end - s >= 2 && hexval(s[0]) >= 0 && hexval(s[1]) >= 0) {
                    f->val[f->len++] = (char)(hexval(s[0]) << 4 | hexval(s[1]));
                    s += 2;
                } else
                    goto bad;
            }
        } else {
            while (s < end && *s != ' ') {
                if (!bare_ok((unsigned char)*s))
                    goto bad;
                f->val[f->len++] = *s++;
            }
            if (f->len == 0)
                goto bad;
        }
        f->val[f->len] = '\0';
    }
    return true;
bad:
    ev_line_free(out);
    return false;
}

void ev_line_free(struct ev_line *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->f[i].val);
    l->n = 0;
}

const char *ev_get(const struct ev_line *l, const char *key)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->f[i].key, key) == 0)
            return l->f[i].val;
    return NULL;
}

static void log_add(struct ev_log *log, const struct ev_line *l)
{
    /* Room doubles when n reaches a power of two: one line at a time made
     * 50,000 lines quadratic where realloc copies (ASan's always does). */
    if ((log->n & (log->n - 1)) == 0) {
        log->l = realloc(log->l, sizeof *log->l * (size_t)(log->n ? 2 * log->n : 1));
        cr_assert(log->l);
    }
    log->l[log->n++] = *l;
}

void ev_log_parse(struct ev_log *log, const char *text)
{
    log->n = 0;
    log->l = NULL;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        /* Event lines: the prefix then the stamp (a digit); not the
         * summary, not warnings, not the table rows. */
        if (n > sizeof prefix && memcmp(p, prefix, sizeof prefix - 1) == 0 &&
            p[sizeof prefix - 1] >= '0' && p[sizeof prefix - 1] <= '9') {
            const char *sp = memchr(p + sizeof prefix - 1, ' ', n - (sizeof prefix - 1));
            if (!(sp && strncmp(sp, " summary ", 9) == 0)) {
                struct ev_line l;
                cr_assert(ev_parse(p, n, true, &l), "log line does not parse: [%.*s]", (int)n, p);
                cr_assert(ev_get(&l, "event"), "no event= in [%.*s]", (int)n, p);
                log_add(log, &l);
            }
        }
        p += n;
    }
}

void ev_log_free(struct ev_log *log)
{
    for (int i = 0; i < log->n; i++)
        ev_line_free(&log->l[i]);
    free(log->l);
    log->l = NULL;
    log->n = 0;
}

void ev_expectations(struct ev_log *out, const char *text)
{
    static const char tag[] = "expect ";
    out->n = 0;
    out->l = NULL;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (n > sizeof tag && memcmp(p, tag, sizeof tag - 1) == 0) {
            struct ev_line l;
            cr_assert(ev_parse(p + sizeof tag - 1, n - (sizeof tag - 1), false, &l),
                      "helper expectation does not parse: [%.*s]", (int)n, p);
            log_add(out, &l);
        }
        p += n;
    }
}

bool ev_stamp_ok(const char *stamp, double lo, double hi)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    unsigned usec;
    char z;
    int used = 0;
    if (strlen(stamp) != 27 ||
        sscanf(stamp, "%4d-%2d-%2dT%2d:%2d:%2d.%6u%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &usec, &z, &used) != 8 ||
        used != 27 || z != 'Z')
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    double t = (double)timegm(&tm) + usec / 1e6;
    /* the clocks are the same; the slack only covers rounding */
    return t >= lo - 0.001 && t <= hi + 0.001;
}

static bool same_line(const struct ev_line *got, const struct ev_line *want)
{
    if (got->n != want->n)
        return false;
    for (int i = 0; i < want->n; i++) {
        const char *v = ev_get(got, want->f[i].key);
        if (!v || strcmp(v, want->f[i].val) != 0)
            return false;
    }
    return true;
}

static char *describe(const struct ev_line *l)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    fprintf(f, "[%s", l->stamp);
    for (int i = 0; i < l->n; i++)
        fprintf(f, " %s=%s", l->f[i].key, l->f[i].val);
    fputc(']', f);
    fclose(f);
    return s;
}

int ev_expect_one(const struct ev_log *log, const struct ev_line *want, double lo, double hi)
{
    int found = -1, hits = 0;
    for (int i = 0; i < log->n; i++) {
        if (same_line(&log->l[i], want)) {
            found = i;
            hits++;
        }
    }
    if (hits != 1) {
        char *w = describe(want);
        char *all = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&all, &n);
        for (int i = 0; i < log->n; i++) {
            char *d = describe(&log->l[i]);
            fprintf(f, "\n  %s", d);
            free(d);
        }
        fclose(f);
        cr_assert_fail("%d log lines match %s; the log:%s", hits, w, all);
    }
    cr_assert(ev_stamp_ok(log->l[found].stamp, lo, hi), "bad stamp %s (window %.6f..%.6f)",
              log->l[found].stamp, lo, hi);
    return found;
}

static const char *python3(void)
{
    static char path[4096];
    const char *p = getenv("PATH");
    if (!p || !*p)
        p = "/usr/bin:/bin";
    while (*p) {
        size_t n = strcspn(p, ":");
        snprintf(path, sizeof path, "%.*s/python3", (int)n, p);
        if (access(path, X_OK) == 0)
            return path;
        p += n;
        if (*p)
            p++;
    }
    return NULL;
}

int ev_python(const char *program, const char *const args[], char **out)
{
    const char *py = python3();
    *out = NULL;
    if (!py)
        cr_assert_fail("%s", "python3 not found in PATH: install the Debian package python3 (tools/install-deps does)");
    const char *argv[64];
    int n = 0;
    argv[n++] = py;
    argv[n++] = "-c";
    argv[n++] = program;
    for (int i = 0; args && args[i]; i++) {
        cr_assert(n < 62);
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "PYTHONIOENCODING=utf-8:surrogateescape");
    struct ss_run r;
    ss_run(&r, argv, &e, -1, 60);
    ss_env_free(&e);
    cr_assert(WIFEXITED(r.status), "python3: %s", ss_describe(&r));
    int rc = WEXITSTATUS(r.status);
    size_t len = r.out_len + r.err_len + 2;
    *out = malloc(len);
    snprintf(*out, len, "%s%s%s", r.out, r.err_len ? "\n" : "", r.err);
    ss_run_free(&r);
    return rc;
}

/* One JSON object a line, strict UTF-8; the expectation as key=value
 * arguments (values in the file system encoding, as argv carries them). */
static const char json_expect_py[] =
    "import json, re, sys\n"
    "path = sys.argv[1]\n"
    "want = dict(a.split('=', 1) for a in sys.argv[2:])\n"
    "ints = {'pid', 'tid', 'fd', 'repeat', 'suppressed'}\n"
    "recs = []\n"
    "for n, raw in enumerate(open(path, 'rb'), 1):\n"
    "    assert raw.endswith(b'\\n'), 'line %d is not terminated' % n\n"
    "    o = json.loads(raw.decode('utf-8', 'strict'))\n"
    "    assert isinstance(o, dict), 'line %d is not an object' % n\n"
    "    recs.append(o)\n"
    "def same(o):\n"
    "    if set(o) != set(want) | {'time'}:\n"
    "        return False\n"
    "    for k, v in want.items():\n"
    "        if k in ints:\n"
    "            if type(o[k]) is not int or o[k] != int(v):\n"
    "                return False\n"
    "        elif type(o[k]) is not str or o[k] != v:\n"
    "            return False\n"
    "    return True\n"
    "hits = [o for o in recs if 'event' in o and same(o)]\n"
    "if len(hits) != 1:\n"
    "    print('%d JSON records match %r; the records: %r' % (len(hits), want, recs))\n"
    "    sys.exit(1)\n"
    "t = hits[0]['time']\n"
    "if not re.fullmatch(r'\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z', t):\n"
    "    print('bad time %r' % t)\n"
    "    sys.exit(1)\n";

int ev_json_expect_one(const char *path, const struct ev_line *want, char **why)
{
    const char *args[EV_MAX_FIELDS + 2];
    char *kv[EV_MAX_FIELDS];
    int n = 0;
    args[n++] = path;
    for (int i = 0; i < want->n; i++) {
        cr_assert(asprintf(&kv[i], "%s=%s", want->f[i].key, want->f[i].val) >= 0);
        args[n++] = kv[i];
    }
    args[n] = NULL;
    int rc = ev_python(json_expect_py, args, why);
    for (int i = 0; i < want->n; i++)
        free(kv[i]);
    return rc;
}

const char *ev_tmp_path(const char *name)
{
    static char path[4096];
    static unsigned seq;
    snprintf(path, sizeof path, "%s/%s%d-%u", ss_tmpdir(), name, (int)getpid(), seq++);
    return path;
}

int ev_count_lines(const char *text)
{
    return ss_count(text, "\n");
}

void ev_probe(struct ev_run *run, const char *format, const char *const env[],
              const char *const argv[])
{
    memset(run, 0, sizeof *run);
    struct ss_env e;
    ss_env_init(&e, true);
    snprintf(run->logpath, sizeof run->logpath, "%s", ev_tmp_path("events-"));
    ss_env_set(&e, "SOCKSHIELD_LOG=%s", run->logpath);
    ss_env_set(&e, "SOCKSHIELD_LOG_FORMAT=%s", format);
    for (int i = 0; env && env[i]; i++)
        ss_env_set(&e, "%s", env[i]);
    /* A log named by the caller: a file is read back, anything else is
     * looked for on stderr. */
    for (int i = 0; env && env[i]; i++) {
        if (strncmp(env[i], "SOCKSHIELD_LOG=", 15) != 0)
            continue;
        const char *v = env[i] + 15;
        if (v[0] == '/' && !strstr(v, "%p"))
            snprintf(run->logpath, sizeof run->logpath, "%s", v);
        else
            run->logpath[0] = '\0';
    }
    run->t0 = ev_now();
    ss_run(&run->r, argv, &e, -1, 60);
    run->t1 = ev_now();
    ss_env_free(&e);
    if (run->logpath[0]) {
        run->log = ss_slurp(run->logpath, &run->log_len);
        if (!run->log) {
            run->log = calloc(1, 1);
            run->log_len = 0;
        }
    } else {
        run->log = strdup(run->r.err);
        run->log_len = run->r.err_len;
    }
    ev_expectations(&run->expect, run->r.out);
}

void ev_run_free(struct ev_run *run)
{
    ss_run_free(&run->r);
    ev_log_free(&run->expect);
    free(run->log);
    if (run->logpath[0])
        unlink(run->logpath);
    run->log = NULL;
}

void ev_check(struct ev_run *run, const char *format)
{
    if (ss_exited(&run->r, 77))
        cr_skip_test("not available here: %s", ss_describe(&run->r));
    cr_assert(ss_exited(&run->r, 0), "%s", ss_describe(&run->r));
    cr_assert_gt(run->expect.n, 0, "the helper stated nothing: %s", ss_describe(&run->r));
    if (!strcmp(format, "json")) {
        cr_assert(run->logpath[0], "JSON checks need a log file");
        cr_assert_eq(ev_count_lines(run->log), run->expect.n, "%d expected, the log:\n%s",
                     run->expect.n, run->log);
        for (int i = 0; i < run->expect.n; i++) {
            char *why = NULL;
            int rc = ev_json_expect_one(run->logpath, &run->expect.l[i], &why);
            cr_assert_eq(rc, 0, "%s", why);
            free(why);
        }
        return;
    }
    struct ev_log log;
    ev_log_parse(&log, run->log);
    cr_assert_eq(log.n, run->expect.n, "%d expected, the log:\n%s", run->expect.n, run->log);
    for (int i = 0; i < run->expect.n; i++)
        ev_expect_one(&log, &run->expect.l[i], run->t0, run->t1);
    ev_log_free(&log);
}
