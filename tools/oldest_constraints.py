"""Print pip constraints pinning every dependency at its lower bound (``make test-oldest``).

Usage: python -m tools.oldest_constraints [pyproject.toml]  > constraints.txt

The bounds live in one place, pyproject.toml: each requirement of ``[project] dependencies`` and of
every optional-dependency group must carry exactly one ``>=`` lower bound, and becomes
``name==bound``, with the requirement's environment marker if it has one (``tomli``, for Python
3.10 only). Transitive dependencies float to what pip picks alongside, except those held back in
``[tool.rnnlib.oldest] transitive`` (``"pyparsing<3.3"``): a newer release that no longer fits an
oldest direct dependency, each with its reason beside it in pyproject.toml. A requirement without
a lower bound, a package given two different lower bounds or markers, or a held-back requirement
that is not ``name<version`` is a ValueError.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: the Makefile installs tomli first
    import tomli as tomllib

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*([a-z]+[0-9]*)?$")
_HELD_BACK = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*<\s*([^\s,;<>=]+)\s*$")


def normalize(name: str) -> str:
    """PEP 503 normalized project name: lower case, runs of -_. become one '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lower_bound(requirement: str) -> tuple[str, str]:
    """``"jupyterlab>=4.2,<5"`` -> ``("jupyterlab", "4.2")``; an environment marker
    (``"tomli>=2; python_version < '3.11'"``) is left to :func:`marker`."""
    if not isinstance(requirement, str):
        raise ValueError(f"requirement: expected a string, got {type(requirement).__name__}")
    m = _NAME.match(requirement.split(";")[0])
    if not m:
        raise ValueError(
            f"requirement: expected 'name>=version[,<upper][; marker]', got {requirement!r}"
        )
    name, spec = normalize(m.group(1)), m.group(3)
    bounds = [s.strip() for s in spec.split(",") if s.strip().startswith(">=")]
    if len(bounds) != 1:
        raise ValueError(f"requirement: expected exactly one '>=' lower bound, got {requirement!r}")
    version = bounds[0][2:].strip()
    if not _VERSION.match(version):
        raise ValueError(f"requirement: expected a plain version after '>=', got {requirement!r}")
    return name, version


def marker(requirement: str) -> str:
    """The environment marker of a requirement, ``""`` if it has none:
    ``"tomli>=2; python_version < '3.11'"`` -> ``"python_version < '3.11'"``."""
    return requirement.partition(";")[2].strip()


def _requirements(pyproject: dict) -> list:
    project = pyproject["project"]
    reqs = list(project.get("dependencies", []))
    for group in project.get("optional-dependencies", {}).values():
        reqs += group
    return reqs


def markers(pyproject: dict) -> dict[str, str]:
    """Each dependency that carries an environment marker -> that marker, which its pin keeps
    (a pin for another Python than this one's is left alone by pip). A package whose
    requirements give two different markers is a ValueError."""
    found: dict[str, str] = {}
    for req in _requirements(pyproject):
        name, _ = lower_bound(req)
        if found.setdefault(name, marker(req)) != marker(req):
            raise ValueError(
                f"pyproject.toml: expected one environment marker for {name}, "
                f"got {found[name]!r} and {marker(req)!r}"
            )
    return {name: m for name, m in found.items() if m}


def constraints(pyproject: dict) -> dict[str, str]:
    """Map each dependency (runtime and every extra) to its lower bound."""
    pins: dict[str, str] = {}
    for req in _requirements(pyproject):
        name, version = lower_bound(req)
        if pins.setdefault(name, version) != version:
            raise ValueError(
                f"pyproject.toml: expected one lower bound for {name}, "
                f"got {pins[name]} and {version}"
            )
    return pins


def held_back(pyproject: dict) -> dict[str, str]:
    """Each transitive dependency held back for the oldest configuration → its upper bound
    (``[tool.rnnlib.oldest] transitive = ["pyparsing<3.3"]`` → ``{"pyparsing": "3.3"}``)."""
    reqs = pyproject.get("tool", {}).get("rnnlib", {}).get("oldest", {}).get("transitive", [])
    caps: dict[str, str] = {}
    for req in reqs:
        m = _HELD_BACK.match(req) if isinstance(req, str) else None
        if not m or not _VERSION.match(m.group(2)):
            raise ValueError(
                f"[tool.rnnlib.oldest] transitive: expected 'name<version', got {req!r}"
            )
        caps[normalize(m.group(1))] = m.group(2)
    return caps


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in args):
        print(__doc__.strip())
        return 0
    path = Path(args[0] if args else "pyproject.toml")
    try:
        pyproject = tomllib.loads(path.read_text(encoding="utf-8"))
        pins, caps, conditions = constraints(pyproject), held_back(pyproject), markers(pyproject)
    except (OSError, tomllib.TOMLDecodeError, ValueError) as err:
        print(f"oldest_constraints: {path}: {err}", file=sys.stderr)
        return 2
    print(
        f"# Generated from {path.name} by tools/oldest_constraints.py: every lower bound, pinned,"
        " and the transitive dependencies held back."
    )
    for name, version in sorted(pins.items()):
        print(f"{name}=={version}" + (f"; {conditions[name]}" if name in conditions else ""))
    for name, version in sorted(caps.items()):
        print(f"{name}<{version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
