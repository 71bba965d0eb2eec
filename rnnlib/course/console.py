"""The course's commands print to any terminal, file or pipe.

Their tables and feedback use characters beyond ASCII (✓, ŷ, −, ²). Python writes them in the
encoding of the output: UTF-8 in a Linux or macOS terminal and in the Windows console, but on
Windows the locale's code page (cp1252, say) where the output is a file or a pipe, Git Bash's
terminal included (Python sees a pipe there). ``python -m rnnlib.progress exercises/`` then
stopped with a ``UnicodeEncodeError`` after running every notebook, at its first "passed ✓".
Each command's ``main`` calls :func:`utf8_output` first.
"""

from __future__ import annotations

import codecs
import contextlib
import sys

__all__ = ["utf8_output"]


def _encodes_utf8(stream) -> bool:
    try:
        return codecs.lookup(stream.encoding or "ascii").name.startswith("utf")
    except (AttributeError, LookupError):
        return False


def utf8_output(streams=None) -> None:
    """Let ``sys.stdout`` and ``sys.stderr`` (or ``streams``) print every character.

    A stream that does not encode UTF-8 and is not a terminal (a file, a pipe, Git Bash) writes
    UTF-8 from here on: what it holds reads as the command printed it. A terminal that is not
    UTF-8 keeps its encoding, and a character it lacks prints as ``?`` rather than stopping the
    command. UTF-8 streams, and streams that cannot be reconfigured, are left as they are.

    Examples
    --------
    >>> import io
    >>> from rnnlib.course.console import utf8_output
    >>> raw = io.BytesIO()
    >>> out = io.TextIOWrapper(raw, encoding="cp1252")
    >>> utf8_output([out])
    >>> print("passed ✓", file=out, end="")
    >>> out.flush()
    >>> raw.getvalue().decode("utf-8")
    'passed ✓'
    """
    for stream in (sys.stdout, sys.stderr) if streams is None else streams:
        if stream is None or _encodes_utf8(stream) or not hasattr(stream, "reconfigure"):
            continue
        with contextlib.suppress(OSError, ValueError):
            if stream.isatty():
                stream.reconfigure(errors="replace")
            else:
                stream.reconfigure(encoding="utf-8")
