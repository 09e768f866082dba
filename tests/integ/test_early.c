/* Calls that reach the library before libc has initialised itself: a
 * program's .preinit_array (tests/helpers/preinit) runs before every
 * library's initialiser, and sigaction there must neither cost the
 * program its configuration nor lose the handler it installed.  Found by
 * the sanitizer build, where ASan makes this call in every helper. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void run_preinit(struct ss_run *r, bool preload, const char *log)
{
    const char *argv[] = { ss_helper("preinit"), NULL };
    struct ss_env e;
    ss_env_init(&e, preload);
    if (log) {
        ss_env_set(&e, "SOCKSHIELD_LOG=%s", log);
        ss_env_set(&e, "SOCKSHIELD_LOG_FORMAT=json");
        ss_env_set(&e, "SOCKSHIELD_LOG_RATE=bogus");
    }
    ss_run(r, argv, &e, -1, 20);
    ss_env_free(&e);
}

Test(early, sigaction_from_preinit_array_keeps_the_configuration_and_the_handler)
{
    char log[4200];
    snprintf(log, sizeof log, "%s/early.log", ss_tmpdir());
    unlink(log);

    struct ss_run bare, shielded;
    run_preinit(&bare, false, NULL);
    cr_expect(ss_signaled(&bare, SIGPIPE), "bare: %s", ss_describe(&bare));
    run_preinit(&shielded, true, log);
    cr_assert(ss_exited(&shielded, 0), "%s", ss_describe(&shielded));
    cr_expect(strstr(shielded.out, "send=-1 errno=EPIPE usr1=1 handler=early"), "%s",
              ss_describe(&shielded));
    /* The configuration was read: the bad value is named, the event went
     * to the file, as JSON. */
    cr_expect(strstr(shielded.err, "SOCKSHIELD_LOG_RATE='bogus' is not valid"), "%s",
              ss_describe(&shielded));
    cr_expect(!strstr(shielded.err, "event"), "the event went to stderr: %s",
              ss_describe(&shielded));
    char *text = ss_slurp(log, NULL);
    cr_assert(text, "no log file %s: %s", log, ss_describe(&shielded));
    cr_expect(ss_count(text, "\n") == 1 && strstr(text, "\"event\":\"epipe\""), "log: [%s]",
              text);
    free(text);
    unlink(log);
    rmdir(ss_tmpdir());
    ss_run_free(&bare);
    ss_run_free(&shielded);
}
