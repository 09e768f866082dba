/* The wait family, popen/pclose and system: exported names only. */
#include "proc.h"
#include "real.h"

pid_t wait(int *st) { return sockshield_proc_wait4(SOCKSHIELD_CALL_wait, -1, st, 0, NULL); }
pid_t waitpid(pid_t pid, int *st, int opt) { return sockshield_proc_wait4(SOCKSHIELD_CALL_waitpid, pid, st, opt, NULL); }
pid_t wait3(int *st, int opt, struct rusage *ru) { return sockshield_proc_wait4(SOCKSHIELD_CALL_wait3, -1, st, opt, ru); }
pid_t wait4(pid_t pid, int *st, int opt, struct rusage *ru) { return sockshield_proc_wait4(SOCKSHIELD_CALL_wait4, pid, st, opt, ru); }
int waitid(idtype_t t, id_t id, siginfo_t *in, int opt) { return sockshield_proc_waitid(t, id, in, opt); }
FILE *popen(const char *cmd, const char *mode) { return sockshield_proc_popen(cmd, mode); }
int pclose(FILE *f) { return sockshield_proc_pclose(f); }
int fclose(FILE *f) { return sockshield_proc_fclose(f); }
int system(const char *cmd) { return sockshield_proc_system(cmd); }

/* glibc's time64 entry points (symbols.h): their rusage is only passed on. */
#if SOCKSHIELD_TIME64
pid_t __wait3_time64(int *st, int opt, void *ru) { return sockshield_proc_wait4(SOCKSHIELD_CALL___wait3_time64, -1, st, opt, ru); }
pid_t __wait4_time64(pid_t pid, int *st, int opt, void *ru) { return sockshield_proc_wait4(SOCKSHIELD_CALL___wait4_time64, pid, st, opt, ru); }
#endif
