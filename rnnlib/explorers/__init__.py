"""Each lesson's slider figures, one module per lesson topic.

Every module here builds :class:`rnnlib.explorer.Explorer` objects for its lesson and registers each
factory with ``@register("NN")`` (NN = the lesson's stage). A registered factory takes no required
argument and returns the Explorer at the lesson's default values; benchmarks and the widget tests
find them all through :func:`registry`.

Lessons import a factory from its module, e.g. ``from rnnlib.explorers.forward import ...``.
"""

from __future__ import annotations

import importlib
import pkgutil

_REGISTRY: dict[str, list] = {}


def register(stage):
    """Decorator: record ``factory`` as one of lesson ``stage``'s explorers."""

    def deco(factory):
        _REGISTRY.setdefault(stage, []).append(factory)
        return factory

    return deco


def registry():
    """``{stage: [factory, ...]}`` for every explorer module in this package."""
    for m in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{m.name}")
    return {k: list(v) for k, v in sorted(_REGISTRY.items())}
