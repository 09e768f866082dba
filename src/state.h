/* What every part of the preload library shares, defined in state.c, the
 * bottom of the preload's layers (HACKING.md, the dependency rule): the
 * export declarations generated from the symbol table, the call ids and
 * their names, the configuration read at load, the per-thread state the
 * trampoline and the wrappers exchange, and the raw warning writer. */
#ifndef SOCKSHIELD_STATE_H
#define SOCKSHIELD_STATE_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* glibc spells socket address arguments as transparent unions under
 * _GNU_SOURCE; other C libraries (musl) as plain pointers. */
#if defined(__SOCKADDR_ALLTYPES)
#define SOCKSHIELD_SOCKADDR(a) ((a).__sockaddr__)
#define SOCKSHIELD_SOCKADDR_INIT(p) { .__sockaddr__ = (p) }
#else
#ifndef __SOCKADDR_ARG
#define __SOCKADDR_ARG struct sockaddr *__restrict
#define __CONST_SOCKADDR_ARG const struct sockaddr *
#endif
#define SOCKSHIELD_SOCKADDR(a) (a)
#define SOCKSHIELD_SOCKADDR_INIT(p) (p)
#endif

#include "config.h"
#include "restart.h"
#include "symbols.h"

#define SOCKSHIELD_EXPORT __attribute__((visibility("default")))
/* -fvisibility=hidden covers definitions only: declaring our data hidden
 * too lets the compiler address it directly instead of through the GOT. */
#define SOCKSHIELD_HIDDEN __attribute__((visibility("hidden")))
#define SOCKSHIELD_LIKELY(x) __builtin_expect(!!(x), 1)
#define SOCKSHIELD_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* glibc declares some of these only under fortification or not at all;
 * declaring every wrapped name here, with default visibility, is also what
 * exports them (everything else in the library is hidden). */
#define SOCKSHIELD_DECLARE(family, ret, name, params, args) SOCKSHIELD_EXPORT ret name params;
SOCKSHIELD_SYMBOLS(SOCKSHIELD_DECLARE, SOCKSHIELD_DECLARE)
#undef SOCKSHIELD_DECLARE

/* Call ids, for events and the summary: SOCKSHIELD_CALL_write, ... */
#define SOCKSHIELD_ID(family, ret, name, params, args) SOCKSHIELD_CALL_##name,
enum sockshield_call { SOCKSHIELD_SYMBOLS(SOCKSHIELD_ID, SOCKSHIELD_ID) SOCKSHIELD_CALL_COUNT };
#undef SOCKSHIELD_ID

/* The call's name as the log shows it: "recv" for recv and __recv_chk, since
 * users know the public name. */
const char *sockshield_call_name(enum sockshield_call id);

/* The configuration, read once at load (filled by init.c). */
extern SOCKSHIELD_HIDDEN struct sockshield_config sockshield_cfg;

/* Per-thread state, initial-exec (HACKING.md: no allocation, no lock on
 * the call path): the signals whose handlers ran on this thread since the
 * current wrapped call started.  Bit n-1 is signal n; the bit of signal 32
 * (glibc's internal SIGCANCEL, never seen by our trampoline) means "one of
 * them was aimed at this thread" (SOCKSHIELD_TKILL_BIT, restart.h). */
struct sockshield_tls {
    uint64_t sigs;
    int depth; /* >0 while sockshield's own slow path runs on this thread */
};
extern SOCKSHIELD_HIDDEN __thread struct sockshield_tls sockshield_tls
    __attribute__((tls_model("initial-exec")));
/* The same record for the calls wrap.h makes directly, which happen only
 * while the process has one thread: a plain global is written without the
 * thread-pointer arithmetic of TLS, and that store sits right before the
 * system call (doc/performance.md, the direct path).  The trampoline fills it only while those calls may be made;
 * otherwise it means nothing and nothing reads it. */
extern SOCKSHIELD_HIDDEN uint64_t sockshield_sigs_alone;

/* Set once the library is set up (init.c). */
extern SOCKSHIELD_HIDDEN volatile int sockshield_ready;
/* Set while the setup declines to run because libc itself is not
 * initialised yet (init.c): callers pass their call straight through. */
extern SOCKSHIELD_HIDDEN volatile int sockshield_too_early;
/* The setup, in init.c: the one call a lower layer makes up into it, for
 * a caller that comes before our constructor (a bootstrap in real.c, the
 * first sigaction, a wait).  Everything else of init.c is called by no one
 * but the loader. */
void sockshield_init(void);
static inline void sockshield_ensure_init(void)
{
    if (SOCKSHIELD_UNLIKELY(!__atomic_load_n(&sockshield_ready, __ATOMIC_ACQUIRE)))
        sockshield_init();
}

/* One warning line to fd 2 (rawio.h: never blocking, never signalling);
 * errno is kept. */
void sockshield_warn_raw(const char *line, size_t len);
/* "sockshield: fatal: BEFORE NAME AFTER" as one line (each part cut at 64
 * bytes), then abort(): for what the library cannot go on without. */
__attribute__((noreturn)) void sockshield_fatal(const char *before, const char *name,
                                                const char *after);

#endif
