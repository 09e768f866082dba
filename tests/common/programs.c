#include "programs.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap(double seconds)
{
    struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

const char *ss_need_program(const char *name, const char *package)
{
    static char found[8][4096];
    static unsigned next;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, ":");
        char cand[4096];
        /* An empty entry is the current directory (execvp(3)): not ours. */
        if (len > 0 && len + strlen(name) + 2 < sizeof cand) {
            snprintf(cand, sizeof cand, "%.*s/%s", (int)len, p, name);
            struct stat st;
            if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
                char *slot = found[next++ % 8];
                snprintf(slot, sizeof found[0], "%s", cand);
                return slot;
            }
        }
        p += len;
        if (*p == ':')
            p++;
    }
    cr_assert_fail("%s not found in PATH (%s): install the Debian package %s "
                   "(tools/install-deps does)",
                   name, path, package);
    return NULL;
}

/* ---- peers ---------------------------------------------------------------- */

/* In a fresh child: die with the parent, after a lifeline, and with the
 * default action for every signal the test worker may have changed. */
static void child_setup(pid_t parent, unsigned lifeline_seconds)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(99);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            sigaction(s, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (lifeline_seconds)
        alarm(lifeline_seconds);
}

pid_t ss_peer_start(int (*fn)(void *arg), void *arg, unsigned lifeline_seconds)
{
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        child_setup(parent, lifeline_seconds);
        /* Peers write to sockets that break on purpose: never die of it. */
        signal(SIGPIPE, SIG_IGN);
        _exit(fn(arg));
    }
    return pid;
}

int ss_peer_wait(pid_t pid, double timeout_seconds)
{
    double deadline = now() + timeout_seconds;
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now() > deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return -1;
        }
        nap(0.01);
    }
}

int ss_accept_within(int listener, int ms)
{
    struct pollfd p = { listener, POLLIN, 0 };
    if (poll(&p, 1, ms) != 1)
        return -1;
    return accept(listener, NULL, NULL);
}

int ss_reset_after_request(void *listener)
{
    int s = ss_accept_within(*(int *)listener, 30000);
    if (s < 0)
        return 10;
    char req[8192];
    size_t len = 0;
    while (len < sizeof req - 1) {
        ssize_t k = recv(s, req + len, sizeof req - 1 - len, 0);
        if (k <= 0)
            return 11;
        len += (size_t)k;
        req[len] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    if (strncmp(req, "GET /", 5) != 0)
        return 12;
    ss_close_reset(s);
    return 0;
}

/* ---- background programs -------------------------------------------------- */

void ss_bg_start(struct ss_bg *b, const char *const argv[], struct ss_env *e,
                 const char *err_path)
{
    ss_skip_foreign(argv, e);
    memset(b, 0, sizeof *b);
    snprintf(b->err_path, sizeof b->err_path, "%s", err_path);
    int out[2];
    cr_assert(pipe2(out, O_CLOEXEC) == 0);
    int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert(err >= 0, "%s: %s", err_path, strerror(errno));
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    cr_assert(null >= 0);
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        child_setup(parent, 0);
        if (dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err, 2) < 0)
            _exit(98);
        execve(argv[0], (char *const *)argv, e->v);
        dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* either side may win the race: both ask */
    close(out[1]);
    close(err);
    close(null);
    b->pid = pid;
    b->out = out[0];
}

bool ss_bg_read_line(struct ss_bg *b, char *line, size_t cap, double timeout_seconds)
{
    double deadline = now() + timeout_seconds;
    size_t n = 0;
    while (n + 1 < cap) {
        int left = (int)((deadline - now()) * 1000);
        if (left <= 0)
            break;
        struct pollfd p = { b->out, POLLIN, 0 };
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        char c;
        ssize_t k = read(b->out, &c, 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        if (c == '\n') {
            line[n] = '\0';
            return true;
        }
        line[n++] = c;
    }
    line[n] = '\0';
    return false;
}

bool ss_bg_running(struct ss_bg *b)
{
    if (b->exited)
        return false;
    pid_t r = waitpid(b->pid, &b->status, WNOHANG);
    if (r == b->pid)
        b->exited = true;
    return !b->exited;
}

int ss_bg_stop(struct ss_bg *b, int sig, double timeout_seconds)
{
    if (ss_bg_running(b)) {
        kill(b->pid, sig);
        double deadline = now() + timeout_seconds;
        while (ss_bg_running(b) && now() < deadline)
            nap(0.01);
        if (!b->exited) {
            kill(-b->pid, SIGKILL);
            kill(b->pid, SIGKILL);
            while (waitpid(b->pid, &b->status, 0) < 0 && errno == EINTR)
                ;
            b->exited = true;
        }
    }
    kill(-b->pid, SIGKILL); /* whatever it left behind in its group */
    if (b->out >= 0)
        close(b->out);
    b->out = -1;
    return b->status;
}

int ss_wait_for_count(const char *path, const char *needle, int n, double timeout_seconds)
{
    double deadline = now() + timeout_seconds;
    for (;;) {
        char *s = ss_slurp(path, NULL);
        int c = s ? ss_count(s, needle) : 0;
        free(s);
        if (c >= n || now() > deadline)
            return c;
        nap(0.02);
    }
}

/* ---- event lines ---------------------------------------------------------- */

/* Does the token key=value (space-delimited) in [line, end) match PATTERN
 * ("key=value", "key=prefix*", "key=a|b")? */
static bool token_matches(const char *line, const char *end, const char *pattern)
{
    const char *eq = strchr(pattern, '=');
    if (!eq)
        return false;
    size_t klen = (size_t)(eq - pattern) + 1; /* with the '=' */
    for (const char *p = line; p + klen <= end; p++) {
        if ((p != line && p[-1] != ' ') || strncmp(p, pattern, klen) != 0)
            continue;
        const char *v = p + klen;
        size_t vlen = strcspn(v, " \n");
        if (v + vlen > end)
            vlen = (size_t)(end - v);
        /* Each alternative of the pattern's value. */
        for (const char *alt = eq + 1;;) {
            size_t alen = strcspn(alt, "|");
            bool prefix = alen > 0 && alt[alen - 1] == '*';
            size_t want = prefix ? alen - 1 : alen;
            if (prefix ? vlen >= want && strncmp(v, alt, want) == 0
                       : vlen == want && strncmp(v, alt, want) == 0)
                return true;
            if (alt[alen] != '|')
                break;
            alt += alen + 1;
        }
    }
    return false;
}

static const char *next_event(const char *p, const char **end)
{
    const char *s = strstr(p, "sockshield: ");
    if (!s)
        return NULL;
    const char *e = strchr(s, '\n');
    *end = e ? e : s + strlen(s);
    return s;
}

static bool line_matches(const char *s, const char *e, const char *const want[])
{
    for (int i = 0; want[i]; i++)
        if (!token_matches(s, e, want[i]))
            return false;
    return true;
}

char *ss_event_find(const char *text, const char *const want[])
{
    const char *e;
    for (const char *s = text ? next_event(text, &e) : NULL; s; s = next_event(e, &e))
        if (line_matches(s, e, want))
            return strndup(s, (size_t)(e - s));
    return NULL;
}

int ss_event_count(const char *text, const char *const want[])
{
    int n = 0;
    const char *e;
    for (const char *s = text ? next_event(text, &e) : NULL; s; s = next_event(e, &e))
        n += line_matches(s, e, want);
    return n;
}

int ss_shield_lines(const char *text)
{
    return text ? ss_count(text, "sockshield:") : 0;
}

/* ---- sockets -------------------------------------------------------------- */

static int bound_loopback(unsigned short *port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert(s >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    cr_assert(bind(s, (struct sockaddr *)&a, sizeof a) == 0, "bind: %s", strerror(errno));
    cr_assert(getsockname(s, (struct sockaddr *)&a, &al) == 0);
    *port = ntohs(a.sin_port);
    return s;
}

int ss_listen_loopback(unsigned short *port)
{
    int s = bound_loopback(port);
    cr_assert(listen(s, 64) == 0, "listen: %s", strerror(errno));
    return s;
}

int ss_refusing_port(unsigned short *port)
{
    return bound_loopback(port);
}

void ss_close_reset(int fd)
{
    struct linger lg = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}
