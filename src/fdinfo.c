#include "fdinfo.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rawio.h"

#define FDINFO_MAX 65536

struct entry {
    unsigned seq;        /* odd while being written (a seqlock) */
    unsigned char valid;
    unsigned long ino;
    socklen_t peer_len;
    struct sockaddr_storage peer; /* the local address is asked at event time */
};

static struct entry *table;
static int high_water = -1; /* no entry above it was ever written */

void sockshield_fdinfo_init(void)
{
    if (table)
        return;
    void *p = mmap(NULL, sizeof(struct entry) * FDINFO_MAX, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED)
        table = p;
}

static struct entry *slot(int fd)
{
    return table && fd >= 0 && fd < FDINFO_MAX ? &table[fd] : NULL;
}

/* Only entries at or below the high-water mark were ever touched: the
 * close family checks nothing above it, so no page of the table is mapped
 * before a socket with that number was remembered. */
static struct entry *used_slot(int fd)
{
    return fd <= __atomic_load_n(&high_water, __ATOMIC_RELAXED) ? slot(fd) : NULL;
}

static void raise_high_water(int fd)
{
    int hw = __atomic_load_n(&high_water, __ATOMIC_RELAXED);
    while (fd > hw && !__atomic_compare_exchange_n(&high_water, &hw, fd, true, __ATOMIC_RELAXED,
                                                    __ATOMIC_RELAXED))
        ;
}

static unsigned long inode_of(int fd)
{
    struct sockshield_fdid id;
    if (sockshield_rawio_fdid(fd, &id) != 0)
        return 0;
    return (unsigned long)id.ino;
}

void sockshield_fdinfo_remember(int fd, const struct sockaddr *peer, socklen_t len)
{
    struct entry *e = slot(fd);
    if (!e)
        return;
    int saved = errno;
    raise_high_water(fd);
    __atomic_add_fetch(&e->seq, 1, __ATOMIC_ACQ_REL);
    e->ino = inode_of(fd);
    if (peer) {
        if (len > sizeof e->peer)
            len = sizeof e->peer;
        memcpy(&e->peer, peer, len);
    } else {
        len = sizeof e->peer;
        if (syscall(SYS_getpeername, fd, &e->peer, &len) != 0)
            len = 0;
        if (len > sizeof e->peer)
            len = sizeof e->peer;
    }
    e->peer_len = len;
    e->valid = e->ino != 0;
    __atomic_add_fetch(&e->seq, 1, __ATOMIC_ACQ_REL);
    errno = saved;
}

void sockshield_fdinfo_forget(int fd)
{
    struct entry *e = used_slot(fd);
    if (e && e->valid)
        __atomic_store_n(&e->valid, 0, __ATOMIC_RELEASE);
}

void sockshield_fdinfo_forget_range(unsigned lo, unsigned hi)
{
    if (!table)
        return;
    unsigned top = (unsigned)(__atomic_load_n(&high_water, __ATOMIC_RELAXED) + 1);
    for (unsigned fd = lo; fd <= hi && fd < top; fd++)
        sockshield_fdinfo_forget((int)fd);
}

void sockshield_fdinfo_copy(int fd, int fd2)
{
    struct entry *a = used_slot(fd), *b = slot(fd2);
    if (!b)
        return;
    if (!a || !a->valid) {
        sockshield_fdinfo_forget(fd2);
        return;
    }
    raise_high_water(fd2);
    __atomic_add_fetch(&b->seq, 1, __ATOMIC_ACQ_REL);
    b->ino = a->ino;
    b->peer = a->peer;
    b->peer_len = a->peer_len;
    b->valid = 1;
    __atomic_add_fetch(&b->seq, 1, __ATOMIC_ACQ_REL);
}

bool sockshield_fdinfo_socket_type(int fd, int *type, int *domain)
{
    socklen_t l = sizeof *type;
    *type = *domain = 0;
    if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, type, &l) != 0)
        return false;
    l = sizeof *domain;
    if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, domain, &l) != 0)
        *domain = 0;
    return true;
}

static const char *socket_kind(int fd, bool *stream)
{
    int type, domain;
    *stream = false;
    if (!sockshield_fdinfo_socket_type(fd, &type, &domain))
        return NULL;
    *stream = type == SOCK_STREAM || type == SOCK_SEQPACKET;
    switch (domain) {
    case AF_INET:
    case AF_INET6:
        return type == SOCK_STREAM ? "tcp" : type == SOCK_DGRAM ? "udp"
             : type == SOCK_SEQPACKET ? "sctp" : type == SOCK_RAW ? "raw" : "ip";
    case AF_UNIX:
        return type == SOCK_STREAM ? "unix-stream" : type == SOCK_DGRAM ? "unix-dgram"
             : type == SOCK_SEQPACKET ? "unix-seqpacket" : "unix";
    case AF_NETLINK: return "netlink";
    case AF_PACKET: return "packet";
#ifdef AF_VSOCK
    case AF_VSOCK: return "vsock";
#endif
    default: return "socket";
    }
}

unsigned sockshield_fdinfo_generation(int fd)
{
    struct entry *e = used_slot(fd);
    return e ? __atomic_load_n(&e->seq, __ATOMIC_RELAXED) / 2 : 0;
}

bool sockshield_fdinfo_is_stream_socket(int fd)
{
    bool stream;
    return socket_kind(fd, &stream) && stream;
}

void sockshield_fdinfo_describe(int fd, struct sockshield_fdview *v)
{
    int saved = errno;
    memset(v, 0, offsetof(struct sockshield_fdview, local));
    struct sockshield_fdid id;
    if (sockshield_rawio_fdid(fd, &id) != 0) {
        errno = saved;
        return;
    }
    if (!S_ISSOCK(id.mode)) {
        v->kind = S_ISFIFO(id.mode) ? "pipe" : S_ISREG(id.mode) ? "file"
                : S_ISCHR(id.mode) ? "char" : "other";
        errno = saved;
        return;
    }
    v->kind = socket_kind(fd, &v->stream);

    /* Only the peer is remembered (at accept and connect): the kernel
     * forgets it on a reset, but keeps the local address after a reset or
     * a refused connect, so that one is always asked now. */
    socklen_t l = sizeof v->local;
    if (syscall(SYS_getsockname, fd, &v->local, &l) == 0)
        v->local_len = l > sizeof v->local ? sizeof v->local : l;
    struct entry *e = used_slot(fd);
    for (int tries = 0; e && tries < 4; tries++) {
        unsigned s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
        if ((s1 & 1) || !__atomic_load_n(&e->valid, __ATOMIC_ACQUIRE) ||
            e->ino != (unsigned long)id.ino)
            break;
        v->peer_len = e->peer_len;
        memcpy(&v->peer, &e->peer, sizeof v->peer);
        if (__atomic_load_n(&e->seq, __ATOMIC_ACQUIRE) == s1) {
            errno = saved;
            return;
        }
        v->peer_len = 0;
    }
    /* Not made through us (inherited, socket activation, SCM_RIGHTS, a
     * socket that only sends to): ask the kernel while it still knows. */
    l = sizeof v->peer;
    if (syscall(SYS_getpeername, fd, &v->peer, &l) == 0)
        v->peer_len = l > sizeof v->peer ? sizeof v->peer : l;
    errno = saved;
}
