/* The write family: exported names only, one line each (wrap.h). */
#include "wrap.h"

SOCKSHIELD_WRAP_OUT_SYS(ssize_t, write, (int fd, const void *b, size_t n), fd, (fd, b, n), sockshield_syscall3(SYS_write, fd, b, n))
SOCKSHIELD_WRAP_OUT_SYS(ssize_t, writev, (int fd, const struct iovec *v, int c), fd, (fd, v, c), sockshield_syscall3(SYS_writev, fd, v, c))
SOCKSHIELD_WRAP_OUT(ssize_t, pwrite, (int fd, const void *b, size_t n, off_t o), fd, (fd, b, n, o))
SOCKSHIELD_WRAP_OUT(ssize_t, pwritev, (int fd, const struct iovec *v, int c, off_t o), fd, (fd, v, c, o))

/* Names only glibc has (symbols.h). */
#if SOCKSHIELD_GLIBC
SOCKSHIELD_WRAP_OUT(ssize_t, __write, (int fd, const void *b, size_t n), fd, (fd, b, n))
SOCKSHIELD_WRAP_OUT(ssize_t, pwrite64, (int fd, const void *b, size_t n, off64_t o), fd, (fd, b, n, o))
SOCKSHIELD_WRAP_OUT(ssize_t, __pwrite64, (int fd, const void *b, size_t n, off64_t o), fd, (fd, b, n, o))
SOCKSHIELD_WRAP_OUT(ssize_t, pwritev64, (int fd, const struct iovec *v, int c, off64_t o), fd, (fd, v, c, o))
SOCKSHIELD_WRAP_OUT(ssize_t, pwritev2, (int fd, const struct iovec *v, int c, off_t o, int f), fd, (fd, v, c, o, f))
SOCKSHIELD_WRAP_OUT(ssize_t, pwritev64v2, (int fd, const struct iovec *v, int c, off64_t o, int f), fd, (fd, v, c, o, f))
#endif
