#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#include "event.h"
#include "fdinfo.h"
#include "fmt.h"
#include "journal.h"
#include "rawio.h"
#ifdef HAVE_SYS_SINGLE_THREADED_H
#include <sys/single_threaded.h>
#endif

extern char *program_invocation_short_name;

/* One line, one write(), atomic on pipes (PIPE_BUF) and O_APPEND files. */
#define LINE_BYTES 4096

static struct {
    enum sockshield_log_kind kind; /* what is in effect (may fall back) */
    int fd;                        /* file or syslog socket, -1 none */
    uint64_t dev, ino;
    pid_t pid;                     /* the process that opened fd */
    int busy;                      /* a reopen is in progress */
    bool stream;                   /* syslog over SOCK_STREAM: NUL-framed */
    bool fifo;                     /* the file sink is a FIFO */
} sink = { SOCKSHIELD_LOG_STDERR, -1, 0, 0, 0, 0, false, false };

/* The counts of this process (a forked child starts from zero).  Every
 * event is counted once in `counts`, and ends up in exactly one of: a line
 * (itself, or the repeat=/suppressed= of a later line), still pending in
 * the flood control, `dropped` (no sink, or raised inside our own code), or
 * `lost` (the sink did not take the line).  The summary's unlogged is the
 * sum of the last three. */
static uint64_t counts[SOCKSHIELD_EV_COUNT][SOCKSHIELD_CALL_COUNT];
static uint64_t dropped, lost;
static struct sockshield_rate rates[SOCKSHIELD_EV_COUNT];
static struct sockshield_collapse collapses[SOCKSHIELD_EV_COUNT];
static pid_t stats_pid;   /* whose counts these are */
static pid_t summary_pid; /* who wrote the summary of this image */

/* then: what becomes of the events, "events go to stderr" by default. */
static void warn_line_then(const char *what, const char *path, int err, const char *then)
{
    char mem[512];
    struct sockshield_buf b;
    sockshield_buf_init(&b, mem, sizeof mem);
    sockshield_buf_str(&b, "sockshield: ");
    sockshield_buf_str(&b, what);
    sockshield_buf_str(&b, " '");
    sockshield_buf_mem(&b, path, strnlen(path, 200));
    sockshield_buf_str(&b, "': ");
    const char *name = sockshield_errno_name(err);
    sockshield_buf_str(&b, name ? name : "error");
    sockshield_buf_str(&b, "; ");
    sockshield_buf_str(&b, then);
    size_t n = sockshield_buf_finish_line(&b);
    sockshield_rawio_stderr(mem, n);
}

static void warn_line(const char *what, const char *path, int err)
{
    warn_line_then(what, path, err, "events go to stderr");
}

/* %p is the pid, %% a percent sign. */
static bool expand_path(char *out, size_t cap, const char *tmpl, pid_t pid)
{
    struct sockshield_buf b;
    sockshield_buf_init(&b, out, cap);
    for (const char *s = tmpl; *s; s++) {
        if (s[0] == '%' && s[1] == 'p') {
            sockshield_buf_i64(&b, pid);
            s++;
        } else if (s[0] == '%' && s[1] == '%') {
            sockshield_buf_char(&b, '%');
            s++;
        } else {
            sockshield_buf_char(&b, *s);
        }
    }
    if (b.full || b.len >= cap)
        return false;
    out[b.len] = '\0';
    return true;
}

static void remember(int fd)
{
    struct sockshield_fdid id;
    if (sockshield_rawio_fdid(fd, &id) == 0) {
        sink.dev = id.dev;
        sink.ino = id.ino;
        sink.fifo = S_ISFIFO(id.mode);
    }
    sink.pid = sockshield_getpid();
    __atomic_store_n(&sink.fd, fd, __ATOMIC_RELEASE);
}

static int open_file(bool warn)
{
    char path[SOCKSHIELD_PATH_MAX + 32];
    if (!expand_path(path, sizeof path, sockshield_cfg.log_path, sockshield_getpid())) {
        if (warn)
            warn_line("SOCKSHIELD_LOG path too long after %p:", sockshield_cfg.log_path, ENAMETOOLONG);
        return -1;
    }
    /* O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of
     * blocking the program; on regular files it changes nothing.
     * O_NOFOLLOW: a symlink planted at the name (in /tmp, say) cannot send
     * a root service's lines, peer addresses included, into another file;
     * new files are the owner's only. */
    long fd = syscall(SYS_openat, AT_FDCWD, path,
                      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                          O_NOFOLLOW,
                      0600);
    if (fd < 0) {
        int err = errno;
        const char *what = err == ELOOP
                               ? "cannot open SOCKSHIELD_LOG file (a symbolic link is refused)"
                               : "cannot open SOCKSHIELD_LOG file";
        /* At load the sink falls back to stderr; a reopen later (a fork's
         * %p name, an fd the program closed) drops the lines: one warning
         * per process either way. */
        static pid_t warned;
        pid_t me = sockshield_getpid();
        if (warn)
            warn_line(what, path, err);
        else if (__atomic_exchange_n(&warned, me, __ATOMIC_RELAXED) != me)
            warn_line_then(what, path, err, "its events are dropped");
        errno = err;
        return -1;
    }
    return sockshield_rawio_move_high((int)fd);
}

static int open_syslog(bool warn)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t n = strnlen(sockshield_cfg.log_path, sizeof sa.sun_path);
    if (n == 0 || n >= sizeof sa.sun_path) {
        if (warn)
            warn_line("cannot use syslog socket", sockshield_cfg.log_path, ENAMETOOLONG);
        return -1;
    }
    memcpy(sa.sun_path, sockshield_cfg.log_path, n);
    static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
    /* journald's native socket takes datagrams only. */
    bool journal = sockshield_cfg.log == SOCKSHIELD_LOG_JOURNAL;
    int err = 0;
    for (unsigned i = 0; i < (journal ? 1u : 2u); i++) {
        long fd = syscall(SYS_socket, AF_UNIX, types[i] | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            err = errno;
            break;
        }
        if (syscall(SYS_connect, fd, &sa, (socklen_t)sizeof sa) == 0) {
            sink.stream = types[i] == SOCK_STREAM;
            return sockshield_rawio_move_high((int)fd);
        }
        err = errno;
        syscall(SYS_close, fd);
        if (err != EPROTOTYPE) /* a stream-only syslogd answers EPROTOTYPE */
            break;
    }
    if (warn)
        warn_line(journal ? "cannot reach journald at" : "cannot reach syslog at",
                  sockshield_cfg.log_path, err);
    return -1;
}

static int open_sink(bool warn)
{
    return sockshield_cfg.log == SOCKSHIELD_LOG_SYSLOG || sockshield_cfg.log == SOCKSHIELD_LOG_JOURNAL
               ? open_syslog(warn)
               : open_file(warn);
}

/* fork(): the child counts its own events; what the parent counted, and
 * what its flood control holds, the parent reports.  Only fork runs this:
 * a vfork child shares our memory and must not touch it (see summary). */
static void forked_child(void)
{
    memset(counts, 0, sizeof counts);
    memset(collapses, 0, sizeof collapses);
    for (int e = 0; e < SOCKSHIELD_EV_COUNT; e++)
        rates[e].suppressed = 0;
    dropped = lost = 0;
    sink.busy = 0; /* a reopen another thread had started is not ours */
    stats_pid = sockshield_getpid();
    summary_pid = 0;
}

void sockshield_log_init(void)
{
    stats_pid = sockshield_getpid();
    pthread_atfork(NULL, NULL, forked_child);
    sockshield_rawio_stderr_remember();
    sink.kind = sockshield_cfg.log;
    if (sink.kind != SOCKSHIELD_LOG_FILE && sink.kind != SOCKSHIELD_LOG_SYSLOG &&
        sink.kind != SOCKSHIELD_LOG_JOURNAL)
        return;
    int fd = open_sink(true);
    if (fd < 0) {
        sink.kind = SOCKSHIELD_LOG_STDERR;
        return;
    }
    remember(fd);
}

/* The sink fd, checked before each write: the program may have closed our
 * number, reused it for its own file, or forked (a %p path then names a new
 * file for the child).  Returns -1 to drop the line. */
static int sink_fd(void)
{
    int fd = __atomic_load_n(&sink.fd, __ATOMIC_ACQUIRE);
    pid_t pid = sockshield_getpid();
    bool ours = false, fresh_file = false;
    if (fd >= 0) {
        struct sockshield_fdid id;
        ours = sockshield_rawio_fdid(fd, &id) == 0 && id.dev == sink.dev && id.ino == sink.ino;
        fresh_file = sink.pid != pid && sink.kind == SOCKSHIELD_LOG_FILE &&
                     strstr(sockshield_cfg.log_path, "%p") != NULL;
        if (ours && !fresh_file)
            return fd;
    }
    if (__atomic_exchange_n(&sink.busy, 1, __ATOMIC_ACQUIRE))
        return -1; /* another thread is reopening: drop rather than wait */
    if (fd >= 0 && ours && fresh_file)
        syscall(SYS_close, fd); /* the parent's file, inherited by fork */
    __atomic_store_n(&sink.fd, -1, __ATOMIC_RELEASE);
    int nfd = open_sink(false);
    if (nfd >= 0)
        remember(nfd);
    __atomic_store_n(&sink.busy, 0, __ATOMIC_RELEASE);
    return nfd;
}

static bool socket_send(struct iovec *iov, int iovcnt, size_t len);

/* One syslog message per line: <PRI>TAG[PID]: MSG (RFC 3164 as local
 * daemons take it: facility user, severity warning, no timestamp, which
 * the daemon adds on receipt; ours is in MSG).  Datagrams carry no
 * newline; a stream socket gets each message NUL-terminated, as glibc's
 * syslog() sends them.  Never blocks: a full receiver loses the message. */
static bool syslog_line(const char *line, size_t len)
{
    static const char prefix[] = "sockshield: ";
    char mem[LINE_BYTES + 64];
    struct sockshield_buf b;

    if (len >= sizeof prefix - 1 && memcmp(line, prefix, sizeof prefix - 1) == 0) {
        line += sizeof prefix - 1;
        len -= sizeof prefix - 1;
    }
    sockshield_buf_init(&b, mem, sizeof mem - 1); /* room for the NUL */
    sockshield_buf_str(&b, "<12>sockshield[");
    sockshield_buf_i64(&b, sockshield_getpid());
    sockshield_buf_str(&b, "]: ");
    sockshield_buf_mem(&b, line, len);
    mem[b.len] = '\0';
    struct iovec iov = { mem, b.len };
    return socket_send(&iov, 1, b.len);
}

/* One message of len bytes to the syslog or journal socket: a datagram,
 * or on a stream socket (syslog only: open_syslog never connects the
 * journal's that way) the bytes and the NUL after them in the last iov.
 * Reconnects once when the daemon is gone. */
static bool socket_send(struct iovec *iov, int iovcnt, size_t len)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = sink_fd();
        if (fd < 0)
            return false;
        size_t n = len + (sink.stream ? 1 : 0);
        iov[iovcnt - 1].iov_len += sink.stream ? 1 : 0;
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
        long w;
        do
            w = syscall(SYS_sendmsg, fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
        iov[iovcnt - 1].iov_len -= sink.stream ? 1 : 0;
        if (w == (long)n)
            return true;
        /* Gone: the daemon stopped or restarted.  Torn: a stream took part
         * of the message, and the rest would corrupt the next one.  Anything
         * else (EAGAIN: the receiver is full) loses this message only. */
        bool gone = w < 0 && (errno == ECONNREFUSED || errno == ENOTCONN || errno == EPIPE ||
                              errno == ECONNRESET);
        bool torn = w >= 0 && sink.stream;
        if (!gone && !torn)
            return false;
        if (!__atomic_exchange_n(&sink.busy, 1, __ATOMIC_ACQUIRE)) {
            if (__atomic_load_n(&sink.fd, __ATOMIC_ACQUIRE) == fd) {
                __atomic_store_n(&sink.fd, -1, __ATOMIC_RELEASE);
                syscall(SYS_close, fd);
                int nfd = open_syslog(false);
                if (nfd >= 0)
                    remember(nfd);
            }
            __atomic_store_n(&sink.busy, 0, __ATOMIC_RELEASE);
        }
        if (torn)
            return false;
    }
    return false;
}

/* A record of one or more whole lines; true when the sink took all of it. */
static bool emit(const char *rec, size_t len)
{
    switch (sink.kind) {
    case SOCKSHIELD_LOG_NONE:
        return false;
    case SOCKSHIELD_LOG_STDERR:
        return sockshield_rawio_stderr(rec, len);
    case SOCKSHIELD_LOG_FILE: {
        int fd = sink_fd();
        return fd >= 0 && (sink.fifo ? sockshield_rawio_quiet_write(fd, rec, len)
                                     : sockshield_rawio_write_all(fd, rec, len));
    }
    case SOCKSHIELD_LOG_JOURNAL: /* journal_event and journal_summary */
        return false;
    case SOCKSHIELD_LOG_SYSLOG: {
        bool all = true;
        while (len > 0) {
            const char *nl = memchr(rec, '\n', len);
            size_t n = nl ? (size_t)(nl - rec) : len;
            all = syslog_line(rec, n) && all;
            n += nl ? 1 : 0;
            rec += n;
            len -= n;
        }
        return all;
    }
    }
    return false;
}

/* SOCKSHIELD_LOG=journal: one datagram per event and per summary, in
 * journald's native protocol (src/core/journal.c builds it, around the line,
 * which is not copied); sent like a syslog message. */
static bool journal_event(const struct sockshield_record *r, char *line, size_t n)
{
    struct sockshield_journal j;
    n = sockshield_journal_strip(line, n);
    return sockshield_journal_event(&j, r, line, n) && socket_send(j.iov, 4, j.len);
}

static bool journal_summary(const struct sockshield_summary *s, char *text, size_t n)
{
    struct sockshield_journal j;
    n = sockshield_journal_strip(text, n);
    return sockshield_journal_summary(&j, s, text, n) && socket_send(j.iov, 4, j.len);
}

static uint64_t coarse_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The line of an admitted event: everything that costs, apart from the
 * checks of sockshield_log_event, so a flood of refused lines pays for none
 * of its frame (a 4 KiB buffer). */
__attribute__((noinline)) static void write_event(enum sockshield_event ev, enum sockshield_call call,
                                                 int fd, int err, const struct sockaddr *peer,
                                                 socklen_t peer_len, uint64_t repeat,
                                                 uint64_t suppressed, const char *action)
{
    int saved = errno;
    struct sockshield_fdview v;
    sockshield_fdinfo_describe(fd, &v);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct sockshield_record r = {
        .sec = ts.tv_sec,
        .usec = ts.tv_nsec / 1000,
        .pid = sockshield_getpid(),
        .tid = syscall(SYS_gettid),
        .prog = program_invocation_short_name,
        .event = ev,
        .call = sockshield_call_name(call),
        .fd = fd,
        .sock = v.kind,
        .local = v.local_len ? (const struct sockaddr *)&v.local : NULL,
        .local_len = v.local_len,
        .peer = v.peer_len ? (const struct sockaddr *)&v.peer : NULL,
        .peer_len = v.peer_len,
        .err = ev == SOCKSHIELD_EV_EOF ? NULL : sockshield_errno_name(err),
        .repeat = repeat,
        .suppressed = suppressed,
        .action = action,
    };
    /* The address the call named: a datagram socket's peer for this call;
     * a connection's peer only when nothing better is known (a connect
     * that failed before the kernel kept its target). */
    if (peer && peer_len && (!v.stream || !v.peer_len)) {
        r.peer = peer;
        r.peer_len = peer_len;
    }
    char line[LINE_BYTES];
    size_t n = sockshield_format_record(line, sizeof line, &r, sockshield_cfg.log_format);
    if (sink.kind == SOCKSHIELD_LOG_JOURNAL ? !journal_event(&r, line, n) : !emit(line, n))
        __atomic_add_fetch(&lost, 1 + repeat + suppressed, __ATOMIC_RELAXED);
    errno = saved;
}

/* True while the process has one thread: then a repeat collapsed into the
 * pending count needs no locked add (perf: half the time of a flood of
 * refused events went to it).  A signal handler cannot interleave: every
 * caller raises the depth first, and the events of a call nested in a
 * handler stop at the depth check, before the collapse. */
static bool alone(void)
{
#ifdef HAVE_SYS_SINGLE_THREADED_H
    return __libc_single_threaded;
#else
    return false;
#endif
}

void sockshield_log_event(enum sockshield_event ev, enum sockshield_call call, int fd, int err,
                          const struct sockaddr *peer, socklen_t peer_len)
{
    if ((unsigned)ev >= SOCKSHIELD_EV_COUNT || (unsigned)call >= SOCKSHIELD_CALL_COUNT ||
        !(sockshield_cfg.events & SOCKSHIELD_EV_BIT(ev)))
        return;
    /* Nothing on the way to a refused line changes errno.  Only the summary
     * reads the counts: without it, no locked add here.  A nested event (a
     * signal handler's) counts here too, so these adds stay locked. */
    if (sockshield_cfg.summary)
        __atomic_add_fetch(&counts[ev][call], 1, __ATOMIC_RELAXED);
    if (sink.kind == SOCKSHIELD_LOG_NONE || sockshield_tls.depth > 1) {
        if (sockshield_cfg.summary)
            __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
        return;
    }
    uint64_t repeat = 0, suppressed = 0;
    if (sockshield_cfg.log_rate) {
        uint64_t key = sockshield_collapse_key(call, fd, err, sockshield_fdinfo_generation(fd));
        uint64_t now = coarse_ms();
        /* The callers' depth count is stored before the plain add. */
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        if (alone() && sockshield_collapse_alone(&collapses[ev], key, now))
            return;
        if (!sockshield_event_admit(&collapses[ev], &rates[ev], sockshield_cfg.log_rate, key, now,
                                    &repeat, &suppressed))
            return;
    }
    write_event(ev, call, fd, err, peer, peer_len, repeat, suppressed, NULL);
}

void sockshield_log_ended(int fd)
{
    const enum sockshield_event ev = SOCKSHIELD_EV_EPIPE;
    const enum sockshield_call call = SOCKSHIELD_CALL_write;
    if (sockshield_cfg.events & SOCKSHIELD_EV_BIT(ev)) {
        if (sockshield_cfg.summary)
            __atomic_add_fetch(&counts[ev][call], 1, __ATOMIC_RELAXED);
        /* The last line of the process: past the flood control. */
        if (sink.kind == SOCKSHIELD_LOG_NONE)
            __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
        else
            write_event(ev, call, fd, EPIPE, NULL, 0, 0, 0, "ended");
    }
    sockshield_log_summary();
}

/* True when an EAGAIN event repeats the last one of its kind inside the
 * collapse window and was counted as a repeat, exactly as
 * sockshield_log_event would have done with one thread. */
static bool again_repeat_alone(enum sockshield_call call, int fd)
{
    /* What sockshield_log_event checks before its own single-thread
     * refusal: enabled, no summary to count it in (the full path counts),
     * a sink, collapsing on, not inside the logger, one thread. */
    if (!(sockshield_cfg.events & SOCKSHIELD_EV_BIT(SOCKSHIELD_EV_EAGAIN)) || sockshield_cfg.summary ||
        sink.kind == SOCKSHIELD_LOG_NONE || !sockshield_cfg.log_rate || sockshield_tls.depth || !alone())
        return false;
    struct sockshield_collapse *c = &collapses[SOCKSHIELD_EV_EAGAIN];
    uint64_t key = sockshield_collapse_key(call, fd, EAGAIN, sockshield_fdinfo_generation(fd));
    if (__atomic_load_n(&c->key, __ATOMIC_RELAXED) != key)
        return false;
    /* The depth the slow path gives the logger (io.c): a signal handler's
     * event on this thread, meanwhile, stays away from the plain add. */
    sockshield_tls.depth = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    bool counted = sockshield_collapse_alone(c, key, coarse_ms());
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    sockshield_tls.depth = 0;
    return counted;
}

long sockshield_log_again_direct(enum sockshield_call call, int fd)
{
    if (!again_repeat_alone(call, fd)) {
        /* what io.c's slow path does with an EAGAIN */
        sockshield_tls.depth++;
        sockshield_log_event(SOCKSHIELD_EV_EAGAIN, call, fd, EAGAIN, NULL, 0);
        sockshield_tls.depth--;
    }
    errno = EAGAIN;
    return -1;
}

void sockshield_log_summary_rearm(void)
{
    __atomic_store_n(&summary_pid, 0, __ATOMIC_RELEASE);
}

/* Rows of the summary: the aliases of a call (recv, __recv_chk) are one
 * row under the public name the lines show. */
#define SUMMARY_ROWS 160

static size_t summary_rows(struct sockshield_summary_row *rows, uint64_t *total)
{
    size_t n = 0;
    *total = 0;
    for (int e = 0; e < SOCKSHIELD_EV_COUNT; e++) {
        for (int c = 0; c < SOCKSHIELD_CALL_COUNT; c++) {
            uint64_t k = __atomic_load_n(&counts[e][c], __ATOMIC_RELAXED);
            if (!k)
                continue;
            *total += k;
            const char *name = sockshield_call_name((enum sockshield_call)c);
            size_t i = 0;
            while (i < n && !(rows[i].event == (enum sockshield_event)e &&
                              strcmp(rows[i].call, name) == 0))
                i++;
            if (i < n) {
                rows[i].count += k;
            } else if (n < SUMMARY_ROWS) {
                rows[n].event = (enum sockshield_event)e;
                rows[n].call = name;
                rows[n].count = k;
                n++;
            }
        }
    }
    return n;
}

void sockshield_log_summary(void)
{
    if (!sockshield_cfg.summary)
        return;
    pid_t pid = sockshield_getpid();
    /* A vfork child (or a raw clone) sees its parent's counts: the parent
     * reports them. */
    if (pid != __atomic_load_n(&stats_pid, __ATOMIC_RELAXED))
        return;
    if (__atomic_exchange_n(&summary_pid, pid, __ATOMIC_ACQ_REL) == pid)
        return;
    int saved = errno;
    struct sockshield_summary_row rows[SUMMARY_ROWS];
    struct sockshield_summary s;
    memset(&s, 0, sizeof s);
    s.rows = rows;
    s.nrows = summary_rows(rows, &s.events);
    s.unlogged = __atomic_load_n(&dropped, __ATOMIC_RELAXED) +
                 __atomic_load_n(&lost, __ATOMIC_RELAXED);
    for (int e = 0; e < SOCKSHIELD_EV_COUNT; e++)
        s.unlogged += __atomic_load_n(&collapses[e].pending, __ATOMIC_RELAXED) +
                      __atomic_load_n(&rates[e].suppressed, __ATOMIC_RELAXED);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s.sec = ts.tv_sec;
    s.usec = ts.tv_nsec / 1000;
    s.pid = pid;
    s.prog = program_invocation_short_name;
    char mem[LINE_BYTES];
    size_t n = sockshield_format_summary(mem, sizeof mem, &s, sockshield_cfg.log_format);
    if (sink.kind == SOCKSHIELD_LOG_JOURNAL)
        journal_summary(&s, mem, n);
    else
        emit(mem, n);
    errno = saved;
}
