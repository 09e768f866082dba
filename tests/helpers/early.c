/* A program whose library (libssfirst, see first.c) calls into the signal
 * and write families before sockshield's constructor has run, and again
 * after its destructor has.
 *
 *   SS_FIRST=calls|write-first|late early
 *   SS_FIRST=... early_preinit
 *
 * early_preinit (this file built with SS_PREINIT_SIGACTION) also installs a
 * SIGUSR2 handler from its .preinit_array, before libc's initialiser and
 * every constructor, as every program built with -fsanitize=address does
 * (ASan starts there and installs its own handlers; see preinit.c).
 *
 * Prints  ctor <what the library's constructor saw>
 *         main pipe-readback=DFL|... write=-1/EPIPE
 *         late-destructor result=-1 errno=EPIPE     (from the library)
 *         late-atexit result=-1 errno=EPIPE          (from the library)
 * Exit    0 (dying of SIGPIPE is the failure this is about). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *ss_first_report(void);

#ifdef SS_PREINIT_SIGACTION
static void on_usr2(int sig)
{
    (void)sig;
}

static void early_sigaction(int argc, char **argv, char **envp)
{
    struct sigaction sa;

    (void)argc, (void)argv, (void)envp;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
}

__attribute__((section(".preinit_array"), used)) static void (*const preinit)(
    int, char **, char **) = early_sigaction;
#endif

int main(void)
{
    printf("ctor %s\n", ss_first_report());
    fflush(stdout);
    struct sigaction back;
    sigaction(SIGPIPE, NULL, &back);
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return 2;
    close(p[0]);
    ssize_t r = write(p[1], "x", 1);
    printf("main pipe-readback=%s write=%zd/%s\n",
           back.sa_handler == SIG_DFL ? "DFL" : back.sa_handler == SIG_IGN ? "IGN" : "other", r,
           r < 0 ? strerrorname_np(errno) : "0");
    fflush(stdout);
    return 0;
}
