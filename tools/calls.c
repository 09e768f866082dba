/* Not compiled: preprocessed by the rule that makes tools/sockshield
 * (Makefile.am) with this build's compiler, so `sockshield --list-calls`
 * lists the rows of src/symbols.h this build wraps (a musl build has no
 * glibc-only names; a 32-bit glibc one adds the time64 entry points). */
#include "symbols.h"
#define SOCKSHIELD_LISTED(family, ret, name, params, args) SOCKSHIELD_ROW family name
SOCKSHIELD_SYMBOLS(SOCKSHIELD_LISTED, SOCKSHIELD_LISTED)
