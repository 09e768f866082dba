/* journald's native protocol parsed back, as journald parses it: KEY=value
 * lines, or KEY, a newline, a 64-bit little-endian length and that many
 * bytes of any kind, then a newline (tests of SOCKSHIELD_LOG=journal). */
#ifndef SOCKSHIELD_TEST_JOURNALPARSE_H
#define SOCKSHIELD_TEST_JOURNALPARSE_H

#include <stdbool.h>
#include <stddef.h>

struct jfield {
    char key[80];
    char val[8192];
    size_t len;
    bool binary;
};

struct jparsed {
    struct jfield f[200];
    int n;
};

/* Fails the test on any malformed field or key. */
void jparse(const char *d, size_t n, struct jparsed *p);
/* The one field KEY (fails the test when it is there twice), or NULL. */
const struct jfield *jget(const struct jparsed *p, const char *key);
/* KEY is there once, with exactly VAL. */
void jexpect(const struct jparsed *p, const char *key, const char *val);

#endif
