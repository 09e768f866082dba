/* journald's native protocol (journal.h).  Async-signal-safe: no malloc, no
 * stdio, only the caller's buffer and the bounded appends of fmt.h. */
#include "journal.h"

#include <string.h>

static const char prefix[] = "sockshield: ";
/* A longer program name is cut here (the text line has it whole, escaped,
 * up to its own limit). */
#define PROG_MAX 512
#define PREFIX_LEN (sizeof prefix - 1)

size_t sockshield_journal_strip(char *text, size_t n)
{
    size_t in = 0, out = 0;
    while (in < n) {
        if (n - in >= PREFIX_LEN && memcmp(text + in, prefix, PREFIX_LEN) == 0)
            in += PREFIX_LEN;
        const char *nl = memchr(text + in, '\n', n - in);
        size_t len = nl ? (size_t)(nl - (text + in)) + 1 : n - in;
        memmove(text + out, text + in, len);
        in += len;
        out += len;
    }
    if (out > 0 && text[out - 1] == '\n')
        out--;
    return out;
}

/* A field is written as KEY, then nine reserved bytes, then the value; when
 * the value is done, the reserve becomes "\n" and its length (binary form)
 * if the value holds a newline, or "=" with the value moved up next to it. */
static size_t field_begin(struct sockshield_buf *b, const char *key)
{
    static const char reserve[9] = { 0 };
    sockshield_buf_str(b, key);
    sockshield_buf_mem(b, reserve, sizeof reserve);
    return b->len;
}

static void put_le64(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)(v >> (8 * i));
}

static void field_end(struct sockshield_buf *b, size_t mark)
{
    if (b->full)
        return;
    char *v = b->p + mark;
    size_t n = b->len - mark;
    if (memchr(v, '\n', n)) {
        v[-9] = '\n';
        put_le64(v - 8, n);
    } else {
        v[-9] = '=';
        memmove(v - 8, v, n);
        b->len -= 8;
    }
    sockshield_buf_char(b, '\n');
}

static void field_str(struct sockshield_buf *b, const char *key, const char *s, size_t n)
{
    size_t mark = field_begin(b, key);
    sockshield_buf_mem(b, s, n);
    field_end(b, mark);
}

static void field_u64(struct sockshield_buf *b, const char *key, uint64_t v)
{
    sockshield_buf_str(b, key);
    sockshield_buf_char(b, '=');
    sockshield_buf_u64(b, v);
    sockshield_buf_char(b, '\n');
}

static void field_i64(struct sockshield_buf *b, const char *key, int64_t v)
{
    sockshield_buf_str(b, key);
    sockshield_buf_char(b, '=');
    sockshield_buf_i64(b, v);
    sockshield_buf_char(b, '\n');
}

static void field_addr(struct sockshield_buf *b, const char *key, const struct sockaddr *sa,
                       socklen_t len)
{
    size_t mark = field_begin(b, key);
    sockshield_buf_addr(b, sa, len);
    field_end(b, mark);
}

/* The common part and the message; false when head overflowed. */
static bool finish(struct sockshield_journal *j, struct sockshield_buf *b, const char *msg,
                   size_t msglen)
{
    if (memchr(msg, '\n', msglen)) {
        sockshield_buf_str(b, "MESSAGE");
        j->msglen[0] = '\n';
        put_le64(j->msglen + 1, msglen);
        j->iov[1].iov_base = j->msglen;
        j->iov[1].iov_len = 9;
    } else {
        sockshield_buf_str(b, "MESSAGE");
        j->msglen[0] = '=';
        j->iov[1].iov_base = j->msglen;
        j->iov[1].iov_len = 1;
    }
    if (b->full)
        return false;
    j->iov[0].iov_base = j->head;
    j->iov[0].iov_len = b->len;
    j->iov[2].iov_base = (void *)msg;
    j->iov[2].iov_len = msglen;
    j->iov[3].iov_base = (void *)"\n";
    j->iov[3].iov_len = 1;
    j->len = b->len + j->iov[1].iov_len + msglen + 1;
    return true;
}

static void common(struct sockshield_buf *b, int priority, long pid, const char *prog)
{
    sockshield_buf_str(b, "PRIORITY=");
    sockshield_buf_char(b, (char)('0' + priority));
    sockshield_buf_str(b, "\nSYSLOG_IDENTIFIER=sockshield\n");
    field_i64(b, "SYSLOG_PID", pid);
    if (prog)
        field_str(b, "SOCKSHIELD_PROG", prog, strnlen(prog, PROG_MAX));
}

bool sockshield_journal_event(struct sockshield_journal *j, const struct sockshield_record *r,
                              const char *msg, size_t msglen)
{
    struct sockshield_buf b;
    sockshield_buf_init(&b, j->head, sizeof j->head);
    common(&b, 4, r->pid, r->prog);
    field_i64(&b, "SOCKSHIELD_TID", r->tid);
    const char *ev = sockshield_event_name(r->event);
    if (ev)
        field_str(&b, "SOCKSHIELD_EVENT", ev, strlen(ev));
    if (r->call)
        field_str(&b, "SOCKSHIELD_CALL", r->call, strlen(r->call));
    field_i64(&b, "SOCKSHIELD_FD", r->fd);
    if (r->sock)
        field_str(&b, "SOCKSHIELD_SOCK", r->sock, strlen(r->sock));
    if (r->local)
        field_addr(&b, "SOCKSHIELD_LOCAL", r->local, r->local_len);
    if (r->peer)
        field_addr(&b, "SOCKSHIELD_PEER", r->peer, r->peer_len);
    if (r->err)
        field_str(&b, "SOCKSHIELD_ERRNO", r->err, strlen(r->err));
    if (r->repeat)
        field_u64(&b, "SOCKSHIELD_REPEAT", r->repeat);
    if (r->suppressed)
        field_u64(&b, "SOCKSHIELD_SUPPRESSED", r->suppressed);
    return finish(j, &b, msg, msglen);
}

/* Field names are upper case, digits and '_': recv -> RECV. */
static void upper(struct sockshield_buf *b, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            c = '_';
        sockshield_buf_char(b, c);
    }
}

/* Room kept for a row and the MESSAGE key after it. */
#define ROW_ROOM 96

bool sockshield_journal_summary(struct sockshield_journal *j, const struct sockshield_summary *s,
                                const char *msg, size_t msglen)
{
    struct sockshield_buf b;
    sockshield_buf_init(&b, j->head, sizeof j->head);
    common(&b, 6, s->pid, s->prog);
    sockshield_buf_str(&b, "SOCKSHIELD_SUMMARY=1\n");
    field_u64(&b, "SOCKSHIELD_EVENTS", s->events);
    field_u64(&b, "SOCKSHIELD_UNLOGGED", s->unlogged);
    uint64_t omitted = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        const char *ev = sockshield_event_name(s->rows[i].event);
        if (!ev || !s->rows[i].call)
            continue;
        if (b.cap - b.len < 2 * ROW_ROOM) {
            omitted++; /* the message has every row the text could hold */
            continue;
        }
        sockshield_buf_str(&b, "SOCKSHIELD_COUNT_");
        upper(&b, ev);
        sockshield_buf_char(&b, '_');
        upper(&b, s->rows[i].call);
        sockshield_buf_char(&b, '=');
        sockshield_buf_u64(&b, s->rows[i].count);
        sockshield_buf_char(&b, '\n');
    }
    if (omitted)
        field_u64(&b, "SOCKSHIELD_OMITTED", omitted);
    return finish(j, &b, msg, msglen);
}
