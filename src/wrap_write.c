/* The write family: exported names only, one line each. */
#include "io.h"
#include "real.h"

ssize_t write(int fd, const void *b, size_t n) { return SOCKSHIELD_OUT(write, fd, (fd, b, n)); }
ssize_t __write(int fd, const void *b, size_t n) { return SOCKSHIELD_OUT(__write, fd, (fd, b, n)); }
ssize_t writev(int fd, const struct iovec *v, int c) { return SOCKSHIELD_OUT(writev, fd, (fd, v, c)); }
ssize_t pwrite(int fd, const void *b, size_t n, off_t o) { return SOCKSHIELD_OUT(pwrite, fd, (fd, b, n, o)); }
ssize_t pwrite64(int fd, const void *b, size_t n, off64_t o) { return SOCKSHIELD_OUT(pwrite64, fd, (fd, b, n, o)); }
ssize_t __pwrite64(int fd, const void *b, size_t n, off64_t o) { return SOCKSHIELD_OUT(__pwrite64, fd, (fd, b, n, o)); }
ssize_t pwritev(int fd, const struct iovec *v, int c, off_t o) { return SOCKSHIELD_OUT(pwritev, fd, (fd, v, c, o)); }
ssize_t pwritev64(int fd, const struct iovec *v, int c, off64_t o) { return SOCKSHIELD_OUT(pwritev64, fd, (fd, v, c, o)); }
ssize_t pwritev2(int fd, const struct iovec *v, int c, off_t o, int f) { return SOCKSHIELD_OUT(pwritev2, fd, (fd, v, c, o, f)); }
ssize_t pwritev64v2(int fd, const struct iovec *v, int c, off64_t o, int f) { return SOCKSHIELD_OUT(pwritev64v2, fd, (fd, v, c, o, f)); }
