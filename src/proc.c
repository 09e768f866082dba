#include "proc.h"

#include <errno.h>
#include <stdarg.h>

#include "log.h"
#include "real.h"

extern char **environ;

void sockshield_exec_before(void)
{
    sockshield_log_summary();
}

void sockshield_exec_failed(void)
{
    sockshield_log_summary_rearm();
}

/* glibc's execl* call its internal execve, so they are collected here and
 * sent through our own execve/execvp path (and their semantics: execlp
 * searches PATH, execle takes the environment after the NULL). */
int sockshield_execl(enum sockshield_execl kind, const char *path, const char *arg0, va_list ap)
{
    va_list count;
    va_copy(count, ap);
    size_t n = 1;
    if (arg0)
        while (va_arg(count, const char *))
            n++;
    va_end(count);
    if (n > 65536) {
        errno = E2BIG;
        return -1;
    }
    const char *argv[n + 1];
    argv[0] = arg0;
    for (size_t i = 1; arg0 && i < n; i++)
        argv[i] = va_arg(ap, const char *);
    if (arg0)
        (void)va_arg(ap, const char *); /* the terminating NULL */
    argv[n] = NULL;
    if (!arg0)
        argv[0] = NULL;
    char *const *av = (char *const *)argv;
    switch (kind) {
    case SOCKSHIELD_EXECLE:
        return execve(path, av, va_arg(ap, char *const *));
    case SOCKSHIELD_EXECLP:
        return execvp(path, av);
    case SOCKSHIELD_EXECL:
    default:
        return execve(path, av, environ);
    }
}

pid_t sockshield_wait4(enum sockshield_call id, pid_t pid, int *status, int options,
                       struct rusage *ru)
{
    switch (id) {
    case SOCKSHIELD_CALL_wait: return real_wait(status);
    case SOCKSHIELD_CALL_waitpid: return real_waitpid(pid, status, options);
    case SOCKSHIELD_CALL_wait3: return real_wait3(status, options, ru);
    default: return real_wait4(pid, status, options, ru);
    }
}

int sockshield_waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
    return real_waitid(type, id, info, options);
}

FILE *sockshield_popen(const char *cmd, const char *mode)
{
    return real_popen(cmd, mode);
}

int sockshield_pclose(FILE *f)
{
    return real_pclose(f);
}
