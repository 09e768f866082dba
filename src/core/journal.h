/* The datagrams of SOCKSHIELD_LOG=journal: journald's native protocol, built
 * without allocation into a caller's buffer (the sink in log.c sends them).
 *
 * A datagram is a list of fields, each either
 *     KEY=value\n                              (a value without a newline)
 *     KEY\n<value length, 64-bit little-endian>value\n   (any bytes)
 * KEY is upper-case letters, digits and '_'.  Each event is one datagram
 * with MESSAGE (its text or JSON line, without the "sockshield: " prefix
 * and the newline), PRIORITY=4 (warning), SYSLOG_IDENTIFIER=sockshield,
 * SYSLOG_PID, and one SOCKSHIELD_* field per field of the line.  Pure code,
 * unit tested (tests/unit/test_journal.c). */
#ifndef SOCKSHIELD_JOURNAL_H
#define SOCKSHIELD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "fmt.h"

/* Everything but the message is built in head; the message stays where the
 * caller formatted it (iov[1]), so nothing is copied twice. */
#define SOCKSHIELD_JOURNAL_HEAD 2048

struct sockshield_journal {
    char head[SOCKSHIELD_JOURNAL_HEAD];
    char msglen[9];      /* "\n" and the length, when MESSAGE needs it */
    struct iovec iov[4]; /* head, "MESSAGE" form, the message, "\n" */
    size_t len;          /* the whole datagram */
};

/* Takes "sockshield: " off the start of every line of text and the last
 * newline off its end, in place; returns the new length.  A JSON line has
 * no prefix and only loses its newline. */
size_t sockshield_journal_strip(char *text, size_t n);

/* The datagram of one event whose (stripped) line is msg.  False when the
 * fields do not fit in head: the caller drops the event and counts it. */
bool sockshield_journal_event(struct sockshield_journal *j, const struct sockshield_record *r,
                              const char *msg, size_t msglen);

/* The datagram of an exit summary: MESSAGE is the summary record (stripped),
 * PRIORITY=6 (info), SOCKSHIELD_SUMMARY=1, SOCKSHIELD_EVENTS,
 * SOCKSHIELD_UNLOGGED and one SOCKSHIELD_COUNT_<EVENT>_<CALL>=N per row
 * (rows beyond the head's room are counted in SOCKSHIELD_OMITTED; MESSAGE
 * has them). */
bool sockshield_journal_summary(struct sockshield_journal *j, const struct sockshield_summary *s,
                                const char *msg, size_t msglen);

#endif
