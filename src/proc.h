/* Process lifecycle: what happens around exec, wait and popen. */
#ifndef SOCKSHIELD_PROC_H
#define SOCKSHIELD_PROC_H

#include "shield.h"

/* Before an exec replaces the image: the exit summary is written now (the
 * destructor will not run).  After a failed exec: armed again. */
void sockshield_exec_before(void);
void sockshield_exec_failed(void);

/* The variadic execl family, collected into an argv array. */
enum sockshield_execl { SOCKSHIELD_EXECL, SOCKSHIELD_EXECLE, SOCKSHIELD_EXECLP };
int sockshield_execl(enum sockshield_execl kind, const char *path, const char *arg0, va_list ap);

/* The wait family and popen/pclose (reaping, SOCKSHIELD_REAP). */
pid_t sockshield_wait4(enum sockshield_call id, pid_t pid, int *status, int options,
                       struct rusage *ru);
int sockshield_waitid(idtype_t type, id_t id, siginfo_t *info, int options);
FILE *sockshield_popen(const char *cmd, const char *mode);
int sockshield_pclose(FILE *f);

#endif
