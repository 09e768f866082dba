/* The README's first command (tools/install-deps, without arguments, which
 * .ci/run calls too) installs every Debian package a test names when its
 * program or library is missing, so that `make check` on a fresh machine
 * has no failure and no skip for a missing program.  The packages are
 * read from the tests' sources: ss_need_program(NAME, PACKAGE), the other
 * preloads of test_preloads.c, and every "install the Debian package X". */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static char *source(const char *rel)
{
    const char *top = getenv("SOCKSHIELD_TEST_SRCDIR");
    cr_assert(top && *top, "SOCKSHIELD_TEST_SRCDIR is not set");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", top, rel);
    char *text = ss_slurp(path, NULL);
    cr_assert_not_null(text, "cannot read %s", path);
    return text;
}

struct names {
    char v[64][64];
    char from[64][128];
    int n;
};

static void add(struct names *ns, const char *p, size_t n, const char *from)
{
    if (n == 0 || n >= sizeof ns->v[0])
        return;
    for (int i = 0; i < ns->n; i++)
        if (strlen(ns->v[i]) == n && !memcmp(ns->v[i], p, n))
            return;
    cr_assert_lt(ns->n, 64);
    memcpy(ns->v[ns->n], p, n);
    ns->v[ns->n][n] = '\0';
    snprintf(ns->from[ns->n], sizeof ns->from[0], "%s", from);
    ns->n++;
}

static size_t package_len(const char *p)
{
    size_t n = 0;
    while (islower((unsigned char)p[n]) || isdigit((unsigned char)p[n]) || p[n] == '-' ||
           p[n] == '.' || p[n] == '+')
        n++;
    return n;
}

/* The second string of every `call("x", "PACKAGE"` in text. */
static void second_strings(struct names *ns, const char *text, const char *call,
                           const char *from)
{
    for (const char *p = text; (p = strstr(p, call)); p++) {
        const char *q = p + strlen(call);
        if (*q != '"')
            continue;
        q = strchr(q + 1, '"');
        if (!q || strncmp(q, "\", \"", 4))
            continue;
        q += 4;
        add(ns, q, package_len(q), from);
    }
}

/* A test written in sh (tests/integ/syscalls): no dot in its name, and
 * "#!" first. */
static bool script(const char *rel)
{
    if (strchr(strrchr(rel, '/') + 1, '.'))
        return false;
    char path[4096], head[2] = { 0, 0 };
    snprintf(path, sizeof path, "%s/%s", getenv("SOCKSHIELD_TEST_SRCDIR"), rel);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool yes = fread(head, 1, 2, f) == 2 && head[0] == '#' && head[1] == '!';
    fclose(f);
    return yes;
}

static void scan(struct names *ns, const char *dir)
{
    const char *top = getenv("SOCKSHIELD_TEST_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", top, dir);
    DIR *d = opendir(path);
    cr_assert_not_null(d, "cannot list %s", path);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        char rel[512];
        snprintf(rel, sizeof rel, "%s/%s", dir, e->d_name);
        if ((l < 3 || strcmp(e->d_name + l - 2, ".c")) && !script(rel))
            continue;
        char *text = source(rel);
        second_strings(ns, text, "ss_need_program(", rel);
        if (!strcmp(e->d_name, "test_preloads.c")) {
            const char *t = strstr(text, "others[] = {");
            cr_assert_not_null(t, "no others[] table in %s", rel);
            const char *end = strstr(t, "};");
            cr_assert_not_null(end);
            char *table = strndup(t, (size_t)(end - t));
            second_strings(ns, table, "{ ", rel);
            free(table);
        }
        static const char said[] = "install the Debian package ";
        for (const char *p = text; (p = strstr(p, said)); p++) {
            const char *q = p + strlen(said);
            if (*q == '\'')
                q++;
            add(ns, q, package_len(q), rel);
        }
        free(text);
    }
    closedir(d);
}

/* Essential packages are on every Debian system: nothing to install. */
static bool essential(const char *pkg)
{
    struct ss_env e;
    ss_env_init(&e, false);
    const char *argv[] = { "/usr/bin/dpkg-query", "-W", "-f=${Essential}", pkg, NULL };
    struct ss_run r;
    ss_run(&r, argv, &e, -1, 30);
    bool yes = ss_exited(&r, 0) && !strcmp(r.out, "yes");
    ss_run_free(&r);
    ss_env_free(&e);
    return yes;
}

Test(installdeps, installs_every_package_a_test_names)
{
    struct names ns = { .n = 0 };
    scan(&ns, "tests/integ");
    scan(&ns, "tests/common");
    scan(&ns, "tests/unit");
    cr_assert_geq(ns.n, 10, "too few packages found in the tests: %d", ns.n);
    char *script = source("tools/install-deps");
    /* the lists the script installs without arguments */
    const char *b = strstr(script, "\nbuild=\"");
    const char *c = strstr(script, "\ncheck=\"");
    cr_assert(b && c, "no build= and check= lists in tools/install-deps");
    char lists[4096];
    const char *be = strchr(b + 8, '"'), *ce = strchr(c + 8, '"');
    cr_assert(be && ce);
    snprintf(lists, sizeof lists, " %.*s %.*s ", (int)(be - b - 8), b + 8, (int)(ce - c - 8),
             c + 8);
    for (char *p = lists; *p; p++)
        if (*p == '\n' || *p == '\\' || *p == '\t')
            *p = ' ';
    for (int i = 0; i < ns.n; i++) {
        char word[80];
        snprintf(word, sizeof word, " %s ", ns.v[i]);
        cr_expect(strstr(lists, word) || essential(ns.v[i]),
                  "%s names the package %s, which tools/install-deps does not install "
                  "(its lists:%s)", ns.from[i], ns.v[i], lists);
    }
    free(script);
}
