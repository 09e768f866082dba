#include "journalparse.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

static bool valid_key(const char *k, size_t n)
{
    if (n == 0 || n > 64 || k[0] == '_' || (k[0] >= '0' && k[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return false;
    return true;
}

void jparse(const char *d, size_t n, struct jparsed *p)
{
    p->n = 0;
    size_t i = 0;
    while (i < n) {
        cr_assert_lt(p->n, 200);
        struct jfield *f = &p->f[p->n++];
        const char *eq = memchr(d + i, '=', n - i);
        const char *nl = memchr(d + i, '\n', n - i);
        cr_assert_not_null(nl, "a field without its newline at %zu", i);
        if (eq && eq < nl) {
            size_t kl = (size_t)(eq - (d + i));
            cr_assert(valid_key(d + i, kl), "bad key %.*s", (int)kl, d + i);
            memcpy(f->key, d + i, kl);
            f->key[kl] = '\0';
            f->len = (size_t)(nl - eq - 1);
            memcpy(f->val, eq + 1, f->len);
            f->binary = false;
            i = (size_t)(nl - d) + 1;
        } else {
            size_t kl = (size_t)(nl - (d + i));
            cr_assert(valid_key(d + i, kl), "bad key %.*s", (int)kl, d + i);
            memcpy(f->key, d + i, kl);
            f->key[kl] = '\0';
            i += kl + 1;
            cr_assert_leq(i + 8, n, "no length after %s", f->key);
            uint64_t len = 0;
            for (int b = 7; b >= 0; b--)
                len = len << 8 | (unsigned char)d[i + (size_t)b];
            i += 8;
            cr_assert_leq(i + len + 1, n, "%s: length %llu beyond the datagram", f->key,
                          (unsigned long long)len);
            cr_assert_lt(len, sizeof f->val);
            memcpy(f->val, d + i, len);
            f->len = len;
            f->binary = true;
            i += len;
            cr_assert_eq(d[i], '\n', "%s: no newline after the value", f->key);
            i++;
        }
        f->val[f->len] = '\0';
    }
}

const struct jfield *jget(const struct jparsed *p, const char *key)
{
    const struct jfield *found = NULL;
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->f[i].key, key)) {
            cr_assert_null(found, "%s twice", key);
            found = &p->f[i];
        }
    return found;
}

void jexpect(const struct jparsed *p, const char *key, const char *val)
{
    const struct jfield *f = jget(p, key);
    cr_assert_not_null(f, "no %s", key);
    cr_expect_eq(f->len, strlen(val), "%s: %zu bytes [%s], want [%s]", key, f->len, f->val, val);
    cr_expect_str_eq(f->val, val, "%s", key);
}

