/* The direct path's pieces (wrap.h uses them; real.c chooses the path,
 * io.c turns it off, the trampoline in signals.c fills its record). */
#ifndef SOCKSHIELD_DIRECT_H
#define SOCKSHIELD_DIRECT_H

#include <errno.h>

#include "state.h"

/* Direct system calls (x86_64, glibc 2.36 and later).  glibc's read,
 * write, recv, send, readv, writev, pread and pread64 test
 * __libc_single_threaded and, when no other
 * thread exists, make the system call without the cancellation bookkeeping
 * (pthread_cancel of the caller itself clears the flag first).  When these
 * four resolve to glibc's own functions, their wrappers take that same
 * branch themselves: a call and a return fewer than a wrapper that calls
 * glibc, which is most of what a wrapper costs on a fast system call.
 * sockshield_direct points at __libc_single_threaded when real.c chose so
 * at binding, at a zero byte otherwise; every other case calls glibc. */
#if defined(__x86_64__) && defined(HAVE_SYS_SINGLE_THREADED_H)
#define SOCKSHIELD_DIRECT_SYSCALLS 1
extern SOCKSHIELD_HIDDEN const char *sockshield_direct;
/* One load and one compare decide the direct path: the pointer is also
 * turned away for good once any fd gets a socket timeout (io.c), whose
 * calls the calling path times. */
#define SOCKSHIELD_DIRECT_OK() SOCKSHIELD_LIKELY(*sockshield_direct)
void sockshield_direct_off(void);
/* The kernel preserves every argument register: after the call they still
 * hold the arguments, and the compiler knows it (inputs only).  int
 * arguments go as they are: the kernel reads the low 32 bits of an int
 * parameter (its SYSCALL_DEFINE wrappers cast each register to the
 * declared type), so nothing is widened and the cold call that follows an
 * error finds them where they were. */
static inline __attribute__((always_inline)) long sockshield_syscall3(long nr, int fd, const void *b,
                                                                      size_t n)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(nr), "D"(fd), "S"(b), "d"(n)
                     : "rcx", "r11", "memory");
    return ret;
}
/* sendto and recvfrom without an address: the fifth and sixth are zero. */
static inline __attribute__((always_inline)) long sockshield_syscall4(long nr, int fd, const void *b,
                                                                      size_t n, int flags)
{
    register int r10 __asm__("r10") = flags;
    register long r8 __asm__("r8") = 0;
    register long r9 __asm__("r9") = 0;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(nr), "D"(fd), "S"(b), "d"(n), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
/* pread64: the offset is the fourth argument, whole. */
static inline __attribute__((always_inline)) long sockshield_syscall4l(long nr, int fd, const void *b,
                                                                       size_t n, long off)
{
    register long r10 __asm__("r10") = off;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(nr), "D"(fd), "S"(b), "d"(n), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}
#else
#define SOCKSHIELD_DIRECT_SYSCALLS 0
#define SOCKSHIELD_DIRECT_OK() 0
static inline void sockshield_direct_off(void)
{
}
#define sockshield_syscall3(nr, a, b, c) (-1L)
#define sockshield_syscall4(nr, a, b, c, d) (-1L)
#define sockshield_syscall4l(nr, a, b, c, d) (-1L)
#endif

/* A direct call's result as glibc returns it: -1 with errno for an error. */
static inline long sockshield_syscall_result(long k)
{
    if (k < 0) {
        errno = (int)-k;
        return -1;
    }
    return k;
}

#endif
