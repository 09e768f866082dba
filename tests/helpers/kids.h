/* Counting a process's children from /proc, for the reaping helpers.
 * /proc/<pid>/task/<tid>/children needs CONFIG_PROC_CHILDREN, so every
 * /proc/<n>/stat is read and its parent pid compared. */
#ifndef SOCKSHIELD_TEST_KIDS_H
#define SOCKSHIELD_TEST_KIDS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* State letter of pid from /proc/<pid>/stat ('R', 'S', 'Z', ...), or 0
 * when the process is gone; its parent in *ppid. */
static inline char kids_state(pid_t pid, pid_t *ppid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close = strrchr(buf, ')'); /* the command name may hold anything */
    int parent = 0;
    char st = 0;
    if (!close || sscanf(close + 1, " %c %d", &st, &parent) != 2)
        return 0;
    if (ppid)
        *ppid = parent;
    return st;
}

/* Children of `parent`: how many are still running and how many are
 * zombies. */
static inline void kids_count(pid_t parent, int *alive, int *zombies)
{
    *alive = *zombies = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        pid_t pp = 0;
        char st = kids_state((pid_t)pid, &pp);
        if (!st || pp != parent)
            continue;
        if (st == 'Z' || st == 'X')
            (*zombies)++;
        else
            (*alive)++;
    }
    closedir(d);
}

static inline void kids_pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Waits (at most `seconds`) until no child of ours is running, then
 * reports the zombies left.  The SIGCHLD of the last child to end is
 * already pending when it shows as a zombie; a short pause lets the
 * process take it before counting again. */
static inline int kids_settle(double seconds, int *alive_left)
{
    int alive, zombies;
    long waited = 0;
    for (;;) {
        kids_count(getpid(), &alive, &zombies);
        if (alive == 0 || waited >= (long)(seconds * 1000))
            break;
        kids_pause_ms(2);
        waited += 2;
    }
    kids_pause_ms(20);
    kids_count(getpid(), &alive, &zombies);
    if (alive_left)
        *alive_left = alive;
    return zombies;
}

/* A sweep point of SOCKSHIELD_REAP, which reaps at the wrapped accept,
 * fork, exec and waits, never from a signal handler: an exec that fails.
 * Bare (or with REAP off) it changes nothing. */
static inline void kids_sweep_point(void)
{
    execl("/nonexistent/sockshield-sweep-point", "sweep-point", (char *)NULL);
}

/* kids_settle, with a sweep point once the children have ended. */
static inline int kids_settle_swept(double seconds, int *alive_left)
{
    kids_settle(seconds, alive_left);
    kids_sweep_point();
    return kids_settle(seconds, alive_left);
}

/* Waits (at most `seconds`) until pid is no longer running: returns 'Z'
 * when it is a zombie, 0 when it is gone (somebody reaped it). */
static inline char kids_wait_end(pid_t pid, double seconds)
{
    for (long waited = 0;; waited += 1) {
        char st = kids_state(pid, NULL);
        if (st == 0 || st == 'Z' || st == 'X' || waited >= (long)(seconds * 1000)) {
            if (st == 'Z') {
                /* its SIGCHLD is pending: give the reaper its turn */
                kids_pause_ms(20);
                st = kids_state(pid, NULL);
            }
            return st == 'X' ? 'Z' : st;
        }
        kids_pause_ms(1);
    }
}

#endif
