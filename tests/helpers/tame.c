/* A well-behaved program, for comparing runs: a little I/O that needs no
 * help, then a known exit status.  Whatever sockshield is told, its stdout
 * and status must be those of a bare run.
 *
 *   tame
 *
 * stdout  hello; a 64 KiB round trip over a socketpair and its checksum;
 *         that an empty non-blocking socket said EAGAIN (an event under
 *         the default settings) and a closed one EOF (not one by default)
 * stderr  "tame: sigpipe=... sigchld=..." what the kernel holds for them
 *         (caught, ignored or default: the library's defaults show here),
 *         and "tame: inherit=yes|no secure=0|1" whether LD_PRELOAD still
 *         names it, and whether this is a secure-execution process
 * Exit    42; 2 when the I/O itself went wrong.
 * It links libssfirst, whose constructor can set variables too large for
 * execve (SS_FIRST=setenv:...). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *ss_first_report(void);

#if defined(__has_feature)
#if __has_feature(address_sanitizer) /* clang */
#define SANITIZE_ADDRESS 1
#endif
#elif defined(__SANITIZE_ADDRESS__) /* GCC */
#define SANITIZE_ADDRESS 1
#endif

#ifdef SANITIZE_ADDRESS
/* The sanitizer build's ASAN_OPTIONS, for the setuid copy of this program
 * too (test_hostile): a secure-execution process cannot read its own
 * /proc/self/environ, whence ASan takes its options, so LeakSanitizer would
 * run at exit, and fail, as it cannot ptrace a process that is not
 * dumpable.  The Makefile turns leak detection off for every helper. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}
#endif

/* caught / ignored / default, from the kernel's record: rt_sigaction as a
 * system call, which no wrapper of the library answers (the library's
 * sigaction reports the program's view, src/sigpolicy.c).  Not
 * /proc/self/status: under qemu-user (CI's aarch64 leg) SigCgt there is
 * the emulator's, which catches every signal, while the emulator answers
 * this call with the program's own dispositions.  The kernel's struct
 * starts with the handler on x86_64, i386, arm and aarch64; the padding
 * leaves room for the rest of any layout. */
static const char *disposition(int sig)
{
    struct { unsigned long handler, rest[15]; } k;
    memset(&k, 0, sizeof k);
    if (syscall(SYS_rt_sigaction, sig, NULL, &k, 8) != 0)
        return "unknown";
    return k.handler == (unsigned long)SIG_IGN ? "ignored" :
           k.handler == (unsigned long)SIG_DFL ? "default" : "caught";
}

int main(void)
{
    (void)ss_first_report();
    printf("hello\n");
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 2;
    static unsigned char out[65536], in[65536];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (unsigned char)(i * 7 + 3);
    uint32_t sum = 0;
    size_t sent = 0, got = 0;
    while (got < sizeof in) {
        if (sent < sizeof out) {
            ssize_t n = write(sv[0], out + sent, sizeof out - sent < 4096 ? sizeof out - sent : 4096);
            if (n < 0)
                return 2;
            sent += (size_t)n;
        }
        ssize_t n = read(sv[1], in + got, sizeof in - got);
        if (n <= 0)
            return 2;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof in; i++)
        sum = sum * 31 + in[i];
    printf("roundtrip bytes=%zu sum=%08x\n", got, sum);
    char b;
    int nb[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, nb) != 0)
        return 2;
    ssize_t r = recv(nb[0], &b, 1, 0);
    printf("empty: %s\n", r < 0 && errno == EAGAIN ? "EAGAIN" : "unexpected");
    close(nb[1]);
    r = recv(nb[0], &b, 1, 0);
    printf("closed: %s\n", r == 0 ? "EOF" : "unexpected");
    fflush(stdout);

    const char *pre = getenv("LD_PRELOAD");
    fprintf(stderr, "tame: sigpipe=%s sigchld=%s\n", disposition(SIGPIPE), disposition(SIGCHLD));
    fprintf(stderr, "tame: inherit=%s secure=%lu\n", pre && strstr(pre, "libsockshield") ? "yes" : "no",
            getauxval(AT_SECURE));
    return 42;
}
