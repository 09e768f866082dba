/* accept, connect, socket options and the close family: exported names only. */
#include "io.h"
#include "proc.h"
#include "real.h"

int accept(int fd, __SOCKADDR_ARG a, socklen_t *l) { sockshield_proc_sweep_point(); return sockshield_io_accept(fd, SOCKSHIELD_SOCKADDR(a), l, 0, false); }
int accept4(int fd, __SOCKADDR_ARG a, socklen_t *l, int f) { sockshield_proc_sweep_point(); return sockshield_io_accept(fd, SOCKSHIELD_SOCKADDR(a), l, f, true); }
int connect(int fd, __CONST_SOCKADDR_ARG a, socklen_t l) { return sockshield_io_connect(SOCKSHIELD_CALL_connect, fd, SOCKSHIELD_SOCKADDR(a), l); }
int getsockopt(int fd, int lv, int nm, void *v, socklen_t *l) { return sockshield_io_getsockopt(fd, lv, nm, v, l); }
int setsockopt(int fd, int lv, int nm, const void *v, socklen_t l) { return sockshield_io_setsockopt(fd, lv, nm, v, l); }
int close(int fd) { return sockshield_io_close(SOCKSHIELD_CALL_close, fd); }
int dup2(int fd, int fd2) { return sockshield_io_dup(SOCKSHIELD_CALL_dup2, fd, fd2, 0); }
int dup3(int fd, int fd2, int f) { return sockshield_io_dup(SOCKSHIELD_CALL_dup3, fd, fd2, f); }

/* Names only glibc has (symbols.h). */
#if SOCKSHIELD_GLIBC
int __connect(int fd, __CONST_SOCKADDR_ARG a, socklen_t l) { return sockshield_io_connect(SOCKSHIELD_CALL___connect, fd, SOCKSHIELD_SOCKADDR(a), l); }
int __close(int fd) { return sockshield_io_close(SOCKSHIELD_CALL___close, fd); }
int close_range(unsigned int lo, unsigned int hi, int f) { return sockshield_io_close_range(lo, hi, f); }
#endif

/* glibc's time64 entry points (symbols.h). */
#if SOCKSHIELD_TIME64
int __getsockopt64(int fd, int lv, int nm, void *v, socklen_t *l) { return sockshield_io_getsockopt64(fd, lv, nm, v, l); }
int __setsockopt64(int fd, int lv, int nm, const void *v, socklen_t l) { return sockshield_io_setsockopt64(fd, lv, nm, v, l); }
#endif
