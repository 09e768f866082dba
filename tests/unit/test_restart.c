/* The restart decision (src/core/restart.c): pure, no preload.  The configuration
 * comes from the real parser, so the defaults and SOCKSHIELD_NORESTART
 * spellings are the ones users get. */
#include <criterion/criterion.h>

#include <signal.h>
#include <string.h>

#include "config.h"
#include "restart.h"

static const char *restart_value, *norestart_value;

static const char *get(const char *name)
{
    if (!strcmp(name, SOCKSHIELD_ENV_RESTART))
        return restart_value;
    if (!strcmp(name, SOCKSHIELD_ENV_NORESTART))
        return norestart_value;
    return NULL;
}

static void no_warning(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    cr_assert_fail("unexpected warning: %.*s", (int)len, line);
}

static struct sockshield_config load(const char *restart, const char *norestart)
{
    struct sockshield_config cfg;
    restart_value = restart;
    norestart_value = norestart;
    cr_assert_eq(sockshield_config_load(&cfg, get, no_warning, NULL), 0);
    return cfg;
}

#define BIT(sig) SOCKSHIELD_SIGBIT(sig)

Test(policy, defaults_resume_ordinary_signals)
{
    struct sockshield_config cfg = load(NULL, NULL);
    const int resumed[] = { SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH, SIGPROF, SIGCONT, SIGIO,
                            SIGURG, SIGPIPE, SIGVTALRM, SIGRTMIN, SIGRTMAX };
    for (unsigned i = 0; i < sizeof resumed / sizeof resumed[0]; i++)
        cr_expect(sockshield_restart_resume(&cfg, BIT(resumed[i])), "signal %d", resumed[i]);
    cr_expect(sockshield_restart_resume(&cfg, BIT(SIGUSR1) | BIT(SIGCHLD) | BIT(SIGRTMAX)));
}

Test(policy, nothing_recorded_is_resumed)
{
    /* stop/continue, ptrace, a handler installed behind our back */
    struct sockshield_config cfg = load(NULL, NULL);
    cr_expect(sockshield_restart_resume(&cfg, 0));
}

Test(policy, defaults_let_timeouts_and_terminal_signals_through)
{
    struct sockshield_config cfg = load(NULL, NULL);
    static const int meant[] = { SIGALRM, SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    for (unsigned i = 0; i < sizeof meant / sizeof meant[0]; i++) {
        cr_expect_not(sockshield_restart_resume(&cfg, BIT(meant[i])), "signal %d", meant[i]);
        /* one meant signal among ordinary ones is enough */
        cr_expect_not(sockshield_restart_resume(&cfg, BIT(meant[i]) | BIT(SIGUSR1) | BIT(SIGCHLD)),
                      "signal %d with others", meant[i]);
    }
}

Test(policy, a_signal_aimed_at_the_thread_is_never_resumed)
{
    /* pthread_kill/tgkill/raise: SI_TKILL, recorded as the bit of 32 */
    struct sockshield_config cfg = load(NULL, NULL);
    cr_expect_not(sockshield_restart_resume(&cfg, BIT(SIGUSR1) | SOCKSHIELD_TKILL_BIT));
    cr_expect_not(sockshield_restart_resume(&cfg, SOCKSHIELD_TKILL_BIT));
    cfg = load(NULL, "none");
    cr_expect_not(sockshield_restart_resume(&cfg, BIT(SIGCHLD) | SOCKSHIELD_TKILL_BIT));
}

Test(policy, restart_off_resumes_nothing)
{
    struct sockshield_config cfg = load("off", NULL);
    cr_expect_not(sockshield_restart_resume(&cfg, 0));
    cr_expect_not(sockshield_restart_resume(&cfg, BIT(SIGUSR1)));
    cr_expect_not(sockshield_restart_resume(&cfg, BIT(SIGCHLD)));
}

Test(policy, norestart_replaces_the_default_set)
{
    struct sockshield_config cfg = load(NULL, "USR1,RTMIN+2");
    cr_expect_not(sockshield_restart_resume(&cfg, BIT(SIGUSR1)));
    cr_expect_not(sockshield_restart_resume(&cfg, BIT(SIGRTMIN + 2)));
    cr_expect(sockshield_restart_resume(&cfg, BIT(SIGRTMIN + 1)));
    /* the defaults are replaced, not extended */
    cr_expect(sockshield_restart_resume(&cfg, BIT(SIGALRM)));
    cr_expect(sockshield_restart_resume(&cfg, BIT(SIGINT)));

    cfg = load(NULL, "none");
    cr_expect(sockshield_restart_resume(&cfg, BIT(SIGALRM) | BIT(SIGINT) | BIT(SIGTERM)));

    cfg = load(NULL, "64");
    cr_expect_not(sockshield_restart_resume(&cfg, BIT(64)));
    cr_expect(sockshield_restart_resume(&cfg, BIT(63)));
}
