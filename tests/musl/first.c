/* Preloaded before the library by the musl smoke suite (tests/musl/smoke.c):
 * musl runs the constructors of the preloaded objects in their order, so
 * this one runs before the library's, and its write reaches the library's
 * wrapper before that is set up (the bootstrap of src/real.c). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

static void say(const char *s)
{
    if (write(1, s, strlen(s)) < 0)
        return;
}

__attribute__((constructor)) static void first(void)
{
    int p[2];
    if (pipe(p) != 0)
        return;
    close(p[0]);
    say("first: before ");
    ssize_t w = write(p[1], "x", 1);
    say(w < 0 && errno == EPIPE ? "write=-1 EPIPE\n" : "write=other\n");
    close(p[1]);
}
