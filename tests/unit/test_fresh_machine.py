"""A fresh machine gets every tool the tests look up: each comes from a package that scripts/setup.sh installs.

The tests find their binaries with testing_tools.tool('NAME') (the benchmarks that make test runs, with
their own tool('NAME')); this test reads those names from the test and benchmark sources, asks dpkg which
package installed each binary here, and requires that package in setup.sh's APT_PACKAGES. A package
installed by hand on a developer's machine (the way `ovn-ic` was missing once) fails here, not on CI's
next fresh machine. `make fresh-check` is the stronger form: setup and the unit
stage in a container made from a clean Debian image.
"""

import os
import re
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _setup_packages():
    text = open(os.path.join(ROOT, "scripts", "setup.sh"), encoding="utf-8").read()
    match = re.search(r"APT_PACKAGES=\(([^)]*)\)", text)
    assert match, "scripts/setup.sh has no APT_PACKAGES=( ... ) list"
    return set(match.group(1).split())


def _tools_the_tests_use():
    """tool('NAME') in the tests and in the benchmarks (make test runs their short modes)."""
    names = set()
    for top, _dirs, files in [w for sub in ("tests", "bench") for w in os.walk(os.path.join(ROOT, sub))]:
        for name in files:
            if name.endswith(".py"):
                text = open(os.path.join(top, name), encoding="utf-8").read()
                names.update(re.findall(r"""\btool\(\s*['"]([a-z][a-z0-9.-]*)['"]""", text))
    return names


def _package_of(path):
    real = os.path.realpath(path)
    for candidate in (path, real, real.replace("/usr/", "/", 1)):
        res = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True, check=False)
        if res.returncode == 0:
            return res.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def test_the_tests_look_up_tools():
    # the scan itself works: the unit tests use the OVS and OVN tools
    assert {"ovsdb-server", "ovn-nbctl", "ovn-ic"} <= _tools_the_tests_use()


def test_every_tool_comes_from_a_package_setup_installs():
    packages = _setup_packages()
    problems = []
    for name in sorted(_tools_the_tests_use()):
        path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
        if not path:
            problems.append("%s: not installed here at all" % name)
            continue
        package = _package_of(path)
        if package is None:
            problems.append("%s (%s): no Debian package owns it" % (name, path))
        elif package not in packages:
            problems.append("%s: from package %s, which scripts/setup.sh does not install" % (name, package))
    assert not problems, "\n".join(problems)
