/* A thread blocks in read() on an empty pipe; main cancels it.  pthread
 * cancellation must still work through the wrapper (read stays a
 * cancellation point: the wrapper calls libc's read, not a raw syscall).
 * Exit 0: the thread was cancelled; 1: it was still blocked after 5 s. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static volatile int started;

static void *reader(void *arg)
{
    (void)arg;
    char c;
    started = 1;
    ssize_t n = read(fds[0], &c, 1);
    printf("read returned %zd\n", n);
    return NULL;
}

int main(void)
{
    if (pipe(fds))
        return 2;
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    while (!started)
        usleep(1000);
    usleep(50000); /* let it block in read */
    pthread_cancel(t);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    void *res;
    if (pthread_timedjoin_np(t, &res, &ts) != 0) {
        printf("still blocked\n");
        return 1;
    }
    printf(res == PTHREAD_CANCELED ? "cancelled\n" : "returned\n");
    return res == PTHREAD_CANCELED ? 0 : 1;
}
