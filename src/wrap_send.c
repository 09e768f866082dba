/* The send family: exported names only, one line each. */
#include "wrap.h"

SOCKSHIELD_WRAP_OUT_SYS(ssize_t, send, (int fd, const void *b, size_t n, int f), fd, (fd, b, n, f), sockshield_syscall4(SYS_sendto, fd, b, n, f))
SOCKSHIELD_WRAP_OUT_TO(ssize_t, sendto, (int fd, const void *b, size_t n, int f, __CONST_SOCKADDR_ARG a, socklen_t l), fd, SOCKSHIELD_SOCKADDR(a_->a), a_->l, (fd, b, n, f, a, l))
SOCKSHIELD_WRAP_OUT_MSG(ssize_t, sendmsg, (int fd, const struct msghdr *m, int f), fd, a_->m, (fd, m, f))
SOCKSHIELD_WRAP_OUT_MSG(int, sendmmsg, (int fd, struct mmsghdr *v, unsigned int n, SOCKSHIELD_MMSG_FLAGS f), fd, a_->v ? &a_->v->msg_hdr : NULL, (fd, v, n, f))
SOCKSHIELD_WRAP_OUT(ssize_t, sendfile, (int out, int in, off_t *o, size_t n), out, (out, in, o, n))

/* Names only glibc has (symbols.h). */
#if SOCKSHIELD_GLIBC
SOCKSHIELD_WRAP_OUT(ssize_t, __send, (int fd, const void *b, size_t n, int f), fd, (fd, b, n, f))
SOCKSHIELD_WRAP_OUT(ssize_t, sendfile64, (int out, int in, off64_t *o, size_t n), out, (out, in, o, n))
#endif

/* glibc's time64 entry points (symbols.h). */
#if SOCKSHIELD_TIME64
SOCKSHIELD_WRAP_OUT_MSG(ssize_t, __sendmsg64, (int fd, const struct msghdr *m, int f), fd, a_->m, (fd, m, f))
SOCKSHIELD_WRAP_OUT_MSG(int, __sendmmsg64, (int fd, struct mmsghdr *v, unsigned int n, int f), fd, a_->v ? &a_->v->msg_hdr : NULL, (fd, v, n, f))
#endif
