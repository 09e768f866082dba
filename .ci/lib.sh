# Shared by the cross, musl and clang legs (.ci/cross-aarch64, .ci/i686,
# .ci/armhf, .ci/musl, .ci/clang): sourced, not run.

# ci_install PKG...: apt-get install what is missing, quietly.
ci_install() {
    local need=() p
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    [ ${#need[@]} -eq 0 ] && return 0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

# ci_foreign_arch ARCH: dpkg multiarch, for libc6:ARCH (the emulator's loader).
ci_foreign_arch() {
    if ! dpkg --print-foreign-architectures | grep -qx "$1"; then
        dpkg --add-architecture "$1"
        apt-get update -qq
    fi
}

# ci_binfmt: binfmt_misc mounted, for qemu-user-static's handlers.
ci_binfmt() {
    mountpoint -q /proc/sys/fs/binfmt_misc ||
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
}

# ci_copy_source DIR: the source tree (no build products) into DIR, to be
# configured there for another host; the tree itself keeps its own build.
ci_copy_source() {
    rm -rf "$1"
    mkdir -p "$1"
    if git -C "$ci_top" rev-parse >/dev/null 2>&1; then
        (cd "$ci_top" && git ls-files -co --exclude-standard | tar -cf - -T -) | tar -xf - -C "$1"
    else
        (cd "$ci_top" && tar -cf - --exclude=./.git .) | tar -xf - -C "$1"
        [ ! -f "$1/Makefile" ] || make -C "$1" distclean >/dev/null
    fi
}

# ci_run_again DIR BINARY NAME: runs the one test NAME (suite::test) of
# BINARY again in the build DIR; true when it passes.  The binary's first
# log and results are put back afterwards, so the counts stay those of the
# first run.
ci_run_again() {
    local dir=$1 bin=$2 name=$3 saved rc=1
    saved=$(mktemp -d)
    cp "$dir/$bin.log" "$dir/$bin.trs" "$saved/"
    CRITERION_TEST_PATTERN="${name%%::*}/${name#*::}" \
        make -C "$dir" check TESTS="$bin" >/dev/null 2>&1 || true
    grep -q "^PASS: $bin [0-9]* - $name " "$dir/$bin.log" 2>/dev/null && rc=0
    cp "$saved/${bin##*/}.log" "$saved/${bin##*/}.trs" "$dir/${bin%/*}/"
    rm -rf "$saved"
    return "$rc"
}

# ci_check_results DIR LEG KNOWN: counts automake's results in DIR; a
# failure named in the file KNOWN ("test-name<TAB>reason" lines) is shown
# with its reason and counted as skipped.  KNOWN is given for the legs that
# run under qemu-user, whose signal delivery is not the kernel's (the
# files say how): there any other failure is run once more by itself, and
# counts as passed, shown with its first failure, when that run passes.
# Anything else fails the leg.
ci_check_results() {
    local dir=$1 leg=$2 known=${3:-/dev/null} pass fail=0 skip line name reason bin failures
    if ! ls "$dir"/tests/*/*.trs >/dev/null 2>&1; then
        echo "$leg: no test ran"
        echo "$leg: 0 passed, 1 failed, 0 skipped"
        return 1
    fi
    pass=$(cat "$dir"/tests/*/*.trs | grep -c '^:test-result: PASS' || true)
    skip=$(cat "$dir"/tests/*/*.trs | grep -c '^:test-result: SKIP' || true)
    grep -h '^ok .*# SKIP' "$dir"/tests/*/*.log 2>/dev/null | sed 's/^/  skipped: /' | head -50 || true
    # read before any test runs again and rewrites its binary's log
    failures=$(grep -h -E '^(FAIL|ERROR|XPASS):' "$dir"/tests/*/*.log 2>/dev/null |
        grep -v ' - exited with status\| - missing test plan' || true)
    while read -r line; do
        [ -n "$line" ] || continue
        name=${line#*- }
        name=${name%% *}
        reason=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$known")
        bin=${line#*: }
        bin=${bin%% *}
        if [ -n "$reason" ]; then
            echo "  known under emulation: $name: $reason"
            skip=$((skip + 1))
        elif [ "$known" != /dev/null ] && ci_run_again "$dir" "$bin" "$name"; then
            echo "  passed when run again under emulation: $line; the first run's log:"
            # the TAP block of the failure: "not ok - NAME", then up to "  ..."
            awk -v n="$name" 'index($0, "not ok - " n " ") == 1 { on = 1; next }
                on { print "    " $0 } on && /^  \.\.\.$/ { on = 0 }' "$dir/$bin.log" | head -20
            pass=$((pass + 1))
        else
            echo "  FAILED: $line"
            fail=$((fail + 1))
        fi
    done <<<"$failures"
    # A binary that died without a plan is a failure of its own.
    if grep -h -E '^ERROR: .* - (missing test plan|exited with status (12[6-9]|1[3-9][0-9]))' "$dir"/tests/*/*.log 2>/dev/null; then
        fail=$((fail + 1))
    fi
    echo "$leg: $pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ]
}

# ci_i386_binfmt_entries: the enabled binfmt_misc entries that take 32-bit
# x86 ELF programs (e_machine 3), one name a line; none where binfmt_misc
# is not mounted.
ci_i386_binfmt_entries() {
    local e
    for e in /proc/sys/fs/binfmt_misc/*; do
        case ${e##*/} in status | register | '*') continue ;; esac
        grep -qx enabled "$e" 2>/dev/null || continue
        grep -q '^magic 7f454c4601010100000000000000000002000300' "$e" && echo "${e##*/}"
    done
    return 0
}
