/* Load-time setup: real symbols, configuration, log, signal policy.
 *
 * It runs from our constructor, or earlier, on the first call that needs
 * it (another library's constructor calling signal() runs before ours:
 * ld.so runs a program's dependencies' constructors before a preload's).
 * Input calls never wait for it: their real pointers start as raw system
 * calls; the calls that can raise SIGPIPE
 * (write, send families) set the library up first, so an early writer
 * into a closed pipe is already shielded (real.c). */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "arch.h"
#include "config.h"
#include "fdinfo.h"
#include "log.h"
#include "real.h"
#include "state.h"
#include "signals.h"

static int init_state;          /* 0 not started, 1 started (sockshield_ready: done) */
static __thread int init_here __attribute__((tls_model("initial-exec")));
static int constructor_ran;
static void warn_sink(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    sockshield_warn_raw(line, len);
}

/* In secure-execution processes (setuid, capabilities) nothing is taken
 * from the environment: no user picks where a privileged process writes. */
static bool any_ours; /* the environment names a SOCKSHIELD_ variable */
static const char *env(const char *name)
{
    return any_ours ? secure_getenv(name) : NULL;
}

/* Most processes a shielded program starts set none of our variables:
 * then one pass over the environment replaces a search per variable. */
static bool env_names_ours(void)
{
    static const char prefix[] = "SOCKSHIELD_";
    for (char **e = environ; e && *e; e++) {
        size_t i = 0;
        while (i < sizeof prefix - 1 && (*e)[i] == prefix[i])
            i++;
        if (i == sizeof prefix - 1)
            return true;
    }
    return false;
}

static bool entry_is_us(const char *entry, size_t len, const char *self)
{
    if (self && strlen(self) == len && memcmp(entry, self, len) == 0)
        return true;
    static const char base[] = "libsockshield.so";
    return len >= sizeof base - 1 && memcmp(entry + len - (sizeof base - 1), base, sizeof base - 1) == 0 &&
           (len == sizeof base - 1 || entry[len - sizeof base] == '/');
}

/* SOCKSHIELD_INHERIT=off: children must not load us, so take our entry out
 * of this process's LD_PRELOAD (ld.so splits it on spaces and colons). */
static void drop_from_preload(void)
{
    const char *old = getenv("LD_PRELOAD");
    if (!old)
        return;
    Dl_info info;
    const char *self = dladdr((void *)&sockshield_init, &info) ? info.dli_fname : NULL;
    size_t n = strlen(old);
    char *out = malloc(n + 1);
    if (!out)
        return;
    size_t o = 0;
    for (const char *p = old; *p;) {
        size_t len = strcspn(p, " :");
        if (len && !entry_is_us(p, len, self)) {
            if (o)
                out[o++] = ':';
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
        if (*p)
            p++;
    }
    out[o] = '\0';
    if (o)
        setenv("LD_PRELOAD", out, 1);
    else
        unsetenv("LD_PRELOAD");
    free(out);
}

void sockshield_init(void)
{
    if (__atomic_load_n(&sockshield_ready, __ATOMIC_ACQUIRE) || init_here)
        return; /* done, or re-entered from inside the setup on this thread */
    /* Called before libc has initialised itself: functions in the
     * executable's .preinit_array run before every library's initialiser,
     * libc's included, and libc's environ is still NULL there, so getenv
     * finds none of our variables and the whole configuration would be
     * lost.  Every program built with -fsanitize=address is such a case:
     * ASan starts from .preinit_array and installs its SIGSEGV handler with
     * sigaction.  Only the real symbols are bound then (dlsym works),
     * all but those of the calls that set up on first use (real.h); the
     * signal calls pass through (signals.c), and the first of those
     * calls or our constructor, both after libc's initialiser, does the
     * setup, adopting the handlers installed meanwhile.  (A program may
     * also clear environ itself: the constructor sets up regardless.) */
    sockshield_too_early = environ == NULL && !constructor_ran;
    if (sockshield_too_early) {
        int saved = errno;
        sockshield_real_bind_early();
        errno = saved;
        return;
    }
    int expected = 0;
    if (!__atomic_compare_exchange_n(&init_state, &expected, 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        while (!__atomic_load_n(&sockshield_ready, __ATOMIC_ACQUIRE))
            sockshield_cpu_relax();
        return;
    }
    int saved = errno;
    init_here = 1;
    sockshield_real_bind();
    sockshield_real_choose_direct();
    any_ours = env_names_ours();
    sockshield_config_load(&sockshield_cfg, env, warn_sink, NULL);
    for (char **e = any_ours ? environ : NULL; e && *e; e++)
        sockshield_config_unknown(*e, env, warn_sink, NULL);

    /* The launcher's marker: it ignored SIGPIPE for static programs; the
     * program's own view is SIG_DFL.  Read once, never passed on. */
    const char *marker = any_ours ? getenv(SOCKSHIELD_ENV_LAUNCHER) : NULL;
    bool launcher = marker && strcmp(marker, "1") == 0;
    if (marker)
        unsetenv(SOCKSHIELD_ENV_LAUNCHER);
    if (!sockshield_cfg.inherit)
        drop_from_preload();

    sockshield_fdinfo_init();
    sockshield_log_init();
    sockshield_signals_setup(launcher);
    init_here = 0;
    __atomic_store_n(&sockshield_ready, 1, __ATOMIC_RELEASE);
    errno = saved;
}

__attribute__((constructor)) static void sockshield_constructor(void)
{
    constructor_ran = 1;
    sockshield_init();
}

/* Wrappers keep working after this (later destructors and atexit handlers
 * still call them): nothing is closed or freed here. */
__attribute__((destructor)) static void sockshield_destructor(void)
{
    sockshield_log_summary();
}
