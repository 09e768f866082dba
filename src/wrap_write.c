/* The write family: exported names only, one line each. */
#include "io.h"
#include "real.h"

ssize_t write(int fd, const void *b, size_t n) { return SOCKSHIELD_OUT(write, fd, real_write(fd, b, n)); }
ssize_t __write(int fd, const void *b, size_t n) { return SOCKSHIELD_OUT(__write, fd, real___write(fd, b, n)); }
ssize_t writev(int fd, const struct iovec *v, int c) { return SOCKSHIELD_OUT(writev, fd, real_writev(fd, v, c)); }
ssize_t pwrite(int fd, const void *b, size_t n, off_t o) { return SOCKSHIELD_OUT(pwrite, fd, real_pwrite(fd, b, n, o)); }
ssize_t pwrite64(int fd, const void *b, size_t n, off64_t o) { return SOCKSHIELD_OUT(pwrite64, fd, real_pwrite64(fd, b, n, o)); }
ssize_t __pwrite64(int fd, const void *b, size_t n, off64_t o) { return SOCKSHIELD_OUT(__pwrite64, fd, real___pwrite64(fd, b, n, o)); }
ssize_t pwritev(int fd, const struct iovec *v, int c, off_t o) { return SOCKSHIELD_OUT(pwritev, fd, real_pwritev(fd, v, c, o)); }
ssize_t pwritev64(int fd, const struct iovec *v, int c, off64_t o) { return SOCKSHIELD_OUT(pwritev64, fd, real_pwritev64(fd, v, c, o)); }
ssize_t pwritev2(int fd, const struct iovec *v, int c, off_t o, int f) { return SOCKSHIELD_OUT(pwritev2, fd, real_pwritev2(fd, v, c, o, f)); }
ssize_t pwritev64v2(int fd, const struct iovec *v, int c, off64_t o, int f) { return SOCKSHIELD_OUT(pwritev64v2, fd, real_pwritev64v2(fd, v, c, o, f)); }
