/* The man pages: generated, lint-clean, and in step with the code.
 *
 * groff -ww (every warning) and mandoc -Tlint must say nothing about
 * either generated page, sockshield(1) or libsockshield(7).  sockshield(1)
 * is rendered to plain text and compared with `sockshield --help` (every
 * option both ways, every default), with the variables and their defaults
 * as the core library reads them (src/core/config.c, through
 * sockshield_config_variable), and with its event names, so that neither
 * side can change alone.  libsockshield(7), the library's behaviour, is
 * checked for every event name (and whether it is logged by default), and
 * for naming no variable that the library does not read. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "event.h"
#include "harness.h"
#include "programs.h"

#define TIMEOUT 60.0

static const char *must_env(const char *name)
{
    const char *v = getenv(name);
    cr_assert(v && *v, "%s is not set: run the tests through 'make check'", name);
    return v;
}

static const char *manpage(void)
{
    return must_env("SOCKSHIELD_TEST_MANPAGE");
}

/* libsockshield(7), generated next to sockshield(1). */
static const char *manpage7(void)
{
    static char path[4200];
    const char *one = manpage();
    const char *slash = strrchr(one, '/');
    int dir = slash ? (int)(slash - one + 1) : 0;
    snprintf(path, sizeof path, "%.*slibsockshield.7", dir, one);
    return path;
}

static void run(struct ss_run *r, const char *const argv[])
{
    struct ss_env e;
    ss_env_init(&e, false);
    ss_run(r, argv, &e, -1, TIMEOUT);
    ss_env_free(&e);
}

/* groff, which the sanitizer build cannot run: its troff frees with
 * delete[] memory it took from malloc, and the ASan runtime, which the
 * harness preloads into every program there, aborts on that mismatch
 * (LD_PRELOAD=libasan.so groff alone does; our library is not loaded).
 * The normal build runs every groff test; mandoc's runs in both. */
static const char *need_groff(void)
{
    if (ss_sanitizers())
        cr_skip_test("groff's troff has an alloc-dealloc mismatch of its own, fatal with the ASan "
                     "runtime preloaded");
    return ss_need_program("groff", "groff-base");
}

/* PAGE as plain text: tables laid out, no hyphenation, lines long enough
 * that no option or value is broken, no bold or underlining. */
static char *rendered_page(const char *page)
{
    const char *groff = need_groff();
    const char *argv[] = { groff, "-t", "-man", "-Tascii", "-rLL=250n", "-rHY=0", "-P-cbou",
                           page, NULL };
    struct ss_run r;
    run(&r, argv);
    cr_assert(ss_exited(&r, 0) && r.out_len > 1000, "groff: %s", ss_describe(&r));
    char *text = strdup(r.out);
    ss_run_free(&r);
    return text;
}

static char *rendered(void)
{
    return rendered_page(manpage());
}

/* The text of section NAME (from its heading to the next heading), malloc'ed. */
static char *section(const char *text, const char *name)
{
    char head[64];
    snprintf(head, sizeof head, "\n%s\n", name);
    const char *s = strstr(text, head);
    cr_assert(s, "no section %s in the rendered page", name);
    s += strlen(head);
    const char *e = s;
    /* Headings start in column 0 with a capital. */
    while ((e = strchr(e, '\n')) && !(e[1] >= 'A' && e[1] <= 'Z'))
        e++;
    return strndup(s, e ? (size_t)(e - s) : strlen(s));
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* WORD occurs in TEXT with no word character on either side. */
static bool has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; (p = strstr(p, word)); p++)
        if ((p == text || !is_word_char(p[-1])) && !is_word_char(p[n]))
            return true;
    return false;
}

/* ---- lint ------------------------------------------------------------------- */

/* With tbl (-t), as man(1) runs it for a page that starts with '\" t. */
static void expect_groff_silent(const char *page)
{
    const char *groff = need_groff();
    /* groff exits 0 even when it warns: the verdict is its silence. */
    const char *argv[] = { groff, "-t", "-man", "-ww", "-z", page, NULL };
    struct ss_run r;
    run(&r, argv);
    cr_expect(ss_exited(&r, 0), "%s: %s", page, ss_describe(&r));
    cr_expect_str_eq(r.err, "", "groff warns about %s: %s", page, r.err);
    cr_expect_str_eq(r.out, "");
    ss_run_free(&r);
}

static void expect_mandoc_silent(const char *page)
{
    const char *mandoc = ss_need_program("mandoc", "mandoc");
    const char *argv[] = { mandoc, "-Tlint", page, NULL };
    struct ss_run r;
    run(&r, argv);
    cr_expect(ss_exited(&r, 0), "%s: %s", page, ss_describe(&r));
    cr_expect_str_eq(r.out, "", "mandoc about %s: %s", page, r.out);
    cr_expect_str_eq(r.err, "", "mandoc about %s: %s", page, r.err);
    ss_run_free(&r);
}

Test(manpage, groff_with_every_warning_says_nothing)
{
    expect_groff_silent(manpage());
}

Test(manpage, mandoc_lint_says_nothing)
{
    expect_mandoc_silent(manpage());
}

Test(manpage7, groff_with_every_warning_says_nothing)
{
    expect_groff_silent(manpage7());
}

Test(manpage7, mandoc_lint_says_nothing)
{
    expect_mandoc_silent(manpage7());
}

/* ---- generated ------------------------------------------------------------- */

Test(manpage, is_generated_with_the_library_path_and_the_version)
{
    need_groff(); /* it renders the page: skip before anything else */
    char *page = ss_slurp(manpage(), NULL);
    cr_assert(page, "%s is missing", manpage());
    cr_expect(!strstr(page, "@pkglibdir@") && !strstr(page, "@VERSION@"),
              "placeholders left in %s", manpage());

    const char *argv[] = { ss_launcher(), "--version", NULL };
    struct ss_run r;
    run(&r, argv);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char th[256];
    snprintf(th, sizeof th, "\"sockshield %.*s\"", (int)strcspn(r.out + strlen("sockshield "), "\n"),
             r.out + strlen("sockshield "));
    cr_expect(strstr(page, th), "no %s in the .TH line", th);
    ss_run_free(&r);

    char *text = rendered();
    char *files = section(text, "FILES");
    const char *lib = strstr(files, "/libsockshield.so");
    cr_expect(lib, "FILES names no library: %s", files);
    free(files);
    free(text);
    free(page);
}

/* ---- in step with --help ----------------------------------------------------- */

struct words {
    char *w[64];
    int n;
};

static void add_word(struct words *ws, const char *p, size_t n)
{
    for (int i = 0; i < ws->n; i++)
        if (strlen(ws->w[i]) == n && strncmp(ws->w[i], p, n) == 0)
            return;
    cr_assert(ws->n < 64);
    ws->w[ws->n++] = strndup(p, n);
}

static void free_words(struct words *ws)
{
    for (int i = 0; i < ws->n; i++)
        free(ws->w[i]);
    ws->n = 0;
}

/* The options named at the start of lines indented by INDENT spaces:
 * "-l, --log=DEST  ..." gives -l and --log. */
static void options_of(const char *text, int indent, struct words *ws)
{
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        int sp = (int)strspn(l, " ");
        if (sp != indent || l[sp] != '-')
            continue;
        const char *p = l + sp;
        while (*p == '-') {
            size_t n = strspn(p, "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
            add_word(ws, p, n);
            p += n;
            /* to the next ", -" on the same line, if any */
            const char *comma = strstr(p, ", -");
            const char *eol = strchr(p, '\n');
            if (!comma || (eol && comma > eol))
                break;
            p = comma + 2;
        }
    }
}

static char *help_text(void)
{
    const char *argv[] = { ss_launcher(), "--help", NULL };
    struct ss_run r;
    run(&r, argv);
    cr_assert(ss_exited(&r, 0) && r.out_len > 500, "%s", ss_describe(&r));
    char *s = strdup(r.out);
    ss_run_free(&r);
    return s;
}

Test(manpage, documents_every_launcher_option_and_no_other)
{
    need_groff(); /* it renders the page: skip before anything else */
    char *help = help_text();
    char *text = rendered();
    char *opts = section(text, "OPTIONS");
    struct words in_help = { .n = 0 }, in_page = { .n = 0 };
    options_of(help, 2, &in_help);
    options_of(opts, 7, &in_page);
    cr_assert_geq(in_help.n, 19, "too few options found in --help: %d", in_help.n);
    for (int i = 0; i < in_help.n; i++)
        cr_expect(has_word(opts, in_help.w[i]), "option %s of --help is not in OPTIONS",
                  in_help.w[i]);
    for (int i = 0; i < in_page.n; i++)
        cr_expect(has_word(help, in_page.w[i]), "OPTIONS documents %s, which --help does not have",
                  in_page.w[i]);
    free_words(&in_help);
    free_words(&in_page);
    free(opts);
    free(text);
    free(help);
}

/* ---- in step with src/core/config.h and src/core/config.c --------------------------------- */

/* The ENVIRONMENT entry of VAR: from its heading line to the next one. */
static char *env_entry(const char *env, const char *var)
{
    char head[128];
    snprintf(head, sizeof head, "\n       %s\n", var);
    const char *s = strstr(env, head);
    if (!s)
        return NULL;
    s += strlen(head);
    const char *e = strstr(s, "\n       ");
    while (e && e[8] == ' ')
        e = strstr(e + 1, "\n       ");
    return strndup(s, e ? (size_t)(e - s) : strlen(s));
}

/* The variables of the core library's table (src/core/config.c), and the
 * launcher's marker, which has no default of its own. */
struct var {
    char name[64];
    char fallback[128]; /* empty for the launcher's marker */
};

static int config_variables(struct var *v, int cap)
{
    const char *name, *accepted, *fallback;
    int n = 0;
    for (unsigned i = 0; sockshield_config_variable(i, &name, &accepted, &fallback); i++) {
        cr_assert(n < cap);
        snprintf(v[n].name, sizeof v[n].name, "%s", name);
        snprintf(v[n].fallback, sizeof v[n].fallback, "%s", fallback);
        n++;
    }
    cr_assert(n < cap);
    snprintf(v[n].name, sizeof v[n].name, "%s", SOCKSHIELD_ENV_LAUNCHER);
    v[n].fallback[0] = '\0';
    return n + 1;
}

Test(manpage, documents_every_variable_with_its_default)
{
    need_groff(); /* it renders the page: skip before anything else */
    struct var vars[32];
    int n = config_variables(vars, 32);
    cr_assert_geq(n, 14, "too few variables in src/core/config.c: %d", n);
    char *text = rendered();
    char *env = section(text, "ENVIRONMENT");
    char *help = help_text();
    for (int i = 0; i < n; i++) {
        char *entry = env_entry(env, vars[i].name);
        cr_expect(entry, "%s (src/core/config.c) has no entry in ENVIRONMENT", vars[i].name);
        if (!entry)
            continue;
        if (vars[i].fallback[0]) {
            char want[256];
            snprintf(want, sizeof want, "Default: %s.", vars[i].fallback);
            cr_expect(strstr(entry, want), "%s: config.c's default is %s, the page says: %s",
                      vars[i].name, vars[i].fallback, entry);
            /* --help names the same default: "SOCKSHIELD_X   [default]" */
            char *h = strstr(help, vars[i].name);
            while (h && h[strlen(vars[i].name)] != ' ')
                h = strstr(h + 1, vars[i].name);
            cr_expect(h, "%s is not in --help", vars[i].name);
            if (h) {
                char dflt[128] = "";
                sscanf(h + strlen(vars[i].name), " [%127[^]]", dflt);
                cr_expect_str_eq(dflt, vars[i].fallback, "%s: --help says [%s], config.c %s",
                                 vars[i].name, dflt, vars[i].fallback);
            }
        }
        free(entry);
    }
    cr_expect(env_entry(env, "LD_PRELOAD"), "LD_PRELOAD has no entry in ENVIRONMENT");
    /* And no entry for a variable that does not exist. */
    for (const char *p = env; (p = strstr(p, "\n       SOCKSHIELD_")); p++) {
        char name[64];
        cr_assert(sscanf(p + 8, "%63[A-Z_]", name) == 1);
        bool known = false;
        for (int i = 0; i < n; i++)
            known |= strcmp(vars[i].name, name) == 0;
        cr_expect(known, "ENVIRONMENT documents %s, which src/core/config.c does not read", name);
    }
    free(help);
    free(env);
    free(text);
}

/* The event names of the core library (src/core/event.c). */
static void event_names(struct words *ws)
{
    for (int e = 0; e < SOCKSHIELD_EV_COUNT; e++)
        add_word(ws, sockshield_event_name(e), strlen(sockshield_event_name(e)));
    cr_assert_geq(ws->n, 8, "too few event names in src/core/event.c: %d", ws->n);
}

Test(manpage, documents_every_event_kind)
{
    need_groff(); /* it renders the page: skip before anything else */
    struct words ev = { .n = 0 };
    event_names(&ev);
    char *text = rendered();
    char *events = section(text, "EVENTS");
    for (int i = 0; i < ev.n; i++) {
        char tag[64];
        snprintf(tag, sizeof tag, "\n       %s ", ev.w[i]);
        cr_expect(strstr(events, tag), "event %s (src/core/event.c) is not described in EVENTS",
                  ev.w[i]);
    }
    free_words(&ev);
    free(events);
    free(text);
}

/* ---- libsockshield(7) --------------------------------------------------------- */

Test(manpage7, is_generated_with_the_library_path_and_the_version)
{
    need_groff(); /* it renders the page: skip before anything else */
    char *page = ss_slurp(manpage7(), NULL);
    cr_assert(page, "%s is missing", manpage7());
    cr_expect(!strstr(page, "@pkglibdir@") && !strstr(page, "@VERSION@"),
              "placeholders left in %s", manpage7());
    /* The same version and library as sockshield(1)'s. */
    char *one = ss_slurp(manpage(), NULL);
    cr_assert(one, "%s is missing", manpage());
    const char *th1 = strstr(one, "\n.TH ");
    const char *v = th1 ? strstr(th1, " \"sockshield ") : NULL;
    cr_assert(v && v < strchr(th1 + 1, '\n'), "no version in the .TH line of %s", manpage());
    char version[128]; /* "sockshield 0.1" */
    snprintf(version, sizeof version, "%.*s\"", (int)strcspn(v + 2, "\"\n") + 2, v);
    const char *th7 = strstr(page, "\n.TH LIBSOCKSHIELD 7 ");
    cr_assert(th7, "no .TH LIBSOCKSHIELD 7 line in %s", manpage7());
    const char *found = strstr(th7, version);
    cr_expect(found && found < strchr(th7 + 1, '\n'), "the .TH line of %s has no%s",
              manpage7(), version);

    char *text1 = rendered();
    char *files = section(text1, "FILES");
    char lib[4200] = "";
    sscanf(files, " %4199s", lib);
    cr_expect(strstr(lib, "/libsockshield.so"), "FILES of sockshield(1) names no library: %s",
              files);
    char *text = rendered_page(manpage7());
    char *desc = section(text, "DESCRIPTION");
    cr_expect(has_word(desc, lib), "DESCRIPTION does not name %s: %s", lib, desc);
    free(desc);
    free(text);
    free(files);
    free(text1);
    free(one);
    free(page);
}

Test(manpage7, and_sockshield_1_name_each_other_in_see_also)
{
    need_groff(); /* it renders the pages: skip before anything else */
    char *text1 = rendered();
    char *see1 = section(text1, "SEE ALSO");
    cr_expect(strstr(see1, "libsockshield(7)"), "sockshield(1) SEE ALSO: %s", see1);
    char *text7 = rendered_page(manpage7());
    char *see7 = section(text7, "SEE ALSO");
    cr_expect(strstr(see7, "sockshield(1)"), "libsockshield(7) SEE ALSO: %s", see7);
    free(see7);
    free(text7);
    free(see1);
    free(text1);
}

/* The row of EVENTS's table for event NAME ("       epipe   when...   yes"),
 * malloc'ed, or NULL. */
static char *event_row(const char *events, const char *name)
{
    char tag[64];
    snprintf(tag, sizeof tag, "\n       %s ", name);
    const char *s = strstr(events, tag);
    if (!s)
        return NULL;
    s++;
    size_t n = strcspn(s, "\n");
    while (n && s[n - 1] == ' ')
        n--;
    return strndup(s, n);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

Test(manpage7, has_a_row_for_every_event_kind_and_its_default)
{
    need_groff(); /* it renders the page: skip before anything else */
    struct words ev = { .n = 0 };
    event_names(&ev);
    struct var vars[32];
    int nv = config_variables(vars, 32);
    const char *dflt = NULL;
    for (int i = 0; i < nv; i++)
        if (strcmp(vars[i].name, "SOCKSHIELD_EVENTS") == 0)
            dflt = vars[i].fallback;
    cr_assert(dflt && *dflt, "no default for SOCKSHIELD_EVENTS in src/core/config.c");
    char *text = rendered_page(manpage7());
    char *events = section(text, "EVENTS");
    for (int i = 0; i < ev.n; i++) {
        char *row = event_row(events, ev.w[i]);
        cr_expect(row, "event %s (src/core/event.c) has no row in EVENTS of libsockshield(7)",
                  ev.w[i]);
        if (!row)
            continue;
        /* "logged by default" says yes exactly for the events of config.c's default. */
        char list[160];
        snprintf(list, sizeof list, ",%s,", dflt);
        char item[48];
        snprintf(item, sizeof item, ",%s,", ev.w[i]);
        const char *want = strstr(list, item) ? " yes" : " no";
        cr_expect(ends_with(row, want), "event %s: the default is %s, the row says: %s", ev.w[i],
                  dflt, row);
        free(row);
    }
    free_words(&ev);
    free(events);
    free(text);
}

Test(manpage7, names_no_variable_the_library_does_not_read)
{
    need_groff(); /* it renders the page: skip before anything else */
    struct var vars[32];
    int nv = config_variables(vars, 32);
    char *text = rendered_page(manpage7());
    int named = 0;
    for (const char *p = text; (p = strstr(p, "SOCKSHIELD_")); p++) {
        if (p > text && is_word_char(p[-1]))
            continue;
        char name[64] = "";
        sscanf(p, "%63[A-Z_]", name);
        if (strcmp(name, "SOCKSHIELD_") == 0) /* the prefix, as in "the SOCKSHIELD_ variables" */
            continue;
        bool known = false;
        for (int i = 0; i < nv; i++)
            known |= strcmp(vars[i].name, name) == 0;
        cr_expect(known, "libsockshield(7) names %s, which the library does not read", name);
        named++;
    }
    /* The page names the variables its behaviour depends on. */
    cr_expect_geq(named, 20, "libsockshield(7) names only %d variables", named);
    free(text);
}
