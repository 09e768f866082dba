/* The restart decision: resume an interrupted call or pass its EINTR on
 * (libsockshield(7), RESTART). Pure. */
#ifndef SOCKSHIELD_RESTART_H
#define SOCKSHIELD_RESTART_H

#include <stdbool.h>

#include "config.h"

/* Thread-directed signals are marked, in the per-thread record the
 * preload's trampoline fills, with the bit of signal 32: glibc never lets a
 * program handle 32 itself. */
#define SOCKSHIELD_TKILL_BIT SOCKSHIELD_SIGBIT(32)

/* A call failed with EINTR after the handlers in `seen` ran on its thread:
 * resume it?  No when restarting is off, when a signal of the no-restart
 * set was delivered (timeouts, Ctrl-C), or when a signal was aimed at the
 * thread (pthread_kill: the usual way to wake a thread for shutdown).
 * Yes otherwise, also when nothing was recorded (stop/continue, ptrace, a
 * handler installed behind our back); io.c bounds the consecutive resumes
 * of the latter (SOCKSHIELD_UNRECORDED_MAX). */
bool sockshield_restart_resume(const struct sockshield_config *cfg, sockshield_sigset seen);

#endif
