/* The recv family, with the fortify entry points: exported names only. */
#include "io.h"
#include "real.h"

ssize_t recv(int fd, void *b, size_t n, int f) { return SOCKSHIELD_IN(recv, fd, n, (fd, b, n, f)); }
ssize_t recvfrom(int fd, void *b, size_t n, int f, __SOCKADDR_ARG a, socklen_t *l) { return SOCKSHIELD_IN(recvfrom, fd, n, (fd, b, n, f, a, l)); }
ssize_t recvmsg(int fd, struct msghdr *m, int f) { return SOCKSHIELD_IN(recvmsg, fd, 1, (fd, m, f)); }
int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int f, struct timespec *t) { return t ? sockshield_recvmmsg(fd, v, n, f, t) : SOCKSHIELD_IN(recvmmsg, fd, 0, (fd, v, n, f, t)); }
ssize_t __recv_chk(int fd, void *b, size_t n, size_t bl, int f) { return SOCKSHIELD_IN(__recv_chk, fd, n, (fd, b, n, bl, f)); }
ssize_t __recvfrom_chk(int fd, void *b, size_t n, size_t bl, int f, __SOCKADDR_ARG a, socklen_t *l) { return SOCKSHIELD_IN(__recvfrom_chk, fd, n, (fd, b, n, bl, f, a, l)); }
