/* libFuzzer target: the configuration parser (src/config.c) on arbitrary
 * values.  The input is split at NUL bytes into one value per variable, in
 * the order of `names` below; a missing piece leaves that variable unset.
 *
 * Invariants checked: the parser returns; at most one warning per variable
 * and the count it returns is the number of warnings; each warning is one
 * line of at most 512 bytes ending in its only '\n', naming a variable; the
 * fields stay within their domains (enums in range, rate <= 1000000, the
 * paths NUL-terminated, events within the known bits). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const names[] = {
    SOCKSHIELD_ENV_SIGPIPE, SOCKSHIELD_ENV_RESTART,    SOCKSHIELD_ENV_NORESTART,
    SOCKSHIELD_ENV_SIGNAL,  SOCKSHIELD_ENV_REAP,       SOCKSHIELD_ENV_EVENTS,
    SOCKSHIELD_ENV_LOG,     SOCKSHIELD_ENV_LOG_FORMAT, SOCKSHIELD_ENV_LOG_RATE,
    SOCKSHIELD_ENV_SUMMARY, SOCKSHIELD_ENV_INHERIT,
};
#define NVARS (sizeof names / sizeof names[0])

static const char *values[NVARS];
static int warnings;

static const char *get(const char *name)
{
    for (size_t i = 0; i < NVARS; i++)
        if (!strcmp(name, names[i]))
            return values[i];
    return NULL;
}

static void warn(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    if (len == 0 || len > 512 || line[len - 1] != '\n' || memchr(line, '\n', len - 1) ||
        strncmp(line, "sockshield: SOCKSHIELD_", 23) != 0)
        abort();
    warnings++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    size_t at = 0;
    for (size_t i = 0; i < NVARS; i++) {
        values[i] = at <= size ? copy + at : NULL;
        if (at <= size)
            at += strlen(copy + at) + 1;
    }
    warnings = 0;
    struct sockshield_config cfg;
    int n = sockshield_config_load(&cfg, get, warn, NULL);
    if (n != warnings || n < 0 || (size_t)n > NVARS)
        abort();
    if ((unsigned)cfg.sigpipe > SOCKSHIELD_SIGPIPE_OFF || (unsigned)cfg.log > SOCKSHIELD_LOG_NONE ||
        (unsigned)cfg.log_format > SOCKSHIELD_FORMAT_JSON || cfg.log_rate > 1000000 ||
        (cfg.events & ~SOCKSHIELD_EV_ALL) || !memchr(cfg.log_path, '\0', sizeof cfg.log_path) ||
        (cfg.norestart & (SOCKSHIELD_SIGBIT(32) | SOCKSHIELD_SIGBIT(33))))
        abort();
    free(copy);
    return 0;
}
