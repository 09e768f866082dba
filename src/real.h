/* The real libc functions, bound once (real.c). */
#ifndef SOCKSHIELD_REAL_H
#define SOCKSHIELD_REAL_H

#include "state.h"

#define SOCKSHIELD_REAL_DECL(family, ret, name, params, args) \
    extern SOCKSHIELD_HIDDEN ret(*real_##name) params;
#define SOCKSHIELD_NO_REAL(family, ret, name, params, args)
SOCKSHIELD_SYMBOLS(SOCKSHIELD_REAL_DECL, SOCKSHIELD_NO_REAL)

/* dlsym(RTLD_NEXT) every CALL symbol; a symbol that resolves to ourselves is
 * fatal (the message names it); a missing one keeps its raw bootstrap. */
void sockshield_real_bind(void);
/* The same before libc's initialiser (init.c), except the write and send
 * families: their bootstraps stay, and the first of those calls made once
 * libc is ready (a dependency's constructor, before ours) sets the library
 * up before its system call.  Bound there, such a write would go straight
 * to libc with SIGPIPE still at its default.  Until then they are raw
 * system calls, as before any binding. */
void sockshield_real_bind_early(void);
/* After binding, in the full setup only (the early binding leaves write
 * and send unbound, and an early choice once lost the configuration):
 * lets read, write, recv, send, readv, writev, pread and pread64 make
 * their system calls directly while the process has one thread (wrap.h). */
void sockshield_real_choose_direct(void);

#endif
