/* Everything that differs between architectures and C libraries, in one
 * place: the spin-wait hint, the raw system calls the bootstraps make
 * before the real functions are bound (real.c), the direct system calls of
 * wrap.h, and the few names only glibc's headers give.
 *
 * Raw system calls are made only by the bootstraps (and by the direct path
 * where the C library is known to do the same); everything else the
 * library merely uses goes through the C library, whose structures
 * (struct stat, struct rlimit, mmap's arguments) differ from the kernel's
 * on 32-bit ABIs. */
#ifndef SOCKSHIELD_ARCH_H
#define SOCKSHIELD_ARCH_H

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- spin-wait hint ------------------------------------------------------- */
static inline void sockshield_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("pause" ::: "memory");
#elif defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
    __asm__ volatile("yield" ::: "memory");
#else
    __asm__ volatile("" ::: "memory");
#endif
}

/* ---- names glibc's headers have and others may not ------------------------ */
/* A no-op flag for the kernel (signal(2)); glibc still names it. */
#ifndef SA_INTERRUPT
#define SA_INTERRUPT 0
#endif

/* ---- raw system calls for the bootstraps ------------------------------------ */
/* A 64-bit file offset as the ABI passes it in registers.  64-bit ABIs take
 * it whole (with a zero high half where the call has one, preadv); 32-bit
 * ones split it into low and high words, and 32-bit ARM (EABI) aligns a
 * 64-bit argument of pread64/pwrite64 to an even register, so a zero word
 * comes first there.  preadv and its kin take (low, high) everywhere. */
#if defined(__LP64__)
#define SOCKSHIELD_OFF_LOHI(o) (long)(o), 0L
#define SOCKSHIELD_OFF_PAIR(o) (long)(o)
#else
#define SOCKSHIELD_OFF_LOHI(o) (long)(uint32_t)(uint64_t)(o), (long)(uint32_t)((uint64_t)(o) >> 32)
#if defined(__arm__)
#define SOCKSHIELD_OFF_PAIR(o) 0L, SOCKSHIELD_OFF_LOHI(o)
#else
#define SOCKSHIELD_OFF_PAIR(o) SOCKSHIELD_OFF_LOHI(o)
#endif
#endif

static inline ssize_t sockshield_raw_pread64(int fd, void *b, size_t n, int64_t o)
{
    return syscall(SYS_pread64, fd, b, n, SOCKSHIELD_OFF_PAIR(o));
}
static inline ssize_t sockshield_raw_pwrite64(int fd, const void *b, size_t n, int64_t o)
{
    return syscall(SYS_pwrite64, fd, b, n, SOCKSHIELD_OFF_PAIR(o));
}
static inline ssize_t sockshield_raw_preadv64(int fd, const struct iovec *v, int c, int64_t o)
{
    return syscall(SYS_preadv, fd, v, c, SOCKSHIELD_OFF_LOHI(o));
}
static inline ssize_t sockshield_raw_pwritev64(int fd, const struct iovec *v, int c, int64_t o)
{
    return syscall(SYS_pwritev, fd, v, c, SOCKSHIELD_OFF_LOHI(o));
}
static inline ssize_t sockshield_raw_preadv64v2(int fd, const struct iovec *v, int c, int64_t o, int f)
{
    return syscall(SYS_preadv2, fd, v, c, SOCKSHIELD_OFF_LOHI(o), f);
}
static inline ssize_t sockshield_raw_pwritev64v2(int fd, const struct iovec *v, int c, int64_t o, int f)
{
    return syscall(SYS_pwritev2, fd, v, c, SOCKSHIELD_OFF_LOHI(o), f);
}
/* sendfile with a 64-bit offset: sendfile64 on 32-bit ABIs; the 64-bit
 * ones have only sendfile, whose offset is 64-bit there. */
static inline ssize_t sockshield_raw_sendfile64(int out, int in, int64_t *off, size_t n)
{
#if defined(SYS_sendfile64)
    return syscall(SYS_sendfile64, out, in, off, n);
#else
    return syscall(SYS_sendfile, out, in, off, n);
#endif
}
/* Newer architectures (aarch64) have neither dup2 nor accept: dup3 and
 * accept4 do the same, except that dup3 refuses equal fds, where dup2
 * returns the fd if it is open (F_GETFD tells) and fails with EBADF if
 * not. */
static inline int sockshield_raw_dup2(int fd, int fd2)
{
    if (fd == fd2)
        return syscall(SYS_fcntl, fd, F_GETFD) < 0 ? -1 : fd;
    return (int)syscall(SYS_dup3, fd, fd2, 0);
}
static inline int sockshield_raw_accept4(int fd, struct sockaddr *a, socklen_t *l, int f)
{
    return (int)syscall(SYS_accept4, fd, a, l, f);
}

#endif
