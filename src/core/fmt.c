/* Async-signal-safe formatting (fmt.h).
 *
 * Runs inside arbitrary host programs, from signal handlers too: no malloc,
 * no stdio (snprintf may allocate and takes the locale), no locale, no time
 * zone, no global mutable state.  Everything writes into a caller-owned
 * struct sockshield_buf that can never overflow. */
#include "fmt.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

static const char hex_lower[] = "0123456789abcdef";

/* ---- the bounded buffer --------------------------------------------------- */

void sockshield_buf_init(struct sockshield_buf *b, char *mem, size_t cap)
{
    b->p = mem;
    b->cap = mem ? cap : 0;
    b->len = 0;
    b->full = false;
}

void sockshield_buf_mem(struct sockshield_buf *b, const char *s, size_t n)
{
    size_t room;

    if (b->full || n == 0)
        return;
    room = b->cap - b->len;
    if (n > room) {
        n = room;
        b->full = true;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void sockshield_buf_str(struct sockshield_buf *b, const char *s)
{
    if (s)
        sockshield_buf_mem(b, s, strlen(s));
}

void sockshield_buf_char(struct sockshield_buf *b, char c)
{
    sockshield_buf_mem(b, &c, 1);
}

/* Decimal digits of v, written backwards from end; returns the first. */
static char *u64_digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void sockshield_buf_u64(struct sockshield_buf *b, uint64_t v)
{
    char tmp[20];
    char *s = u64_digits(tmp + sizeof tmp, v);

    sockshield_buf_mem(b, s, (size_t)(tmp + sizeof tmp - s));
}

void sockshield_buf_i64(struct sockshield_buf *b, int64_t v)
{
    char tmp[21];
    /* Negate in unsigned arithmetic: -INT64_MIN overflows int64_t. */
    uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
    char *s = u64_digits(tmp + sizeof tmp, mag);

    if (v < 0)
        *--s = '-';
    sockshield_buf_mem(b, s, (size_t)(tmp + sizeof tmp - s));
}

static void pad(struct sockshield_buf *b, size_t n)
{
    static const char spaces[] = "                                ";

    while (n > 0 && !b->full) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;

        sockshield_buf_mem(b, spaces, k);
        n -= k;
    }
}

void sockshield_buf_u64_width(struct sockshield_buf *b, uint64_t v, unsigned width)
{
    char tmp[20];
    char *s = u64_digits(tmp + sizeof tmp, v);
    size_t n = (size_t)(tmp + sizeof tmp - s);

    if (n < width)
        pad(b, width - n);
    sockshield_buf_mem(b, s, n);
}

void sockshield_buf_str_width(struct sockshield_buf *b, const char *s, unsigned width)
{
    size_t n = s ? strlen(s) : 0;

    sockshield_buf_mem(b, s, n);
    if (n < width)
        pad(b, width - n);
}

/* Exactly `width` digits of v (v < 10^width), zero-padded. */
static void u64_zero(struct sockshield_buf *b, uint64_t v, unsigned width)
{
    char tmp[20];
    unsigned i;

    for (i = width; i > 0; i--) {
        tmp[i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
    sockshield_buf_mem(b, tmp, width);
}

/* ---- time ----------------------------------------------------------------- */

/* Days since 1970-01-01 to a proleptic Gregorian date: Howard Hinnant's
 * days_from_civil inverse ("chrono-Compatible Low-Level Date Algorithms"),
 * exact for every int64 day count that fits the year type below. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, yoe, doy, mp;
    uint64_t doe;

    z += 719468;                        /* shift the epoch to 0000-03-01 */
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (uint64_t)(z - era * 146097);             /* [0, 146096] */
    yoe = (int64_t)((doe - doe / 1460 + doe / 36524 - doe / 146096) / 365);
    doy = (int64_t)doe - (365 * yoe + yoe / 4 - yoe / 100);   /* [0, 365] */
    mp = (5 * doy + 2) / 153;                                 /* [0, 11] */
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void sockshield_buf_utc(struct sockshield_buf *b, int64_t sec, long usec)
{
    int64_t days, rem, year;
    unsigned month, day;

    /* Far enough from the int64 limits that neither the carry below nor
     * the day arithmetic can overflow; the clamp only touches absurd
     * inputs.  (Clamped after the carry, sec near a limit overflowed.) */
    if (sec > INT64_MAX / 4)
        sec = INT64_MAX / 4;
    if (sec < INT64_MIN / 4)
        sec = INT64_MIN / 4;
    /* Normalise a microsecond count outside [0, 10^6) into the seconds,
     * from the remainder: carry * 10^6 overflows for usec near LONG_MIN. */
    if (usec < 0 || usec >= 1000000) {
        long carry = usec / 1000000, rem_us = usec % 1000000;

        if (rem_us < 0) {
            rem_us += 1000000;
            carry--;
        }
        sec += carry;
        usec = rem_us;
    }
    days = sec / 86400;
    rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &year, &month, &day);

    if (year < 0) {
        sockshield_buf_char(b, '-');
        year = -year;
    }
    if (year < 10000)
        u64_zero(b, (uint64_t)year, 4);
    else
        sockshield_buf_u64(b, (uint64_t)year);
    sockshield_buf_char(b, '-');
    u64_zero(b, month, 2);
    sockshield_buf_char(b, '-');
    u64_zero(b, day, 2);
    sockshield_buf_char(b, 'T');
    u64_zero(b, (uint64_t)(rem / 3600), 2);
    sockshield_buf_char(b, ':');
    u64_zero(b, (uint64_t)(rem / 60 % 60), 2);
    sockshield_buf_char(b, ':');
    u64_zero(b, (uint64_t)(rem % 60), 2);
    sockshield_buf_char(b, '.');
    u64_zero(b, (uint64_t)usec, 6);
    sockshield_buf_char(b, 'Z');
}

/* ---- addresses ------------------------------------------------------------ */

static void ipv4(struct sockshield_buf *b, const unsigned char a[4])
{
    int i;

    for (i = 0; i < 4; i++) {
        if (i)
            sockshield_buf_char(b, '.');
        sockshield_buf_u64(b, a[i]);
    }
}

/* Network byte order, read byte by byte: no ntohs, no alignment needs. */
static unsigned port_of(const void *p)
{
    const unsigned char *q = p;

    return (unsigned)q[0] << 8 | q[1];
}

static void hex16(struct sockshield_buf *b, unsigned v)
{
    char tmp[4];
    int n = 0, shift;

    for (shift = 12; shift >= 0; shift -= 4)
        if (n || (v >> shift & 0xf) || shift == 0)
            tmp[n++] = hex_lower[v >> shift & 0xf];
    sockshield_buf_mem(b, tmp, (size_t)n);
}

/* RFC 5952: lower case, no leading zeros, the longest run (the first of
 * equal ones) of two or more zero groups as "::", and ::ffff:a.b.c.d for
 * IPv4-mapped addresses (§5). */
static void ipv6(struct sockshield_buf *b, const unsigned char a[16])
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    unsigned g[8];
    int i, best = -1, best_len = 0, run = -1;

    if (memcmp(a, mapped, sizeof mapped) == 0) {
        sockshield_buf_str(b, "::ffff:");
        ipv4(b, a + 12);
        return;
    }
    for (i = 0; i < 8; i++)
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    for (i = 0; i <= 8; i++) {
        if (i < 8 && g[i] == 0) {
            if (run < 0)
                run = i;
        } else if (run >= 0) {
            if (i - run > best_len) {
                best = run;
                best_len = i - run;
            }
            run = -1;
        }
    }
    if (best_len < 2)
        best = -1;
    for (i = 0; i < 8; i++) {
        if (i == best) {
            sockshield_buf_str(b, "::");
            i += best_len - 1;
            continue;
        }
        if (i > 0 && i != best + best_len)
            sockshield_buf_char(b, ':');
        hex16(b, g[i]);
    }
}

void sockshield_buf_addr(struct sockshield_buf *b, const struct sockaddr *sa, socklen_t len)
{
    sa_family_t family;

    if (!sa || len < (socklen_t)sizeof family) {
        sockshield_buf_char(b, '?');
        return;
    }
    /* The caller's pointer may be unaligned (a byte buffer): copy out. */
    memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family), sizeof family);

    if (family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        struct sockaddr_in in;

        memcpy(&in, sa, sizeof in);
        ipv4(b, (const unsigned char *)&in.sin_addr);
        sockshield_buf_char(b, ':');
        sockshield_buf_u64(b, port_of(&in.sin_port));
    } else if (family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 in6;

        memcpy(&in6, sa, sizeof in6);
        sockshield_buf_char(b, '[');
        ipv6(b, in6.sin6_addr.s6_addr);
        /* A link-local address means nothing without its interface
         * (RFC 4007 §11): fe80::1%2. */
        if (in6.sin6_scope_id) {
            sockshield_buf_char(b, '%');
            sockshield_buf_u64(b, in6.sin6_scope_id);
        }
        sockshield_buf_str(b, "]:");
        sockshield_buf_u64(b, port_of(&in6.sin6_port));
    } else if (family == AF_UNIX) {
        /* unix(7): unnamed when only the family is there; abstract when
         * sun_path[0] is NUL, the name being the len - offset - 1 bytes after
         * it; a pathname otherwise, possibly without its terminating NUL. */
        const size_t off = offsetof(struct sockaddr_un, sun_path);
        const char *path = (const char *)sa + off;
        size_t n = len > sizeof(struct sockaddr_un) ? sizeof(struct sockaddr_un) : len;
        size_t i;

        if (n <= off) {
            sockshield_buf_str(b, "unnamed");
            return;
        }
        n -= off;
        if (path[0] != '\0') {
            const char *nul = memchr(path, '\0', n);

            sockshield_buf_mem(b, path, nul ? (size_t)(nul - path) : n);
            return;
        }
        for (i = 0; i < n; i++)
            sockshield_buf_char(b, path[i] ? path[i] : '@');
    } else {
        sockshield_buf_char(b, '?');
    }
}

/* ---- escaping --------------------------------------------------------------
 *
 * Both escapers write whole units (a byte, an escape sequence, a UTF-8
 * character) and always close their quotes, within at most `max` output
 * bytes.  They return false when the input did not fit; the public versions
 * then mark the buffer full, the record formatter keeps the shortened value
 * (a long program name must not push out the fields after it). */

static bool text_bare(const char *s, size_t n)
{
    size_t i;

    if (n == 0)
        return false;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x21 || c > 0x7e || c == '"' || c == '=' || c == '\\')
            return false;
    }
    return true;
}

static bool text_value_max(struct sockshield_buf *b, const char *s, size_t n, size_t max)
{
    size_t room = b->cap - b->len, i, used;

    if (max > room)
        max = room;
    if (b->full)
        return false;
    if (text_bare(s, n)) {
        if (n <= max) {
            sockshield_buf_mem(b, s, n);
            return true;
        }
        sockshield_buf_mem(b, s, max);
        return false;
    }
    if (max < 2)
        return false;
    used = 2; /* the quotes */
    sockshield_buf_char(b, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[4];
        size_t k;

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            k = 2;
        } else if (c == '\n') {
            esc[0] = '\\';
            esc[1] = 'n';
            k = 2;
        } else if (c == '\t') {
            esc[0] = '\\';
            esc[1] = 't';
            k = 2;
        } else if (c < 0x20 || c > 0x7e) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex_lower[c >> 4];
            esc[3] = hex_lower[c & 0xf];
            k = 4;
        } else {
            esc[0] = (char)c;
            k = 1;
        }
        if (used + k > max)
            break;
        sockshield_buf_mem(b, esc, k);
        used += k;
    }
    sockshield_buf_char(b, '"');
    return i == n;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629 table 4: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 when it is invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    size_t len, i;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;               /* continuation byte, C0, C1, F5..FF */
    if (c == 0xe0)
        lo = 0xa0;              /* overlong 3-byte */
    else if (c == 0xed)
        hi = 0x9f;              /* UTF-16 surrogates */
    else if (c == 0xf0)
        lo = 0x90;              /* overlong 4-byte */
    else if (c == 0xf4)
        hi = 0x8f;              /* above U+10FFFF */
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

static bool json_str_max(struct sockshield_buf *b, const char *s, size_t n, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t room = b->cap - b->len, i = 0, used;

    if (max > room)
        max = room;
    if (b->full || max < 2)
        return false;
    used = 2;
    sockshield_buf_char(b, '"');
    while (i < n) {
        unsigned char c = u[i];
        char esc[6];
        const char *out = esc;
        size_t k, adv = 1;

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            k = 2;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            k = 2;
        } else if (c >= 0x20 && c < 0x7f) {
            esc[0] = (char)c;
            k = 1;
        } else if (c >= 0x80 && (adv = utf8_len(u + i, n - i)) > 0) {
            out = s + i;
            k = adv;
        } else {
            /* Control bytes, DEL and each byte of an invalid sequence. */
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex_lower[c >> 4];
            esc[5] = hex_lower[c & 0xf];
            k = 6;
            adv = 1;
        }
        if (used + k > max)
            break;
        sockshield_buf_mem(b, out, k);
        used += k;
        i += adv;
    }
    sockshield_buf_char(b, '"');
    return i == n;
}

void sockshield_buf_text_value(struct sockshield_buf *b, const char *s, size_t n)
{
    if (!text_value_max(b, s, n, SIZE_MAX))
        b->full = true;
}

void sockshield_buf_json_str(struct sockshield_buf *b, const char *s, size_t n)
{
    if (!json_str_max(b, s, n, SIZE_MAX))
        b->full = true;
}

size_t sockshield_buf_finish_line(struct sockshield_buf *b)
{
    if (b->cap == 0)
        return 0;
    if (b->len < b->cap)
        b->p[b->len++] = '\n';
    else
        b->p[b->cap - 1] = '\n';
    b->full = true;
    return b->len;
}

/* ---- the record ------------------------------------------------------------
 *
 * Fields are appended whole or not at all: a field that does not fit is
 * taken back and the line ends there, so a short buffer gives a shorter
 * line that still parses (and in JSON, still closes).  Strings of unknown
 * length get an output budget; with cap 4096 every field fits whatever the
 * program name. */

#define PROG_MAX_OUT 256        /* a program name, escaped, quotes included */
#define SHORTENED_MIN 16        /* a shortened value shorter than this says nothing */

struct line {
    struct sockshield_buf b;
    enum sockshield_log_format format;
    bool first;                 /* JSON: no comma before the first key */
    size_t mark;
};

static void field_begin(struct line *l, const char *key)
{
    l->mark = l->b.len;
    if (l->format == SOCKSHIELD_FORMAT_JSON) {
        if (!l->first)
            sockshield_buf_char(&l->b, ',');
        sockshield_buf_char(&l->b, '"');
        sockshield_buf_str(&l->b, key);
        sockshield_buf_str(&l->b, "\":");
    } else {
        sockshield_buf_char(&l->b, ' ');
        if (key) {
            sockshield_buf_str(&l->b, key);
            sockshield_buf_char(&l->b, '=');
        }
    }
}

static void field_end(struct line *l, bool keep)
{
    if (l->b.full || !keep) {
        /* Take the field back; b.full stays set and drops the rest. */
        l->b.len = l->mark;
        l->b.full = true;
        return;
    }
    l->first = false;
}

/* A string value, escaped for the format.  With a budget (`shorten`), a
 * long value is cut at a whole character and kept (when at least
 * SHORTENED_MIN bytes of it fit); without one the value is all or nothing:
 * half an address or errno name would mislead. */
static void field_string(struct line *l, const char *key, const char *s, size_t n,
                         size_t shorten)
{
    size_t value_at;
    bool whole;

    if (!s) {
        s = "?";
        n = 1;
    }
    field_begin(l, key);
    value_at = l->b.len;
    if (l->b.full) {
        field_end(l, false);
        return;
    }
    if (l->format == SOCKSHIELD_FORMAT_JSON)
        whole = json_str_max(&l->b, s, n, shorten ? shorten : SIZE_MAX);
    else
        whole = text_value_max(&l->b, s, n, shorten ? shorten : SIZE_MAX);
    field_end(l, whole || (shorten && l->b.len - value_at >= SHORTENED_MIN));
}

static void field_cstr(struct line *l, const char *key, const char *s, size_t shorten)
{
    field_string(l, key, s, s ? strlen(s) : 0, shorten);
}

static void field_i64(struct line *l, const char *key, int64_t v)
{
    field_begin(l, key);
    sockshield_buf_i64(&l->b, v);
    field_end(l, true);
}

static void field_addr(struct line *l, const char *key, const struct sockaddr *sa,
                       socklen_t len)
{
    /* "@" and a full abstract name, or an IPv6 address with scope and port. */
    char raw[sizeof(struct sockaddr_un) + 8];
    struct sockshield_buf rb;

    sockshield_buf_init(&rb, raw, sizeof raw);
    sockshield_buf_addr(&rb, sa, len);
    field_string(l, key, raw, rb.len, 0);
}

size_t sockshield_format_record(char *out, size_t cap, const struct sockshield_record *r,
                                enum sockshield_log_format format)
{
    const bool json = format == SOCKSHIELD_FORMAT_JSON;
    /* Bytes kept back for the end of the line: '\n', and '}' for JSON. */
    const size_t tail = json ? 2 : 1;
    struct line l;
    char stamp[48];
    struct sockshield_buf tb;

    if (!out || cap == 0)
        return 0;
    if (cap <= tail) {
        out[0] = '\n';
        return 1;
    }
    sockshield_buf_init(&l.b, out, cap - tail);
    l.format = format;
    l.first = true;

    sockshield_buf_init(&tb, stamp, sizeof stamp);
    sockshield_buf_utc(&tb, r->sec, r->usec);

    if (json) {
        sockshield_buf_char(&l.b, '{');
        field_string(&l, "time", stamp, tb.len, 0);
    } else {
        sockshield_buf_str(&l.b, "sockshield:");
        if (l.b.full)
            l.b.len = 0;        /* not even the prefix: an empty line */
        field_begin(&l, NULL);
        sockshield_buf_mem(&l.b, stamp, tb.len);
        field_end(&l, true);
    }
    field_i64(&l, "pid", r->pid);
    field_i64(&l, "tid", r->tid);
    field_cstr(&l, "prog", r->prog, PROG_MAX_OUT);
    field_cstr(&l, "event", sockshield_event_name(r->event), 0);
    field_cstr(&l, "call", r->call, 0);
    field_i64(&l, "fd", r->fd);
    if (r->sock)
        field_cstr(&l, "sock", r->sock, 0);
    if (r->local)
        field_addr(&l, "local", r->local, r->local_len);
    if (r->peer)
        field_addr(&l, "peer", r->peer, r->peer_len);
    if (r->err)
        field_cstr(&l, "errno", r->err, 0);
    if (r->action)
        field_cstr(&l, "action", r->action, 0);
    if (r->repeat) {
        field_begin(&l, "repeat");
        sockshield_buf_u64(&l.b, r->repeat);
        field_end(&l, true);
    }
    if (r->suppressed) {
        field_begin(&l, "suppressed");
        sockshield_buf_u64(&l.b, r->suppressed);
        field_end(&l, true);
    }

    /* The reserved tail always fits. */
    l.b.cap = cap;
    l.b.full = false;
    if (json)
        sockshield_buf_char(&l.b, '}');     /* '{' fit: cap - tail >= 1 */
    return sockshield_buf_finish_line(&l.b);
}

/* ---- the summary -------------------------------------------------------------
 *
 * One record, so concurrent processes sharing a log file cannot interleave
 * their tables.  Room is kept back for the closing text (the "more rows"
 * line, or the JSON closers and "omitted") before each row is added. */

#define SUMMARY_TAIL 48

static size_t u64_len(uint64_t v)
{
    size_t n = 1;

    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static const char *row_event(const struct sockshield_summary_row *row)
{
    const char *name = sockshield_event_name(row->event);

    return name ? name : "?";
}

static size_t summary_text(struct sockshield_buf *b, size_t cap, const struct sockshield_summary *s,
                           const char *stamp, size_t stamp_len)
{
    static const char lead[] = "sockshield:   ";
    size_t ew = 5, cw = 4, nw = 5, i;

    sockshield_buf_str(b, "sockshield: ");
    sockshield_buf_mem(b, stamp, stamp_len);
    sockshield_buf_str(b, " summary pid=");
    sockshield_buf_i64(b, s->pid);
    sockshield_buf_str(b, " prog=");
    text_value_max(b, s->prog ? s->prog : "?", s->prog ? strlen(s->prog) : 1, PROG_MAX_OUT);
    sockshield_buf_str(b, " events=");
    sockshield_buf_u64(b, s->events);
    sockshield_buf_str(b, " unlogged=");
    sockshield_buf_u64(b, s->unlogged);
    sockshield_buf_char(b, '\n');
    if (b->full || s->nrows == 0)
        return 0;

    for (i = 0; i < s->nrows; i++) {
        size_t e = strlen(row_event(&s->rows[i])), c = s->rows[i].call ? strlen(s->rows[i].call) : 1;
        size_t n = u64_len(s->rows[i].count);

        ew = e > ew ? e : ew;
        cw = c > cw ? c : cw;
        nw = n > nw ? n : nw;
    }
    const size_t line = sizeof lead - 1 + ew + 2 + cw + 2 + nw + 1;
    if (b->len + line > cap || cap - b->len - line < SUMMARY_TAIL)
        return s->nrows;
    sockshield_buf_str(b, lead);
    sockshield_buf_str_width(b, "event", (unsigned)(ew + 2));
    sockshield_buf_str_width(b, "call", (unsigned)(cw + 2));
    pad(b, nw - 5);
    sockshield_buf_str(b, "count\n");
    for (i = 0; i < s->nrows; i++) {
        const struct sockshield_summary_row *row = &s->rows[i];
        bool last = i + 1 == s->nrows;

        /* The last row may use the room kept for the "more rows" line. */
        if (b->len + line > cap || (!last && cap - b->len - line < SUMMARY_TAIL))
            return s->nrows - i;
        sockshield_buf_str(b, lead);
        sockshield_buf_str_width(b, row_event(row), (unsigned)(ew + 2));
        sockshield_buf_str_width(b, row->call ? row->call : "?", (unsigned)(cw + 2));
        sockshield_buf_u64_width(b, row->count, (unsigned)nw);
        sockshield_buf_char(b, '\n');
    }
    return 0;
}

static size_t summary_json(struct sockshield_buf *b, size_t cap, const struct sockshield_summary *s,
                           const char *stamp, size_t stamp_len)
{
    const char *open = NULL; /* the event whose object is open */
    size_t i;

    sockshield_buf_str(b, "{\"time\":");
    json_str_max(b, stamp, stamp_len, SIZE_MAX);
    sockshield_buf_str(b, ",\"pid\":");
    sockshield_buf_i64(b, s->pid);
    sockshield_buf_str(b, ",\"prog\":");
    json_str_max(b, s->prog ? s->prog : "?", s->prog ? strlen(s->prog) : 1, PROG_MAX_OUT);
    sockshield_buf_str(b, ",\"summary\":{\"events\":");
    sockshield_buf_u64(b, s->events);
    sockshield_buf_str(b, ",\"unlogged\":");
    sockshield_buf_u64(b, s->unlogged);
    sockshield_buf_str(b, ",\"counts\":{");
    for (i = 0; i < s->nrows && !b->full; i++) {
        const struct sockshield_summary_row *row = &s->rows[i];
        const char *ev = row_event(row);
        char frag[128];
        struct sockshield_buf f;

        sockshield_buf_init(&f, frag, sizeof frag);
        if (!open || strcmp(open, ev) != 0) {
            if (open)
                sockshield_buf_str(&f, "},");
            sockshield_buf_char(&f, '"');
            sockshield_buf_str(&f, ev);
            sockshield_buf_str(&f, "\":{");
        } else {
            sockshield_buf_char(&f, ',');
        }
        sockshield_buf_char(&f, '"');
        sockshield_buf_str(&f, row->call ? row->call : "?");
        sockshield_buf_str(&f, "\":");
        sockshield_buf_u64(&f, row->count);
        if (f.full || b->len + f.len > cap || cap - b->len - f.len < SUMMARY_TAIL)
            break;
        sockshield_buf_mem(b, frag, f.len);
        open = ev;
    }
    if (open)
        sockshield_buf_char(b, '}');
    sockshield_buf_char(b, '}');
    if (i < s->nrows) {
        sockshield_buf_str(b, ",\"omitted\":");
        sockshield_buf_u64(b, s->nrows - i);
    }
    sockshield_buf_str(b, "}}\n");
    return 0;
}

size_t sockshield_format_summary(char *out, size_t cap, const struct sockshield_summary *s,
                                 enum sockshield_log_format format)
{
    char stamp[48];
    struct sockshield_buf tb, b;
    size_t more;

    if (!out || cap == 0)
        return 0;
    sockshield_buf_init(&tb, stamp, sizeof stamp);
    sockshield_buf_utc(&tb, s->sec, s->usec);
    /* The header and JSON closers need this much whatever the rows. */
    if (cap < 512 + PROG_MAX_OUT) {
        out[0] = '\n';
        return 1;
    }
    sockshield_buf_init(&b, out, cap);
    if (format == SOCKSHIELD_FORMAT_JSON) {
        summary_json(&b, cap, s, stamp, tb.len);
        return b.len;
    }
    more = summary_text(&b, cap, s, stamp, tb.len);
    if (more) {
        sockshield_buf_str(&b, "sockshield:   (");
        sockshield_buf_u64(&b, more);
        sockshield_buf_str(&b, " more rows)\n");
    }
    return b.len;
}
