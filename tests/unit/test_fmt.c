/* The async-signal-safe formatter (src/core/fmt.c): every primitive, overflow at
 * every small capacity, the text line of libsockshield(7) byte for byte, and
 * JSON lines checked by a strict validator here and by Python's json. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "jsoncheck.h"

/* ---- helpers ---------------------------------------------------------------- */

#define CANARY 0x5a
#define BIG 8192

/* A buffer of `cap` bytes followed by canary bytes that must stay intact. */
struct guarded {
    char mem[BIG + 64];
    size_t cap;
    struct sockshield_buf b;
};

static void guarded_init(struct guarded *g, size_t cap)
{
    cr_assert_leq(cap, BIG);
    memset(g->mem, CANARY, sizeof g->mem);
    g->cap = cap;
    sockshield_buf_init(&g->b, g->mem, cap);
}

static void guarded_check(const struct guarded *g)
{
    size_t i;

    cr_assert_leq(g->b.len, g->cap);
    for (i = g->cap; i < sizeof g->mem; i++)
        cr_assert_eq((unsigned char)g->mem[i], CANARY, "byte %zu past cap %zu written", i,
                     g->cap);
}

/* The buffer's text, NUL-terminated, for comparisons. */
static const char *text(struct guarded *g)
{
    static char out[BIG + 1];

    guarded_check(g);
    memcpy(out, g->mem, g->b.len);
    out[g->b.len] = '\0';
    return out;
}

#define EXPECT_BUF(g, want)                                                               \
    do {                                                                                  \
        const char *got_ = text(g);                                                       \
        cr_assert_eq((g)->b.len, strlen(want), "len %zu, want %zu: got [%s] want [%s]",   \
                     (g)->b.len, strlen(want), got_, want);                               \
        cr_assert_str_eq(got_, want);                                                     \
    } while (0)

/* ---- the strict JSON checker (tests/common/jsoncheck.c) ------------------- */

Test(fmt, json_validator_self_test)
{
    static const char *const good[] = {
        "{}\n", "{\"a\":1}\n", "{\"a\":\"\\u00e9\\n\",\"b\":-0.5e3}\n",
        "{\"a\":[1,true,null,{}]}\n", "{\"\xc3\xa9\":\"\xf0\x9d\x84\x9e\"}\n",
    };
    static const char *const bad[] = {
        "{}", "{}\n\n", "{\"a\":1,}\n", "{\"a\":01}\n", "{\"a\":\"\x01\"}\n",
        "{\"a\":\"\\x41\"}\n", "{\"a\":\"\xc0\xaf\"}\n", "{\"a\":\"\xed\xa0\x80\"}\n",
        "{\"a\":\"\xff\"}\n", "{\"a\":\"abc}\n", "{\"a\" 1}\n", "{a:1}\n", "[]\n",
    };
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_assert(jc_line_valid(good[i], strlen(good[i])), "rejects %s", good[i]);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(!jc_line_valid(bad[i], strlen(bad[i])), "accepts %s", bad[i]);
}

Test(fmt, json_checker_members_and_string_bytes)
{
    static const char line[] = "{\"a\":1, \"b\":\"x\\u00ffy\\n\",\"c\":{\"d\":[2]}}\n";
    struct jc_member m[4];
    char out[16];
    size_t n;

    cr_assert_eq(jc_members(line, strlen(line), m, 4), 3);
    cr_assert(m[0].key_len == 1 && m[0].key[0] == 'a' && m[0].val_len == 1 && m[0].val[0] == '1');
    cr_assert(m[2].val_len == 9 && memcmp(m[2].val, "{\"d\":[2]}", 9) == 0);
    cr_assert(jc_string_bytes(m[1].val, m[1].val_len, out, sizeof out, &n));
    cr_assert(n == 4 && memcmp(out, "x\xffy\n", 4) == 0);
    cr_assert_eq(jc_members("{\"a\":1,}\n", 9, m, 4), -1);
    cr_assert(!jc_string_bytes("\"\\u0100\"", 8, out, sizeof out, &n), "only \\u00XX is a byte");
    cr_assert(!jc_string_bytes("\"abc\"", 5, out, 2, &n), "output past cap");
    cr_assert(jc_utf8_valid("\xc3\xa9\xf0\x9d\x84\x9e", 6));
    cr_assert(!jc_utf8_valid("\xc3", 1));
}

/* ---- Python's json as a second, independent judge ------------------------------
 *
 * Writes the line to a file and runs python3 on it: exit 0 when the bytes are
 * strict UTF-8, exactly one line, one JSON object whose keys are `keys` in
 * order (when given).  What the script prints (json.dumps with ASCII escapes
 * of the field `show`) lands in `out`.  Returns -1 when python3 is missing. */

static const char py_script[] =
    "import json,sys\n"
    "d=open(sys.argv[1],'rb').read()\n"
    "assert d.endswith(b'\\n') and d.count(b'\\n')==1, 'not one line'\n"
    "o=json.loads(d.decode('utf-8','strict'))\n"
    "assert isinstance(o,dict)\n"
    "keys=sys.argv[3].split(',') if sys.argv[3] else None\n"
    "assert keys is None or list(o.keys())==keys, list(o.keys())\n"
    "if sys.argv[2]: sys.stdout.write(json.dumps(o.get(sys.argv[2])))\n";

static int python_json(const char *line, size_t len, const char *keys, const char *show,
                       char *out, size_t outcap)
{
    /* Criterion runs tests in parallel processes: private files for each. */
    char path[] = "/tmp/sockshield-test-json-XXXXXX";
    char script[] = "/tmp/sockshield-test-py-XXXXXX";
    char cmd[1024];
    FILE *f, *p;
    int fd, status;
    size_t got;

    if (system("command -v python3 >/dev/null 2>&1") != 0)
        cr_assert_fail("%s", "python3 not found in PATH: install the Debian package python3 (tools/install-deps does)");
    fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    f = fdopen(fd, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(line, 1, len, f), len);
    fclose(f);
    fd = mkstemp(script);
    cr_assert_geq(fd, 0);
    f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs(py_script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "python3 %s '%s' '%s' '%s'", script, path, show ? show : "",
             keys ? keys : "");
    p = popen(cmd, "r");
    cr_assert_not_null(p);
    got = fread(out, 1, outcap - 1, p);
    out[got] = '\0';
    status = pclose(p);
    unlink(path);
    unlink(script);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

/* Both judges, when Python is there. */
static void assert_json_line(const char *line, size_t len, const char *keys)
{
    char out[64];
    int rc;

    cr_assert(jc_line_valid(line, len), "invalid JSON line: [%.*s]", (int)len, line);
    rc = python_json(line, len, keys, NULL, out, sizeof out);
    cr_assert_eq(rc, 0, "python3 rejects: [%.*s]", (int)len, line);
}

/* ---- the bounded buffer -------------------------------------------------------- */

Test(fmt, buf_appends_and_stops_at_cap)
{
    struct guarded g;

    guarded_init(&g, 16);
    sockshield_buf_str(&g.b, "hello");
    sockshield_buf_char(&g.b, ' ');
    sockshield_buf_mem(&g.b, "world!", 5);
    EXPECT_BUF(&g, "hello world");
    cr_assert(!g.b.full);
    sockshield_buf_str(&g.b, ", and more");
    cr_assert(g.b.full);
    EXPECT_BUF(&g, "hello world, and");
    sockshield_buf_str(&g.b, "x");
    sockshield_buf_char(&g.b, 'y');
    sockshield_buf_u64(&g.b, 7);
    EXPECT_BUF(&g, "hello world, and");
}

Test(fmt, buf_exact_fit_is_not_full)
{
    struct guarded g;

    guarded_init(&g, 5);
    sockshield_buf_str(&g.b, "12345");
    cr_assert(!g.b.full);
    sockshield_buf_str(&g.b, "");
    cr_assert(!g.b.full);
    sockshield_buf_char(&g.b, '6');
    cr_assert(g.b.full);
    EXPECT_BUF(&g, "12345");
}

Test(fmt, buf_zero_cap_writes_nothing)
{
    struct guarded g;

    guarded_init(&g, 0);
    sockshield_buf_str(&g.b, "abc");
    sockshield_buf_u64(&g.b, 12);
    sockshield_buf_json_str(&g.b, "x", 1);
    sockshield_buf_text_value(&g.b, "x y", 3);
    sockshield_buf_utc(&g.b, 0, 0);
    cr_assert_eq(sockshield_buf_finish_line(&g.b), 0);
    EXPECT_BUF(&g, "");
}

/* ---- integers ------------------------------------------------------------------- */

Test(fmt, u64_limits)
{
    struct guarded g;

    guarded_init(&g, 64);
    sockshield_buf_u64(&g.b, 0);
    EXPECT_BUF(&g, "0");
    guarded_init(&g, 64);
    sockshield_buf_u64(&g.b, 9);
    sockshield_buf_char(&g.b, ' ');
    sockshield_buf_u64(&g.b, 10);
    sockshield_buf_char(&g.b, ' ');
    sockshield_buf_u64(&g.b, 1234567890);
    EXPECT_BUF(&g, "9 10 1234567890");
    guarded_init(&g, 64);
    sockshield_buf_u64(&g.b, UINT64_MAX);
    EXPECT_BUF(&g, "18446744073709551615");
}

Test(fmt, i64_limits_and_negatives)
{
    static const struct {
        int64_t v;
        const char *want;
    } cases[] = {
        { 0, "0" },
        { 1, "1" },
        { -1, "-1" },
        { -10, "-10" },
        { 4096, "4096" },
        { INT64_MAX, "9223372036854775807" },
        { INT64_MIN, "-9223372036854775808" },
        { INT64_MIN + 1, "-9223372036854775807" },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct guarded g;

        guarded_init(&g, 64);
        sockshield_buf_i64(&g.b, cases[i].v);
        EXPECT_BUF(&g, cases[i].want);
    }
}

Test(fmt, integers_truncate_at_cap)
{
    struct guarded g;

    guarded_init(&g, 3);
    sockshield_buf_i64(&g.b, -12345);
    cr_assert(g.b.full);
    EXPECT_BUF(&g, "-12");
}

Test(fmt, widths_pad_and_never_cut)
{
    struct guarded g;

    guarded_init(&g, 64);
    sockshield_buf_u64_width(&g.b, 42, 6);
    sockshield_buf_char(&g.b, '|');
    sockshield_buf_u64_width(&g.b, 123456, 3);
    sockshield_buf_char(&g.b, '|');
    sockshield_buf_u64_width(&g.b, 0, 1);
    sockshield_buf_char(&g.b, '|');
    sockshield_buf_u64_width(&g.b, 7, 0);
    EXPECT_BUF(&g, "    42|123456|0|7");

    guarded_init(&g, 64);
    sockshield_buf_str_width(&g.b, "ab", 5);
    sockshield_buf_char(&g.b, '|');
    sockshield_buf_str_width(&g.b, "abcdef", 3);
    sockshield_buf_char(&g.b, '|');
    sockshield_buf_str_width(&g.b, "", 2);
    sockshield_buf_char(&g.b, '|');
    sockshield_buf_str_width(&g.b, NULL, 2);
    sockshield_buf_char(&g.b, '|');
    EXPECT_BUF(&g, "ab   |abcdef|  |  |");

    /* Padding wider than the internal block of spaces. */
    guarded_init(&g, 128);
    sockshield_buf_u64_width(&g.b, 1, 70);
    cr_assert_eq(g.b.len, 70);
    cr_assert_eq(g.mem[68], ' ');
    cr_assert_eq(g.mem[69], '1');

    guarded_init(&g, 4);
    sockshield_buf_u64_width(&g.b, 1, 70);
    cr_assert(g.b.full);
    EXPECT_BUF(&g, "    ");
}

/* ---- time ------------------------------------------------------------------------- */

static void expect_utc(int64_t sec, long usec, const char *want)
{
    struct guarded g;

    guarded_init(&g, 64);
    sockshield_buf_utc(&g.b, sec, usec);
    EXPECT_BUF(&g, want);
}

Test(fmt, utc_known_dates)
{
    expect_utc(0, 0, "1970-01-01T00:00:00.000000Z");
    expect_utc(951827696, 7, "2000-02-29T12:34:56.000007Z");
    expect_utc(951868800, 0, "2000-03-01T00:00:00.000000Z");
    expect_utc(1795722365, 123456, "2026-11-26T19:46:05.123456Z");
    expect_utc(2147483647, 999999, "2038-01-19T03:14:07.999999Z");
    expect_utc(2147483648, 0, "2038-01-19T03:14:08.000000Z");
    expect_utc(4107542400, 0, "2100-03-01T00:00:00.000000Z"); /* 2100 is no leap year */
    expect_utc(4107456000, 0, "2100-02-28T00:00:00.000000Z");
    expect_utc(253402300799, 10, "9999-12-31T23:59:59.000010Z");
    expect_utc(-1, 0, "1969-12-31T23:59:59.000000Z");
    expect_utc(-86400 * 365, 0, "1969-01-01T00:00:00.000000Z");
}

Test(fmt, utc_usec_is_zero_padded_and_normalised)
{
    expect_utc(0, 1, "1970-01-01T00:00:00.000001Z");
    expect_utc(0, 10, "1970-01-01T00:00:00.000010Z");
    expect_utc(0, 100000, "1970-01-01T00:00:00.100000Z");
    expect_utc(0, 999999, "1970-01-01T00:00:00.999999Z");
    expect_utc(0, 1000000, "1970-01-01T00:00:01.000000Z");
    expect_utc(10, -1, "1970-01-01T00:00:09.999999Z");
    expect_utc(0, -1000001, "1969-12-31T23:59:58.999999Z");
}

/* Absurd inputs are clamped, never overflowed (found by fuzz/fuzz_format:
 * the carry of usec went into sec before the clamp, and carry * 10^6
 * overflowed for usec near LONG_MIN; UBSan builds catch a regression). */
Test(fmt, utc_extreme_inputs_clamp_without_overflow)
{
    static const int64_t secs[] = { INT64_MIN, INT64_MIN + 1, -1, 0, INT64_MAX - 1, INT64_MAX };
    static const long usecs[] = { LONG_MIN, LONG_MIN + 1, -1, 0, 999999, 1000000, LONG_MAX };
    struct guarded g;

    for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
        for (size_t k = 0; k < sizeof usecs / sizeof usecs[0]; k++) {
            guarded_init(&g, 64);
            sockshield_buf_utc(&g.b, secs[i], usecs[k]);
            const char *t = text(&g);
            size_t n = strlen(t);
            cr_assert(n > 20 && t[n - 1] == 'Z' && t[n - 8] == '.', "%s", t);
        }
    }
}

Test(fmt, utc_matches_gmtime_over_centuries)
{
    int64_t sec;
    unsigned long long seed = 12345;
    int i;

    for (i = 0; i < 20000; i++) {
        struct tm tm;
        time_t t;
        char want[64];
        struct guarded g;

        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        /* 1900 .. 2400; 1901 .. 2038 where gmtime's time_t has 32 bits */
        if (sizeof(time_t) < 8)
            sec = (int64_t)(seed >> 20) % ((int64_t)1 << 32) - ((int64_t)1 << 31);
        else
            sec = (int64_t)(seed >> 20) % (int64_t)15778800000LL - 2208988800LL;
        t = (time_t)sec;
        cr_assert_not_null(gmtime_r(&t, &tm));
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, i % 1000000);
        guarded_init(&g, 64);
        sockshield_buf_utc(&g.b, sec, i % 1000000);
        EXPECT_BUF(&g, want);
    }
}

/* ---- addresses ----------------------------------------------------------------------- */

static const char *addr_text(const void *sa, socklen_t len)
{
    static struct guarded g;

    guarded_init(&g, 256);
    sockshield_buf_addr(&g.b, sa, len);
    return text(&g);
}

static const char *in4(const char *ip, unsigned port)
{
    struct sockaddr_in sin;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    cr_assert_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
    return addr_text(&sin, sizeof sin);
}

static const char *in6(const char *ip, unsigned port, uint32_t scope)
{
    struct sockaddr_in6 sin6;

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons((uint16_t)port);
    sin6.sin6_scope_id = scope;
    cr_assert_eq(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1, "%s", ip);
    return addr_text(&sin6, sizeof sin6);
}

Test(fmt, addr_ipv4)
{
    cr_assert_str_eq(in4("127.0.0.1", 8080), "127.0.0.1:8080");
    cr_assert_str_eq(in4("0.0.0.0", 0), "0.0.0.0:0");
    cr_assert_str_eq(in4("255.255.255.255", 65535), "255.255.255.255:65535");
    cr_assert_str_eq(in4("10.20.30.40", 50312), "10.20.30.40:50312");
}

Test(fmt, addr_ipv6_rfc5952)
{
    cr_assert_str_eq(in6("::", 0, 0), "[::]:0");
    cr_assert_str_eq(in6("::1", 8080, 0), "[::1]:8080");
    cr_assert_str_eq(in6("1::", 1, 0), "[1::]:1");
    /* a single zero group is not compressed (RFC 5952 §4.2.2) */
    cr_assert_str_eq(in6("2001:db8:0:1:1:1:1:1", 80, 0), "[2001:db8:0:1:1:1:1:1]:80");
    cr_assert_str_eq(in6("1:2:3:4:5:6:7:0", 80, 0), "[1:2:3:4:5:6:7:0]:80");
    cr_assert_str_eq(in6("0:1:2:3:4:5:6:7", 80, 0), "[0:1:2:3:4:5:6:7]:80");
    /* the longest run (§4.2.3), the first of equal ones */
    cr_assert_str_eq(in6("2001:0:0:1:0:0:0:1", 80, 0), "[2001:0:0:1::1]:80");
    cr_assert_str_eq(in6("2001:db8:0:0:1:0:0:1", 80, 0), "[2001:db8::1:0:0:1]:80");
    cr_assert_str_eq(in6("0:0:1:2:3:4:0:0", 80, 0), "[::1:2:3:4:0:0]:80");
    cr_assert_str_eq(in6("1:0:0:0:0:0:0:0", 80, 0), "[1::]:80");
    cr_assert_str_eq(in6("0:0:0:0:0:0:0:1", 80, 0), "[::1]:80");
    cr_assert_str_eq(in6("1:0:0:2:3:4:5:6", 80, 0), "[1::2:3:4:5:6]:80");
    /* lower case, no leading zeros (§4.1, §4.3) */
    cr_assert_str_eq(in6("2001:0DB8:00AB:0000:0000:0000:000C:ABCD", 443, 0),
                     "[2001:db8:ab::c:abcd]:443");
    cr_assert_str_eq(in6("fe80::1", 22, 2), "[fe80::1%2]:22");
    cr_assert_str_eq(in6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, 0),
                     "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

Test(fmt, addr_ipv6_v4_mapped)
{
    cr_assert_str_eq(in6("::ffff:1.2.3.4", 80, 0), "[::ffff:1.2.3.4]:80");
    cr_assert_str_eq(in6("::ffff:127.0.0.1", 8080, 0), "[::ffff:127.0.0.1]:8080");
    /* not mapped: ::ffff:0:0/96 prefix only */
    cr_assert_str_eq(in6("::fffe:102:304", 80, 0), "[::fffe:102:304]:80");
}

Test(fmt, addr_ipv6_matches_inet_ntop)
{
    /* Every pattern of zero and non-zero groups: inet_ntop follows RFC 5952
     * in glibc for all of these (v4-mapped and v4-compatible forms aside). */
    unsigned mask;

    for (mask = 0; mask < 256; mask++) {
        struct in6_addr a;
        char want[INET6_ADDRSTRLEN + 16], ntop[INET6_ADDRSTRLEN];
        int i;

        memset(&a, 0, sizeof a);
        for (i = 0; i < 8; i++)
            if (mask & (1u << i)) {
                a.s6_addr[2 * i] = (unsigned char)(i + 1);
                a.s6_addr[2 * i + 1] = 0xab;
            }
        cr_assert_not_null(inet_ntop(AF_INET6, &a, ntop, sizeof ntop));
        /* glibc prints ::a.b.c.d for some low addresses; skip those */
        if (strchr(ntop, '.'))
            continue;
        snprintf(want, sizeof want, "[%s]:1", ntop);
        {
            struct sockaddr_in6 sin6;

            memset(&sin6, 0, sizeof sin6);
            sin6.sin6_family = AF_INET6;
            sin6.sin6_port = htons(1);
            sin6.sin6_addr = a;
            cr_assert_str_eq(addr_text(&sin6, sizeof sin6), want, "mask %#x", mask);
        }
    }
}

Test(fmt, addr_unix)
{
    struct sockaddr_un sun;
    const socklen_t off = offsetof(struct sockaddr_un, sun_path);

    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, "/run/app.sock");
    cr_assert_str_eq(addr_text(&sun, off + 14), "/run/app.sock");
    cr_assert_str_eq(addr_text(&sun, sizeof sun), "/run/app.sock");
    /* without the terminating NUL in len */
    cr_assert_str_eq(addr_text(&sun, off + 13), "/run/app.sock");
    /* len beyond sockaddr_un (a sockaddr_storage) stays inside sun_path */
    {
        struct sockaddr_storage ss;

        memset(&ss, 'x', sizeof ss);
        memset(&sun, 'y', sizeof sun);
        sun.sun_family = AF_UNIX;
        memcpy(&ss, &sun, sizeof sun);
        cr_assert_eq(strlen(addr_text(&ss, sizeof ss)), sizeof sun.sun_path);
    }

    /* abstract, with an embedded NUL shown as @ */
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, "\0foo\0bar", 8);
    cr_assert_str_eq(addr_text(&sun, off + 8), "@foo@bar");
    cr_assert_str_eq(addr_text(&sun, off + 1), "@");

    /* unnamed */
    cr_assert_str_eq(addr_text(&sun, sizeof(sa_family_t)), "unnamed");
    cr_assert_str_eq(addr_text(&sun, off), "unnamed");
}

Test(fmt, addr_unknown_short_or_null)
{
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr sa;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    memset(&sa, 0, sizeof sa);
    sa.sa_family = AF_APPLETALK;

    cr_assert_str_eq(addr_text(NULL, 16), "?");
    cr_assert_str_eq(addr_text(&sin, 0), "?");
    cr_assert_str_eq(addr_text(&sin, 1), "?");
    cr_assert_str_eq(addr_text(&sin, sizeof sin - 1), "?");
    cr_assert_str_eq(addr_text(&sin6, sizeof sin6 - 1), "?");
    cr_assert_str_eq(addr_text(&sa, sizeof sa), "?");
}

Test(fmt, addr_unaligned_input)
{
    unsigned char raw[sizeof(struct sockaddr_in6) + 1];
    struct sockaddr_in6 sin6;

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(443);
    sin6.sin6_addr.s6_addr[15] = 1;
    memcpy(raw + 1, &sin6, sizeof sin6);
    cr_assert_str_eq(addr_text(raw + 1, sizeof sin6), "[::1]:443");
}

/* ---- logfmt values --------------------------------------------------------------------- */

static const char *tv(const char *s, size_t n)
{
    static struct guarded g;

    guarded_init(&g, 512);
    sockshield_buf_text_value(&g.b, s, n);
    cr_assert(!g.b.full);
    return text(&g);
}
#define TV(lit) tv(lit, sizeof lit - 1)

Test(fmt, text_value_bare_or_quoted)
{
    cr_assert_str_eq(TV("curl"), "curl");
    cr_assert_str_eq(TV("/usr/bin/x-y_z.1"), "/usr/bin/x-y_z.1");
    cr_assert_str_eq(TV("@foo@bar"), "@foo@bar");
    cr_assert_str_eq(TV("[::1]:80"), "[::1]:80");
    cr_assert_str_eq(TV("~!#$%&'()*+,-./:;<>?@[]^_`{|}"), "~!#$%&'()*+,-./:;<>?@[]^_`{|}");
    cr_assert_str_eq(TV(""), "\"\"");
    cr_assert_str_eq(TV("a b"), "\"a b\"");
    cr_assert_str_eq(TV("a=b"), "\"a=b\"");
    cr_assert_str_eq(TV("a\"b"), "\"a\\\"b\"");
    cr_assert_str_eq(TV("a\\b"), "\"a\\\\b\"");
    cr_assert_str_eq(TV("l1\nl2\tx"), "\"l1\\nl2\\tx\"");
    cr_assert_str_eq(TV("\r"), "\"\\x0d\"");
    cr_assert_str_eq(TV("a\0b"), "\"a\\x00b\"");
    cr_assert_str_eq(TV("\x7f"), "\"\\x7f\"");
    cr_assert_str_eq(TV("\x01\x1f"), "\"\\x01\\x1f\"");
    cr_assert_str_eq(TV("caf\xc3\xa9"), "\"caf\\xc3\\xa9\"");
    cr_assert_str_eq(TV("\xff"), "\"\\xff\"");
}

Test(fmt, text_value_overflow_keeps_escapes_whole_and_quotes_closed)
{
    size_t cap;

    for (cap = 0; cap < 24; cap++) {
        struct guarded g;
        const char *t;

        guarded_init(&g, cap);
        sockshield_buf_text_value(&g.b, "ab \xff\"cd", 7);
        t = text(&g);
        if (cap >= 13) {
            cr_assert(!g.b.full);
            cr_assert_str_eq(t, "\"ab \\xff\\\"cd\"");
            continue;
        }
        cr_assert(g.b.full, "cap %zu", cap);
        if (cap < 2) {
            cr_assert_str_eq(t, "", "cap %zu", cap);
            continue;
        }
        /* a closed quoted prefix, never half an escape */
        cr_assert_eq(t[0], '"');
        cr_assert_eq(t[strlen(t) - 1], '"', "cap %zu: %s", cap, t);
        cr_assert_eq(strncmp(t, "\"ab \\xff\\\"cd\"", strlen(t) - 1), 0, "cap %zu: %s", cap, t);
        cr_assert(strlen(t) == 2 || strlen(t) == 3 || strlen(t) == 4 || strlen(t) == 5 ||
                      strlen(t) == 9 || strlen(t) == 11 || strlen(t) == 12,
                  "cap %zu: %s", cap, t);
    }
    /* bare values are cut where the space ends */
    {
        struct guarded g;

        guarded_init(&g, 3);
        sockshield_buf_text_value(&g.b, "abcdef", 6);
        cr_assert(g.b.full);
        EXPECT_BUF(&g, "abc");
    }
}

/* ---- JSON strings ------------------------------------------------------------------------ */

static const char *js(const char *s, size_t n)
{
    static struct guarded g;

    guarded_init(&g, 1024);
    sockshield_buf_json_str(&g.b, s, n);
    cr_assert(!g.b.full);
    return text(&g);
}
#define JS(lit) js(lit, sizeof lit - 1)

Test(fmt, json_escapes)
{
    cr_assert_str_eq(JS(""), "\"\"");
    cr_assert_str_eq(JS("curl"), "\"curl\"");
    cr_assert_str_eq(JS("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
    cr_assert_str_eq(JS("\n\r\t"), "\"\\n\\r\\t\"");
    cr_assert_str_eq(JS("\x01\x08\x0c\x1f"), "\"\\u0001\\u0008\\u000c\\u001f\"");
    cr_assert_str_eq(JS("a\0b"), "\"a\\u0000b\"");
    cr_assert_str_eq(JS("\x7f"), "\"\\u007f\"");
    cr_assert_str_eq(JS(" ~"), "\" ~\"");
}

Test(fmt, json_valid_utf8_passes_through)
{
    cr_assert_str_eq(JS("caf\xc3\xa9"), "\"caf\xc3\xa9\"");                 /* U+00E9 */
    cr_assert_str_eq(JS("\xc2\x80"), "\"\xc2\x80\"");                       /* U+0080 */
    cr_assert_str_eq(JS("\xdf\xbf"), "\"\xdf\xbf\"");                       /* U+07FF */
    cr_assert_str_eq(JS("\xe0\xa0\x80"), "\"\xe0\xa0\x80\"");               /* U+0800 */
    cr_assert_str_eq(JS("\xe2\x82\xac"), "\"\xe2\x82\xac\"");               /* U+20AC */
    cr_assert_str_eq(JS("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");               /* U+D7FF */
    cr_assert_str_eq(JS("\xee\x80\x80"), "\"\xee\x80\x80\"");               /* U+E000 */
    cr_assert_str_eq(JS("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");               /* U+FFFF */
    cr_assert_str_eq(JS("\xf0\x90\x80\x80"), "\"\xf0\x90\x80\x80\"");       /* U+10000 */
    cr_assert_str_eq(JS("\xf0\x9d\x84\x9e"), "\"\xf0\x9d\x84\x9e\"");       /* U+1D11E */
    cr_assert_str_eq(JS("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");       /* U+10FFFF */
    cr_assert_str_eq(JS("\xe6\x97\xa5\xe6\x9c\xac"), "\"\xe6\x97\xa5\xe6\x9c\xac\"");
}

Test(fmt, json_invalid_utf8_bytes_become_u00xx)
{
    /* stray continuation bytes and impossible bytes */
    cr_assert_str_eq(JS("\x80"), "\"\\u0080\"");
    cr_assert_str_eq(JS("\xbf"), "\"\\u00bf\"");
    cr_assert_str_eq(JS("\xff\xfe"), "\"\\u00ff\\u00fe\"");
    cr_assert_str_eq(JS("\xf5\x80\x80\x80"), "\"\\u00f5\\u0080\\u0080\\u0080\"");
    /* truncated sequences, at the end and before ASCII */
    cr_assert_str_eq(JS("a\xc3"), "\"a\\u00c3\"");
    cr_assert_str_eq(JS("\xc3" "A"), "\"\\u00c3A\"");
    cr_assert_str_eq(JS("\xe2\x82"), "\"\\u00e2\\u0082\"");
    cr_assert_str_eq(JS("\xf0\x9d\x84"), "\"\\u00f0\\u009d\\u0084\"");
    cr_assert_str_eq(JS("\xe2\x82" "A\xe2\x82\xac"), "\"\\u00e2\\u0082A\xe2\x82\xac\"");
}

Test(fmt, json_overlong_and_surrogates_are_invalid)
{
    /* overlong '/' in two, three and four bytes */
    cr_assert_str_eq(JS("\xc0\xaf"), "\"\\u00c0\\u00af\"");
    cr_assert_str_eq(JS("\xc1\xbf"), "\"\\u00c1\\u00bf\"");
    cr_assert_str_eq(JS("\xe0\x80\xaf"), "\"\\u00e0\\u0080\\u00af\"");
    cr_assert_str_eq(JS("\xe0\x9f\xbf"), "\"\\u00e0\\u009f\\u00bf\"");
    cr_assert_str_eq(JS("\xf0\x80\x80\xaf"), "\"\\u00f0\\u0080\\u0080\\u00af\"");
    cr_assert_str_eq(JS("\xf0\x8f\xbf\xbf"), "\"\\u00f0\\u008f\\u00bf\\u00bf\"");
    /* overlong NUL (modified UTF-8) */
    cr_assert_str_eq(JS("\xc0\x80"), "\"\\u00c0\\u0080\"");
    /* UTF-16 surrogates U+D800, U+DFFF, and a CESU-8 pair */
    cr_assert_str_eq(JS("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");
    cr_assert_str_eq(JS("\xed\xbf\xbf"), "\"\\u00ed\\u00bf\\u00bf\"");
    cr_assert_str_eq(JS("\xed\xa0\xbd\xed\xb8\x80"),
                     "\"\\u00ed\\u00a0\\u00bd\\u00ed\\u00b8\\u0080\"");
    /* above U+10FFFF */
    cr_assert_str_eq(JS("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\"");
}

Test(fmt, json_every_byte_string_is_valid_json)
{
    /* All 256 byte values, then random byte soup: always a valid JSON
     * string in valid UTF-8, by both judges. */
    char in[512], line[4096];
    struct sockshield_buf b;
    size_t i, n;
    unsigned long long seed = 99;
    int round;

    for (round = 0; round < 200; round++) {
        if (round == 0) {
            for (i = 0; i < 256; i++)
                in[i] = (char)i;
            n = 256;
        } else {
            n = round % 64 + 1;
            for (i = 0; i < n; i++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                /* bias towards bytes that start or continue sequences */
                in[i] = (char)(seed >> 56 & 1 ? 0x80 | (seed >> 40 & 0x7f) : seed >> 48);
            }
        }
        sockshield_buf_init(&b, line, sizeof line);
        sockshield_buf_str(&b, "{\"k\":");
        sockshield_buf_json_str(&b, in, n);
        sockshield_buf_char(&b, '}');
        cr_assert(!b.full);
        sockshield_buf_finish_line(&b);
        cr_assert(jc_line_valid(line, b.len), "round %d: %.*s", round, (int)b.len, line);
        if (round < 3)
            assert_json_line(line, b.len, "k");
    }
}

Test(fmt, json_python_decodes_invalid_bytes_as_latin1_code_points)
{
    char line[256], out[256];
    struct sockshield_buf b;
    int rc;

    sockshield_buf_init(&b, line, sizeof line);
    sockshield_buf_str(&b, "{\"k\":");
    sockshield_buf_json_str(&b, "a\xff\xc3\xa9\x01\"", 6);
    sockshield_buf_char(&b, '}');
    sockshield_buf_finish_line(&b);
    rc = python_json(line, b.len, "k", "k", out, sizeof out);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(out, "\"a\\u00ff\\u00e9\\u0001\\\"\"");
}

Test(fmt, json_overflow_closes_the_string_and_never_splits)
{
    static const char in[] = "a\xe2\x82\xac\x01\"b";
    const char *full = "\"a\xe2\x82\xac\\u0001\\\"b\"";
    size_t cap;

    for (cap = 0; cap < 20; cap++) {
        struct guarded g;
        const char *t;
        size_t n;

        guarded_init(&g, cap);
        sockshield_buf_json_str(&g.b, in, sizeof in - 1);
        t = text(&g);
        n = strlen(t);
        if (cap >= strlen(full)) {
            cr_assert(!g.b.full);
            cr_assert_str_eq(t, full);
            continue;
        }
        cr_assert(g.b.full, "cap %zu", cap);
        if (cap < 2) {
            cr_assert_eq(n, 0);
            continue;
        }
        cr_assert(n >= 2 && t[0] == '"' && t[n - 1] == '"', "cap %zu: %s", cap, t);
        cr_assert_eq(strncmp(t, full, n - 1), 0, "cap %zu: %s", cap, t);
        /* the cut is at a unit boundary: after ", a, the euro sign, \u0001 */
        cr_assert(n == 2 || n == 3 || n == 6 || n == 12 || n == 14, "cap %zu: %s (%zu)", cap, t,
                  n);
    }
}

/* ---- lines ------------------------------------------------------------------------------- */

Test(fmt, finish_line_appends_or_replaces)
{
    struct guarded g;

    guarded_init(&g, 8);
    sockshield_buf_str(&g.b, "abc");
    cr_assert_eq(sockshield_buf_finish_line(&g.b), 4);
    EXPECT_BUF(&g, "abc\n");

    guarded_init(&g, 4);
    sockshield_buf_str(&g.b, "abcd");
    cr_assert_eq(sockshield_buf_finish_line(&g.b), 4);
    EXPECT_BUF(&g, "abc\n");

    guarded_init(&g, 4);
    sockshield_buf_str(&g.b, "abcdefgh");
    cr_assert_eq(sockshield_buf_finish_line(&g.b), 4);
    EXPECT_BUF(&g, "abc\n");

    guarded_init(&g, 1);
    sockshield_buf_str(&g.b, "abc");
    cr_assert_eq(sockshield_buf_finish_line(&g.b), 1);
    EXPECT_BUF(&g, "\n");

    guarded_init(&g, 1);
    cr_assert_eq(sockshield_buf_finish_line(&g.b), 1);
    EXPECT_BUF(&g, "\n");

    guarded_init(&g, 0);
    cr_assert_eq(sockshield_buf_finish_line(&g.b), 0);
    EXPECT_BUF(&g, "");
}

/* ---- records ------------------------------------------------------------------------------ */

static struct sockaddr_in local4, peer4;
static struct sockaddr_in6 peer6;
static struct sockaddr_un peer_un;

static struct sockshield_record example(void)
{
    struct sockshield_record r;

    memset(&local4, 0, sizeof local4);
    local4.sin_family = AF_INET;
    local4.sin_port = htons(50312);
    local4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    peer4 = local4;
    peer4.sin_port = htons(8080);

    memset(&r, 0, sizeof r);
    r.sec = 1795722365; /* 2026-11-26T19:46:05Z */
    r.usec = 123456;
    r.pid = 1234;
    r.tid = 1235;
    r.prog = "curl";
    r.event = SOCKSHIELD_EV_RESET;
    r.call = "recv";
    r.fd = 5;
    r.sock = "tcp";
    r.local = (const struct sockaddr *)&local4;
    r.local_len = sizeof local4;
    r.peer = (const struct sockaddr *)&peer4;
    r.peer_len = sizeof peer4;
    r.err = "ECONNRESET";
    return r;
}

static const char design_example[] =
    "sockshield: 2026-11-26T19:46:05.123456Z pid=1234 tid=1235 prog=curl event=reset "
    "call=recv fd=5 sock=tcp local=127.0.0.1:50312 peer=127.0.0.1:8080 errno=ECONNRESET\n";

static const char json_example[] =
    "{\"time\":\"2026-11-26T19:46:05.123456Z\",\"pid\":1234,\"tid\":1235,\"prog\":\"curl\","
    "\"event\":\"reset\",\"call\":\"recv\",\"fd\":5,\"sock\":\"tcp\","
    "\"local\":\"127.0.0.1:50312\",\"peer\":\"127.0.0.1:8080\",\"errno\":\"ECONNRESET\"}\n";

static const char *format(const struct sockshield_record *r, enum sockshield_log_format f,
                          size_t cap, size_t *len)
{
    static struct guarded g;

    guarded_init(&g, cap);
    *len = sockshield_format_record(g.mem, cap, r, f);
    g.b.len = *len;
    cr_assert_leq(*len, cap);
    return text(&g);
}

Test(fmt, record_text_matches_design_example)
{
    struct sockshield_record r = example();
    size_t len;
    const char *line = format(&r, SOCKSHIELD_FORMAT_TEXT, 4096, &len);

    cr_assert_eq(len, sizeof design_example - 1);
    cr_assert_str_eq(line, design_example);
}

Test(fmt, record_text_repeat_suppressed_and_omissions)
{
    struct sockshield_record r = example();
    size_t len;

    r.repeat = 3;
    r.suppressed = 974;
    cr_assert_str_eq(format(&r, SOCKSHIELD_FORMAT_TEXT, 4096, &len),
                     "sockshield: 2026-11-26T19:46:05.123456Z pid=1234 tid=1235 prog=curl "
                     "event=reset call=recv fd=5 sock=tcp local=127.0.0.1:50312 "
                     "peer=127.0.0.1:8080 errno=ECONNRESET repeat=3 suppressed=974\n");

    r.repeat = 0;
    r.event = SOCKSHIELD_EV_EOF;
    r.err = NULL;
    r.sock = NULL;
    r.local = NULL;
    cr_assert_str_eq(format(&r, SOCKSHIELD_FORMAT_TEXT, 4096, &len),
                     "sockshield: 2026-11-26T19:46:05.123456Z pid=1234 tid=1235 prog=curl "
                     "event=eof call=recv fd=5 peer=127.0.0.1:8080 suppressed=974\n");
}

/* A pipeline's producer ended by the library (SOCKSHIELD_PIPELINE=end). */
Test(fmt, record_action_after_errno_in_text_and_json)
{
    struct sockshield_record r = example();
    size_t len;
    const char *line;

    r.event = SOCKSHIELD_EV_EPIPE;
    r.call = "write";
    r.fd = 1;
    r.sock = "pipe";
    r.local = r.peer = NULL;
    r.err = "EPIPE";
    r.action = "ended";
    r.repeat = 2;
    cr_assert_str_eq(format(&r, SOCKSHIELD_FORMAT_TEXT, 4096, &len),
                     "sockshield: 2026-11-26T19:46:05.123456Z pid=1234 tid=1235 prog=curl "
                     "event=epipe call=write fd=1 sock=pipe errno=EPIPE action=ended repeat=2\n");
    line = format(&r, SOCKSHIELD_FORMAT_JSON, 4096, &len);
    assert_json_line(line, len, "time,pid,tid,prog,event,call,fd,sock,errno,action,repeat");
    cr_assert(strstr(line, ",\"errno\":\"EPIPE\",\"action\":\"ended\",\"repeat\":2}\n"), "%s", line);
}

Test(fmt, record_text_quotes_what_needs_it)
{
    struct sockshield_record r = example();
    const socklen_t off = offsetof(struct sockaddr_un, sun_path);
    size_t len;

    memset(&peer_un, 0, sizeof peer_un);
    peer_un.sun_family = AF_UNIX;
    strcpy(peer_un.sun_path, "/tmp/my sock");
    r.prog = "my prog=\"x\"";
    r.sock = "unix-stream";
    r.local = NULL;
    r.peer = (const struct sockaddr *)&peer_un;
    r.peer_len = off + 13;
    r.fd = -1;
    r.pid = 1;
    r.tid = 1;
    cr_assert_str_eq(format(&r, SOCKSHIELD_FORMAT_TEXT, 4096, &len),
                     "sockshield: 2026-11-26T19:46:05.123456Z pid=1 tid=1 "
                     "prog=\"my prog=\\\"x\\\"\" event=reset call=recv fd=-1 sock=unix-stream "
                     "peer=\"/tmp/my sock\" errno=ECONNRESET\n");

    /* abstract names with NULs go out as @, unnamed as such */
    memset(&peer_un, 0, sizeof peer_un);
    peer_un.sun_family = AF_UNIX;
    memcpy(peer_un.sun_path, "\0a\0b", 4);
    r.peer_len = off + 4;
    r.prog = "";
    r.local = (const struct sockaddr *)&peer_un;
    r.local_len = sizeof(sa_family_t);
    cr_assert_str_eq(format(&r, SOCKSHIELD_FORMAT_TEXT, 4096, &len),
                     "sockshield: 2026-11-26T19:46:05.123456Z pid=1 tid=1 prog=\"\" "
                     "event=reset call=recv fd=-1 sock=unix-stream local=unnamed peer=@a@b "
                     "errno=ECONNRESET\n");
}

Test(fmt, record_json_exact_and_valid)
{
    struct sockshield_record r = example();
    size_t len;
    const char *line = format(&r, SOCKSHIELD_FORMAT_JSON, 4096, &len);

    cr_assert_str_eq(line, json_example);
    assert_json_line(line, len, "time,pid,tid,prog,event,call,fd,sock,local,peer,errno");

    r.repeat = 2;
    r.suppressed = UINT64_MAX;
    r.pid = INT32_MAX;
    line = format(&r, SOCKSHIELD_FORMAT_JSON, 4096, &len);
    assert_json_line(line, len,
                     "time,pid,tid,prog,event,call,fd,sock,local,peer,errno,repeat,suppressed");
    cr_assert(strstr(line, ",\"repeat\":2,\"suppressed\":18446744073709551615}\n"));
}

Test(fmt, record_json_omissions_and_ipv6)
{
    struct sockshield_record r = example();
    size_t len;
    const char *line;

    memset(&peer6, 0, sizeof peer6);
    peer6.sin6_family = AF_INET6;
    peer6.sin6_port = htons(443);
    peer6.sin6_addr.s6_addr[15] = 1;
    r.event = SOCKSHIELD_EV_EOF;
    r.err = NULL;
    r.local = NULL;
    r.sock = NULL;
    r.peer = (const struct sockaddr *)&peer6;
    r.peer_len = sizeof peer6;
    r.prog = "t\xc3\xa9st\n\xff";
    line = format(&r, SOCKSHIELD_FORMAT_JSON, 4096, &len);
    cr_assert_str_eq(line, "{\"time\":\"2026-11-26T19:46:05.123456Z\",\"pid\":1234,\"tid\":1235,"
                           "\"prog\":\"t\xc3\xa9st\\n\\u00ff\",\"event\":\"eof\",\"call\":\"recv\","
                           "\"fd\":5,\"peer\":\"[::1]:443\"}\n");
    assert_json_line(line, len, "time,pid,tid,prog,event,call,fd,peer");
}

Test(fmt, record_unknown_event_and_null_strings)
{
    struct sockshield_record r = example();
    size_t len;

    r.event = SOCKSHIELD_EV_NONE;
    r.prog = NULL;
    r.call = NULL;
    cr_assert_str_eq(format(&r, SOCKSHIELD_FORMAT_TEXT, 4096, &len),
                     "sockshield: 2026-11-26T19:46:05.123456Z pid=1234 tid=1235 prog=? event=? "
                     "call=? fd=5 sock=tcp local=127.0.0.1:50312 peer=127.0.0.1:8080 "
                     "errno=ECONNRESET\n");
}

/* A 4000-byte program name of each kind of byte: the line stays one line,
 * within cap, valid, and keeps every field after the name. */
Test(fmt, record_huge_program_name_stays_bounded)
{
    static const char *const fill[] = { "a", "\xff", "\x01", "\"", "\xe2\x82\xac", " " };
    static char prog[4001];
    size_t k, cap;

    for (k = 0; k < sizeof fill / sizeof fill[0]; k++) {
        size_t i, flen = strlen(fill[k]);

        for (i = 0; i + flen <= 4000; i += flen)
            memcpy(prog + i, fill[k], flen);
        prog[i] = '\0';
        for (cap = 512; cap <= 4096; cap *= 2) {
            struct sockshield_record r = example();
            size_t len;
            const char *line;

            r.prog = prog;
            r.repeat = 5;
            line = format(&r, SOCKSHIELD_FORMAT_JSON, cap, &len);
            cr_assert_leq(len, cap);
            if (cap == 4096 || k == 0)
                assert_json_line(line, len, "time,pid,tid,prog,event,call,fd,sock,local,peer,"
                                            "errno,repeat");
            else
                cr_assert(jc_line_valid(line, len));
            cr_assert(strstr(line, "\"errno\":\"ECONNRESET\",\"repeat\":5}\n"), "fill %zu", k);

            line = format(&r, SOCKSHIELD_FORMAT_TEXT, cap, &len);
            cr_assert_leq(len, cap);
            cr_assert_eq(line[len - 1], '\n');
            cr_assert_null(memchr(line, '\n', len - 1));
            cr_assert(strstr(line, " peer=127.0.0.1:8080 errno=ECONNRESET repeat=5\n"),
                      "fill %zu cap %zu: %s", k, cap, line);
        }
    }
}

/* Every capacity from 0 to past the full line: never a byte past cap, always
 * one line ending in '\n', text a prefix of the full line cut between
 * fields, JSON a valid object whose fields are a prefix of the full one's. */
Test(fmt, record_every_small_cap)
{
    struct sockshield_record r = example();
    char full_text[1024], full_json[1024];
    size_t full_text_len, full_json_len, cap, len;

    r.repeat = 12;
    r.suppressed = 34;
    r.prog = "a b";
    strcpy(full_text, format(&r, SOCKSHIELD_FORMAT_TEXT, 4096, &full_text_len));
    strcpy(full_json, format(&r, SOCKSHIELD_FORMAT_JSON, 4096, &full_json_len));

    for (cap = 0; cap <= full_json_len + 8; cap++) {
        const char *line = format(&r, SOCKSHIELD_FORMAT_TEXT, cap, &len);

        if (cap == 0) {
            cr_assert_eq(len, 0);
        } else {
            cr_assert_gt(len, 0);
            cr_assert_eq(line[len - 1], '\n', "cap %zu", cap);
            cr_assert_null(memchr(line, '\n', len - 1));
            cr_assert_eq(memcmp(line, full_text, len - 1), 0, "cap %zu: %s", cap, line);
            cr_assert(len == 1 || full_text[len - 1] == ' ' || full_text[len - 1] == '\n',
                      "text cut inside a field at cap %zu: %s", cap, line);
            if (cap >= full_text_len)
                cr_assert_str_eq(line, full_text);
        }

        line = format(&r, SOCKSHIELD_FORMAT_JSON, cap, &len);
        if (cap == 0) {
            cr_assert_eq(len, 0);
        } else if (cap < 3) {
            cr_assert_str_eq(line, "\n");
        } else {
            cr_assert(jc_line_valid(line, len), "cap %zu: %s", cap, line);
            cr_assert_eq(memcmp(line, full_json, len - 2), 0, "cap %zu: %s", cap, line);
            cr_assert(full_json[len - 2] == ',' || full_json[len - 2] == '}' || len == 3,
                      "JSON cut inside a field at cap %zu: %s", cap, line);
            if (cap >= full_json_len)
                cr_assert_str_eq(line, full_json);
        }
    }
    /* and Python agrees on a few of them */
    for (cap = 3; cap < full_json_len; cap += 37) {
        const char *line = format(&r, SOCKSHIELD_FORMAT_JSON, cap, &len);

        assert_json_line(line, len, NULL);
    }
}

/* ---- the summary ------------------------------------------------------------------ */

static const struct sockshield_summary_row some_rows[] = {
    { SOCKSHIELD_EV_EPIPE, "write", 1 },
    { SOCKSHIELD_EV_EPIPE, "send", 12 },
    { SOCKSHIELD_EV_RESET, "recv", 3 },
    { SOCKSHIELD_EV_REFUSED, "getsockopt", 1234567 },
};

static struct sockshield_summary some_summary(void)
{
    struct sockshield_summary s = {
        .sec = 1795722365, .usec = 123456, .pid = 1234, .prog = "curl",
        .events = 1234583, .unlogged = 7, .rows = some_rows,
        .nrows = sizeof some_rows / sizeof some_rows[0],
    };
    return s;
}

static const char *summary(const struct sockshield_summary *s, enum sockshield_log_format f,
                           size_t cap, size_t *len)
{
    static struct guarded g;

    guarded_init(&g, cap);
    *len = sockshield_format_summary(g.mem, cap, s, f);
    g.b.len = *len;
    cr_assert_leq(*len, cap);
    return text(&g);
}

Test(fmt, summary_text_is_an_aligned_table)
{
    struct sockshield_summary s = some_summary();
    size_t len;

    cr_assert_str_eq(summary(&s, SOCKSHIELD_FORMAT_TEXT, 4096, &len),
                     "sockshield: 2026-11-26T19:46:05.123456Z summary pid=1234 prog=curl "
                     "events=1234583 unlogged=7\n"
                     "sockshield:   event    call          count\n"
                     "sockshield:   epipe    write             1\n"
                     "sockshield:   epipe    send             12\n"
                     "sockshield:   reset    recv              3\n"
                     "sockshield:   refused  getsockopt  1234567\n");
}

Test(fmt, summary_text_without_events_is_one_line)
{
    struct sockshield_summary s = some_summary();
    size_t len;

    s.nrows = 0;
    s.events = s.unlogged = 0;
    s.prog = "my prog";
    cr_assert_str_eq(summary(&s, SOCKSHIELD_FORMAT_TEXT, 4096, &len),
                     "sockshield: 2026-11-26T19:46:05.123456Z summary pid=1234 "
                     "prog=\"my prog\" events=0 unlogged=0\n");
}

Test(fmt, summary_json_is_one_object_grouped_by_event)
{
    struct sockshield_summary s = some_summary();
    size_t len;
    const char *line;
    char out[256];
    int rc;

    s.prog = "a\"b\xff";
    line = summary(&s, SOCKSHIELD_FORMAT_JSON, 4096, &len);
    cr_assert_str_eq(line, "{\"time\":\"2026-11-26T19:46:05.123456Z\",\"pid\":1234,"
                           "\"prog\":\"a\\\"b\\u00ff\",\"summary\":{\"events\":1234583,"
                           "\"unlogged\":7,\"counts\":{\"epipe\":{\"write\":1,\"send\":12},"
                           "\"reset\":{\"recv\":3},\"refused\":{\"getsockopt\":1234567}}}}\n");
    assert_json_line(line, len, "time,pid,prog,summary");
    rc = python_json(line, len, NULL, "summary", out, sizeof out);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(out, "{\"events\": 1234583, \"unlogged\": 7, \"counts\": {\"epipe\": "
                          "{\"write\": 1, \"send\": 12}, \"reset\": {\"recv\": 3}, "
                          "\"refused\": {\"getsockopt\": 1234567}}}");
    s.nrows = 0;
    line = summary(&s, SOCKSHIELD_FORMAT_JSON, 4096, &len);
    cr_assert(strstr(line, ",\"counts\":{}}}\n"), "%s", line);
    assert_json_line(line, len, NULL);
}

/* "key":<digits> pairs between from and to. */
static size_t number_pairs(const char *from, const char *to)
{
    size_t n = 0;

    cr_assert_not_null(from);
    for (; from + 2 < to; from++)
        if (from[0] == '"' && from[1] == ':' && from[2] >= '0' && from[2] <= '9')
            n++;
    return n;
}

/* More rows than one record holds: whole rows are left out and counted,
 * at every capacity a record can have. */
Test(fmt, summary_overflow_drops_whole_rows_and_says_how_many)
{
    static struct sockshield_summary_row rows[400];
    static const char *const calls[] = { "write", "sendto", "recvfrom", "preadv64v2", "accept4" };
    struct sockshield_summary s = some_summary();
    size_t i, len, cap;

    for (i = 0; i < 400; i++) {
        rows[i].event = (enum sockshield_event)(i / 50);
        rows[i].call = calls[i % 5];
        rows[i].count = 18446744073709551615ull - i;
    }
    s.rows = rows;
    s.nrows = 400;
    s.prog = "a very long program name with spaces \"and quotes\" and more and more text";
    for (cap = 800; cap <= 4096; cap += cap < 1200 ? 1 : 97) {
        const char *out = summary(&s, SOCKSHIELD_FORMAT_TEXT, cap, &len);
        const char *more = strstr(out, "sockshield:   (");
        size_t lines = 0, shown;
        const char *p;

        cr_assert_eq(out[len - 1], '\n', "cap %zu", cap);
        for (p = out; *p; p = strchr(p, '\n') + 1) {
            cr_assert_eq(strncmp(p, "sockshield: ", 12), 0, "cap %zu: %s", cap, p);
            lines++;
        }
        cr_assert_not_null(more, "cap %zu", cap);
        cr_assert_eq(sscanf(more, "sockshield:   (%zu more rows)\n", &shown), 1);
        /* header + column names + rows + the "more" line */
        cr_assert_eq(lines - 3 + shown, 400, "cap %zu: %zu lines, %zu more", cap, lines, shown);
        cr_assert_gt(lines, 3, "cap %zu: no row at all", cap);

        out = summary(&s, SOCKSHIELD_FORMAT_JSON, cap, &len);
        cr_assert(jc_line_valid(out, len), "cap %zu: %s", cap, out);
        const char *om = strstr(out, ",\"omitted\":");
        cr_assert_not_null(om, "cap %zu", cap);
        size_t omitted = strtoul(om + 11, NULL, 10);
        size_t pairs = number_pairs(strstr(out, "\"counts\":{"), om);
        cr_assert_eq(pairs + omitted, 400, "cap %zu: %zu shown, %zu omitted", cap, pairs,
                     omitted);
    }
    const char *line = summary(&s, SOCKSHIELD_FORMAT_JSON, 4096, &len);
    assert_json_line(line, len, "time,pid,prog,summary");
}
