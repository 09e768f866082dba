/* The signal family: exported names only, one line each.  glibc's own
 * versions call its internal __sigaction and would bypass ours,
 * so each is implemented on top of sockshield_signals_action. */
#include "real.h"
#include "signals.h"

int sigaction(int sig, const struct sigaction *a, struct sigaction *o) { return sockshield_signals_action(sig, a, o); }
sighandler_t signal(int sig, sighandler_t h) { return sockshield_signals_signal(SOCKSHIELD_SIG_BSD, sig, h); }
sighandler_t bsd_signal(int sig, sighandler_t h) { return sockshield_signals_signal(SOCKSHIELD_SIG_BSD, sig, h); }
sighandler_t sigset(int sig, sighandler_t h) { return sockshield_signals_signal(SOCKSHIELD_SIG_SET, sig, h); }
int sigignore(int sig) { return sockshield_signals_ignore(sig); }
int siginterrupt(int sig, int flag) { return sockshield_signals_interrupt(sig, flag); }

/* Names only glibc has (symbols.h). */
#if SOCKSHIELD_GLIBC
int __sigaction(int sig, const struct sigaction *a, struct sigaction *o) { return sockshield_signals_action(sig, a, o); }
sighandler_t ssignal(int sig, sighandler_t h) { return sockshield_signals_signal(SOCKSHIELD_SIG_BSD, sig, h); }
sighandler_t sysv_signal(int sig, sighandler_t h) { return sockshield_signals_signal(SOCKSHIELD_SIG_SYSV, sig, h); }
sighandler_t __sysv_signal(int sig, sighandler_t h) { return sockshield_signals_signal(SOCKSHIELD_SIG_SYSV, sig, h); }
#endif
