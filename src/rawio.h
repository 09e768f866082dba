/* The library's own output at the lowest level (rawio.c): never blocking,
 * never signalling, async-signal-safe. */
#ifndef SOCKSHIELD_RAWIO_H
#define SOCKSHIELD_RAWIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* The pid by a raw system call, as libc's getpid would make it: the
 * library already imports syscall(), and every import is bound at load
 * under -z now (doc/performance.md, start-up). */
static inline pid_t sockshield_getpid(void)
{
    return (pid_t)syscall(SYS_getpid);
}

/* What identifies an open file: its device (major << 32 | minor), inode
 * and type (the S_IFMT bits of its mode). */
struct sockshield_fdid {
    uint64_t dev, ino;
    unsigned mode;
};
/* fd's identity by the statx system call, whose layout is the same on
 * every architecture: neither a C library's struct stat (the raw fstat's
 * differs from it on 32-bit targets) nor an fstat that another preload
 * interposes (libfaketime's takes a lock: from a signal handler that
 * deadlocks).  The C library's fstat only where the kernel has no statx
 * or a seccomp filter refuses it.
 * 0, or -1 with errno. */
int sockshield_rawio_fdid(int fd, struct sockshield_fdid *id);

/* All of p to fd, resuming EINTR; false when the fd took less (EAGAIN on
 * a full FIFO, ENOSPC, EPIPE): the rest is dropped, never waited for. */
bool sockshield_rawio_write_all(int fd, const char *p, size_t n);
/* The same into a pipe or FIFO, with the SIGPIPE of a gone reader kept
 * from the program: blocked for the write and consumed after it. */
bool sockshield_rawio_quiet_write(int fd, const char *p, size_t n);
/* fd moved to a number in the top quarter of the fd limit (close-on-exec),
 * away from the numbers programs use; fd itself when that fails. */
int sockshield_rawio_move_high(int fd);

/* Remembers fd 2 as it is now: at load, and when the program itself puts
 * another file there with dup2 (io.c).  The stderr sink writes only into
 * that file: a daemon that closed its stdio gets its next file on fd 2,
 * and our lines must not land in it. */
void sockshield_rawio_stderr_remember(void);
/* One record to that fd 2: a socket gets send(MSG_DONTWAIT | MSG_NOSIGNAL),
 * a pipe or FIFO a private non-blocking open of /proc/self/fd/2, anything
 * else (a file, a terminal) a plain write.  False: the line was dropped. */
bool sockshield_rawio_stderr(const char *rec, size_t len);

#endif
