/* libFuzzer target: the log formatter (src/core/fmt.c).
 *
 * The input is read as a stream of choices (see `take` below): the first
 * byte picks an event record or an exit summary, then every field of it,
 * then a small output capacity.  Addresses are IPv4, IPv6, unix pathname
 * or abstract, or anything, of any length up to 130 bytes, each in a heap
 * block of exactly that length so that ASan sees any read past it; the
 * program name and the short strings hold arbitrary bytes.
 *
 * Record invariants, text and JSON, at the library's capacity (4096) and
 * at the small one (every output buffer exactly its capacity, on the heap):
 *  - the length is at most the capacity; at least one byte is written;
 *    the last byte is the only '\n' and there is no NUL;
 *  - text: printable ASCII only, "sockshield: <stamp>" then key=value
 *    fields in the documented order, values bare or quoted with the
 *    documented escapes; JSON: valid for the strict checker
 *    (tests/common/jsoncheck.c), keys in the documented order, no key
 *    twice, strict UTF-8 throughout;
 *  - at 4096 every field is there and every value decodes to exactly what
 *    was given: numbers, the stamp (against gmtime_r), the program name,
 *    the strings, the addresses (against inet_ntop and unix(7));
 *  - at a small capacity the fields are a prefix of the full line's,
 *    each with the same value, except a program name that may be cut to a
 *    prefix of at least 16 bytes; below 3 bytes (JSON) or when not even
 *    "sockshield:" fits (text) the line is a lone "\n".
 * Summary invariants: length at most the capacity, ends with '\n'; under
 * 768 bytes a lone "\n"; text lines all start "sockshield: " in printable
 * ASCII, shown rows plus "(N more rows)" account for every row; JSON valid,
 * rows shown plus "omitted" account for every row.
 *
 * FUZZ_SHOW=1 fuzz/fuzz_format FILE... prints the full-size record lines. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>

#include "fmt.h"
#include "jsoncheck.h"

#define FULL_CAP 4096
#define PROG_MAX_OUT 256
#define SHORTENED_MIN 16

#define CHECK(cond, ...)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "fuzz_format: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
            abort();                                                                 \
        }                                                                            \
    } while (0)

/* ---- reading the input ------------------------------------------------------ */

struct src {
    const uint8_t *p;
    size_t n;
};

/* n bytes as a little-endian number; zeros once the input is used up. */
static uint64_t take(struct src *s, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t b = 0;
        if (s->n) {
            b = *s->p++;
            s->n--;
        }
        v |= b << (8 * i);
    }
    return v;
}

/* Up to max bytes into out (NUL-terminated); returns the count. */
static size_t take_bytes(struct src *s, char *out, size_t max)
{
    size_t n = (size_t)take(s, 1);
    if (n > max)
        n %= max + 1;
    if (n > s->n)
        n = s->n;
    memcpy(out, s->p, n);
    out[n] = '\0';
    s->p += n;
    s->n -= n;
    return n;
}

static const char *const calls[] = {
    "write", "writev", "send", "sendto", "sendmsg", "sendmmsg", "read", "readv", "recv",
    "recvfrom", "recvmsg", "recvmmsg", "connect", "accept", "accept4", "sendfile", "pread64",
};
static const char *const socks[] = {
    "tcp", "udp", "unix-stream", "unix-dgram", "unix-seqpacket", "pipe", "raw", "tcp6", "udp6",
};
static const char *const errs[] = {
    "EPIPE", "ECONNRESET", "ECONNREFUSED", "EAGAIN", "EINTR", "ETIMEDOUT", "EHOSTUNREACH",
};

/* A short string: NULL, one of `list`, or up to 40 arbitrary bytes (with
 * cap 4096 every field must still fit: 40 bytes escape to at most 162). */
static const char *take_string(struct src *s, const char *const *list, size_t nlist,
                               char *mem)
{
    unsigned k = (unsigned)take(s, 1);
    if (k < 16)
        return NULL;
    if (k < 192)
        return list[k % nlist];
    size_t n = take_bytes(s, mem, 40);
    /* a NUL inside ends the C string: that is what the formatter sees */
    (void)n;
    return mem;
}

/* An address of any family and length, in a heap block of exactly len
 * bytes (len 0 gets a 1-byte block, never read). */
struct addr {
    struct sockaddr *sa;
    socklen_t len;
};

static void take_addr(struct src *s, struct addr *a)
{
    unsigned kind = (unsigned)take(s, 1);
    size_t len;
    uint8_t raw[136];

    memset(raw, 0, sizeof raw);
    switch (kind % 6) {
    case 0: len = sizeof(struct sockaddr_in); break;
    case 1: len = sizeof(struct sockaddr_in6); break;
    case 2: len = offsetof(struct sockaddr_un, sun_path) + (size_t)take(s, 1) % 112; break;
    default: len = (size_t)take(s, 1) % 131; break;
    }
    for (size_t i = 0; i < len; i++)
        raw[i] = (uint8_t)take(s, 1);
    sa_family_t fam = kind % 6 == 0 ? AF_INET : kind % 6 == 1 ? AF_INET6
                    : kind % 6 <= 3 ? AF_UNIX : (sa_family_t)(raw[0] | raw[1] << 8);
    if (kind % 6 == 3 && len > offsetof(struct sockaddr_un, sun_path))
        raw[offsetof(struct sockaddr_un, sun_path)] = 0; /* abstract */
    if (kind % 6 == 4 && (kind & 0x40))
        fam = (kind & 0x80) ? AF_INET : AF_INET6; /* short or long IP */
    memcpy(raw + offsetof(struct sockaddr, sa_family), &fam, sizeof fam);
    a->sa = malloc(len ? len : 1);
    memcpy(a->sa, raw, len);
    a->len = (socklen_t)len;
}

/* ---- independent references --------------------------------------------------- */

/* The address as fmt.h documents it, built with inet_ntop and unix(7). */
static size_t ref_addr(const struct sockaddr *sa, socklen_t len, char *out)
{
    sa_family_t fam;
    char ip[INET6_ADDRSTRLEN];

    if (!sa || len < (socklen_t)sizeof fam)
        return (size_t)sprintf(out, "?");
    memcpy(&fam, (const char *)sa + offsetof(struct sockaddr, sa_family), sizeof fam);
    if (fam == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        struct sockaddr_in in;
        memcpy(&in, sa, sizeof in);
        inet_ntop(AF_INET, &in.sin_addr, ip, sizeof ip);
        return (size_t)sprintf(out, "%s:%u", ip, ntohs(in.sin_port));
    }
    if (fam == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 in6;
        const uint8_t *b = in6.sin6_addr.s6_addr;
        memcpy(&in6, sa, sizeof in6);
        static const uint8_t zero[12];
        /* glibc writes IPv4-compatible ::a.b.c.d in dotted form, RFC 5952
         * (and fmt.c) only IPv4-mapped ones: hex groups for those. */
        if (memcmp(b, zero, 12) == 0 && (b[12] | b[13]))
            sprintf(ip, "::%x:%x", b[12] << 8 | b[13], b[14] << 8 | b[15]);
        else
            inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof ip);
        if (in6.sin6_scope_id)
            return (size_t)sprintf(out, "[%s%%%u]:%u", ip, in6.sin6_scope_id,
                                   ntohs(in6.sin6_port));
        return (size_t)sprintf(out, "[%s]:%u", ip, ntohs(in6.sin6_port));
    }
    if (fam == AF_UNIX) {
        const size_t off = offsetof(struct sockaddr_un, sun_path);
        size_t n = len < sizeof(struct sockaddr_un) ? len : sizeof(struct sockaddr_un);
        const char *path = (const char *)sa + off;
        if (n <= off)
            return (size_t)sprintf(out, "unnamed");
        n -= off;
        if (path[0]) {
            size_t k = strnlen(path, n);
            memcpy(out, path, k);
            return k;
        }
        for (size_t i = 0; i < n; i++)
            out[i] = path[i] ? path[i] : '@';
        return n;
    }
    return (size_t)sprintf(out, "?");
}

/* The stamp as fmt.h documents it, from gmtime_r, when gmtime can say. */
static bool ref_stamp(int64_t sec, long usec, char *out)
{
    struct tm tm;
    time_t t;

    if (usec < 0 || usec >= 1000000) {
        long carry = usec / 1000000, rem = usec % 1000000;
        if (rem < 0) {
            rem += 1000000;
            carry--;
        }
        if ((carry > 0 && sec > INT64_MAX - carry) || (carry < 0 && sec < INT64_MIN - carry))
            return false;
        sec += carry;
        usec = rem;
    }
    /* gmtime's year is an int: stay well inside it */
    if (sec > (int64_t)1 << 55 || sec < -((int64_t)1 << 55))
        return false;
    t = (time_t)sec;
    if (!gmtime_r(&t, &tm))
        return false;
    long long year = (long long)tm.tm_year + 1900;
    char y[32];
    if (year < 0)
        sprintf(y, "-%04lld", -year);
    else
        sprintf(y, "%04lld", year);
    sprintf(out, "%s-%02d-%02dT%02d:%02d:%02d.%06ldZ", y, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
            tm.tm_min, tm.tm_sec, usec);
    return true;
}

/* ---- reading the line back -------------------------------------------------------- */

#define MAXF 16

struct field {
    char key[16];
    char val[2048];  /* decoded */
    size_t len;
    size_t raw_len;  /* as written: escaped, quotes included */
    bool quoted;
};

struct parsed {
    char stamp[64];
    int n;
    struct field f[MAXF];
};

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool bare_ok(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != '"' && c != '=' && c != '\\';
}

/* A text line (without its '\n'): "sockshield:" [" " stamp (" " key=value)*]. */
/* Whether logfmt needs quotes for this value: empty, or a byte a bare
 * value cannot hold. */
static bool needs_quotes(const char *v, size_t n)
{
    bool needed = n == 0;
    for (size_t i = 0; i < n && !needed; i++)
        needed = !bare_ok((unsigned char)v[i]);
    return needed;
}

static void parse_text(const char *s, size_t n, struct parsed *out)
{
    static const char pre[] = "sockshield:";
    const char *end = s + n;

    memset(out, 0, sizeof *out);
    out->n = -1;        /* no stamp */
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        CHECK(s[i] >= 0x20 && s[i] <= 0x7e, "byte %#x at %zu: [%.*s]", (unsigned char)s[i], i,
              (int)n, s);
    CHECK(n >= sizeof pre - 1 && memcmp(s, pre, sizeof pre - 1) == 0, "[%.*s]", (int)n, s);
    s += sizeof pre - 1;
    if (s == end)
        return;
    CHECK(*s == ' ', "[%.*s]", (int)n, s);
    s++;
    const char *sp = memchr(s, ' ', (size_t)(end - s));
    size_t k = sp ? (size_t)(sp - s) : (size_t)(end - s);
    CHECK(k > 0 && k < sizeof out->stamp, "stamp");
    memcpy(out->stamp, s, k);
    s += k;
    out->n = 0;
    while (s < end) {
        CHECK(*s == ' ' && out->n < MAXF, "field separator");
        s++;
        struct field *f = &out->f[out->n++];
        size_t kl = 0;
        while (s < end && *s >= 'a' && *s <= 'z') {
            CHECK(kl + 1 < sizeof f->key, "key too long");
            f->key[kl++] = *s++;
        }
        CHECK(kl > 0 && s < end && *s == '=', "no key=");
        s++;
        const char *raw = s;
        if (s < end && *s == '"') {
            f->quoted = true;
            s++;
            for (;;) {
                CHECK(s < end, "unterminated quote");
                unsigned char c = (unsigned char)*s++;
                if (c == '"')
                    break;
                if (c == '\\') {
                    CHECK(s < end, "escape at the end");
                    c = (unsigned char)*s++;
                    if (c == 'n')
                        c = '\n';
                    else if (c == 't')
                        c = '\t';
                    else if (c == 'x') {
                        CHECK(end - s >= 2 && hexval(s[0]) >= 0 && hexval(s[1]) >= 0, "\\x");
                        c = (unsigned char)(hexval(s[0]) << 4 | hexval(s[1]));
                        CHECK(c < 0x20 || c > 0x7e, "needless \\x%02x", c);
                        CHECK(c != '\n' && c != '\t', "\\x for \\n or \\t");
                        s += 2;
                    } else
                        CHECK(c == '"' || c == '\\', "unknown escape \\%c", c);
                }
                CHECK(f->len < sizeof f->val, "value too long");
                f->val[f->len++] = (char)c;
            }
            CHECK(s == end || *s == ' ', "junk after a quoted value");
        } else {
            while (s < end && *s != ' ') {
                CHECK(bare_ok((unsigned char)*s), "bare byte %#x", (unsigned char)*s);
                f->val[f->len++] = *s++;
            }
            CHECK(f->len > 0, "empty bare value for %s", f->key);
        }
        f->raw_len = (size_t)(s - raw);
    }
}

/* A JSON line: valid, members decoded (strings to bytes, numbers as text). */
static void parse_json(const char *s, size_t n, struct parsed *out)
{
    struct jc_member m[MAXF + 1];

    memset(out, 0, sizeof *out);
    CHECK(jc_line_valid(s, n), "invalid JSON: [%.*s]", (int)n, s);
    CHECK(jc_utf8_valid(s, n), "invalid UTF-8");
    int k = jc_members(s, n, m, MAXF + 1);
    CHECK(k >= 0 && k <= MAXF, "%d members", k);
    out->n = 0;
    for (int i = 0; i < k; i++) {
        struct field *f = i == 0 ? NULL : &out->f[out->n];
        CHECK(m[i].key_len < 16, "key");
        if (i == 0) {
            CHECK(m[0].key_len == 4 && memcmp(m[0].key, "time", 4) == 0, "first key not time");
            size_t sl;
            CHECK(jc_string_bytes(m[0].val, m[0].val_len, out->stamp, sizeof out->stamp - 1, &sl),
                  "time is not a string");
            continue;
        }
        memcpy(f->key, m[i].key, m[i].key_len);
        f->raw_len = m[i].val_len;
        if (m[i].val[0] == '"') {
            f->quoted = true;
            CHECK(jc_string_bytes(m[i].val, m[i].val_len, f->val, sizeof f->val, &f->len),
                  "string of %s", f->key);
        } else {
            CHECK(m[i].val_len < sizeof f->val, "number");
            memcpy(f->val, m[i].val, m[i].val_len);
            f->len = m[i].val_len;
        }
        out->n++;
    }
    if (k == 0)
        out->n = -1;    /* "{}": not even the time */
}

/* ---- the record ---------------------------------------------------------------- */

struct expect {
    int n;
    const char *key[MAXF];
    char val[MAXF][2048];
    size_t len[MAXF];
    bool is_string[MAXF];
};

static void want(struct expect *e, const char *key, const char *val, size_t len, bool str)
{
    e->key[e->n] = key;
    memcpy(e->val[e->n], val, len);
    e->len[e->n] = len;
    e->is_string[e->n] = str;
    e->n++;
}

static void want_num(struct expect *e, const char *key, long long v)
{
    char tmp[32];
    want(e, key, tmp, (size_t)sprintf(tmp, "%lld", v), false);
}

static void want_unum(struct expect *e, const char *key, unsigned long long v)
{
    char tmp[32];
    want(e, key, tmp, (size_t)sprintf(tmp, "%llu", v), false);
}

static void want_str(struct expect *e, const char *key, const char *s)
{
    if (!s)
        s = "?";
    want(e, key, s, strlen(s), true);
}

static void expected_fields(const struct sockshield_record *r, struct expect *e)
{
    char a[256];

    e->n = 0;
    want_num(e, "pid", r->pid);
    want_num(e, "tid", r->tid);
    want_str(e, "prog", r->prog);
    want_str(e, "event", sockshield_event_name(r->event));
    want_str(e, "call", r->call);
    want_num(e, "fd", r->fd);
    if (r->sock)
        want_str(e, "sock", r->sock);
    if (r->local)
        want(e, "local", a, ref_addr(r->local, r->local_len, a), true);
    if (r->peer)
        want(e, "peer", a, ref_addr(r->peer, r->peer_len, a), true);
    if (r->err)
        want_str(e, "errno", r->err);
    if (r->action)
        want_str(e, "action", r->action);
    if (r->repeat)
        want_unum(e, "repeat", r->repeat);
    if (r->suppressed)
        want_unum(e, "suppressed", r->suppressed);
}

/* Formats at cap into a heap block of exactly cap bytes; checks the shape. */
static size_t format(const struct sockshield_record *r, size_t cap,
                     enum sockshield_log_format fmt, char *copy)
{
    char *out = malloc(cap ? cap : 1);
    size_t len = sockshield_format_record(out, cap, r, fmt);

    CHECK(len <= cap, "length %zu over cap %zu", len, cap);
    if (cap == 0) {
        CHECK(len == 0, "wrote %zu bytes at cap 0", len);
    } else {
        CHECK(len >= 1 && out[len - 1] == '\n', "no final newline (cap %zu)", cap);
        CHECK(memchr(out, '\n', len) == out + len - 1, "a newline inside (cap %zu)", cap);
        CHECK(memchr(out, '\0', len) == NULL, "a NUL inside (cap %zu)", cap);
    }
    memcpy(copy, out, len);
    copy[len] = '\0';
    free(out);
    return len;
}

static void check_record(const struct sockshield_record *r, size_t small, bool json)
{
    enum sockshield_log_format fmt = json ? SOCKSHIELD_FORMAT_JSON : SOCKSHIELD_FORMAT_TEXT;
    static char full[FULL_CAP + 1], part[FULL_CAP + 1];
    static struct parsed pf, ps;
    static struct expect e;
    char stamp[64];

    size_t n = format(r, FULL_CAP, fmt, full);
    if (getenv("FUZZ_SHOW"))  /* FUZZ_SHOW=1 fuzz/fuzz_format FILE: the lines */
        fputs(full, stderr);
    if (json)
        parse_json(full, n, &pf);
    else
        parse_text(full, n - 1, &pf);

    /* everything is there, with exactly the values given */
    expected_fields(r, &e);
    CHECK(pf.n == e.n, "%d fields, want %d: [%s]", pf.n, e.n, full);
    for (int i = 0; i < e.n; i++) {
        const struct field *f = &pf.f[i];
        CHECK(strcmp(f->key, e.key[i]) == 0, "field %d is %s, want %s: [%s]", i, f->key,
              e.key[i], full);
        if (json)
            CHECK(f->quoted == e.is_string[i], "%s: string or number: [%s]", f->key, full);
        else
            CHECK(f->quoted == needs_quotes(e.val[i], e.len[i]), "%s: quotes wrong: [%s]",
                  f->key, full);
        if (strcmp(f->key, "prog") == 0) {
            CHECK(f->raw_len <= PROG_MAX_OUT, "prog takes %zu bytes", f->raw_len);
            if (f->len < e.len[i]) {
                /* a long program name is cut at a whole unit (an escape
                 * is at most 6 bytes), using its budget */
                CHECK(memcmp(f->val, e.val[i], f->len) == 0, "prog is not a prefix: [%s]", full);
                CHECK(f->raw_len > PROG_MAX_OUT - 6, "prog cut to %zu bytes: [%s]", f->raw_len,
                      full);
                continue;
            }
        }
        CHECK(f->len == e.len[i] && memcmp(f->val, e.val[i], f->len) == 0,
              "%s differs: [%s]", f->key, full);
    }
    if (ref_stamp(r->sec, r->usec, stamp))
        CHECK(strcmp(pf.stamp, stamp) == 0, "stamp %s, want %s", pf.stamp, stamp);
    else
        CHECK(pf.stamp[0], "no stamp");

    /* the same at a small capacity: a prefix of the fields */
    size_t m = format(r, small, fmt, part);
    if (small == 0)
        return;
    /* "\n" when not even "{}" or "sockshield:" fits, and only then */
    CHECK((m == 1) == (small <= (json ? 2u : 11u)), "%zu bytes at cap %zu", m, small);
    if (m == 1)
        return;
    if (json)
        parse_json(part, m, &ps);
    else
        parse_text(part, m - 1, &ps);
    if (ps.n < 0)
        return;         /* "sockshield:" or "{}" alone */
    CHECK(strcmp(ps.stamp, pf.stamp) == 0, "stamp differs at cap %zu", small);
    CHECK(ps.n <= pf.n, "more fields at cap %zu", small);
    for (int i = 0; i < ps.n; i++) {
        const struct field *a = &ps.f[i], *b = &pf.f[i];
        CHECK(strcmp(a->key, b->key) == 0, "field %d: %s, full line %s", i, a->key, b->key);
        CHECK(a->quoted == b->quoted, "%s quoted differently at cap %zu", a->key, small);
        if (a->len != b->len || memcmp(a->val, b->val, a->len) != 0) {
            CHECK(strcmp(a->key, "prog") == 0 && a->len < b->len &&
                      memcmp(a->val, b->val, a->len) == 0,
                  "%s differs at cap %zu: [%s] vs [%s]", a->key, small, part, full);
        }
    }
    /* a shortened program name is worth keeping */
    for (int i = 0; i < ps.n; i++)
        if (strcmp(ps.f[i].key, "prog") == 0 && ps.f[i].len < pf.f[i].len)
            CHECK(ps.f[i].raw_len >= SHORTENED_MIN && ps.f[i].raw_len <= PROG_MAX_OUT,
                  "program name cut to %zu bytes at cap %zu", ps.f[i].raw_len, small);
}

static void fuzz_record(struct src *s)
{
    static char prog[512], call[64], sock[64], err[64];
    struct sockshield_record r;
    struct addr local = { NULL, 0 }, peer = { NULL, 0 };
    unsigned flags = (unsigned)take(s, 1);

    memset(&r, 0, sizeof r);
    /* now, give or take, or anything at all */
    r.sec = flags & 1 ? (int64_t)take(s, 8) : 1700000000 + (int64_t)(int32_t)take(s, 4);
    r.usec = flags & 2 ? (long)take(s, 8) : (long)(take(s, 3) % 1000000);
    r.pid = (long)take(s, flags & 4 ? 8 : 3);
    r.tid = (long)take(s, flags & 4 ? 8 : 3);
    r.fd = (int)take(s, flags & 4 ? 4 : 1);
    r.event = (enum sockshield_event)((int)take(s, 1) % 12 - 2);
    r.repeat = flags & 8 ? take(s, 8) : 0;
    r.suppressed = flags & 16 ? take(s, 8) : 0;
    if (!(flags & 32)) {
        size_t k = take_bytes(s, prog, sizeof prog - 1);
        (void)k;
        r.prog = prog;
    }
    r.call = take_string(s, calls, sizeof calls / sizeof calls[0], call);
    r.sock = take_string(s, socks, sizeof socks / sizeof socks[0], sock);
    r.err = take_string(s, errs, sizeof errs / sizeof errs[0], err);
    r.action = take(s, 1) & 1 ? "ended" : NULL;
    if (flags & 64) {
        take_addr(s, &local);
        r.local = local.sa;
        r.local_len = local.len;
    }
    if (flags & 128) {
        take_addr(s, &peer);
        r.peer = peer.sa;
        r.peer_len = peer.len;
    }
    unsigned c = (unsigned)take(s, 2);
    size_t small = c & 0x8000 ? c % (FULL_CAP + 1) : c % 600;

    check_record(&r, small, false);
    check_record(&r, small, true);
    free(local.sa);
    free(peer.sa);
}

/* ---- the summary ---------------------------------------------------------------- */

static void check_summary(const struct sockshield_summary *sm, size_t cap, bool json)
{
    char *out = malloc(cap ? cap : 1);
    size_t len = sockshield_format_summary(out, cap, sm,
                                           json ? SOCKSHIELD_FORMAT_JSON : SOCKSHIELD_FORMAT_TEXT);

    CHECK(len <= cap, "summary of %zu bytes at cap %zu", len, cap);
    if (cap == 0) {
        CHECK(len == 0, "summary at cap 0");
        free(out);
        return;
    }
    CHECK(len >= 1 && out[len - 1] == '\n', "summary without its newline");
    CHECK(memchr(out, '\0', len) == NULL, "a NUL in the summary");
    if (cap < 512 + PROG_MAX_OUT) {
        CHECK(len == 1, "summary at cap %zu", cap);
        free(out);
        return;
    }
    if (json) {
        struct jc_member m[8];
        CHECK(jc_line_valid(out, len), "invalid JSON summary: [%.*s]", (int)len, out);
        CHECK(jc_members(out, len, m, 8) == 4, "summary members");
        /* "counts" holds one member per event run, each one per row */
        const char *c = memmem(out, len, "\"counts\":{", 10);
        const char *o = memmem(out, len, ",\"omitted\":", 11);
        size_t shown = 0, omitted = o ? strtoull(o + 11, NULL, 10) : 0;
        CHECK(c, "no counts");
        for (const char *p = c; p < (o ? o : out + len); p++)
            if (*p == ':' && p[-1] == '"' && p[1] >= '0' && p[1] <= '9')
                shown++;
        CHECK(shown + omitted == sm->nrows, "%zu rows shown, %zu omitted, of %zu: [%.*s]", shown,
              omitted, sm->nrows, (int)len, out);
    } else {
        size_t lines = 0, rows = 0, more = 0;
        bool table = false;
        for (const char *p = out; p < out + len;) {
            const char *nl = memchr(p, '\n', (size_t)(out + len - p));
            CHECK(nl, "unterminated line");
            CHECK(nl - p >= 12 && memcmp(p, "sockshield: ", 12) == 0, "line without prefix");
            for (const char *q = p; q < nl; q++)
                CHECK(*q >= 0x20 && *q <= 0x7e, "byte %#x in the summary", (unsigned char)*q);
            if (lines == 0)
                CHECK(memmem(p, (size_t)(nl - p), " summary pid=", 13), "header");
            else if (memmem(p, (size_t)(nl - p), "sockshield:   (", 15) == p)
                more = strtoull(p + 15, NULL, 10);
            else if (!table)
                table = true;       /* the column titles */
            else
                rows++;
            lines++;
            p = nl + 1;
        }
        CHECK(rows + more == sm->nrows || (sm->nrows == 0 && rows == 0),
              "%zu rows and %zu more, of %zu: [%.*s]", rows, more, sm->nrows, (int)len, out);
    }
    free(out);
}

static void fuzz_summary(struct src *s)
{
    static char prog[512];
    static struct sockshield_summary_row rows[300];
    struct sockshield_summary sm;
    unsigned flags = (unsigned)take(s, 1);

    memset(&sm, 0, sizeof sm);
    sm.sec = flags & 1 ? (int64_t)take(s, 8) : 1700000000 + (int64_t)(int32_t)take(s, 4);
    sm.usec = flags & 2 ? (long)take(s, 8) : (long)(take(s, 3) % 1000000);
    sm.pid = (long)take(s, flags & 4 ? 8 : 3);
    sm.events = take(s, flags & 8 ? 8 : 2);
    sm.unlogged = take(s, flags & 8 ? 8 : 2);
    if (!(flags & 16)) {
        take_bytes(s, prog, sizeof prog - 1);
        sm.prog = prog;
    }
    /* Rows as the library makes them: known events and calls, merged, so
     * grouped by event; counts of any size. */
    size_t n = (size_t)take(s, 2) % (flags & 32 ? 300 : 40);
    for (size_t i = 0; i < n; i++) {
        rows[i].event = (enum sockshield_event)(i * SOCKSHIELD_EV_COUNT / (n ? n : 1));
        rows[i].call = calls[take(s, 1) % (sizeof calls / sizeof calls[0])];
        rows[i].count = take(s, flags & 64 ? 8 : 2);
    }
    sm.rows = rows;
    sm.nrows = n;
    unsigned c = (unsigned)take(s, 2);
    size_t small = c % (FULL_CAP + 1);
    check_summary(&sm, FULL_CAP, false);
    check_summary(&sm, FULL_CAP, true);
    check_summary(&sm, small, false);
    check_summary(&sm, small, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct src s = { data, size };

    if (take(&s, 1) & 1)
        fuzz_summary(&s);
    else
        fuzz_record(&s);
    return 0;
}
