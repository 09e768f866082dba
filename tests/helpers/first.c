/* libssfirst: a library whose code runs before and after sockshield's.
 *
 * Helpers link it (a DT_NEEDED dependency); ld.so runs the constructors of
 * a program's dependencies before those of LD_PRELOAD objects, and their
 * destructors after (the order of _dl_init and _dl_fini).  An atexit handler its
 * constructor registers runs later still: exit() runs handlers newest
 * first, and ld.so's destructor pass (_dl_fini) was registered after it,
 * when the program started.
 *
 * SS_FIRST says what the constructor does:
 *   calls        signal(SIGPIPE, SIG_DFL), a write into a pipe without
 *                reader, sigaction(SIGUSR1) read back and raised, SIGPIPE
 *                read back
 *   write-first  the write first, then the same
 *   late         nothing but arming the two late writers
 *   setenv:NAME=N:C  sets NAME to N bytes of C: values larger than execve
 *                passes (MAX_ARG_STRLEN, 128 KiB per string) reach
 *                sockshield's constructor this way
 * With calls, write-first and late, the destructor and the atexit handler
 * each write into that pipe once more and print the result on stdout.
 * ss_first_report() returns what the constructor saw, one line. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *ss_first_report(void);

static char report[512];
static int dead_pipe = -1;
static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_seen++;
}

/* The kernel's SIGPIPE action, past every wrapper: DFL, IGN or handler. */
static const char *kernel_sigpipe(void)
{
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask[8 / sizeof(unsigned long)]; /* the kernel's 64-bit set */
    } k;
    memset(&k, 0, sizeof k);
    if (syscall(SYS_rt_sigaction, SIGPIPE, NULL, &k, sizeof k.mask) != 0)
        return "ERR";
    return k.handler == (void *)SIG_DFL ? "DFL" : k.handler == (void *)SIG_IGN ? "IGN" : "handler";
}

static const char *name_of(void (*h)(int))
{
    return h == SIG_DFL ? "DFL" : h == SIG_IGN ? "IGN" : h == SIG_ERR ? "ERR"
         : h == on_usr1 ? "mine" : "other";
}

/* Appends "key=value" (with a space before all but the first). */
static void put(const char *key, const char *value)
{
    size_t n = strlen(report);
    snprintf(report + n, sizeof report - n, "%s%s=%s", n ? " " : "", key, value);
}

/* "RESULT/ERRNO" of a write into the pipe without reader. */
static const char *try_write(char *buf, size_t cap)
{
    ssize_t r = write(dead_pipe, "x", 1);
    snprintf(buf, cap, "%zd/%s", r, r < 0 ? strerrorname_np(errno) : "0");
    return buf;
}

static void write_dead(const char *who)
{
    ssize_t r = write(dead_pipe, "x", 1);
    int err = errno;
    char line[128];
    int n = snprintf(line, sizeof line, "%s result=%zd errno=%s\n", who, r,
                     r < 0 ? strerrorname_np(err) : "0");
    if (write(1, line, (size_t)n) < 0)
        _exit(7);
}

static void late_atexit(void)
{
    write_dead("late-atexit");
}

__attribute__((destructor)) static void first_destructor(void)
{
    if (dead_pipe >= 0)
        write_dead("late-destructor");
}

static void set_big(const char *spec)
{
    /* NAME=N:C */
    const char *eq = strchr(spec, '='), *colon = eq ? strchr(eq, ':') : NULL;
    if (!eq || !colon || !colon[1])
        return;
    size_t n = strtoul(eq + 1, NULL, 10);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - spec), spec);
    char *v = malloc(n + 1);
    if (!v)
        return;
    memset(v, colon[1], n);
    v[n] = '\0';
    setenv(name, v, 1);
    free(v);
}

__attribute__((constructor)) static void first_constructor(void)
{
    const char *mode = getenv("SS_FIRST");
    if (!mode)
        return;
    if (!strncmp(mode, "setenv:", 7)) {
        set_big(mode + 7);
        return;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return;
    close(p[0]);
    dead_pipe = p[1];
    atexit(late_atexit);
    put("kernel-at-entry", kernel_sigpipe());
    if (!strcmp(mode, "late"))
        return;
    bool write_first = !strcmp(mode, "write-first");
    char wr[64];
    if (write_first)
        put("write", try_write(wr, sizeof wr));
    void (*prev)(int) = signal(SIGPIPE, SIG_DFL);
    put("signal-returned", name_of(prev));
    put("kernel-after", kernel_sigpipe());
    if (!write_first)
        put("write", try_write(wr, sizeof wr));
    struct sigaction sa, back;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR1, NULL, &back);
    raise(SIGUSR1);
    put("usr1-readback", name_of(back.sa_handler));
    put("usr1-ran", usr1_seen == 1 ? "yes" : "no");
    sigaction(SIGPIPE, NULL, &back);
    put("pipe-readback", name_of(back.sa_handler));
}

const char *ss_first_report(void)
{
    return report;
}
