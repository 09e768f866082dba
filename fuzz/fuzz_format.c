/* libFuzzer target: the event line formatter (src/fmt.c) on arbitrary
 * records.  The first bytes choose the numbers, the format, the buffer size
 * and the address families; the rest is split between the program name
 * and two socket addresses of arbitrary lengths (unix paths with any bytes,
 * abstract names, short or odd IPv4/IPv6 structures).
 *
 * Invariants checked: the length is at most the buffer's; the line ends in
 * its only '\n' (for caps of 3 and more); nothing is written past the
 * length returned; a JSON line is valid JSON (tests/common/jsoncheck.c,
 * strict UTF-8) whenever the whole buffer was available (4096 bytes); a
 * text line has only printable ASCII but for its '\n'. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fmt.h"
#include "jsoncheck.h"

static size_t take(const uint8_t **d, size_t *n, void *out, size_t want)
{
    size_t k = want < *n ? want : *n;
    memset(out, 0, want);
    memcpy(out, *d, k);
    *d += k;
    *n -= k;
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct {
        int64_t sec;
        uint32_t usec, pid, tid, fd;
        uint64_t repeat, suppressed;
        uint8_t event, format, cap_sel, fam1, fam2, len1, len2, prog_len, err;
    } h;
    take(&data, &size, &h, sizeof h);

    struct sockaddr_storage a1, a2;
    memset(&a1, 0, sizeof a1);
    memset(&a2, 0, sizeof a2);
    static const sa_family_t fams[] = { AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, AF_PACKET };
    socklen_t l1 = h.len1 % (sizeof a1 + 1), l2 = h.len2 % (sizeof a2 + 1);
    take(&data, &size, (char *)&a1 + sizeof(sa_family_t), sizeof a1 - sizeof(sa_family_t));
    take(&data, &size, (char *)&a2 + sizeof(sa_family_t), sizeof a2 - sizeof(sa_family_t));
    a1.ss_family = fams[h.fam1 % 5];
    a2.ss_family = fams[h.fam2 % 5];

    char prog[300];
    size_t pl = take(&data, &size, prog, h.prog_len % 290);
    prog[pl] = '\0';

    static const char *const errs[] = { "ECONNRESET", "EPIPE", NULL, "EAGAIN" };
    struct sockshield_record r = {
        .sec = h.sec % ((int64_t)1 << 40),
        .usec = (long)(h.usec % 1000000),
        .pid = (long)h.pid,
        .tid = (long)h.tid,
        .prog = prog,
        .event = (enum sockshield_event)(h.event % (SOCKSHIELD_EV_COUNT + 1)),
        .call = "recv",
        .fd = (int)h.fd,
        .sock = h.err & 1 ? "tcp" : NULL,
        .local = h.fam1 & 0x80 ? NULL : (const struct sockaddr *)&a1,
        .local_len = l1,
        .peer = h.fam2 & 0x80 ? NULL : (const struct sockaddr *)&a2,
        .peer_len = l2,
        .err = errs[h.err % 4],
        .repeat = h.repeat,
        .suppressed = h.suppressed,
    };
    static const size_t caps[] = { 4096, 1, 2, 3, 16, 64, 200, 512, 1000 };
    size_t cap = caps[h.cap_sel % 9];
    enum sockshield_log_format f = h.format & 1 ? SOCKSHIELD_FORMAT_JSON : SOCKSHIELD_FORMAT_TEXT;

    char out[4096 + 64];
    memset(out, 0x5a, sizeof out);
    size_t n = sockshield_format_record(out, cap, &r, f);
    if (n > cap)
        abort();
    for (size_t i = n; i < sizeof out; i++)
        if (i >= cap && out[i] != 0x5a)
            abort(); /* wrote past the buffer */
    if (cap >= 3 && (n == 0 || out[n - 1] != '\n' || memchr(out, '\n', n - 1)))
        abort();
    if (cap == 4096) {
        if (f == SOCKSHIELD_FORMAT_JSON && !jc_line_valid(out, n))
            abort();
        if (f == SOCKSHIELD_FORMAT_TEXT)
            for (size_t i = 0; i + 1 < n; i++)
                if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
                    abort();
    }
    return 0;
}
