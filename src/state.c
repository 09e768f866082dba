/* The preload's shared state (state.h): the bottom of its layers, defined
 * here so that no module reaches up into init.c for it. */
#include "state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rawio.h"

struct sockshield_config sockshield_cfg;
__thread struct sockshield_tls sockshield_tls __attribute__((tls_model("initial-exec")));
uint64_t sockshield_sigs_alone;
volatile int sockshield_ready;
volatile int sockshield_too_early;

void sockshield_warn_raw(const char *line, size_t len)
{
    int saved = errno;
    sockshield_rawio_stderr(line, len);
    errno = saved;
}

void sockshield_fatal(const char *before, const char *name, const char *after)
{
    static const char pre[] = "sockshield: fatal: ";
    char line[256];
    size_t n = 0, k;
    const char *parts[] = { pre, before, name, after };
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        k = strnlen(parts[i], 64);
        if (k > sizeof line - 1 - n)
            k = sizeof line - 1 - n;
        memcpy(line + n, parts[i], k);
        n += k;
    }
    line[n++] = '\n';
    sockshield_warn_raw(line, n);
    abort();
}

static const char *const call_names[SOCKSHIELD_CALL_COUNT] = {
#define SOCKSHIELD_NAME(family, ret, name, params, args) [SOCKSHIELD_CALL_##name] = #name,
    SOCKSHIELD_SYMBOLS(SOCKSHIELD_NAME, SOCKSHIELD_NAME)
#undef SOCKSHIELD_NAME
};

const char *sockshield_call_name(enum sockshield_call id)
{
    if ((unsigned)id >= SOCKSHIELD_CALL_COUNT)
        return "?";
    const char *n = call_names[id];
    /* Internal and fortified aliases are logged under the public name. */
    switch (id) {
#if SOCKSHIELD_GLIBC
    case SOCKSHIELD_CALL___write: return "write";
    case SOCKSHIELD_CALL___send: return "send";
    case SOCKSHIELD_CALL___read: case SOCKSHIELD_CALL___read_chk: return "read";
    case SOCKSHIELD_CALL___pread64: case SOCKSHIELD_CALL___pread64_chk: return "pread64";
    case SOCKSHIELD_CALL___pread_chk: return "pread";
    case SOCKSHIELD_CALL___pwrite64: return "pwrite64";
    case SOCKSHIELD_CALL___recv_chk: return "recv";
    case SOCKSHIELD_CALL___recvfrom_chk: return "recvfrom";
    case SOCKSHIELD_CALL___connect: return "connect";
    case SOCKSHIELD_CALL___close: return "close";
    case SOCKSHIELD_CALL___sigaction: return "sigaction";
#endif
#if SOCKSHIELD_TIME64
    case SOCKSHIELD_CALL___sendmsg64: return "sendmsg";
    case SOCKSHIELD_CALL___sendmmsg64: return "sendmmsg";
    case SOCKSHIELD_CALL___recvmsg64: return "recvmsg";
    case SOCKSHIELD_CALL___recvmmsg64: return "recvmmsg";
    case SOCKSHIELD_CALL___getsockopt64: return "getsockopt";
    case SOCKSHIELD_CALL___setsockopt64: return "setsockopt";
    case SOCKSHIELD_CALL___wait3_time64: return "wait3";
    case SOCKSHIELD_CALL___wait4_time64: return "wait4";
#endif
    default: return n;
    }
}
