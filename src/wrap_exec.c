/* The exec family: exported names only.  The exit summary is written before
 * the image is replaced, and armed again if the exec fails. */
#include <stdarg.h>

#include "proc.h"
#include "real.h"

#define EXEC SOCKSHIELD_PROC_EXEC

int execve(const char *p, char *const av[], char *const ev[]) { return EXEC(real_execve(p, av, ev)); }
int execv(const char *p, char *const av[]) { return EXEC(real_execv(p, av)); }
int execvp(const char *f, char *const av[]) { return EXEC(real_execvp(f, av)); }
int execvpe(const char *f, char *const av[], char *const ev[]) { return EXEC(real_execvpe(f, av, ev)); }
int fexecve(int fd, char *const av[], char *const ev[]) { return EXEC(real_fexecve(fd, av, ev)); }
int execl(const char *p, const char *a0, ...) { va_list ap; va_start(ap, a0); int r = sockshield_proc_execl(SOCKSHIELD_EXECL, p, a0, ap); va_end(ap); return r; }
int execle(const char *p, const char *a0, ...) { va_list ap; va_start(ap, a0); int r = sockshield_proc_execl(SOCKSHIELD_EXECLE, p, a0, ap); va_end(ap); return r; }
int execlp(const char *f, const char *a0, ...) { va_list ap; va_start(ap, a0); int r = sockshield_proc_execl(SOCKSHIELD_EXECLP, f, a0, ap); va_end(ap); return r; }

/* Names only glibc has (symbols.h). */
#if SOCKSHIELD_GLIBC
int execveat(int d, const char *p, char *const av[], char *const ev[], int f) { return EXEC(real_execveat(d, p, av, ev, f)); }
#endif
