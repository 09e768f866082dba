/* The signal policy: the program's view of every disposition, the
 * trampoline that records which signals interrupted a call, SIGPIPE
 * catching, the one-shot signal() upgrade and child reaping. */
#ifndef SOCKSHIELD_SIGNALS_H
#define SOCKSHIELD_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* At load: seeds the table from the kernel (handlers installed before us get
 * the trampoline), applies SOCKSHIELD_SIGPIPE and SOCKSHIELD_REAP.
 * launcher_ignored: the inherited SIG_IGN of SIGPIPE was the launcher's. */
void sockshield_signals_setup(bool launcher_ignored);

/* sigaction with the program's view: installs real handlers behind the
 * trampoline, keeps SIGPIPE caught when the program asks for SIG_DFL, and
 * reports back exactly what the program set. */
int sockshield_signals_action(int sig, const struct sigaction *act, struct sigaction *old);

/* The signal() family, glibc's semantics re-implemented on top of it. */
enum sockshield_signals_style {
    SOCKSHIELD_SIG_BSD,   /* signal, bsd_signal, ssignal */
    SOCKSHIELD_SIG_SYSV,  /* sysv_signal, __sysv_signal: one-shot unless upgraded */
    SOCKSHIELD_SIG_SET,   /* sigset, with SIG_HOLD */
};
sighandler_t sockshield_signals_signal(enum sockshield_signals_style style, int sig, sighandler_t h);
int sockshield_signals_ignore(int sig);
int sockshield_signals_interrupt(int sig, int flag);

#endif
