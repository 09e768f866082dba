/* A strict JSON checker (RFC 8259) for the log's one-object lines, shared by
 * the formatter's unit tests and the formatter's fuzz target, so both judge
 * lines by the same rules.  Plain C: no Criterion, no allocation, no locale.
 *
 * Strings must be strict UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF), control bytes must be escaped, numbers follow the
 * grammar exactly (no leading zeros, no "1.", no "+1"). */
#ifndef SOCKSHIELD_TEST_JSONCHECK_H
#define SOCKSHIELD_TEST_JSONCHECK_H

#include <stdbool.h>
#include <stddef.h>

/* One JSON object, then exactly one '\n', nothing else. */
bool jc_line_valid(const char *s, size_t n);

/* Length of the strict UTF-8 sequence at s (1..4), 0 when invalid. */
size_t jc_utf8_len(const unsigned char *s, size_t n);
/* Whether all n bytes are strict UTF-8. */
bool jc_utf8_valid(const char *s, size_t n);

/* A top-level member of a line's object: the key as written (without its
 * quotes, escapes left as they are) and the value's text. */
struct jc_member {
    const char *key, *val;
    size_t key_len, val_len;
};

/* The members of a valid line, in order; at most max are stored.  Returns
 * their number (which may exceed max), or -1 when the line is not valid. */
int jc_members(const char *s, size_t n, struct jc_member *m, int max);

/* The bytes a JSON string value (with its quotes) stands for, under the
 * formatter's convention that \u0000..\u00ff stand for one raw byte (how it
 * writes control bytes and each byte of invalid UTF-8); any other \u escape
 * is refused.  Returns false on an invalid or refused string, or when the
 * bytes do not fit in cap. */
bool jc_string_bytes(const char *val, size_t n, char *out, size_t cap, size_t *out_len);

#endif
