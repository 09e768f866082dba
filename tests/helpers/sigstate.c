/* Prints how SIGPIPE and SIGCHLD stand in this process, from the kernel's
 * own record (rt_sigaction and rt_sigprocmask made as system calls, so no
 * wrapper of the library answers): "PIPE=default CHLD=default", or
 * ignored / caught, then which of the two are blocked ("blocked=none",
 * "blocked=PIPE", ...).  Used as the child of a shielded program.
 * Not /proc/self/status: under qemu-user (CI's aarch64 leg) its SigCgt and
 * SigBlk are the emulator's own, which catches every signal, while the
 * emulator answers these system calls with the program's dispositions. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's struct sigaction on x86_64, i386, arm and aarch64: the
 * handler first, then the flags, the restorer and the mask.  Only the
 * handler is read; the padding leaves room for any larger layout. */
struct ksigaction {
    unsigned long handler, flags, restorer;
    unsigned long long mask;
    unsigned long pad[8];
};

static const char *state(int sig)
{
    struct ksigaction k;
    memset(&k, 0, sizeof k);
    if (syscall(SYS_rt_sigaction, sig, NULL, &k, 8) != 0)
        return "unknown";
    return k.handler == (unsigned long)SIG_IGN ? "ignored" :
           k.handler == (unsigned long)SIG_DFL ? "default" : "caught";
}

int main(void)
{
    unsigned long long blk = 0;
    if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &blk, 8) != 0)
        return 2;
    unsigned long long pipe = 1ULL << (SIGPIPE - 1), chld = 1ULL << (SIGCHLD - 1);
    printf("PIPE=%s CHLD=%s blocked=%s\n", state(SIGPIPE), state(SIGCHLD),
           (blk & pipe) && (blk & chld) ? "PIPE,CHLD" : blk & pipe ? "PIPE" :
           blk & chld ? "CHLD" : "none");
    return 0;
}
