"""Compares two junit XML files of `python3 -m test` by test id.

    compare.py list BARE SHIELDED            regressions, "module name" a line
    compare.py report BARE SHIELDED RERUN    the verdict; exit 1 on a regression

Each argument is a file or a comma-separated list of files (merged).

A test id is its classname and name.  A regression is a test that passed
bare and failed, errored or went missing shielded; a regression that
passes in RERUN (run again by itself, shielded) is reported as flaky.
"""
import os
import sys
import xml.etree.ElementTree as ET


def cases(paths):
    """The testcase elements of the files named in `paths`, comma-separated;
    missing files have none."""
    for path in (paths or "").split(","):
        if path and os.path.exists(path):
            yield from ET.parse(path).getroot().iter("testcase")


def results(paths):
    """{(classname, name): 'pass'|'fail'|'skip'}."""
    out = {}
    for case in cases(paths):
        key = (case.get("classname", ""), case.get("name", ""))
        if case.find("failure") is not None or case.find("error") is not None:
            status = "fail"
        elif case.find("skipped") is not None:
            status = "skip"
        else:
            status = "pass"
        # the same id twice (a rerun inside regrtest): a failure sticks
        if out.get(key) != "fail":
            out[key] = status
    return out


def regressions(bare, shielded):
    return sorted(k for k, v in bare.items() if v == "pass" and shielded.get(k, "missing") in ("fail", "missing"))


def test_id(key):
    """regrtest names a case by its whole id, classname is often empty."""
    cls, name = key
    return name if not cls or name.startswith(cls + ".") else cls + "." + name


def module_of(tid):
    # "test.test_asyncio.test_events.X.test_y" -> "test_asyncio"
    for p in tid.split("."):
        if p.startswith("test_"):
            return p
    return tid.split(".")[0]


def main():
    mode = sys.argv[1]
    bare, shielded = results(sys.argv[2]), results(sys.argv[3])
    if not bare:
        print("check-peers: no results from the bare pass (see bare.log)")
        return 2
    regressed = regressions(bare, shielded)
    if mode == "list":
        for key in regressed:
            tid = test_id(key)
            print(module_of(tid), tid.split(".")[-1].split("(")[0].split(" ")[0])
        return 0
    rerun = results(sys.argv[4]) if len(sys.argv) > 4 else {}
    rerun_by_name = {}
    for key, v in rerun.items():
        rerun_by_name.setdefault(test_id(key), set()).add(v)
    failed, flaky = [], []
    for key in regressed:
        seen = rerun_by_name.get(test_id(key), set())
        again = "pass" if seen == {"pass"} else None
        (flaky if again == "pass" else failed).append(key)
    passed = sum(1 for k, v in bare.items() if v == "pass") - len(failed)
    skipped = sum(1 for v in bare.values() if v != "pass")
    bare_fail = sum(1 for v in bare.values() if v == "fail")
    print("check-peers: %d tests bare: %d pass, %d fail, %d skipped; shielded: %d results"
          % (len(bare), len(bare) - skipped, bare_fail, skipped - bare_fail, len(shielded)))
    for key in flaky:
        print("check-peers: flaky (failed shielded, passed when run again): %s" % test_id(key))
    for key in failed:
        print("check-peers: REGRESSION (passes bare, fails shielded): %s [%s]"
              % (test_id(key), shielded.get(key, "missing")))
    print("check-peers: %d passed, %d failed, %d skipped" % (passed, len(failed), skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
