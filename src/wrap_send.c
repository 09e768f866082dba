/* The send family: exported names only, one line each. */
#include "io.h"
#include "real.h"

ssize_t send(int fd, const void *b, size_t n, int f) { return SOCKSHIELD_OUT(send, fd, (fd, b, n, f)); }
ssize_t __send(int fd, const void *b, size_t n, int f) { return SOCKSHIELD_OUT(__send, fd, (fd, b, n, f)); }
ssize_t sendto(int fd, const void *b, size_t n, int f, __CONST_SOCKADDR_ARG a, socklen_t l) { return SOCKSHIELD_OUT_TO(sendto, fd, a.__sockaddr__, l, (fd, b, n, f, a, l)); }
ssize_t sendmsg(int fd, const struct msghdr *m, int f) { return SOCKSHIELD_OUT_MSG(sendmsg, fd, m, (fd, m, f)); }
int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int f) { return SOCKSHIELD_OUT_MSG(sendmmsg, fd, v ? &v->msg_hdr : NULL, (fd, v, n, f)); }
ssize_t sendfile(int out, int in, off_t *o, size_t n) { return SOCKSHIELD_OUT(sendfile, out, (out, in, o, n)); }
ssize_t sendfile64(int out, int in, off64_t *o, size_t n) { return SOCKSHIELD_OUT(sendfile64, out, (out, in, o, n)); }
