/* No heap allocation on the call path: a million wrapped calls, with and
 * without events, and the allocation counter of the helper stays put. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void count(const char *const extra[], struct ss_run *r)
{
    /* The ASan runtime is the allocator there, and its interceptors
     * (strdup...) bypass the helper's malloc and hand their blocks to the
     * helper's free: nothing to count.  The normal build counts. */
    if (ss_sanitizers())
        cr_skip_test("allocation counting needs glibc's allocator (sanitizer build)");
    const char *argv[] = { ss_helper("noalloc"), NULL };
    struct ss_env e;
    ss_env_init(&e, true);
    for (int i = 0; extra && extra[i]; i++)
        ss_env_set(&e, "%s", extra[i]);
    ss_run(r, argv, &e, -1, 120);
    ss_env_free(&e);
}

Test(noalloc, a_million_wrapped_calls_allocate_nothing, .timeout = 180)
{
    struct ss_run r;
    count(NULL, &r);
    cr_assert(strstr(r.out, "calls=1000000"), "%s", ss_describe(&r));
    cr_expect(strstr(r.out, "allocations=0 "), "%s", ss_describe(&r));
    cr_expect(ss_exited(&r, 0), "%s", ss_describe(&r));
    /* positive control: the library was there and logged */
    cr_expect(strstr(r.err, "event=eagain"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

Test(noalloc, logging_every_event_in_json_to_a_file_allocates_nothing, .timeout = 180)
{
    char log[4200];
    snprintf(log, sizeof log, "SOCKSHIELD_LOG=%s/noalloc.%%p.log", ss_tmpdir());
    const char *extra[] = { log, "SOCKSHIELD_LOG_FORMAT=json", "SOCKSHIELD_LOG_RATE=0",
                            "SOCKSHIELD_EVENTS=all", "SOCKSHIELD_SUMMARY=on", NULL };
    struct ss_run r;
    count(extra, &r);
    cr_expect(strstr(r.out, "allocations=0 "), "%s", ss_describe(&r));
    cr_expect(ss_exited(&r, 0), "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* The counter counts: one allocation made inside the measured part shows. */
Test(noalloc, the_counter_sees_an_allocation, .timeout = 180)
{
    if (ss_sanitizers())
        cr_skip_test("allocation counting needs glibc's allocator (sanitizer build)");
    const char *argv[] = { ss_helper("noalloc"), "control", NULL };
    struct ss_env e;
    ss_env_init(&e, true);
    struct ss_run r;
    ss_run(&r, argv, &e, -1, 120);
    cr_expect(strstr(r.out, "allocations=1 "), "%s", ss_describe(&r));
    cr_expect(ss_exited(&r, 1), "%s", ss_describe(&r));
    ss_run_free(&r);
    ss_env_free(&e);
}
