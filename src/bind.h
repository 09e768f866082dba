/* One pass over the symbol tables after ours (bind.c). */
#ifndef SOCKSHIELD_BIND_H
#define SOCKSHIELD_BIND_H

#include <stdbool.h>
#include <stdint.h>

/* The loader's GNU hash of a string literal of up to 24 characters, as a
 * constant (h = h * 33 + c from 5381, modulo 2^32): positions past the end
 * multiply by 1 and add 0. */
#define SOCKSHIELD_GNU_HASH_AT(s, i, h)                                                  \
    ((h) * ((i) < sizeof(s) - 1 ? 33u : 1u) +                                            \
     ((i) < sizeof(s) - 1 ? (unsigned char)(s)[(i) < sizeof(s) ? (i) : 0] : 0u))
#define SOCKSHIELD_GNU_HASH_4(s, i, h)                                                   \
    SOCKSHIELD_GNU_HASH_AT(s, i + 3,                                                     \
                           SOCKSHIELD_GNU_HASH_AT(s, i + 2,                              \
                                                  SOCKSHIELD_GNU_HASH_AT(s, i + 1,       \
                                                                         SOCKSHIELD_GNU_HASH_AT(s, i, h))))
#define SOCKSHIELD_GNU_HASH(s)                                                           \
    SOCKSHIELD_GNU_HASH_4(s, 20, SOCKSHIELD_GNU_HASH_4(s, 16, SOCKSHIELD_GNU_HASH_4(     \
        s, 12, SOCKSHIELD_GNU_HASH_4(s, 8, SOCKSHIELD_GNU_HASH_4(s, 4,                   \
                                         SOCKSHIELD_GNU_HASH_4(s, 0, 5381u))))))
#define SOCKSHIELD_GNU_HASH_MAX 24

/* out[i] = what dlsym(RTLD_NEXT, names[i]) returns, for i < n (hashes[i]:
 * SOCKSHIELD_GNU_HASH of the name).  Names the pass cannot settle alone
 * go to dlsym itself.  objects, if not NULL, receives for each name the
 * program headers of libc when the pass found it there, else NULL.
 * *self_index receives the first i whose answer lies in this library
 * itself (a wrapper bound as its own real function), or -1.  Returns
 * whether the pass was usable at all. */
bool sockshield_bind_next(const char *const *names, const uint32_t *hashes, unsigned n, void **out,
                          void **objects, int *self_index);

/* The loaded object p lies in, as its program headers (an identity to
 * compare), or NULL.  One dl_iterate_phdr walk: neither dladdr (it also
 * looks for the nearest symbol, which is slow) nor a dlopen (it
 * allocates). */
const void *sockshield_bind_object_of(const void *p);

/* For each of the n names: the extent [lo, hi) of the first loaded object,
 * in the loader's list (the program first), that defines it, or 0, 0 when
 * none does; hashes[i] as above.  Read from each object's GNU hash table,
 * or through dlsym(RTLD_DEFAULT) where an object has none (and on C
 * libraries other than glibc): a missing name is then the costly case. */
void sockshield_bind_defining_objects(const char *const *names, const uint32_t *hashes, unsigned n,
                                      uintptr_t *lo, uintptr_t *hi);

#endif
