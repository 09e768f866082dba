/* Prints what sigaction() reads back after every combination of handler
 * kind, flags and mask a program can set, one line per case, so a test can
 * compare a bare run with a shielded one byte for byte.  Also covers the
 * signal() family's return values and the SA_RESETHAND case after delivery.
 * Signals 1..64 of the mask are printed (the kernel keeps 64 bits). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The kernel calls sa_restorer only with this flag (its value on x86,
 * arm and arm64).  glibc sets both on x86_64; on aarch64 it sets neither
 * and hands the kernel whatever its own stack held in that field, which
 * the read-back returns: a value no program can rely on, different bare
 * and shielded only because the stacks differ.  So the restorer is shown
 * only where it is used. */
#define KERNEL_SA_RESTORER 0x04000000

typedef void (*handler_fn)(int);
extern handler_fn bsd_signal(int, handler_fn);
extern handler_fn sysv_signal(int, handler_fn);
extern handler_fn __sysv_signal(int, handler_fn);

static volatile sig_atomic_t hits;
static void on_sig(int s) { (void)s; hits++; }
static void on_info(int s, siginfo_t *i, void *u) { (void)s; (void)i; (void)u; hits++; }

static const char *hname(void *h)
{
    if (h == (void *)SIG_DFL) return "DFL";
    if (h == (void *)SIG_IGN) return "IGN";
    if (h == (void *)on_sig) return "on_sig";
    if (h == (void *)on_info) return "on_info";
    return "OTHER";
}

static void show(const char *label, int sig)
{
    struct sigaction o;
    memset(&o, 0x5a, sizeof o);
    if (sigaction(sig, NULL, &o) != 0) {
        printf("%s sig=%d error\n", label, sig);
        return;
    }
    unsigned long long mask = 0;
    for (int s = 1; s <= 64; s++)
        if (s != 32 && s != 33 && sigismember(&o.sa_mask, s) == 1)
            mask |= 1ULL << (s - 1);
    printf("%s sig=%d handler=%s flags=%#x mask=%#llx restorer=%s\n", label, sig,
           hname((void *)o.sa_handler), (unsigned)o.sa_flags, mask,
           !(o.sa_flags & KERNEL_SA_RESTORER) ? "unused" : o.sa_restorer ? "set" : "null");
}

int main(void)
{
    static const int flags[] = {
        0, SA_RESTART, SA_SIGINFO, SA_NODEFER, SA_RESETHAND, SA_ONSTACK,
        SA_RESTART | SA_NODEFER | SA_ONSTACK, SA_SIGINFO | SA_RESETHAND | SA_NODEFER,
        SA_NOCLDSTOP, SA_NOCLDWAIT, 0x00000800 /* SA_EXPOSE_TAGBITS */, 0x00400000 /* unknown */,
    };
    static const int sigs[] = { SIGUSR1, SIGPIPE, SIGCHLD, SIGALRM, 40 };
    char label[64];
    for (unsigned si = 0; si < sizeof sigs / sizeof sigs[0]; si++) {
        int sig = sigs[si];
        show("initial", sig);
        for (unsigned fi = 0; fi < sizeof flags / sizeof flags[0]; fi++) {
            for (int kind = 0; kind < 3; kind++) {
                struct sigaction a, old;
                memset(&a, 0, sizeof a);
                sigemptyset(&a.sa_mask);
                if (fi % 2)
                    sigaddset(&a.sa_mask, SIGTERM), sigaddset(&a.sa_mask, 50);
                a.sa_flags = flags[fi];
                if (kind == 0)
                    a.sa_handler = SIG_DFL;
                else if (kind == 1)
                    a.sa_handler = SIG_IGN;
                else if (flags[fi] & SA_SIGINFO)
                    a.sa_sigaction = on_info;
                else
                    a.sa_handler = on_sig;
                if (sigaction(sig, &a, &old) != 0) {
                    printf("set sig=%d error\n", sig);
                    continue;
                }
                snprintf(label, sizeof label, "k%d-f%u-old", kind, fi);
                printf("%s handler=%s flags=%#x\n", label, hname((void *)old.sa_handler),
                       (unsigned)old.sa_flags);
                snprintf(label, sizeof label, "k%d-f%u", kind, fi);
                show(label, sig);
            }
        }
        /* the same struct for act and oldact */
        struct sigaction same;
        memset(&same, 0, sizeof same);
        same.sa_handler = on_sig;
        same.sa_flags = SA_RESTART;
        /* aliased on purpose: what programs do, and the library must too */
        struct sigaction *volatile alias = &same;
        sigaction(sig, &same, alias);
        printf("aliased old handler=%s\n", hname((void *)same.sa_handler));
        show("aliased", sig);
        /* the signal() family's returns */
        printf("signal-ret=%s\n", hname((void *)signal(sig, on_sig)));
        show("after-signal", sig);
        printf("bsd-ret=%s\n", hname((void *)bsd_signal(sig, SIG_IGN)));
        printf("sysv-ret=%s\n", hname((void *)sysv_signal(sig, on_sig)));
        printf("sigset-ret=%s\n", hname((void *)sigset(sig, SIG_DFL)));
        printf("siginterrupt=%d\n", siginterrupt(sig, 1));
        printf("signal-ret=%s\n", hname((void *)signal(sig, on_sig)));
        show("after-siginterrupt", sig);
        signal(sig, SIG_DFL);
    }
    /* One-shot: read back after delivery. */
    struct sigaction once;
    memset(&once, 0, sizeof once);
    once.sa_handler = on_sig;
    once.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR2, &once, NULL);
    raise(SIGUSR2);
    printf("hits=%d\n", (int)hits);
    show("after-oneshot", SIGUSR2);
    /* Invalid requests fail the same way. */
    struct sigaction k;
    memset(&k, 0, sizeof k);
    k.sa_handler = on_sig;
    printf("kill=%d stop=%d s0=%d s32=%d s65=%d\n", sigaction(SIGKILL, &k, NULL),
           sigaction(SIGSTOP, &k, NULL), sigaction(0, &k, NULL), sigaction(32, &k, NULL),
           sigaction(65, &k, NULL));
    return 0;
}
