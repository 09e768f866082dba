/* libssselfbind: a preload placed after sockshield whose `write` leads back
 * to sockshield.  Its `write` is an IFUNC whose resolver answers with the
 * first `write` of the global scope, which is sockshield's wrapper: the
 * next `write` sockshield looks up (dlsym RTLD_NEXT, which runs the
 * resolver) is then its own, and calling it would recurse for ever.
 * sockshield must refuse that at load, naming the call (src/real.c).
 *
 * ld.so runs the resolver too while it relocates the objects that use
 * `write` (bash's libtinfo, the helpers' libssfirst), before this object
 * is relocated itself: no call through its GOT can work then.  Until its
 * constructor has run (a static flag, reached without the GOT), the
 * resolver answers with a plain system call instead.  ld.so runs this
 * constructor before sockshield's, which is where sockshield binds.
 * Alone, programs run as usual (their writes are plain system calls). */
#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef ssize_t write_fn(int, const void *, size_t);

static volatile int ready;

__attribute__((constructor)) static void now_ready(void)
{
    ready = 1;
}

static ssize_t plain_write(int fd, const void *buf, size_t n)
{
    return syscall(SYS_write, fd, buf, n);
}

/* Alone, the first `write` of the global scope is this one: dlsym runs
 * this resolver again, which then answers the plain call. */
__attribute__((used)) static write_fn *pick_write(void)
{
    static volatile int inside; /* kept across the call: dlsym cannot see it */
    if (!ready || inside)
        return plain_write;
    inside = 1;
    write_fn *first = (write_fn *)dlsym(RTLD_DEFAULT, "write");
    inside = 0;
    return first;
}

ssize_t write(int fd, const void *buf, size_t n) __attribute__((ifunc("pick_write")));
