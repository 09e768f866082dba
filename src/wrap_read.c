/* The read family, with the fortify entry points: exported names only. */
#include "io.h"
#include "real.h"

ssize_t read(int fd, void *b, size_t n) { return SOCKSHIELD_IN(read, fd, n, (fd, b, n)); }
ssize_t __read(int fd, void *b, size_t n) { return SOCKSHIELD_IN(__read, fd, n, (fd, b, n)); }
ssize_t readv(int fd, const struct iovec *v, int c) { return SOCKSHIELD_IN(readv, fd, 1, (fd, v, c)); }
ssize_t pread(int fd, void *b, size_t n, off_t o) { return SOCKSHIELD_IN(pread, fd, n, (fd, b, n, o)); }
ssize_t pread64(int fd, void *b, size_t n, off64_t o) { return SOCKSHIELD_IN(pread64, fd, n, (fd, b, n, o)); }
ssize_t __pread64(int fd, void *b, size_t n, off64_t o) { return SOCKSHIELD_IN(__pread64, fd, n, (fd, b, n, o)); }
ssize_t preadv(int fd, const struct iovec *v, int c, off_t o) { return SOCKSHIELD_IN(preadv, fd, 1, (fd, v, c, o)); }
ssize_t preadv64(int fd, const struct iovec *v, int c, off64_t o) { return SOCKSHIELD_IN(preadv64, fd, 1, (fd, v, c, o)); }
ssize_t preadv2(int fd, const struct iovec *v, int c, off_t o, int f) { return SOCKSHIELD_IN(preadv2, fd, 1, (fd, v, c, o, f)); }
ssize_t preadv64v2(int fd, const struct iovec *v, int c, off64_t o, int f) { return SOCKSHIELD_IN(preadv64v2, fd, 1, (fd, v, c, o, f)); }
ssize_t __read_chk(int fd, void *b, size_t n, size_t bl) { return SOCKSHIELD_IN(__read_chk, fd, n, (fd, b, n, bl)); }
ssize_t __pread_chk(int fd, void *b, size_t n, off_t o, size_t bl) { return SOCKSHIELD_IN(__pread_chk, fd, n, (fd, b, n, o, bl)); }
ssize_t __pread64_chk(int fd, void *b, size_t n, off64_t o, size_t bl) { return SOCKSHIELD_IN(__pread64_chk, fd, n, (fd, b, n, o, bl)); }
