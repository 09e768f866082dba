/* Replays a fuzz target's seed corpus with the ordinary compiler and no
 * libFuzzer, as a `make check` test: a target whose invariants no longer
 * match the code it checks (a variable added to src/core/config.c but not to
 * fuzz/fuzz_config.c) fails here, not a minute into `make fuzz-ci`.
 *
 *   replay_NAME [FILE|DIR]...
 *
 * Without arguments, every file of the directory SEEDS (set at build time
 * to the source tree's fuzz/corpus/NAME).  Output is TAP, as the test
 * driver reads it: one "ok" per input, the plan at the end.  A broken
 * invariant aborts, so the plan never comes and the test fails. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replayed;

static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;

    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            if (buf == NULL) {
                fprintf(stderr, "replay: out of memory\n");
                exit(1);
            }
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    if (ferror(f)) {
        fprintf(stderr, "replay: %s: read error\n", path);
        exit(1);
    }
    fclose(f);
    printf("# %s (%zu bytes)\n", path, len);
    fflush(stdout);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    replayed++;
    printf("ok %d - %s\n", replayed, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    fflush(stdout);
}

static void replay(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    if (!S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char file[4096];
            snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
            replay_file(file);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        replay(SEEDS);
    for (int i = 1; i < argc; i++)
        replay(argv[i]);
    if (replayed == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    printf("1..%d\n", replayed);
    return 0;
}
