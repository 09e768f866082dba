/* The read family, with the fortify entry points: exported names only. */
#include "wrap.h"

SOCKSHIELD_WRAP_IN_SYS(ssize_t, read, (int fd, void *b, size_t n), fd, a_->n, (fd, b, n), sockshield_syscall3(SYS_read, fd, b, n))
SOCKSHIELD_WRAP_IN_SYS(ssize_t, readv, (int fd, const struct iovec *v, int c), fd, 1, (fd, v, c), sockshield_syscall3(SYS_readv, fd, v, c))
SOCKSHIELD_WRAP_IN_SYS(ssize_t, pread, (int fd, void *b, size_t n, off_t o), fd, a_->n, (fd, b, n, o), sockshield_syscall4l(SYS_pread64, fd, b, n, o))
SOCKSHIELD_WRAP_IN(ssize_t, preadv, (int fd, const struct iovec *v, int c, off_t o), fd, 1, (fd, v, c, o))

/* Names only glibc has (symbols.h). */
#if SOCKSHIELD_GLIBC
SOCKSHIELD_WRAP_IN(ssize_t, __read, (int fd, void *b, size_t n), fd, a_->n, (fd, b, n))
SOCKSHIELD_WRAP_IN_SYS(ssize_t, pread64, (int fd, void *b, size_t n, off64_t o), fd, a_->n, (fd, b, n, o), sockshield_syscall4l(SYS_pread64, fd, b, n, o))
SOCKSHIELD_WRAP_IN(ssize_t, __pread64, (int fd, void *b, size_t n, off64_t o), fd, a_->n, (fd, b, n, o))
SOCKSHIELD_WRAP_IN(ssize_t, preadv64, (int fd, const struct iovec *v, int c, off64_t o), fd, 1, (fd, v, c, o))
SOCKSHIELD_WRAP_IN(ssize_t, preadv2, (int fd, const struct iovec *v, int c, off_t o, int f), fd, 1, (fd, v, c, o, f))
SOCKSHIELD_WRAP_IN(ssize_t, preadv64v2, (int fd, const struct iovec *v, int c, off64_t o, int f), fd, 1, (fd, v, c, o, f))
SOCKSHIELD_WRAP_IN(ssize_t, __read_chk, (int fd, void *b, size_t n, size_t bl), fd, a_->n, (fd, b, n, bl))
SOCKSHIELD_WRAP_IN(ssize_t, __pread_chk, (int fd, void *b, size_t n, off_t o, size_t bl), fd, a_->n, (fd, b, n, o, bl))
SOCKSHIELD_WRAP_IN(ssize_t, __pread64_chk, (int fd, void *b, size_t n, off64_t o, size_t bl), fd, a_->n, (fd, b, n, o, bl))
#endif
