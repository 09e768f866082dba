/* The launcher's contract (sockshield(1)): exit codes, exec in place, the
 * options and the variables they set, LD_PRELOAD appended once, the library
 * lookup, SIGPIPE ignored and marked before exec, the warnings.
 *
 * Tests that must see exactly what the launcher hands over (the SIGPIPE
 * disposition and the marker, which the real library consumes at load) run
 * a copy of the launcher in a build-tree-shaped temporary directory whose
 * "library" is a harmless system library (libm). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <link.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TIMEOUT 60.0

TestSuite(launcher, .fini = ss_tmpdir_remove);

/* ---- running ------------------------------------------------------------ */

/* Runs LAUNCHER with the NULL-terminated words after it, in E or (E NULL) a
 * minimal environment without LD_PRELOAD. */
static void vrun_with(struct ss_run *r, struct ss_env *e, const char *launcher, va_list ap)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = launcher;
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL) {
        cr_assert(n < 63, "too many arguments");
        argv[n++] = a;
    }
    argv[n] = NULL;
    struct ss_env mine;
    if (!e) {
        ss_env_init(&mine, false);
        e = &mine;
    }
    ss_run(r, argv, e, -1, TIMEOUT);
    if (e == &mine)
        ss_env_free(&mine);
}

static __attribute__((sentinel)) void run_with(struct ss_run *r, struct ss_env *e,
                                               const char *launcher, ...)
{
    va_list ap;
    va_start(ap, launcher);
    vrun_with(r, e, launcher, ap);
    va_end(ap);
}

/* The built launcher. */
static __attribute__((sentinel)) void launch(struct ss_run *r, struct ss_env *e, ...)
{
    va_list ap;
    va_start(ap, e);
    vrun_with(r, e, ss_launcher(), ap);
    va_end(ap);
}

/* ---- output ------------------------------------------------------------- */

/* The value of NAME in `env` output (malloc'ed), NULL when absent. */
static char *env_value(const char *out, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, name, nl) == 0 && p[nl] == '=')
            return strndup(p + nl + 1, strcspn(p + nl + 1, "\n"));
    }
    return NULL;
}

static void assert_env(const char *out, const char *name, const char *want)
{
    char *got = env_value(out, name);
    if (want)
        cr_assert(got && strcmp(got, want) == 0, "%s: want [%s], got [%s]; env:\n%s", name,
                  want, got ? got : "(unset)", out);
    else
        cr_assert(!got, "%s: want unset, got [%s]", name, got);
    free(got);
}

/* The line of OUT starting with PREFIX (malloc'ed), NULL when none. */
static char *line_starting(const char *out, const char *prefix)
{
    size_t pl = strlen(prefix);
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, prefix, pl) == 0)
            return strndup(p, strcspn(p, "\n"));
    }
    return NULL;
}

static bool has_word(const char *line, const char *word)
{
    char *copy = strdup(line);
    bool found = false;
    char *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        found = found || strcmp(w, word) == 0;
    free(copy);
    return found;
}

static int count_lines(const char *s)
{
    return ss_count(s, "\n");
}

/* ---- files -------------------------------------------------------------- */

static char *path_in(const char *dir, const char *name)
{
    char *p;
    cr_assert(asprintf(&p, "%s/%s", dir, name) >= 0);
    return p;
}

static char *tmp_path(const char *name)
{
    return path_in(ss_tmpdir(), name);
}

static void mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = buf + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(buf, 0755);
            *s = '/';
        }
    }
    cr_assert(mkdir(buf, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", buf, strerror(errno));
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
    cr_assert(write(fd, text, len) == (ssize_t)len, "write %s: %s", path, strerror(errno));
    cr_assert(close(fd) == 0);
    /* After the write: chmod keeps the set-id bits open/write may clear. */
    cr_assert(chmod(path, mode) == 0, "chmod %s: %s", path, strerror(errno));
}

/* A copy of the built launcher at DEST; with PKGLIBDIR, its installed
 * library directory is replaced by that one. */
/* The line "\nNAME=..." of text set to NAME='value'. */
static char *set_line(char *text, const char *name, const char *value)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s=", name);
    char *at = strstr(text, key);
    cr_assert(at, "no %s= line in %s", name, ss_launcher());
    char *eol = strchr(at + 1, '\n');
    char *edited;
    cr_assert(asprintf(&edited, "%.*s\n%s='%s'%s", (int)(at - text), text, name, value, eol) >=
              0);
    free(text);
    return edited;
}

/* A copy of the launcher; with pkglibdir, as installed there, the library
 * named in LD_PRELOAD by preload (NULL: by its path). */
static void copy_launcher_as(const char *dest, const char *pkglibdir, const char *preload)
{
    size_t len;
    char *text = ss_slurp(ss_launcher(), &len);
    cr_assert(text, "cannot read %s", ss_launcher());
    if (pkglibdir) {
        text = set_line(text, "ss_pkglibdir", pkglibdir);
        text = set_line(text, "ss_preload", preload ? preload : "");
        len = strlen(text);
    }
    write_file(dest, text, len, 0755);
    free(text);
}

static void copy_launcher(const char *dest, const char *pkglibdir)
{
    copy_launcher_as(dest, pkglibdir, NULL);
}

/* The path of a harmless loaded-and-loadable system library: libm defines
 * none of the wrapped calls, so preloading it changes nothing. */
static const char *libm_path(void)
{
    static char path[PATH_MAX];
    void *h = dlopen("libm.so.6", RTLD_NOW);
    cr_assert(h, "dlopen libm.so.6: %s", dlerror());
    void *cos_ = dlsym(h, "cos");
    Dl_info info;
    cr_assert(cos_ && dladdr(cos_, &info) && info.dli_fname && info.dli_fname[0] == '/',
              "cannot find the path of libm");
    snprintf(path, sizeof path, "%s", info.dli_fname);
    return path;
}

/* A build-tree-shaped directory ss_tmpdir()/NAME holding libtool,
 * src/.libs/libsockshield.so (a symlink to LIB) and a copy of the launcher
 * in tools/; returns the launcher's path (malloc'ed). */
static char *fake_build_tree(const char *name, const char *lib)
{
    char *top = tmp_path(name);
    char *libs = path_in(top, "src/.libs");
    char *tools = path_in(top, "tools");
    mkdir_p(libs);
    mkdir_p(tools);
    char *libtool = path_in(top, "libtool");
    write_file(libtool, "", 0, 0755);
    char *so = path_in(libs, "libsockshield.so");
    cr_assert(symlink(lib, so) == 0, "symlink %s: %s", so, strerror(errno));
    char *launcher = path_in(tools, "sockshield");
    copy_launcher(launcher, NULL);
    free(top);
    free(libs);
    free(tools);
    free(libtool);
    free(so);
    return launcher;
}

static char *our_lib(void)
{
    char *p = realpath(ss_lib(), NULL);
    cr_assert(p, "realpath %s: %s (is the library built?)", ss_lib(), strerror(errno));
    return p;
}

/* True when PATH is a native ELF file without a PT_INTERP program header. */
static bool is_static_elf(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    ElfW(Ehdr) eh;
    bool elf = fread(&eh, sizeof eh, 1, f) == 1 && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
               eh.e_ident[EI_CLASS] == (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) &&
               eh.e_phentsize == sizeof(ElfW(Phdr)) && eh.e_phnum > 0;
    bool interp = false;
    for (int i = 0; elf && i < eh.e_phnum; i++) {
        ElfW(Phdr) ph;
        if (fseek(f, (long)(eh.e_phoff + (size_t)i * sizeof ph), SEEK_SET) != 0 ||
            fread(&ph, sizeof ph, 1, f) != 1) {
            elf = false;
            break;
        }
        interp = interp || ph.p_type == PT_INTERP;
    }
    fclose(f);
    return elf && !interp;
}

/* ---- exit codes --------------------------------------------------------- */

Test(launcher, missing_command_exits_127)
{
    struct ss_run r;
    launch(&r, NULL, "sockshield-no-such-command", NULL);
    cr_assert(ss_exited(&r, 127), "%s", ss_describe(&r));
    cr_assert_str_eq(r.err, "sockshield: sockshield-no-such-command: command not found\n");
    ss_run_free(&r);

    char *missing = tmp_path("missing");
    launch(&r, NULL, missing, NULL);
    cr_assert(ss_exited(&r, 127), "%s", ss_describe(&r));
    cr_assert(strstr(r.err, "command not found"), "%s", ss_describe(&r));
    ss_run_free(&r);
    free(missing);
}

Test(launcher, non_executable_file_exits_126)
{
    char *path = tmp_path("plain-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp: %s", strerror(errno));
    close(fd);
    struct ss_run r;
    launch(&r, NULL, path, NULL);
    cr_assert(ss_exited(&r, 126), "%s", ss_describe(&r));
    char *want;
    cr_assert(asprintf(&want, "sockshield: %s: not executable\n", path) >= 0);
    cr_assert_str_eq(r.err, want);
    ss_run_free(&r);
    free(want);
    free(path);
}

Test(launcher, non_executable_file_found_in_path_exits_126)
{
    char *dir = tmp_path("bin");
    mkdir_p(dir);
    char *path = path_in(dir, "sockshield-plain");
    write_file(path, "#!/bin/sh\n", 10, 0644);
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "PATH=%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    struct ss_run r;
    launch(&r, &e, "sockshield-plain", NULL);
    cr_assert(ss_exited(&r, 126), "%s", ss_describe(&r));
    cr_assert_str_eq(r.err, "sockshield: sockshield-plain: not executable\n");
    ss_run_free(&r);
    ss_env_free(&e);
    free(path);
    free(dir);
}

Test(launcher, directory_exits_126)
{
    struct ss_run r;
    launch(&r, NULL, ss_tmpdir(), NULL);
    cr_assert(ss_exited(&r, 126), "%s", ss_describe(&r));
    cr_assert(strstr(r.err, "not executable"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

Test(launcher, unknown_option_exits_125_with_one_line)
{
    struct ss_run r;
    launch(&r, NULL, "--x", "true", NULL);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    cr_assert_str_eq(r.err, "sockshield: unknown option '--x' (try --help)\n");
    cr_assert_str_eq(r.out, "");
    ss_run_free(&r);

    launch(&r, NULL, "--bogus=1", "true", NULL);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    cr_assert_str_eq(r.err, "sockshield: unknown option '--bogus' (try --help)\n");
    ss_run_free(&r);

    launch(&r, NULL, "-x", "true", NULL);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    cr_assert_str_eq(r.err, "sockshield: unknown option '-x' (try --help)\n");
    ss_run_free(&r);
}

Test(launcher, bad_enumerated_values_exit_125_naming_option_value_and_choices)
{
    static const struct {
        const char *arg, *option, *value, *accepted;
    } bad[] = {
        { "--sigpipe=maybe", "--sigpipe", "maybe", "catch, ignore, off" },
        { "--pipeline=off", "--pipeline", "off", "end, shield" },
        { "--restart=yes", "--restart", "yes", "on, off" },
        { "--signal=on", "--signal", "on", "persistent, off" },
        { "--reap=1", "--reap", "1", "on, off" },
        { "--log-format=xml", "--log-format", "xml", "text, json" },
        { "--log-rate=-1", "--log-rate", "-1", "integer" },
        { "--log-rate=ten", "--log-rate", "ten", "integer" },
        { "--log-rate=", "--log-rate", "''", "integer" },
        { "--summary=true", "--summary", "true", "on, off" },
        { "--inherit=no", "--inherit", "no", "on, off" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ss_run r;
        char *marker = tmp_path("ran");
        char *script;
        cr_assert(asprintf(&script, "touch '%s'", marker) >= 0);
        launch(&r, NULL, bad[i].arg, "sh", "-c", script, NULL);
        cr_assert(ss_exited(&r, 125), "%s: %s", bad[i].arg, ss_describe(&r));
        cr_assert(count_lines(r.err) == 1, "%s: %s", bad[i].arg, ss_describe(&r));
        cr_assert(strstr(r.err, bad[i].option) && strstr(r.err, bad[i].value) &&
                      strstr(r.err, bad[i].accepted),
                  "%s: %s", bad[i].arg, ss_describe(&r));
        cr_assert(access(marker, F_OK) != 0, "%s: the command ran", bad[i].arg);
        ss_run_free(&r);
        free(script);
        free(marker);
    }
}

Test(launcher, option_without_its_value_exits_125)
{
    const char *needy[] = { "--log", "-l", "--sigpipe", "--norestart", "--events" };
    for (size_t i = 0; i < sizeof needy / sizeof needy[0]; i++) {
        struct ss_run r;
        launch(&r, NULL, needy[i], NULL);
        cr_assert(ss_exited(&r, 125), "%s: %s", needy[i], ss_describe(&r));
        cr_assert(count_lines(r.err) == 1, "%s: %s", needy[i], ss_describe(&r));
        ss_run_free(&r);
    }
    struct ss_run r;
    launch(&r, NULL, "--norestart=", "true", NULL);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    cr_assert(strstr(r.err, "--norestart"), "%s", ss_describe(&r));
    ss_run_free(&r);
    launch(&r, NULL, "--json=yes", "true", NULL);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    cr_assert(strstr(r.err, "--json"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

Test(launcher, no_command_exits_125_with_usage)
{
    struct ss_run r;
    launch(&r, NULL, NULL);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    cr_assert(strncmp(r.err, "usage: sockshield ", 18) == 0 && count_lines(r.err) == 1, "%s",
              ss_describe(&r));
    cr_assert_str_eq(r.out, "");
    ss_run_free(&r);

    launch(&r, NULL, "--json", "--", NULL);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    cr_assert(strstr(r.err, "usage:"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* ---- exec in place ------------------------------------------------------ */

Test(launcher, command_exit_status_passes_through)
{
    struct ss_run r;
    launch(&r, NULL, "sh", "-c", "exit 42", NULL);
    cr_assert(ss_exited(&r, 42), "%s", ss_describe(&r));
    ss_run_free(&r);
    launch(&r, NULL, "true", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    ss_run_free(&r);
}

Test(launcher, command_signal_death_passes_through)
{
    /* Only a command exec'ed in place can make the spawned process itself
     * die of the signal; a launcher waiting for a child would exit 143. */
    struct ss_run r;
    launch(&r, NULL, "sh", "-c", "kill -TERM $$", NULL);
    cr_assert(ss_signaled(&r, SIGTERM), "%s", ss_describe(&r));
    ss_run_free(&r);
}

Test(launcher, exec_in_place_keeps_the_pid)
{
    char *script;
    cr_assert(asprintf(&script, "echo $$; exec '%s' -- sh -c 'echo $$'", ss_launcher()) >= 0);
    const char *argv[] = { "/bin/sh", "-c", script, NULL };
    struct ss_env e;
    ss_env_init(&e, false);
    struct ss_run r;
    ss_run(&r, argv, &e, -1, TIMEOUT);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    long before, after;
    cr_assert(sscanf(r.out, "%ld\n%ld", &before, &after) == 2, "%s", ss_describe(&r));
    cr_assert(before == after && before > 0, "pid %ld became %ld", before, after);
    ss_run_free(&r);
    ss_env_free(&e);
    free(script);
}

Test(launcher, double_dash_and_first_word_end_the_options)
{
    struct ss_run r;
    launch(&r, NULL, "--log=none", "--", "sh", "-c", "printf '%s|' \"$0\" \"$@\"; echo; env",
           "--json", "-n", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert(strncmp(r.out, "--json|-n|\n", 11) == 0, "%s", ss_describe(&r));
    assert_env(r.out, "SOCKSHIELD_LOG", "none");
    assert_env(r.out, "SOCKSHIELD_LOG_FORMAT", NULL);
    ss_run_free(&r);

    /* Without --: the first word that is no option is the command. */
    launch(&r, NULL, "--log=none", "sh", "-c", "printf '%s|' \"$0\" \"$@\"; echo; env", "--json",
           "--dry-run", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert(strncmp(r.out, "--json|--dry-run|\n", 18) == 0, "%s", ss_describe(&r));
    assert_env(r.out, "SOCKSHIELD_LOG_FORMAT", NULL);
    ss_run_free(&r);

    /* After --, a word that looks like an option is a command name. */
    launch(&r, NULL, "--", "--version", NULL);
    cr_assert(ss_exited(&r, 127), "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* ---- the variables ------------------------------------------------------ */

Test(launcher, options_set_the_variables)
{
    char *log = tmp_path("log-%p");
    char *log_arg;
    cr_assert(asprintf(&log_arg, "--log=%s", log) >= 0);
    struct ss_run r;
    launch(&r, NULL, "--sigpipe=ignore", "--restart=off", "--norestart=ALRM,USR1", "--signal=off",
           "--reap", "--events=all", log_arg, "--log-format=json", "--log-rate=0", "--summary",
           "--inherit=on", "--", "env", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    assert_env(r.out, "SOCKSHIELD_SIGPIPE", "ignore");
    assert_env(r.out, "SOCKSHIELD_RESTART", "off");
    assert_env(r.out, "SOCKSHIELD_NORESTART", "ALRM,USR1");
    assert_env(r.out, "SOCKSHIELD_SIGNAL", "off");
    assert_env(r.out, "SOCKSHIELD_REAP", "on");
    assert_env(r.out, "SOCKSHIELD_EVENTS", "all");
    assert_env(r.out, "SOCKSHIELD_LOG", log);
    assert_env(r.out, "SOCKSHIELD_LOG_FORMAT", "json");
    assert_env(r.out, "SOCKSHIELD_LOG_RATE", "0");
    assert_env(r.out, "SOCKSHIELD_SUMMARY", "on");
    assert_env(r.out, "SOCKSHIELD_INHERIT", "on");
    ss_run_free(&r);
    free(log_arg);
    free(log);
}

Test(launcher, option_spellings_set_the_same_variables)
{
    struct ss_run r;
    launch(&r, NULL, "--sigpipe", "catch", "--pipeline", "shield", "--no-restart", "--signal",
           "persistent",
           "--reap=off", "--events", "epipe,eof", "-l", "stderr", "--json", "--log-format",
           "text", "--log-rate", "7", "--summary=off", "--no-inherit", "--", "env", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    assert_env(r.out, "SOCKSHIELD_SIGPIPE", "catch");
    assert_env(r.out, "SOCKSHIELD_PIPELINE", "shield");
    assert_env(r.out, "SOCKSHIELD_RESTART", "off");
    assert_env(r.out, "SOCKSHIELD_SIGNAL", "persistent");
    assert_env(r.out, "SOCKSHIELD_REAP", "off");
    assert_env(r.out, "SOCKSHIELD_EVENTS", "epipe,eof");
    assert_env(r.out, "SOCKSHIELD_LOG", "stderr");
    assert_env(r.out, "SOCKSHIELD_LOG_FORMAT", "text"); /* the last one wins */
    assert_env(r.out, "SOCKSHIELD_LOG_RATE", "7");
    assert_env(r.out, "SOCKSHIELD_SUMMARY", "off");
    assert_env(r.out, "SOCKSHIELD_INHERIT", "off");
    ss_run_free(&r);

    launch(&r, NULL, "-lnone", "--restart", "on", "--json", "env", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    assert_env(r.out, "SOCKSHIELD_LOG", "none");
    assert_env(r.out, "SOCKSHIELD_RESTART", "on");
    assert_env(r.out, "SOCKSHIELD_LOG_FORMAT", "json");
    ss_run_free(&r);
}

Test(launcher, unset_options_leave_the_environment_alone)
{
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "SOCKSHIELD_LOG=none");
    ss_env_set(&e, "SOCKSHIELD_EVENTS=all");
    struct ss_run r;
    launch(&r, &e, "--events=reset", "env", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    assert_env(r.out, "SOCKSHIELD_LOG", "none");
    assert_env(r.out, "SOCKSHIELD_EVENTS", "reset");
    assert_env(r.out, "SOCKSHIELD_RESTART", NULL);
    ss_run_free(&r);
    ss_env_free(&e);
}

/* ---- LD_PRELOAD --------------------------------------------------------- */

static const char print_preload[] = "printf '%s\\n' \"$LD_PRELOAD\"";

Test(launcher, ld_preload_is_our_library_by_absolute_path)
{
    char *lib = our_lib();
    struct ss_run r;
    launch(&r, NULL, "sh", "-c", print_preload, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char *want;
    cr_assert(asprintf(&want, "%s%s\n", ss_preload_prefix(), lib) >= 0);
    cr_assert_str_eq(r.out, want);
    ss_run_free(&r);
    free(want);
    free(lib);
}

Test(launcher, existing_ld_preload_is_kept_and_ours_appended)
{
    char *lib = our_lib();
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "LD_PRELOAD=%s", libm_path());
    struct ss_run r;
    launch(&r, &e, "sh", "-c", print_preload, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char *want;
    cr_assert(asprintf(&want, "%s%s:%s\n", ss_preload_prefix(), libm_path(), lib) >= 0);
    cr_assert_str_eq(r.out, want);
    ss_run_free(&r);
    free(want);

    /* Already listed (ld.so also splits on spaces): not added again. */
    ss_env_set(&e, "LD_PRELOAD=%s %s", lib, libm_path());
    launch(&r, &e, "sh", "-c", print_preload, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert(asprintf(&want, "%s%s %s\n", ss_preload_prefix(), lib, libm_path()) >= 0);
    cr_assert_str_eq(r.out, want);
    ss_run_free(&r);
    free(want);
    ss_env_free(&e);
    free(lib);
}

Test(launcher, nested_launcher_lists_the_library_once)
{
    char *lib = our_lib();
    struct ss_run r;
    launch(&r, NULL, "--", ss_launcher(), "--json", "--", "sh", "-c", print_preload, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char *want;
    cr_assert(asprintf(&want, "%s%s\n", ss_preload_prefix(), lib) >= 0);
    cr_assert_str_eq(r.out, want);
    cr_assert(ss_count(r.out, "libsockshield.so") == 1, "%s", ss_describe(&r));
    ss_run_free(&r);
    free(want);
    free(lib);
}

/* ---- the informational options ------------------------------------------ */

Test(launcher, dry_run_prints_and_runs_nothing)
{
    char *lib = our_lib();
    char *marker = tmp_path("created");
    char *script;
    cr_assert(asprintf(&script, "touch '%s'", marker) >= 0);
    struct ss_run r;
    launch(&r, NULL, "--dry-run", "--json", "--log=none", "--", "sh", "-c", script, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert(access(marker, F_OK) != 0, "--dry-run ran the command");
    cr_assert_str_eq(r.err, "");
    char *want;
    cr_assert(asprintf(&want,
                       "LD_PRELOAD='%s%s'\n"
                       "SOCKSHIELD_LOG='none'\n"
                       "SOCKSHIELD_LOG_FORMAT='json'\n"
                       "SOCKSHIELD_LAUNCHER_SIGPIPE='1'\n"
                       "exec 'sh' '-c' 'touch '\\''%s'\\'''\n",
                       ss_preload_prefix(), lib, marker) >= 0);
    cr_assert_str_eq(r.out, want);
    ss_run_free(&r);

    launch(&r, NULL, "-n", "sh", "-c", script, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert(access(marker, F_OK) != 0, "-n ran the command");
    ss_run_free(&r);
    free(want);
    free(script);
    free(marker);
    free(lib);
}

Test(launcher, dry_run_output_reads_back_in_sh)
{
    struct ss_run r;
    launch(&r, NULL, "-n", "--log=/tmp/it's %p", "printf", "[%s]", "a b", "it's", "$HOME", "",
           "''", "x\ny", "\\", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    /* The printed lines, run by sh: the assignments, a line showing one of
     * them, then the exec of printf with the same words (nothing exported,
     * so nothing is preloaded there). */
    char *exec_at = strstr(r.out, "\nexec ");
    cr_assert(exec_at, "no exec line: %s", r.out);
    char *full;
    cr_assert(asprintf(&full, "%.*s\nprintf '<%%s>' \"$SOCKSHIELD_LOG\"%s",
                       (int)(exec_at - r.out), r.out, exec_at) >= 0);
    ss_run_free(&r);
    const char *argv[] = { "/bin/sh", "-c", full, NULL };
    struct ss_env e;
    ss_env_init(&e, false);
    ss_run(&r, argv, &e, -1, TIMEOUT);
    cr_assert(ss_exited(&r, 0), "%s\nscript:\n%s", ss_describe(&r), full);
    cr_assert_str_eq(r.out, "</tmp/it's %p>[a b][it's][$HOME][][''][x\ny][\\]");
    ss_run_free(&r);
    ss_env_free(&e);
    free(full);
}

Test(launcher, print_library_is_the_build_tree_library)
{
    char *lib = our_lib();
    struct ss_run r;
    launch(&r, NULL, "--print-library", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert(r.out[0] == '/', "%s", ss_describe(&r));
    char *want;
    cr_assert(asprintf(&want, "%s\n", lib) >= 0);
    cr_assert_str_eq(r.out, want);
    ss_run_free(&r);
    free(want);
    free(lib);
}

Test(launcher, print_library_follows_a_symlinked_launcher)
{
    char *lib = our_lib();
    char *dir = tmp_path("bin");
    mkdir_p(dir);
    char *link = path_in(dir, "sockshield");
    cr_assert(symlink(ss_launcher(), link) == 0, "symlink: %s", strerror(errno));
    struct ss_run r;
    run_with(&r, NULL, link, "--print-library", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char *want;
    cr_assert(asprintf(&want, "%s\n", lib) >= 0);
    cr_assert_str_eq(r.out, want);
    ss_run_free(&r);
    free(want);
    free(link);
    free(dir);
    free(lib);
}

Test(launcher, installed_library_is_used_outside_a_build_tree)
{
    char *top = tmp_path("prefix");
    char *bindir = path_in(top, "bin");
    char *pkglibdir = path_in(top, "lib/sockshield");
    mkdir_p(bindir);
    mkdir_p(pkglibdir);
    char *launcher = path_in(bindir, "sockshield");
    copy_launcher(launcher, pkglibdir);

    /* Not installed yet: the launcher's own error. */
    struct ss_run r;
    run_with(&r, NULL, launcher, "--", "true", NULL);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    cr_assert(strstr(r.err, "library not found") && count_lines(r.err) == 1, "%s",
              ss_describe(&r));
    ss_run_free(&r);
    run_with(&r, NULL, launcher, "--print-library", NULL);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    ss_run_free(&r);

    char *lib = path_in(pkglibdir, "libsockshield.so");
    cr_assert(symlink(libm_path(), lib) == 0, "symlink: %s", strerror(errno));
    run_with(&r, NULL, launcher, "--print-library", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char *want;
    cr_assert(asprintf(&want, "%s\n", lib) >= 0);
    cr_assert_str_eq(r.out, want);
    ss_run_free(&r);
    free(want);
    free(lib);
    free(launcher);
    free(pkglibdir);
    free(bindir);
    free(top);
}

Test(launcher, library_is_never_taken_from_the_current_directory)
{
    /* The current directory looks like a build tree and holds the library
     * in every place a careless lookup might try; the launcher lives
     * elsewhere, with nothing installed. */
    char *cwd = tmp_path("cwd");
    char *libs = path_in(cwd, "src/.libs");
    mkdir_p(libs);
    char *f = path_in(cwd, "libtool");
    write_file(f, "", 0, 0755);
    free(f);
    f = path_in(libs, "libsockshield.so");
    cr_assert(symlink(libm_path(), f) == 0);
    free(f);
    f = path_in(cwd, "libsockshield.so");
    cr_assert(symlink(libm_path(), f) == 0);
    free(f);
    char *bindir = tmp_path("elsewhere/bin");
    mkdir_p(bindir);
    char *launcher = path_in(bindir, "sockshield");
    char *nowhere = tmp_path("elsewhere/lib/sockshield");
    copy_launcher(launcher, nowhere);

    char *script;
    cr_assert(asprintf(&script, "cd '%s' && exec '%s' --print-library", cwd, launcher) >= 0);
    const char *argv[] = { "/bin/sh", "-c", script, NULL };
    struct ss_env e;
    ss_env_init(&e, false);
    struct ss_run r;
    ss_run(&r, argv, &e, -1, TIMEOUT);
    cr_assert(ss_exited(&r, 125), "%s", ss_describe(&r));
    cr_assert(strstr(r.err, nowhere), "%s", ss_describe(&r));
    ss_run_free(&r);
    ss_env_free(&e);
    free(script);
    free(nowhere);
    free(launcher);
    free(bindir);
    free(libs);
    free(cwd);
}

Test(launcher, library_path_with_a_space_or_colon_is_refused)
{
    const char *names[] = { "with space", "with:colon" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *launcher = fake_build_tree(names[i], libm_path());
        char *marker = tmp_path("ran");
        char *script;
        cr_assert(asprintf(&script, "touch '%s'", marker) >= 0);
        struct ss_run r;
        run_with(&r, NULL, launcher, "--", "sh", "-c", script, NULL);
        cr_assert(ss_exited(&r, 125), "%s: %s", names[i], ss_describe(&r));
        cr_assert(strstr(r.err, "space or a colon") && strstr(r.err, names[i]) &&
                      count_lines(r.err) == 1,
                  "%s: %s", names[i], ss_describe(&r));
        cr_assert(access(marker, F_OK) != 0, "%s: the command ran", names[i]);
        ss_run_free(&r);
        run_with(&r, NULL, launcher, "--print-library", NULL);
        cr_assert(ss_exited(&r, 125), "%s: %s", names[i], ss_describe(&r));
        ss_run_free(&r);
        free(script);
        free(marker);
        free(launcher);
    }
}

Test(launcher, list_calls_prints_one_line_per_family)
{
    struct ss_run r;
    launch(&r, NULL, "--list-calls", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char *signal_line = line_starting(r.out, "signal: ");
    char *read_line = line_starting(r.out, "read: ");
    cr_assert(signal_line && has_word(signal_line, "sigaction") &&
                  has_word(signal_line, "signal") && has_word(signal_line, "__sysv_signal"),
              "%s", r.out);
    cr_assert(read_line && has_word(read_line, "__read_chk") && has_word(read_line, "read") &&
                  !has_word(read_line, "sigaction"),
              "%s", r.out);
    cr_assert(ss_count(r.out, "signal: ") == 1 && ss_count(r.out, "\nread: ") == 1, "%s", r.out);
    char *write_line = line_starting(r.out, "write: ");
    cr_assert(write_line && has_word(write_line, "write") && has_word(write_line, "writev"),
              "%s", r.out);
    ss_run_free(&r);
    free(write_line);
    free(read_line);
    free(signal_line);
}

Test(launcher, help_lists_every_option_and_variable)
{
    static const char *const words[] = {
        "--sigpipe",         "--restart",          "--no-restart",          "--norestart",
        "--signal",          "--reap",             "--events",              "--log=",
        "-l,",               "--log-format",       "--json",                "--log-rate",
        "--summary",         "--inherit",          "--no-inherit",          "--print-library",
        "--dry-run",         "-n,",                "--list-calls",          "--help",
        "-h,",               "--version",          "-V,",                   "SOCKSHIELD_SIGPIPE",
        "SOCKSHIELD_RESTART", "SOCKSHIELD_NORESTART", "SOCKSHIELD_SIGNAL",  "SOCKSHIELD_REAP",
        "SOCKSHIELD_EVENTS", "SOCKSHIELD_LOG ",    "SOCKSHIELD_LOG_FORMAT", "SOCKSHIELD_LOG_RATE",
        "SOCKSHIELD_SUMMARY", "SOCKSHIELD_INHERIT", "usage: sockshield",
    };
    const char *spellings[] = { "--help", "-h" };
    for (size_t s = 0; s < 2; s++) {
        struct ss_run r;
        launch(&r, NULL, spellings[s], NULL);
        cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
        cr_assert_str_eq(r.err, "");
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            cr_assert(strstr(r.out, words[i]), "%s: no '%s' in:\n%s", spellings[s], words[i],
                      r.out);
        ss_run_free(&r);
    }
}

Test(launcher, version_prints_the_version)
{
    const char *spellings[] = { "--version", "-V" };
    for (size_t s = 0; s < 2; s++) {
        struct ss_run r;
        launch(&r, NULL, spellings[s], NULL);
        cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
#ifdef PACKAGE_VERSION
        cr_assert_str_eq(r.out, "sockshield " PACKAGE_VERSION "\n");
#else
        cr_assert(strncmp(r.out, "sockshield ", 11) == 0 && count_lines(r.out) == 1, "%s",
                  r.out);
#endif
        ss_run_free(&r);
    }
}

/* ---- SIGPIPE ------------------------------------------------------------ */

/* SIGPIPE's bit in /proc/self/status SigIgn, as the command saw it. */
static bool sigpipe_ignored(const char *out)
{
    const char *p = strstr(out, "SigIgn:");
    cr_assert(p, "no SigIgn line in:\n%s", out);
    unsigned long long mask = strtoull(p + 7, NULL, 16);
    return mask & (1ULL << (SIGPIPE - 1));
}

static const char show_sigpipe[] = "grep SigIgn /proc/self/status; env";

Test(launcher, sigpipe_is_ignored_and_marked_before_exec)
{
    /* spawn.c starts the launcher with every signal at its default. */
    char *launcher = fake_build_tree("tree", libm_path());
    const char *modes[] = { NULL, "--sigpipe=catch", "--sigpipe=ignore" };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        struct ss_run r;
        if (modes[i])
            run_with(&r, NULL, launcher, modes[i], "sh", "-c", show_sigpipe, NULL);
        else
            run_with(&r, NULL, launcher, "sh", "-c", show_sigpipe, NULL);
        cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
        cr_assert(sigpipe_ignored(r.out), "%s: SIGPIPE not ignored:\n%s",
                  modes[i] ? modes[i] : "default", r.out);
        assert_env(r.out, "SOCKSHIELD_LAUNCHER_SIGPIPE", "1");
        ss_run_free(&r);
    }
    free(launcher);
}

Test(launcher, sigpipe_off_neither_ignores_nor_marks)
{
    char *launcher = fake_build_tree("tree", libm_path());
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "SOCKSHIELD_LAUNCHER_SIGPIPE=1"); /* stale, from an outer launcher */
    struct ss_run r;
    run_with(&r, &e, launcher, "--sigpipe=off", "sh", "-c", show_sigpipe, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert(!sigpipe_ignored(r.out), "SIGPIPE ignored with --sigpipe=off:\n%s", r.out);
    assert_env(r.out, "SOCKSHIELD_LAUNCHER_SIGPIPE", NULL);
    assert_env(r.out, "SOCKSHIELD_SIGPIPE", "off");
    ss_run_free(&r);

    /* The same mode from the environment. */
    ss_env_set(&e, "SOCKSHIELD_SIGPIPE=off");
    run_with(&r, &e, launcher, "sh", "-c", show_sigpipe, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert(!sigpipe_ignored(r.out), "SIGPIPE ignored with SOCKSHIELD_SIGPIPE=off:\n%s", r.out);
    assert_env(r.out, "SOCKSHIELD_LAUNCHER_SIGPIPE", NULL);
    ss_run_free(&r);

    /* The option wins over the environment. */
    run_with(&r, &e, launcher, "--sigpipe=catch", "sh", "-c", show_sigpipe, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert(sigpipe_ignored(r.out), "%s", r.out);
    assert_env(r.out, "SOCKSHIELD_LAUNCHER_SIGPIPE", "1");
    ss_run_free(&r);
    ss_env_free(&e);
    free(launcher);
}

/* ---- warnings ----------------------------------------------------------- */

Test(launcher, static_target_warns)
{
    static const char *const candidates[] = {
        "/sbin/ldconfig", "/usr/sbin/ldconfig", "/bin/busybox", "/usr/bin/busybox",
    };
    const char *target = NULL;
    for (size_t i = 0; !target && i < sizeof candidates / sizeof candidates[0]; i++)
        if (is_static_elf(candidates[i]))
            target = candidates[i];
    if (!target && sizeof(void *) == 4)
        cr_skip_test("no statically linked 32-bit program here: ldconfig and busybox are "
                     "the build machine's (a 32-bit test build on a 64-bit system)");
    cr_assert(target, "no statically linked program found (looked for ldconfig, busybox)");

    /* A dry run: the warning comes from the checks, and nothing runs. */
    struct ss_run r;
    launch(&r, NULL, "-n", target, NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char *want;
    cr_assert(asprintf(&want,
                       "sockshield: warning: %s is statically linked; the library cannot load "
                       "there (SIGPIPE is still ignored by inheritance)\n",
                       target) >= 0);
    cr_assert_str_eq(r.err, want);
    ss_run_free(&r);
    free(want);
}

Test(launcher, dynamic_target_and_script_do_not_warn)
{
    char *script = tmp_path("script");
    write_file(script, "#!/bin/sh\nexit 3\n", 17, 0755);
    struct ss_run r;
    launch(&r, NULL, script, NULL);
    cr_assert(ss_exited(&r, 3), "%s", ss_describe(&r));
    cr_assert_str_eq(r.err, "");
    ss_run_free(&r);
    launch(&r, NULL, "-n", "sh", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert_str_eq(r.err, "");
    ss_run_free(&r);
    free(script);
}

Test(launcher, setuid_or_setgid_target_warns)
{
    const mode_t modes[] = { 04755, 02755 };
    for (size_t i = 0; i < 2; i++) {
        char *path = tmp_path(i == 0 ? "setuid" : "setgid");
        write_file(path, "#!/bin/sh\nexit 0\n", 17, modes[i]);
        struct stat st;
        cr_assert(stat(path, &st) == 0 && (st.st_mode & 07777) == modes[i],
                  "cannot make %s mode %o", path, (unsigned)modes[i]);
        struct ss_run r;
        launch(&r, NULL, "-n", path, NULL);
        cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
        char *want;
        cr_assert(asprintf(&want,
                           "sockshield: warning: %s is setuid/setgid or has file capabilities; "
                           "the dynamic loader will not preload the library\n",
                           path) >= 0);
        cr_assert_str_eq(r.err, want);
        ss_run_free(&r);
        free(want);
        free(path);
    }
}

/* ---- one LD_PRELOAD value for every architecture: $LIB ------------------------ */

/* A private prefix in Debian's multiarch layout: the real library in
 * PREFIX/lib/<triplet>/sockshield, and in every other place ld.so's $LIB
 * might point to (lib, lib64, lib32, the other x86 triplet) a file that is
 * no library, which the loader would refuse with an error.  The launcher
 * installed in PREFIX/bin names the library PREFIX/$LIB/sockshield/... */
static const char *multiarch(void)
{
    const char *m = getenv("SOCKSHIELD_TEST_MULTIARCH");
    if (!m || !*m)
        cr_skip_test("the compiler names no multiarch triplet (gcc -print-multiarch): no "
                     "multiarch layout to test here");
    return m;
}

static char *lib_layout(const char *name, char **launcher)
{
    const char *triplet = multiarch();
    char *top = tmp_path(name);
    char *real_dir;
    cr_assert(asprintf(&real_dir, "%s/lib/%s/sockshield", top, triplet) >= 0);
    mkdir_p(real_dir);
    char *lib = path_in(real_dir, "libsockshield.so");
    size_t len;
    char *bytes = ss_slurp(ss_lib(), &len);
    cr_assert(bytes, "cannot read %s", ss_lib());
    write_file(lib, bytes, len, 0755);
    free(bytes);
    static const char *const decoys[] = { "lib", "lib64", "lib32", "lib/i386-linux-gnu",
                                          "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu" };
    for (size_t i = 0; i < sizeof decoys / sizeof decoys[0]; i++) {
        if (!strcmp(decoys[i] + 4 * (strncmp(decoys[i], "lib/", 4) == 0), triplet))
            continue;
        char *d;
        cr_assert(asprintf(&d, "%s/%s/sockshield", top, decoys[i]) >= 0);
        mkdir_p(d);
        char *f = path_in(d, "libsockshield.so");
        write_file(f, "not a library\n", 14, 0644);
        free(f);
        free(d);
    }
    char *bindir = path_in(top, "bin");
    mkdir_p(bindir);
    *launcher = path_in(bindir, "sockshield");
    char *preload;
    cr_assert(asprintf(&preload, "%s/$LIB/sockshield/libsockshield.so", top) >= 0);
    copy_launcher_as(*launcher, real_dir, preload);
    free(bindir);
    free(lib);
    free(real_dir);
    free(top);
    return preload;
}

Test(launcher, an_installed_multiarch_library_is_named_by_the_loaders_LIB)
{
    char *launcher;
    char *preload = lib_layout("multiarch", &launcher);
    struct ss_run r;
    run_with(&r, NULL, launcher, "--print-library", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char *want;
    cr_assert(asprintf(&want, "%s\n", preload) >= 0);
    cr_expect_str_eq(r.out, want);
    free(want);
    ss_run_free(&r);

    /* what the launcher sets, once, even when it is there already */
    run_with(&r, NULL, launcher, "--dry-run", "--", "true", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_expect_eq(ss_count(r.out, "/$LIB/sockshield/libsockshield.so"), 1, "%s", r.out);
    cr_expect_eq(ss_count(r.out, "LD_PRELOAD="), 1, "%s", r.out);
    ss_run_free(&r);
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "LD_PRELOAD=%s", preload);
    run_with(&r, &e, launcher, "--dry-run", "--", "true", NULL);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_expect_eq(ss_count(r.out, "/$LIB/sockshield/libsockshield.so"), 1, "added twice: %s",
                 r.out);
    ss_run_free(&r);
    ss_env_free(&e);
    free(preload);
    free(launcher);
}

/* ld.so expands $LIB to lib/<triplet> of the program: the program loads
 * the real library (a write into a closed pipe no longer kills it) and
 * none of the decoys (each would make the loader print an error). */
Test(launcher, the_loader_expands_LIB_to_the_library_of_the_programs_architecture)
{
    char *launcher;
    char *preload = lib_layout("expand", &launcher);
    const char *writer = ss_helper("pipewriter");

    /* through the launcher */
    struct ss_run r;
    run_with(&r, NULL, launcher, "--", writer, "pipe", NULL);
    cr_expect(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_expect_null(strstr(r.err, "ld.so"), "%s", r.err);
    ss_run_free(&r);

    /* plain LD_PRELOAD, as a systemd drop-in sets it */
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "LD_PRELOAD=%s", preload);
    const char *argv[] = { writer, "pipe", NULL };
    ss_run(&r, argv, &e, -1, TIMEOUT);
    cr_expect(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_expect_null(strstr(r.err, "ld.so"), "%s", r.err);
    ss_run_free(&r);

    /* the control: a decoy is refused loudly, and then the writer dies */
    char *top = strndup(preload, strlen(preload) - strlen("/$LIB/sockshield/libsockshield.so"));
    ss_env_set(&e, "LD_PRELOAD=%s/lib64/sockshield/libsockshield.so", top);
    ss_run(&r, argv, &e, -1, TIMEOUT);
    cr_expect(ss_signaled(&r, SIGPIPE), "%s", ss_describe(&r));
    cr_expect_not_null(strstr(r.err, "ld.so"), "%s", r.err);
    ss_run_free(&r);
    ss_env_free(&e);
    free(top);
    free(preload);
    free(launcher);
}
