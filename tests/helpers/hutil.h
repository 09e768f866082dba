/* Small pieces the restart helpers share: a clock, errno names, waiting
 * until a thread sleeps in a given system call, a timer storm, a watchdog,
 * and listeners whose backlog is full (so a connect to them blocks).
 * Linked into the helpers only; nothing here is preloaded. */
#ifndef SOCKSHIELD_TEST_HUTIL_H
#define SOCKSHIELD_TEST_HUTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>

double hu_now(void);
const char *hu_errname(int err);

/* Signal number from "USR1", "ALRM", ...; 0 when unknown. */
int hu_signum(const char *name);

/* Installs h for sig with sigaction, flags as given (0: no SA_RESTART). */
void hu_handle(int sig, void (*h)(int), int flags);

/* Starts a thread with every signal blocked, so process-directed signals
 * always go to the threads that are being tested. */
void hu_thread(pthread_t *t, void *(*fn)(void *), void *arg);

/* A timer that kills the process (SIGKILL) after `seconds`: no helper
 * outlives its test, whatever the library does.  No thread: see hutil.c. */
void hu_watchdog(double seconds);

/* Returns once thread tid of process pid sleeps in system call nr (or in
 * nr2 when that is not -1), judged from /proc/<pid>/task/<tid>/syscall, or
 * from the thread's state 'S' when that file is not readable or shows
 * another machine's numbers (under an emulator).  Gives up
 * with status 3 after 10 s.  Allocates nothing, so a child forked by a
 * threaded helper may call it too. */
void hu_wait_blocked(pid_t pid, pid_t tid, long nr, long nr2);
/* The same for a call whose first argument is fd.  Under an emulator the
 * state alone is not enough (qemu-user's own locks put the thread in 'S'
 * too, before the call: around thread creation for one), so there the
 * thread must also sleep in a system call whose first argument is fd: the
 * emulator makes the host's call with the program's descriptor. */
void hu_wait_blocked_fd(pid_t pid, pid_t tid, long nr, long nr2, int fd);
/* Newer architectures (aarch64) have neither poll nor accept. */
#ifdef SYS_poll
#define HU_SYS_POLL SYS_poll
#else
#define HU_SYS_POLL (-1L)
#endif
#ifdef SYS_accept
#define HU_SYS_ACCEPT SYS_accept
#else
#define HU_SYS_ACCEPT SYS_accept4
#endif

/* A storm: sig to this process every interval_ns (timer_create,
 * CLOCK_MONOTONIC).  hu_storm_stop() disarms it. */
void hu_storm(int sig, long interval_ns);
void hu_storm_stop(void);

/* A stream listener (AF_INET on 127.0.0.1:0, or AF_UNIX on an autobound
 * abstract name) with backlog 0, whose queue holds one connected client
 * already, so the next blocking connect to it waits.  Returns the listener;
 * *filler is the queued client; addr/len name the listener. */
int hu_full_listener(int family, struct sockaddr_storage *addr, socklen_t *len, int *filler);

/* Same without the filler and with room: connects to it complete at once. */
int hu_listener(int family, struct sockaddr_storage *addr, socklen_t *len);

#endif
