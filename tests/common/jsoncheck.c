/* A strict JSON checker for one-object lines (jsoncheck.h). */
#include "jsoncheck.h"

#include <string.h>

struct json {
    const unsigned char *s;
    size_t n, i;
    struct jc_member *m;    /* top-level members, when wanted */
    int max, count;
};

static bool json_value(struct json *j, int depth);

static void json_ws(struct json *j)
{
    while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' ||
                           j->s[j->i] == '\r'))
        j->i++;
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex_value(unsigned char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

size_t jc_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c;
    unsigned long cp;
    size_t len, k;

    if (n == 0)
        return 0;
    c = s[0];
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
        return 0;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

bool jc_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k;

    while (i < n) {
        k = jc_utf8_len(u + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

static bool json_string(struct json *j)
{
    if (j->i >= j->n || j->s[j->i] != '"')
        return false;
    j->i++;
    while (j->i < j->n) {
        unsigned char c = j->s[j->i];
        size_t k;

        if (c == '"') {
            j->i++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (j->i + 1 >= j->n)
                return false;
            c = j->s[j->i + 1];
            if (c && strchr("\"\\/bfnrt", c)) {
                j->i += 2;
            } else if (c == 'u') {
                if (j->i + 6 > j->n)
                    return false;
                for (k = 2; k < 6; k++)
                    if (!is_hex(j->s[j->i + k]))
                        return false;
                j->i += 6;
            } else {
                return false;
            }
            continue;
        }
        k = jc_utf8_len(j->s + j->i, j->n - j->i);
        if (!k)
            return false;
        j->i += k;
    }
    return false;
}

static bool json_number(struct json *j)
{
    size_t start;

    if (j->i < j->n && j->s[j->i] == '-')
        j->i++;
    if (j->i >= j->n)
        return false;
    if (j->s[j->i] == '0') {
        j->i++;
    } else if (j->s[j->i] >= '1' && j->s[j->i] <= '9') {
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
            j->i++;
    } else {
        return false;
    }
    if (j->i < j->n && j->s[j->i] == '.') {
        start = ++j->i;
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
            j->i++;
        if (j->i == start)
            return false;
    }
    if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
            j->i++;
        start = j->i;
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
            j->i++;
        if (j->i == start)
            return false;
    }
    return true;
}

static bool json_literal(struct json *j, const char *lit)
{
    size_t k = strlen(lit);

    if (j->n - j->i < k || memcmp(j->s + j->i, lit, k) != 0)
        return false;
    j->i += k;
    return true;
}

static bool json_value(struct json *j, int depth)
{
    unsigned char c;

    if (depth > 32)
        return false;
    json_ws(j);
    if (j->i >= j->n)
        return false;
    c = j->s[j->i];
    if (c == '{' || c == '[') {
        unsigned char close = c == '{' ? '}' : ']';

        j->i++;
        json_ws(j);
        if (j->i < j->n && j->s[j->i] == close) {
            j->i++;
            return true;
        }
        for (;;) {
            size_t key_at = 0, key_end = 0, val_at;

            json_ws(j);
            if (c == '{') {
                key_at = j->i;
                if (!json_string(j))
                    return false;
                key_end = j->i;
                json_ws(j);
                if (j->i >= j->n || j->s[j->i] != ':')
                    return false;
                j->i++;
            }
            json_ws(j);
            val_at = j->i;
            if (!json_value(j, depth + 1))
                return false;
            if (c == '{' && depth == 0) {
                if (j->m && j->count < j->max) {
                    struct jc_member *m = &j->m[j->count];

                    m->key = (const char *)j->s + key_at + 1;
                    m->key_len = key_end - key_at - 2;
                    m->val = (const char *)j->s + val_at;
                    m->val_len = j->i - val_at;
                }
                j->count++;
            }
            json_ws(j);
            if (j->i >= j->n)
                return false;
            if (j->s[j->i] == close) {
                j->i++;
                return true;
            }
            if (j->s[j->i] != ',')
                return false;
            j->i++;
        }
    }
    if (c == '"')
        return json_string(j);
    if (c == 't')
        return json_literal(j, "true");
    if (c == 'f')
        return json_literal(j, "false");
    if (c == 'n')
        return json_literal(j, "null");
    return json_number(j);
}

static int line_members(const char *s, size_t n, struct jc_member *m, int max)
{
    struct json j = { (const unsigned char *)s, n, 0, m, max, 0 };

    if (n < 3 || s[n - 1] != '\n' || memchr(s, '\n', n - 1) || s[0] != '{')
        return -1;
    j.n = n - 1;
    if (!json_value(&j, 0))
        return -1;
    json_ws(&j);
    return j.i == j.n ? j.count : -1;
}

bool jc_line_valid(const char *s, size_t n)
{
    return line_members(s, n, NULL, 0) >= 0;
}

int jc_members(const char *s, size_t n, struct jc_member *m, int max)
{
    return line_members(s, n, m, max);
}

bool jc_string_bytes(const char *val, size_t n, char *out, size_t cap, size_t *out_len)
{
    struct json j = { (const unsigned char *)val, n, 0, NULL, 0, 0 };
    const unsigned char *s = (const unsigned char *)val;
    size_t i, o = 0;

    if (!json_string(&j) || j.i != n)
        return false;
    for (i = 1; i < n - 1; i++) {
        unsigned char c = s[i];

        if (c == '\\') {
            c = s[++i];
            switch (c) {
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u':
                if (s[i + 1] != '0' || s[i + 2] != '0')
                    return false;
                c = (unsigned char)(hex_value(s[i + 3]) << 4 | hex_value(s[i + 4]));
                i += 4;
                break;
            default: break;     /* \" \\ \/ */
            }
        }
        if (o == cap)
            return false;
        out[o++] = (char)c;
    }
    *out_len = o;
    return true;
}
