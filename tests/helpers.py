"""Test helpers: random RNN problems of given sizes, what a make target would run (never
the code under test), and the project's TOML files read on every supported Python."""

import os
import subprocess
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

try:
    import tomllib
except ImportError:  # Python 3.10: the test extra installs tomli, the same parser
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def load_toml(path):
    """The TOML file at ``path`` as a dict (pyproject.toml, a folder's .ruff.toml)."""
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def make_dry_run(target, *variables, done=(), cwd=ROOT):
    """The commands ``make target`` would run (``make -n``), continuation lines joined.

    ``done`` are prerequisites make is told are up to date (``-o``: .venv stamps, so that no
    install is planned); ``variables`` are ``NAME=value`` arguments."""
    old = [arg for path in done for arg in ("-o", path)]
    # not the variables of a make that runs these tests: `make test-python PYVER=3.10` puts
    # PYVER in the environment and in MAKEFLAGS (" -- PYVER=3.10")
    given = os.environ.get("MAKEFLAGS", "").partition(" -- ")[2].split()
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", *(a.partition("=")[0] for a in given)}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", *old, target, *variables],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.replace("\\\n", " ")


#: (N, T, D, H, seed) of a small random RNN problem, for hypothesis: batch 1-3, 1-5 steps,
#: input and hidden sizes 1-4
rnn_sizes = st.tuples(
    st.integers(1, 3),
    st.integers(1, 5),
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(0, 10**6),
)


def rnn_problem(N, T, D, H, seed, scale=0.5):
    """Well-conditioned random inputs: weights scaled so tanh is not saturated."""
    rng = np.random.default_rng(seed)
    return dict(
        x=rng.normal(size=(N, T, D)),
        h0=rng.normal(size=(N, H)) * 0.5,
        Wx=rng.normal(size=(D, H)) * scale / np.sqrt(D),
        Wh=rng.normal(size=(H, H)) * scale / np.sqrt(H),
        b=rng.normal(size=H) * 0.1,
        dh=rng.normal(size=(N, T, H)),
    )
