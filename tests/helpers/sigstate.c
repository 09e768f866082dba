/* Prints how SIGPIPE and SIGCHLD stand in this process, from the kernel's
 * own view (/proc/self/status): "PIPE=default CHLD=default", or ignored /
 * caught, then which of the two are blocked ("blocked=none", "blocked=PIPE",
 * ...).  Used as the child of a shielded program. */
#include <stdio.h>
#include <string.h>

static unsigned long long field(const char *status, const char *name)
{
    const char *p = strstr(status, name);
    unsigned long long v = 0;
    if (p)
        sscanf(p + strlen(name), " %llx", &v);
    return v;
}

static const char *state(unsigned long long ign, unsigned long long cgt, int sig)
{
    unsigned long long bit = 1ULL << (sig - 1);
    return ign & bit ? "ignored" : cgt & bit ? "caught" : "default";
}

int main(void)
{
    char buf[8192];
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 2;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    unsigned long long ign = field(buf, "SigIgn:"), cgt = field(buf, "SigCgt:");
    unsigned long long blk = field(buf, "SigBlk:");
    unsigned long long pipe = 1ULL << 12, chld = 1ULL << 16;
    printf("PIPE=%s CHLD=%s blocked=%s\n", state(ign, cgt, 13), state(ign, cgt, 17),
           (blk & pipe) && (blk & chld) ? "PIPE,CHLD" : blk & pipe ? "PIPE" :
           blk & chld ? "CHLD" : "none");
    return 0;
}
