/* Binding the real functions in one pass over the symbol tables of the
 * objects loaded after ours, instead of one dlsym(RTLD_NEXT) per name
 * (real.c): dlsym's error handling around each lookup was most of the
 * library's start-up (doc/performance.md has the figures).
 *
 * dlsym(RTLD_NEXT, name) searches the global scope from the object after
 * ours and returns the first definition.  The pass reads the objects in
 * the order dl_iterate_phdr reports them, the loader's list.  For what was
 * loaded at start-up (the program, the preloads, their dependencies) that
 * list is in the order of the global scope; everything loaded later
 * (dlopen, audit namespaces) is appended after it, so it comes after libc
 * in the list, and in the scope, or is not in the scope at all.  A name is
 * taken from the pass when its answer cannot differ from dlsym's:
 *
 *   - this library comes before libc in the list (loaded at start-up, as
 *     a preload or a dependency, not by dlopen);
 *   - no object between ours and libc has the name in its hash table (a
 *     preload there, such as tests/fault, libfaketime or socket_wrapper,
 *     sends the name to dlsym), and libc defines it: then libc's is the
 *     first definition after ours, whatever comes after libc;
 *   - libc's entry is plainly a function or object of its default version
 *     (an indirect function goes to dlsym, which runs its resolver).
 *
 * An object without a GNU hash table between ours and libc sends every
 * name to dlsym.
 * What is left to dlsym costs what it did before; in a plain process that
 * is nothing.  Nothing here allocates or takes a lock of ours:
 * dl_iterate_phdr takes the loader's, as dlsym does, so it can be called
 * where dlsym could (before libc's initialiser, from .preinit_array). */
#include "bind.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

static bool in_segments(uintptr_t base, const ElfW(Phdr) * phdr, unsigned phnum, uintptr_t addr)
{
    for (unsigned i = 0; i < phnum; i++)
        if (phdr[i].p_type == PT_LOAD && addr - (base + phdr[i].p_vaddr) < phdr[i].p_memsz)
            return true;
    return false;
}

/* The lowest and the highest address of an object's loaded segments (the
 * gaps between them are the object's too: the loader reserves them). */
static void extent(uintptr_t base, const ElfW(Phdr) * phdr, unsigned phnum, uintptr_t *lo,
                   uintptr_t *hi)
{
    *lo = UINTPTR_MAX;
    *hi = 0;
    for (unsigned i = 0; i < phnum; i++) {
        if (phdr[i].p_type != PT_LOAD)
            continue;
        uintptr_t a = base + phdr[i].p_vaddr, b = a + phdr[i].p_memsz;
        *lo = a < *lo ? a : *lo;
        *hi = b > *hi ? b : *hi;
    }
}

/* The loaded object holding an address: its program headers and extent. */
struct holder {
    uintptr_t addr, lo, hi;
    const void *phdr;
};

static int find_holder(struct dl_phdr_info *info, size_t size, void *data)
{
    struct holder *h = data;
    (void)size;
    if (!in_segments(info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum, h->addr))
        return 0;
    h->phdr = info->dlpi_phdr;
    extent(info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum, &h->lo, &h->hi);
    return 1;
}

static bool holder_of(const void *p, struct holder *h)
{
    *h = (struct holder){ (uintptr_t)p, 0, 0, NULL };
    return p && dl_iterate_phdr(find_holder, h);
}

const void *sockshield_bind_object_of(const void *p)
{
    struct holder h;
    return holder_of(p, &h) ? h.phdr : NULL;
}

/* The first i whose answer lies in [lo, hi), our own object, or -1: a
 * wrapper bound as its own real function would call itself forever. */
static int first_in(uintptr_t lo, uintptr_t hi, void *const *out, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if ((uintptr_t)out[i] - lo < hi - lo)
            return (int)i;
    return -1;
}

static int first_in_self(void *const *out, unsigned n)
{
    struct holder self;
    if (!holder_of((const void *)&sockshield_bind_next, &self))
        return -1;
    return first_in(self.lo, self.hi, out, n);
}

static void defining_objects_by_dlsym(const char *const *names, unsigned n, uintptr_t *lo,
                                      uintptr_t *hi)
{
    for (unsigned i = 0; i < n; i++) {
        struct holder h;
        lo[i] = hi[i] = 0;
        if (holder_of(dlsym(RTLD_DEFAULT, names[i]), &h)) {
            lo[i] = h.lo;
            hi[i] = h.hi;
        }
    }
}

#if defined(__GLIBC__)
#include <gnu/libc-version.h>

enum { MAX_OBJECTS = 64 };

struct object {
    uintptr_t base;
    const ElfW(Phdr) * phdr;
    unsigned phnum;
    const uint32_t *gnu_hash; /* NULL: none (then nothing is taken from here) */
    const ElfW(Sym) * symtab;
    const char *strtab;
    const ElfW(Half) * versym; /* NULL: no versions */
};

struct scan {
    uintptr_t self, libc; /* an address inside ours, inside libc */
    int self_at, libc_at; /* their places in objects[], -1 until seen */
    unsigned count;
    bool overflow;
    struct object objects[MAX_OBJECTS];
};

static bool contains(const struct dl_phdr_info *info, uintptr_t addr)
{
    return in_segments(info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum, addr);
}

/* A pointer of the dynamic section.  The loader has relocated them in
 * place where the section is writable; where it is not (the vDSO, and
 * every object on targets with read-only dynamic sections) they are still
 * offsets, smaller than the load address. */
static uintptr_t dyn_ptr(uintptr_t base, ElfW(Addr) p)
{
    return p < base ? base + p : p;
}

/* An object's place and its dynamic symbol table. */
static void read_object(const struct dl_phdr_info *info, struct object *o)
{
    *o = (struct object){ .base = info->dlpi_addr, .phdr = info->dlpi_phdr, .phnum = info->dlpi_phnum };
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
            continue;
        for (const ElfW(Dyn) *d = (const void *)(o->base + info->dlpi_phdr[i].p_vaddr); d->d_tag != DT_NULL;
             d++) {
            if (d->d_tag == DT_GNU_HASH)
                o->gnu_hash = (const void *)dyn_ptr(o->base, d->d_un.d_ptr);
            else if (d->d_tag == DT_SYMTAB)
                o->symtab = (const void *)dyn_ptr(o->base, d->d_un.d_ptr);
            else if (d->d_tag == DT_STRTAB)
                o->strtab = (const void *)dyn_ptr(o->base, d->d_un.d_ptr);
            else if (d->d_tag == DT_VERSYM)
                o->versym = (const void *)dyn_ptr(o->base, d->d_un.d_ptr);
        }
    }
    if (!o->symtab || !o->strtab)
        o->gnu_hash = NULL;
}

static int collect(struct dl_phdr_info *info, size_t size, void *data)
{
    struct scan *s = data;
    (void)size;
    if (s->count == MAX_OBJECTS) {
        s->overflow = true;
        return 1;
    }
    read_object(info, &s->objects[s->count]);
    if (s->self_at < 0 && contains(info, s->self))
        s->self_at = (int)s->count;
    else if (s->libc_at < 0 && contains(info, s->libc))
        s->libc_at = (int)s->count;
    s->count++;
    return s->libc_at >= 0; /* nothing after libc matters */
}

/* The first defined entry of `name` (hash h) in o's table, or NULL; with
 * visible_only, the first of a visible version (dlsym's answer in that
 * object: one version of a name at most is the default, the others are
 * hidden). */
static const ElfW(Sym) * find(const struct object *o, const char *name, uint32_t h, bool visible_only)
{
    const uint32_t *t = o->gnu_hash;
    uint32_t nbuckets = t[0], symoffset = t[1], bloom_size = t[2], shift = t[3];
    const ElfW(Addr) *bloom = (const void *)&t[4];
    const unsigned bits = sizeof(ElfW(Addr)) * 8;
    ElfW(Addr) word = bloom[(h / bits) & (bloom_size - 1)];
    if (!((word >> (h % bits)) & (word >> ((h >> shift) % bits)) & 1))
        return NULL;
    const uint32_t *buckets = (const void *)&bloom[bloom_size];
    const uint32_t *chain = &buckets[nbuckets];
    uint32_t i = buckets[h % nbuckets];
    if (i < symoffset)
        return NULL;
    for (;; i++) {
        uint32_t ch = chain[i - symoffset];
        if ((ch | 1) == (h | 1)) {
            const ElfW(Sym) *sym = &o->symtab[i];
            if (sym->st_shndx != SHN_UNDEF && strcmp(o->strtab + sym->st_name, name) == 0 &&
                !(visible_only && o->versym && (o->versym[i] & 0x8000)))
                return sym;
        }
        if (ch & 1)
            return NULL;
    }
}

/* libc's entry, taken as dlsym returns it: a plain function or object,
 * global or weak (an indirect function goes to dlsym, which runs it). */
static void *plain_address(const struct object *o, const ElfW(Sym) * sym)
{
    unsigned type = ELF64_ST_TYPE(sym->st_info), bind = ELF64_ST_BIND(sym->st_info);
    if ((type != STT_FUNC && type != STT_OBJECT) || (bind != STB_GLOBAL && bind != STB_WEAK) ||
        sym->st_value == 0)
        return NULL;
    return (void *)(o->base + sym->st_value);
}

/* sockshield_bind_defining_objects over every loaded object's hash table. */
struct defining {
    const char *const *names;
    const uint32_t *hashes;
    unsigned n, left;
    bool no_hash; /* an object without a GNU hash table: ask dlsym instead */
    uintptr_t *lo, *hi;
};

static int defining_collect(struct dl_phdr_info *info, size_t size, void *data)
{
    struct defining *d = data;
    struct object obj;
    const struct object *o = &obj;
    (void)size;
    read_object(info, &obj);
    if (!o->gnu_hash) {
        d->no_hash = true;
        return 1;
    }
    for (unsigned i = 0; i < d->n; i++) {
        if (d->hi[i] || !find(o, d->names[i], d->hashes[i], true))
            continue;
        extent(o->base, o->phdr, o->phnum, &d->lo[i], &d->hi[i]);
        d->left--;
    }
    return d->left == 0;
}

void sockshield_bind_defining_objects(const char *const *names, const uint32_t *hashes, unsigned n,
                                      uintptr_t *lo, uintptr_t *hi)
{
    struct defining d = { names, hashes, n, n, false, lo, hi };
    for (unsigned i = 0; i < n; i++)
        lo[i] = hi[i] = 0;
    dl_iterate_phdr(defining_collect, &d);
    if (d.no_hash)
        defining_objects_by_dlsym(names, n, lo, hi);
}

bool sockshield_bind_next(const char *const *names, const uint32_t *hashes, unsigned n, void **out,
                          void **objects, int *self_index)
{
    struct scan s = { .self = (uintptr_t)&sockshield_bind_next,
                      .libc = (uintptr_t)&gnu_get_libc_version,
                      .self_at = -1,
                      .libc_at = -1 };
    dl_iterate_phdr(collect, &s);
    bool usable = !s.overflow && s.self_at >= 0 && s.libc_at > s.self_at;
    for (int k = s.self_at + 1; usable && k <= s.libc_at; k++)
        usable = s.objects[k].gnu_hash != NULL;
    for (unsigned i = 0; i < n; i++) {
        void *p = NULL;
        if (usable) {
            const ElfW(Sym) *sym = NULL;
            for (int k = s.self_at + 1; k <= s.libc_at; k++) {
                sym = find(&s.objects[k], names[i], hashes[i], k == s.libc_at);
                if (sym && k != s.libc_at) {
                    sym = NULL; /* an object between us and libc has it: dlsym decides */
                    break;
                }
            }
            if (sym)
                p = plain_address(&s.objects[s.libc_at], sym);
        }
        if (objects)
            objects[i] = p ? (void *)s.objects[s.libc_at].phdr : NULL;
        out[i] = p ? p : dlsym(RTLD_NEXT, names[i]);
    }
    if (s.self_at >= 0) {
        const struct object *o = &s.objects[s.self_at];
        uintptr_t lo, hi;
        extent(o->base, o->phdr, o->phnum, &lo, &hi);
        *self_index = first_in(lo, hi, out, n);
    } else {
        *self_index = first_in_self(out, n);
    }
    return usable;
}

#else
void sockshield_bind_defining_objects(const char *const *names, const uint32_t *hashes, unsigned n,
                                      uintptr_t *lo, uintptr_t *hi)
{
    (void)hashes;
    defining_objects_by_dlsym(names, n, lo, hi);
}

/* Other C libraries (musl): the loader's list is not known to follow
 * glibc's scope order, so every name goes to dlsym. */
bool sockshield_bind_next(const char *const *names, const uint32_t *hashes, unsigned n, void **out,
                          void **objects, int *self_index)
{
    (void)hashes;
    for (unsigned i = 0; i < n; i++) {
        out[i] = dlsym(RTLD_NEXT, names[i]);
        if (objects)
            objects[i] = NULL;
    }
    *self_index = first_in_self(out, n);
    return false;
}
#endif
