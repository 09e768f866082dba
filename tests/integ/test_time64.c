/* Programs built with 64-bit time_t on a 32-bit glibc target call glibc's
 * time64 entry points (__recvmsg64, __setsockopt64, ...): the library wraps
 * those too (src/symbols.h).  The helper is built that way
 * (tests/helpers/time64.c); on 64-bit targets it calls the usual entry
 * points, and these tests check the same behaviour there. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void run(struct ss_run *r, bool shielded, const char *what)
{
    struct ss_env e;
    ss_env_init(&e, shielded);
    ss_env_set(&e, "SOCKSHIELD_EVENTS=all");
    const char *argv[] = { ss_helper("time64"), what, NULL };
    ss_run(r, argv, &e, -1, 30);
    ss_env_free(&e);
    cr_assert(ss_exited(r, 0), "%s", ss_describe(r));
    if (!strstr(r->out, "time64=1"))
        cr_log_info("this target has no time64 entry points: the usual ones are checked");
}

Test(time64, a_reset_met_by_recvmsg_is_logged_with_sock_tcp_and_the_peer)
{
    struct ss_run bare, sh;
    run(&bare, false, "reset");
    run(&sh, true, "reset");
    cr_assert(strstr(bare.out, "recvmsg=-1 errno=ECONNRESET") && !strstr(bare.err, "sockshield:"),
              "bare: %s %s", bare.out, bare.err);
    const char *port = strstr(sh.out, "port=");
    cr_assert(port && strstr(sh.out, "recvmsg=-1 errno=ECONNRESET"), "%s", sh.out);
    char peer[48];
    snprintf(peer, sizeof peer, "peer=127.0.0.1:%d", atoi(port + 5));
    cr_assert(strstr(sh.err, "event=reset") && strstr(sh.err, "call=recvmsg") &&
                  strstr(sh.err, "sock=tcp") && strstr(sh.err, peer),
              "%s", sh.err);
    ss_run_free(&bare);
    ss_run_free(&sh);
}

Test(time64, so_rcvtimeo_set_through_setsockopt_is_honoured_under_a_storm)
{
    struct ss_run bare, sh;
    run(&bare, false, "timeo");
    run(&sh, true, "timeo");
    cr_assert(strstr(bare.out, "recvmsg=-1 errno=EINTR"), "bare: %s", bare.out);
    cr_assert(strstr(sh.out, "recvmsg=-1 errno=EAGAIN in_time=1"), "shielded: %s", sh.out);
    ss_run_free(&bare);
    ss_run_free(&sh);
}
