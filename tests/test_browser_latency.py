"""The arithmetic of ``benchmarks/browser_latency.py`` on hand-made page records (no browser)."""

from __future__ import annotations

import pytest

from benchmarks import browser_latency as bl


def record(pictures):
    """A key press at 10 ms (page clock; the page's clock started at epoch 1000 ms): the value
    goes out at 11, the kernel steps from 15 to 48 (set 15-16, png 16-45), messages come in at
    20 (status), 50 (the PNG) and 55 (readout); the <img> gets its src at 52."""
    return {
        "origin": 1000.0,
        "key": 10.0,
        "up": None,
        "ws": [
            {"t": 11.0, "dir": "out", "n": 400},
            {"t": 20.0, "dir": "in", "n": 550},
            {"t": 50.0, "dir": "in", "n": 40_000},
            {"t": 55.0, "dir": "in", "n": 700},
        ],
        "pictures": pictures,
        "steps": [{"step": [1015.0, 1048.0], "set": [1015.0, 1016.0], "png": [1016.0, 1045.0]}],
    }


def test_a_press_splits_into_phases_that_add_up_to_its_latency():
    t = bl._press_timings(record([{"src": 52.0, "load": 58.0, "painted": 70.0}]))
    # by hand: 70 - 10 = 60 ms = 1 (11-10) + 4 (15-11) + 33 (48-15) + 2 (50-48) + 2 (52-50)
    #                            + 6 (58-52) + 12 (70-58)
    assert t["total"] == pytest.approx(60.0)
    phases = {
        k: t[k] for k in ("to_send", "to_kernel", "step", "back", "to_src", "decode", "paint")
    }
    assert phases == pytest.approx(
        {"to_send": 1, "to_kernel": 4, "step": 33, "back": 2, "to_src": 2, "decode": 6, "paint": 12}
    )
    assert (t["set"], t["png"]) == pytest.approx((1.0, 29.0))
    assert t["png_message_bytes"] == 40_000  # the largest message before the new src


def test_a_press_without_a_painted_picture_has_no_latency():
    assert bl._press_timings(record([])) is None
    assert bl._press_timings(record([{"src": 52.0, "load": None, "painted": None}])) is None


def test_the_section_says_why_it_was_skipped():
    text = bl.section(None, None, skipped="needs Playwright")
    assert text.endswith("Skipped: needs Playwright.")
