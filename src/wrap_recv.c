/* The recv family, with the fortify entry points: exported names only. */
#include "wrap.h"

SOCKSHIELD_WRAP_IN_SYS(ssize_t, recv, (int fd, void *b, size_t n, int f), fd, a_->n, (fd, b, n, f), sockshield_syscall4(SYS_recvfrom, fd, b, n, f))
SOCKSHIELD_WRAP_IN(ssize_t, recvfrom, (int fd, void *b, size_t n, int f, __SOCKADDR_ARG a, socklen_t *l), fd, a_->n, (fd, b, n, f, a, l))
SOCKSHIELD_WRAP_IN(ssize_t, recvmsg, (int fd, struct msghdr *m, int f), fd, 1, (fd, m, f))
SOCKSHIELD_WRAPPED_AS(int, wrapped_recvmmsg, recvmmsg, (int fd, struct mmsghdr *v, unsigned int n, SOCKSHIELD_MMSG_FLAGS f, struct timespec *t), fd, SOCKSHIELD_DIR_IN, 0, (fd, v, n, f, t))
int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, SOCKSHIELD_MMSG_FLAGS f, struct timespec *t) { return t ? sockshield_io_recvmmsg(fd, v, n, f, t) : wrapped_recvmmsg(fd, v, n, f, t); }

/* Names only glibc has (symbols.h). */
#if SOCKSHIELD_GLIBC
SOCKSHIELD_WRAP_IN(ssize_t, __recv_chk, (int fd, void *b, size_t n, size_t bl, int f), fd, a_->n, (fd, b, n, bl, f))
SOCKSHIELD_WRAP_IN(ssize_t, __recvfrom_chk, (int fd, void *b, size_t n, size_t bl, int f, __SOCKADDR_ARG a, socklen_t *l), fd, a_->n, (fd, b, n, bl, f, a, l))
#endif

/* glibc's time64 entry points (symbols.h). */
#if SOCKSHIELD_TIME64
SOCKSHIELD_WRAP_IN(ssize_t, __recvmsg64, (int fd, struct msghdr *m, int f), fd, 1, (fd, m, f))
SOCKSHIELD_WRAPPED_AS(int, wrapped_recvmmsg64, __recvmmsg64, (int fd, struct mmsghdr *v, unsigned int n, int f, struct sockshield_ts64 *t), fd, SOCKSHIELD_DIR_IN, 0, (fd, v, n, f, t))
int __recvmmsg64(int fd, struct mmsghdr *v, unsigned int n, int f, struct sockshield_ts64 *t) { return t ? sockshield_io_recvmmsg64(fd, v, n, f, t) : wrapped_recvmmsg64(fd, v, n, f, t); }
#endif
