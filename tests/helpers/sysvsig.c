/* Built with -std=c99 (no _GNU_SOURCE): glibc's <signal.h> then redirects
 * signal() to the one-shot System V __sysv_signal (a #define in
 * <signal.h> outside _DEFAULT_SOURCE).  Installs a SIGUSR1 handler with signal() and raises it twice.
 * Bare, the first delivery resets the handler and the second raise kills
 * (exit status 138); with the one-shot upgrade both are handled.
 *
 *   sysvsig twice     two raises in a row
 *   sysvsig nested    the handler raises the signal again while it runs:
 *                     one-shot, the nested raise kills at once (SA_NODEFER,
 *                     reset); upgraded, it waits until the handler returns
 *   sysvsig reinstall the classic SysV handler that re-installs itself
 *                     first (survives three raises bare too)
 *   sysvsig view      read-back (what the program set) and the kernel's
 *                     own flags, before and after one delivery
 *   sysvsig sigset    sigset(): persistent and deferred in glibc itself
 *
 * Prints "handled=N depth=D" (D = deepest nesting of the handler). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern long syscall(long number, ...);

static volatile sig_atomic_t handled, depth, max_depth, nest_once, reinstall;

static void on_usr1(int sig)
{
    if (reinstall)
        signal(sig, on_usr1);
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    handled++;
    if (nest_once) {
        nest_once = 0;
        raise(sig);
    }
    depth--;
}

/* The kernel's own record, bypassing every libc and preload layer. */
struct kernel_action {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask[8 / sizeof(unsigned long)]; /* the kernel's 64-bit set */
};

static void show(const char *when)
{
    struct sigaction v;
    struct kernel_action k;
    memset(&k, 0, sizeof k);
    sigaction(SIGUSR1, NULL, &v);
    if (syscall(SYS_rt_sigaction, SIGUSR1, NULL, &k, sizeof k.mask) != 0) {
        printf("%s kernel: unreadable\n", when);
        return;
    }
    unsigned long self = 1UL << (SIGUSR1 - 1);
    printf("%s view: handler=%s resethand=%d nodefer=%d restart=%d self-masked=%d\n", when,
           v.sa_handler == on_usr1 ? "on_usr1" : v.sa_handler == SIG_DFL ? "DFL" : "other",
           !!(v.sa_flags & SA_RESETHAND), !!(v.sa_flags & SA_NODEFER),
           !!(v.sa_flags & SA_RESTART), sigismember(&v.sa_mask, SIGUSR1));
    printf("%s kernel: resethand=%d nodefer=%d restart=%d self-masked=%d\n", when,
           !!(k.flags & SA_RESETHAND), !!(k.flags & SA_NODEFER), !!(k.flags & SA_RESTART),
           !!(k.mask[0] & self));
}

static void report(void)
{
    printf("handled=%d depth=%d\n", (int)handled, (int)max_depth);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "twice";
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(mode, "sigset")) {
        sigset(SIGUSR1, on_usr1);
        nest_once = 1;
        raise(SIGUSR1);
        raise(SIGUSR1);
        report();
        return 0;
    }
    if (signal(SIGUSR1, on_usr1) == SIG_ERR)
        return 2;
    if (!strcmp(mode, "view")) {
        show("installed");
        raise(SIGUSR1);
        show("delivered");
        return 0;
    }
    if (!strcmp(mode, "nested")) {
        nest_once = 1;
        raise(SIGUSR1);
        report();
        return 0;
    }
    if (!strcmp(mode, "reinstall")) {
        reinstall = 1;
        raise(SIGUSR1);
        raise(SIGUSR1);
    }
    raise(SIGUSR1);
    report();
    raise(SIGUSR1);
    report();
    return 0;
}
