/* What sockshield knows about each fd: the socket kind and the peer's
 * address, remembered when the connection is made, because getpeername
 * fails with ENOTCONN once a reset moved the socket to TCP_CLOSE
 * (the kernel's inet_getname refuses a socket in that state); the local
 * address survives it.  Entries carry the socket's inode so a number
 * reused behind our back (fclose, closefrom, libc internals) is never
 * described with stale data. */
#ifndef SOCKSHIELD_FDINFO_H
#define SOCKSHIELD_FDINFO_H

#include <stdbool.h>
#include <sys/socket.h>

struct sockshield_fdview {
    const char *kind; /* "tcp", "udp", "unix-stream", "pipe", "file", ... NULL unknown */
    bool stream;      /* a connection-oriented socket: read 0 means eof */
    socklen_t local_len, peer_len; /* 0 when unknown */
    struct sockaddr_storage local, peer;
};

/* Reserves the table (virtual memory only; pages are touched on use). */
void sockshield_fdinfo_init(void);
/* fd is connected (or connecting) to peer: remember the peer (the local
 * address is asked when an event needs it).  peer NULL: ask the kernel
 * (getpeername), for a connection just accepted. */
void sockshield_fdinfo_remember(int fd, const struct sockaddr *peer, socklen_t len);
void sockshield_fdinfo_forget(int fd);
void sockshield_fdinfo_forget_range(unsigned lo, unsigned hi);
/* fd2 became a duplicate of fd. */
void sockshield_fdinfo_copy(int fd, int fd2);
/* SO_TYPE and SO_DOMAIN with raw system calls; false when fd is not a
 * socket (domain 0 when the kernel does not say). */
bool sockshield_fdinfo_socket_type(int fd, int *type, int *domain);
/* Which connection the fd holds: a number that changes whenever a new
 * connection is remembered on it (accept, connect, dup2 onto it); 0 when
 * nothing was.  One load, for the event path. */
unsigned sockshield_fdinfo_generation(int fd);
/* Everything known now; raw system calls only, for the event path. */
void sockshield_fdinfo_describe(int fd, struct sockshield_fdview *v);
bool sockshield_fdinfo_is_stream_socket(int fd);

#endif
