"""Stand-in for the pip bootstrap script ansible-test downloads for its sanity venvs.

ansible-test runs this file as __main__ inside a new, pip-less virtual environment with
get-pip style arguments (pip options, `--no-setuptools`, `--no-wheel`, `pip==X`). This machine
reaches only the package registries, not the host ansible-test downloads the script from, so
pip is installed from the wheel that Python's own ensurepip carries, then pip installs the
requested packages from the configured index.
"""

import ensurepip
import os
import subprocess
import sys


def main():
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    # ensurepip hides the pip configuration (PIP_CONFIG_FILE=/dev/null) for the rest of the
    # process; the follow-up install needs the machine's own pip configuration (CA bundle).
    env = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    if any(not a.startswith("-") for a in args):
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + args, env=env)


if __name__ == "__main__":
    main()
