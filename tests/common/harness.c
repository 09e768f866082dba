#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *must_env(const char *name)
{
    const char *v = getenv(name);
    cr_assert(v && *v, "%s is not set: run the tests through 'make check'", name);
    return v;
}

const char *ss_lib(void) { return must_env("SOCKSHIELD_TEST_LIB"); }
const char *ss_fault_lib(void) { return must_env("SOCKSHIELD_TEST_FAULT_LIB"); }
const char *ss_launcher(void) { return must_env("SOCKSHIELD_TEST_LAUNCHER"); }

const char *ss_helper(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", must_env("SOCKSHIELD_TEST_HELPERS"), name);
    return path;
}

const char *ss_tmpdir(void)
{
    static char dir[4096];
    if (!dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/sockshield-test-XXXXXX", base && *base ? base : "/tmp");
        cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    }
    return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void ss_tmpdir_remove(void)
{
    nftw(ss_tmpdir(), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sanitizer builds (configure --enable-sanitizers): the Makefile names the
 * shared ASan runtime, which must come first in the initial library list
 * of every process that loads our instrumented library, sh and curl
 * included (the ASan runtime refuses to start otherwise).  Helpers get the runner's ASAN_OPTIONS
 * and UBSAN_OPTIONS (the Makefile sets them). */
static const char *asan_runtime(void)
{
    const char *v = getenv("SOCKSHIELD_TEST_ASAN_RUNTIME");
    return v && *v ? v : NULL;
}

bool ss_sanitizers(void)
{
    return asan_runtime() != NULL;
}

const char *ss_preload_prefix(void)
{
    static char prefix[4096];
    const char *rt = asan_runtime();
    if (!rt)
        return "";
    if (!prefix[0])
        snprintf(prefix, sizeof prefix, "%s:", rt);
    return prefix;
}

void ss_env_set(struct ss_env *e, const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    cr_assert(vasprintf(&s, fmt, ap) >= 0);
    va_end(ap);
    const char *pre = ss_preload_prefix();
    if (*pre && strncmp(s, "LD_PRELOAD=", 11) == 0 && strncmp(s + 11, pre, strlen(pre)) != 0 &&
        strcmp(s + 11, asan_runtime()) != 0) {
        char *t;
        cr_assert(asprintf(&t, "LD_PRELOAD=%s%s", pre, s + 11) >= 0);
        free(s);
        s = t;
    }
    size_t klen = strcspn(s, "=");
    for (int i = 0; i < e->n; i++) {
        if (strncmp(e->v[i], s, klen) == 0 && e->v[i][klen] == '=') {
            free(e->v[i]);
            e->v[i] = s;
            return;
        }
    }
    cr_assert(e->n < (int)(sizeof e->v / sizeof e->v[0]) - 1, "environment too large");
    e->v[e->n++] = s;
    e->v[e->n] = NULL;
}

void ss_env_unset(struct ss_env *e, const char *name)
{
    size_t klen = strlen(name);
    for (int i = 0; i < e->n; i++) {
        if (strncmp(e->v[i], name, klen) == 0 && e->v[i][klen] == '=') {
            free(e->v[i]);
            memmove(&e->v[i], &e->v[i + 1], (e->n - i) * sizeof e->v[0]);
            e->n--;
            return;
        }
    }
}

void ss_env_init(struct ss_env *e, bool preload)
{
    e->n = 0;
    e->v[0] = NULL;
    const char *path = getenv("PATH");
    ss_env_set(e, "PATH=%s", path && *path ? path : "/usr/bin:/bin");
    ss_env_set(e, "LANG=C");
    if (asan_runtime()) {
        /* Bare runs too: the launcher appends our library to what is there. */
        const char *opt = getenv("ASAN_OPTIONS");
        ss_env_set(e, "ASAN_OPTIONS=%s", opt ? opt : "");
        opt = getenv("UBSAN_OPTIONS");
        ss_env_set(e, "UBSAN_OPTIONS=%s", opt ? opt : "");
        ss_env_set(e, "LD_PRELOAD=%s", asan_runtime());
    }
    if (preload)
        ss_env_set(e, "LD_PRELOAD=%s", ss_lib());
}

void ss_env_free(struct ss_env *e)
{
    for (int i = 0; i < e->n; i++)
        free(e->v[i]);
    e->n = 0;
    e->v[0] = NULL;
}

struct sink {
    int fd;
    char *buf;
    size_t len, cap;
};

static void sink_read(struct sink *s)
{
    if (s->cap - s->len < 65536) {
        s->cap = s->cap * 2 + 65536;
        s->buf = realloc(s->buf, s->cap + 1);
        cr_assert(s->buf);
    }
    ssize_t n = read(s->fd, s->buf + s->len, s->cap - s->len);
    if (n > 0) {
        s->len += n;
    } else if (n == 0 || errno != EINTR) {
        close(s->fd);
        s->fd = -1;
    }
}

void ss_spawnattr_clean(posix_spawnattr_t *at, short flags)
{
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_init(at);
    posix_spawnattr_setsigdefault(at, &all);
    posix_spawnattr_setsigmask(at, &none);
    posix_spawnattr_setflags(at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | flags);
}

/* The ELF machine of a file, following one "#!" line; 0 when unknown. */
static unsigned elf_machine(const char *path, int depth)
{
    unsigned char buf[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n >= 20 && memcmp(buf, "\177ELF", 4) == 0)
        return buf[5] == 2 ? (unsigned)buf[18] << 8 | buf[19] : (unsigned)buf[19] << 8 | buf[18];
    if (depth > 0 || n < 3 || buf[0] != '#' || buf[1] != '!')
        return 0;
    buf[n] = '\0';
    char *p = (char *)buf + 2;
    p += strspn(p, " \t");
    p[strcspn(p, " \t\n")] = '\0';
    return elf_machine(p, depth + 1);
}

/* name as the spawn finds it (a path, or searched in PATH). */
static unsigned program_machine(const char *name)
{
    if (strchr(name, '/'))
        return elf_machine(name, 0);
    const char *path = getenv("PATH");
    for (const char *d = path && *path ? path : "/usr/bin:/bin"; *d;) {
        size_t k = strcspn(d, ":");
        char full[4096];
        if (k + strlen(name) + 2 < sizeof full) {
            snprintf(full, sizeof full, "%.*s/%s", (int)k, d, name);
            if (access(full, X_OK) == 0)
                return elf_machine(full, 0);
        }
        d += k + (d[k] == ':');
    }
    return 0;
}

static void skip_if_foreign(const char *what, unsigned machine)
{
    static unsigned own;
    if (!own)
        own = elf_machine("/proc/self/exe", 1);
    if (machine && own && machine != own)
        cr_skip_test("%s is built for another machine (ELF machine %u, this build %u): "
                     "it cannot load the library under test",
                     what, machine, own);
}

void ss_skip_foreign(const char *const argv[], const struct ss_env *e)
{
    const char *pre = NULL;
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->v[i], "LD_PRELOAD=", 11) == 0)
            pre = e->v[i] + 11;
    /* The launcher (a script) preloads the library into its command only. */
    bool launcher = strcmp(argv[0], ss_launcher()) == 0;
    if (!launcher && (!pre || !strstr(pre, ss_lib())))
        return;
    char one[4096];
    for (const char *p = pre ? pre : ""; *p;) {
        size_t k = strcspn(p, ": ");
        if (k > 0 && k < sizeof one) {
            memcpy(one, p, k);
            one[k] = '\0';
            skip_if_foreign(one, elf_machine(one, 1));
        }
        p += k + (p[k] != '\0');
    }
    if (!launcher)
        skip_if_foreign(argv[0], program_machine(argv[0]));
    for (int i = 1; argv[i]; i++)
        if (launcher ? argv[i][0] != '-' : strcmp(argv[i - 1], "--") == 0)
            skip_if_foreign(argv[i], program_machine(argv[i]));
}

void ss_run(struct ss_run *r, const char *const argv[], struct ss_env *e,
            int stdin_fd, double timeout_seconds)
{
    ss_skip_foreign(argv, e);
    memset(r, 0, sizeof *r);
    int out[2], err[2];
    cr_assert(pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (stdin_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
    else
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);

    posix_spawnattr_t at;
    ss_spawnattr_clean(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);

    double start = now();
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, &at, (char *const *)argv, e->v);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(out[1]);
    close(err[1]);
    cr_assert(rc == 0, "posix_spawn %s: %s", argv[0], strerror(rc));

    struct sink so = { out[0], NULL, 0, 0 }, se = { err[0], NULL, 0, 0 };
    double deadline = start + timeout_seconds;
    while (so.fd >= 0 || se.fd >= 0) {
        struct pollfd p[2] = { { so.fd, POLLIN, 0 }, { se.fd, POLLIN, 0 } };
        int left = (int)((deadline - now()) * 1000);
        if (left <= 0) {
            r->timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        int n = poll(p, 2, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (p[0].revents)
            sink_read(&so);
        if (p[1].revents)
            sink_read(&se);
    }
    if (so.fd >= 0)
        close(so.fd);
    if (se.fd >= 0)
        close(se.fd);
    while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
        ;
    /* Whatever the helper left behind in its group goes too. */
    kill(-pid, SIGKILL);
    r->seconds = now() - start;
    r->out = so.buf ? so.buf : calloc(1, 1);
    r->err = se.buf ? se.buf : calloc(1, 1);
    r->out[so.len] = '\0';
    r->err[se.len] = '\0';
    r->out_len = so.len;
    r->err_len = se.len;
    /* A sanitizer report fails the test whatever the helper's exit status
     * (some tests expect a failure status, or a death, of their own). */
    if (asan_runtime()) {
        static const char *const marks[] = {
            "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", ": runtime error: ",
            "ERROR: UndefinedBehaviorSanitizer", "AddressSanitizer:DEADLYSIGNAL",
            "ASan runtime does not come first",
        };
        for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
            cr_assert(!memmem(r->err, r->err_len, marks[i], strlen(marks[i])), "sanitizer report from %s:\n%s", argv[0],
                      r->err);
    }
}

void ss_run_free(struct ss_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

bool ss_exited(const struct ss_run *r, int code)
{
    return !r->timed_out && WIFEXITED(r->status) && WEXITSTATUS(r->status) == code;
}

bool ss_signaled(const struct ss_run *r, int sig)
{
    return !r->timed_out && WIFSIGNALED(r->status) && WTERMSIG(r->status) == sig;
}

const char *ss_describe(const struct ss_run *r)
{
    static char buf[8192];
    int n;
    if (r->timed_out)
        n = snprintf(buf, sizeof buf, "timed out");
    else if (WIFEXITED(r->status))
        n = snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(r->status));
    else if (WIFSIGNALED(r->status))
        n = snprintf(buf, sizeof buf, "signal %d", WTERMSIG(r->status));
    else
        n = snprintf(buf, sizeof buf, "status %#x", r->status);
    snprintf(buf + n, sizeof buf - n, "; stdout: [%.2000s] stderr: [%.4000s]",
             r->out ? r->out : "", r->err ? r->err : "");
    return buf;
}

char *ss_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *b = malloc(cap + 1);
    size_t k;
    while ((k = fread(b + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap + 1);
        }
    }
    fclose(f);
    b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

int ss_count(const char *hay, const char *needle)
{
    int c = 0;
    size_t nl = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)); p += nl)
        c++;
    return c;
}
