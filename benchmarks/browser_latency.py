"""Slider latency end to end, in a real browser: key press -> kernel -> new picture painted.

``benchmarks/sliders.py`` times ``ex.step(...)`` in Python (recompute, redraw to PNG, readout).
A learner feels more: the key press on the slider's handle, ipywidgets sending the new value to
the kernel over the websocket, the kernel's update, the PNG sent back, the page decoding it and
painting it. This module measures that whole chain in JupyterLab in headless Chromium (the
machinery of ``tests/browser_support.py``: Debian's ``/usr/bin/chromium`` through Playwright).

For each lesson ``notebooks/NN_*.ipynb`` (a scratch copy; the kernel imports ``rnnlib`` from
this checkout, through ``PYTHONPATH``), it runs all cells, then for every slider of every
``.rnnlib-explorer``:

- **key presses**: focuses the slider's ``.noUi-handle`` and presses an arrow key ``presses``
  times (turning back at either end of the range), each press only after the previous picture
  was painted and the kernel is idle again. In the page: the ``keydown`` event's time, the
  websocket messages out and in (a wrapper around ``WebSocket``), the moment the explorer's
  ``<img>`` gets its new ``src`` (a ``MutationObserver``), the image's ``load`` event, and the
  first moment after the frame that paints it (``requestAnimationFrame`` then a task). The
  latency of a press is keydown -> painted.
- **a drag**: mouse down on the handle, ``DRAG_STEPS`` moves of ``DRAG_PX`` pixels
  ``DRAG_PAUSE_MS`` apart, mouse up; the time from mouse-up to the last picture painted (0 if
  the final picture was already there), and how many pictures came for how many values sent.

Run it by hand (it takes the machine's two cores for a few minutes)::

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.browser_latency [--presses 10] [--lessons 00,03]

It skips, saying why, where Chromium or Playwright is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.machine import load_average

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' machinery: browser_support.py

BAR = 0.100  # COURSE.md: a slider update (recompute plus redraw) takes under 100 ms
PRESSES = 10
DRAG_STEPS = 12
DRAG_PX = 6
DRAG_PAUSE_MS = 30
POLL_MS = 25

# Installed before JupyterLab's own scripts: every websocket message out and in, timed.
_JS_INIT = """(() => {
  const log = [];
  window.__rnnlibWs = log;
  const Orig = window.WebSocket;
  const size = d => d == null ? 0 : (d.byteLength ?? d.size ?? d.length ?? 0);
  const send = Orig.prototype.send;
  Orig.prototype.send = function (data) {
    log.push({t: performance.now(), dir: 'out', n: size(data)});
    return send.call(this, data);
  };
  function Wrapped(...args) {
    const ws = new Orig(...args);
    ws.addEventListener('message',
                        e => log.push({t: performance.now(), dir: 'in', n: size(e.data)}));
    return ws;
  }
  Wrapped.prototype = Orig.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Wrapped[k] = Orig[k];
  window.WebSocket = Wrapped;
})();"""

# Arm the watch on one explorer box before a key press or a drag: keydown / mouseup time, every
# new src of its <img> with its load and paint times.
_JS_ARM = """(box) => {
  const img = box.querySelector('img');
  const w = {key: null, up: null, pictures: [], sent: 0, last: performance.now()};
  window.__rnnlibWs.length = 0;
  const onKey = e => { if (w.key === null) w.key = e.timeStamp; };
  const onUp = e => { w.up = e.timeStamp; };
  box.addEventListener('keydown', onKey, true);
  document.addEventListener('pointerup', onUp, true);
  const obs = new MutationObserver(() => {
    const p = {src: performance.now(), load: null, painted: null, bytes: null};
    w.pictures.push(p);
    w.last = p.src;
    const url = img.src;
    const done = () => {
      p.load = performance.now();
      requestAnimationFrame(() => setTimeout(() => {
        p.painted = performance.now();
        w.last = p.painted;
      }, 0));
    };
    if (img.complete && img.naturalWidth > 0 && img.currentSrc === url) done();
    else img.addEventListener('load', done, {once: true});
  });
  obs.observe(img, {attributes: true, attributeFilter: ['src']});
  w.stop = () => { obs.disconnect(); box.removeEventListener('keydown', onKey, true);
                   document.removeEventListener('pointerup', onUp, true); };
  window.__rnnlibWatch = w;
}"""

_JS_STATUS_IDLE = """() => {
  const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const ind = p && p.querySelector('.jp-Notebook-ExecutionIndicator');
  return !!ind && ind.dataset.status === 'idle';
}"""

# Done: the first picture painted (a press), or nothing new for `quiet` ms and the kernel idle.
_JS_SETTLED = (
    """(quiet) => {
  const w = window.__rnnlibWatch;
  const painted = w.pictures.length > 0 && w.pictures.every(p => p.painted !== null);
  return painted && performance.now() - w.last > quiet && ("""
    + _JS_STATUS_IDLE
    + """)();
}"""
)

_JS_COLLECT = """() => {
  const w = window.__rnnlibWatch;
  w.stop();
  return {origin: performance.timeOrigin, key: w.key, up: w.up,
          pictures: w.pictures.map(p => ({src: p.src, load: p.load, painted: p.painted})),
          ws: window.__rnnlibWs.slice()};
}"""

_JS_SLIDER_STATE = """(s) => {
  const t = s.querySelector('.noUi-target');
  const v = Number(t.noUiSlider.get()), r = t.noUiSlider.options.range;
  return {value: v, min: r.min, max: r.max};
}"""

# Run code in the lesson's kernel (silently, no history) and return what it printed.
_JS_KERNEL_EXEC = """async ([path, code]) => {
  const w = Array.from(window.jupyterapp.shell.widgets('main'))
    .find(w => w.context && w.context.path === path && w.sessionContext);
  const kernel = w.sessionContext.session.kernel;
  const fut = kernel.requestExecute({code, silent: false, store_history: false});
  let text = '';
  fut.onIOPub = msg => {
    if (msg.header.msg_type === 'stream') text += msg.content.text;
    if (msg.header.msg_type === 'error')
      text += 'ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
  };
  await fut.done;
  return text;
}"""

# In the kernel: log each Explorer.step's start and end (epoch ms, the clock the page's
# performance.timeOrigin + performance.now() also reads) and its own last_update_seconds.
_PY_HOOK = """\
import time as _rl_time
from rnnlib.course import sliders as _rl_sliders
_rl_sliders._latency_log = []
def _rl_timed(name):
    inner = getattr(_rl_sliders.Explorer, name)
    def timed(self, *args, **kwargs):
        t0 = _rl_time.time()
        out = inner(self, *args, **kwargs)
        _rl_sliders._latency_log.append([name, t0 * 1e3, _rl_time.time() * 1e3])
        return out
    timed.unhooked = inner
    setattr(_rl_sliders.Explorer, name, timed)
if not hasattr(_rl_sliders.Explorer.step, "unhooked"):
    for _rl_name in ("step", "set", "png"):
        _rl_timed(_rl_name)
"""
_PY_READ = """\
import json as _rl_json
print(_rl_json.dumps(_rl_sliders._latency_log)); _rl_sliders._latency_log.clear()
"""

_JS_PNG_BYTES = """async (box) => {
  const img = box.querySelector('img');
  try { return (await (await fetch(img.src)).arrayBuffer()).byteLength; } catch (e) { return null; }
}"""


def unavailable():
    """Why the browser measurement cannot run here, or None."""
    from browser_support import CHROMIUM

    if not CHROMIUM.exists():
        return (
            f"needs Debian's Chromium at {CHROMIUM}, which is missing "
            "(apt-get install -y chromium; `bash .ci/run` does this)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright (pip install -e '.[test]')"
    return None


def _press_timings(rec):
    """One key press's record -> its phases in ms, or None if no new picture came.

    total = keydown -> new picture painted, the sum of: to_send (keydown -> the value's
    websocket message out), to_kernel (-> the kernel's ``Explorer.step`` starts: the server, the
    kernel's message loop, ipywidgets), step (recompute, redraw, PNG, readout, the widget messages
    sent), back (-> the PNG's websocket message in), to_src (-> the ``<img>``'s new src: the
    widget manager), decode (-> ``load``), paint (-> the frame that shows it)."""
    pics = [p for p in rec["pictures"] if p["painted"] is not None]
    if rec["key"] is None or not pics:
        return None
    first = pics[0]
    key = rec["key"]
    out_after = [m for m in rec["ws"] if m["dir"] == "out" and m["t"] >= key]
    in_before = [m for m in rec["ws"] if m["dir"] == "in" and m["t"] <= first["src"]]
    sent = out_after[0]["t"] if out_after else key
    # the message carrying the PNG: the largest one received before the new src
    big = max(in_before, key=lambda m: m["n"], default=None)
    received = big["t"] if big else first["src"]
    steps = rec.get("steps", [])
    start, end = [t - rec["origin"] for t in steps[0]["step"]] if steps else (sent, received)
    part = {
        k: (steps[0][k][1] - steps[0][k][0]) if steps and k in steps[0] else None
        for k in ("set", "png")
    }
    return {
        "total": first["painted"] - key,
        "to_send": sent - key,
        "to_kernel": start - sent,
        "step": end - start,
        "set": part["set"],  # of step: recompute, move the artists
        "png": part["png"],  # of step: draw and encode the PNG
        "back": received - end,
        "to_src": first["src"] - received,
        "decode": first["load"] - first["src"],
        "paint": first["painted"] - first["load"],
        "png_message_bytes": big["n"] if big else None,
        "pictures": len(rec["pictures"]),
        "steps": len(steps),
    }


class LessonMeasurer:
    """Drives one lesson's explorers in an opened :class:`browser_support.LessonPage`."""

    def __init__(self, lp, presses=PRESSES, drag=True, timeout=15.0, log=print, png_level=None):
        self.lp = lp
        self.png_level = png_level
        self.page = lp.page
        self.presses = presses
        self.drag = drag
        self.timeout = timeout
        self.log = log

    def _arm(self, box):
        box.evaluate(_JS_ARM)

    def _settle(self, quiet_ms):
        # polled every POLL_MS, not every frame: the times are taken in the page, the polling
        # only decides when the next press comes, and must not take CPU from the kernel
        self.page.wait_for_function(
            _JS_SETTLED, arg=quiet_ms, polling=POLL_MS, timeout=self.timeout * 1000
        )

    def _collect(self):
        return self.page.evaluate(_JS_COLLECT)

    def kernel(self, code):
        return self.page.evaluate(_JS_KERNEL_EXEC, [self.lp.path, code])

    def kernel_steps(self):
        """The ``Explorer.step`` calls since the last look: [{step: [start, end], set: ...,
        png: ...}, ...] (epoch ms)."""
        text = self.kernel(_PY_READ)
        try:
            events = json.loads(text)
        except ValueError:
            raise RuntimeError(f"{self.lp.path}: reading the kernel's step log: {text!r}") from None
        steps, inner = [], {}
        for name, t0, t1 in events:  # set and png end before the step that calls them
            if name == "step":
                steps.append({"step": [t0, t1], **inner})
                inner = {}
            else:
                inner[name] = [t0, t1]
        return steps

    def _wait_idle(self):
        with contextlib.suppress(Exception):
            self.page.wait_for_function(
                _JS_STATUS_IDLE, polling=POLL_MS, timeout=self.timeout * 1000
            )
        time.sleep(0.15)

    def press_series(self, box, slider):
        handle = slider.locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        self._wait_idle()
        handle.focus()
        direction = "ArrowRight"
        rows, missed = [], 0
        for _ in range(self.presses):
            st = slider.evaluate(_JS_SLIDER_STATE)
            if st["value"] >= st["max"]:
                direction = "ArrowLeft"
            elif st["value"] <= st["min"]:
                direction = "ArrowRight"
            self._arm(box)
            handle.press(direction)
            try:
                self._settle(150)
            except Exception:
                pass
            rec = self._collect()
            rec["steps"] = self.kernel_steps()
            t = _press_timings(rec)
            if t is None:
                missed += 1
            else:
                rows.append(t)
        return rows, missed

    def drag_once(self, box, slider):
        handle = slider.locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        self._wait_idle()
        st = slider.evaluate(_JS_SLIDER_STATE)
        sign = -1 if st["value"] >= (st["min"] + st["max"]) / 2 else 1
        bb = handle.bounding_box()
        x, y = bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2
        self._arm(box)
        mouse = self.page.mouse
        mouse.move(x, y)
        mouse.down()
        for k in range(1, DRAG_STEPS + 1):
            mouse.move(x + sign * k * DRAG_PX, y)
            time.sleep(DRAG_PAUSE_MS / 1000)
        mouse.up()
        with contextlib.suppress(Exception):
            self._settle(600)
        rec = self._collect()
        steps = self.kernel_steps()
        painted = [p["painted"] for p in rec["pictures"] if p["painted"] is not None]
        up = rec["up"]
        if up is None or not painted:
            return None
        sends = [m for m in rec["ws"] if m["dir"] == "out"]
        return {
            "after_up": max(0.0, max(painted) - up),
            "pictures": len(rec["pictures"]),
            "messages_out": len(sends),
            "steps": len(steps),
        }

    def run(self, expected):
        lp = self.lp
        explorers = lp.wait_explorers(expected)
        code = _PY_HOOK
        if self.png_level is not None:  # an A/B comparison of the PNG's zlib level
            code += f"_rl_sliders.PNG_COMPRESS_LEVEL = {int(self.png_level)}\n"
        hooked = self.kernel(code)
        if hooked.strip():
            raise RuntimeError(f"{lp.path}: hooking Explorer.step in the kernel: {hooked}")
        results = []
        for i, ex in enumerate(explorers):
            box = lp._box(i)
            png = box.evaluate(_JS_PNG_BYTES)
            for j, s in enumerate(ex["sliders"]):
                slider = box.locator(".widget-slider").nth(j)
                label = s["label"] or f"slider {j}"
                rows, missed = self.press_series(box, slider)
                drag = self.drag_once(box, slider) if self.drag else None
                res = {
                    "explorer": i,
                    "slider": label,
                    "png_bytes": png,
                    "size": ex["size"],
                    "presses": rows,
                    "missed": missed,
                    "drag": drag,
                }
                results.append(res)
                self.log(format_slider(res))
        return results


def _expected_explorers(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    n = sum(
        str(out.get("data", {}).get("text/plain", "")).startswith("Interactive figure")
        or "application/vnd.jupyter.widget-view+json" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )
    return max(1, n)


def _med(xs):
    return statistics.median(xs) if xs else float("nan")


def format_slider(res):
    tot = [r["total"] for r in res["presses"]]
    parts = [
        f"explorer {res['explorer']} {res['slider']!r}:",
        f"median {_med(tot):.0f} ms, worst {max(tot, default=float('nan')):.0f} ms",
        f"({len(tot)} presses, {res['missed']} without a new picture)",
    ]
    if tot:
        ph = {
            k: _med([r[k] for r in res["presses"]])
            for k in (
                "to_send",
                "to_kernel",
                "step",
                "set",
                "png",
                "back",
                "to_src",
                "decode",
                "paint",
            )
        }
        parts.append("medians: " + ", ".join(f"{k} {v:.1f}" for k, v in ph.items()))
        parts.append(f"png {res['png_bytes']} B, shown {res['size']}")
    if res["drag"]:
        d = res["drag"]
        parts.append(
            f"| drag: final picture {d['after_up']:.0f} ms after mouse-up, "
            f"{d['pictures']} pictures, {d['steps']} kernel updates, "
            f"{d['messages_out']} messages out"
        )
    return " ".join(parts)


def run(lessons=None, presses=PRESSES, drag=True, log=print, root=ROOT, png_level=None):
    """Measure every lesson (or the stages in ``lessons``); returns {lesson: [slider results]}."""
    from browser_support import Browser, LabPage, LabServer, LessonPage

    paths = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if lessons:
        paths = [p for p in paths if p.name[:2] in lessons]
    out = {}
    env_before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env_before]))
    scratch = Path(tempfile.mkdtemp(prefix="rnnlib-latency-"))
    server = browser = ctx = None
    try:
        shutil.copytree(root / "notebooks", scratch / "root" / "notebooks")
        server = LabServer(scratch / "root", scratch / "state").start()
        browser = Browser().start()
        ctx = browser.browser.new_context(viewport={"width": 1280, "height": 1000})
        ctx.add_init_script(_JS_INIT)
        lab_page = LabPage(server, ctx)
        for path in paths:
            log(f"{path.name}: load {load_average()}")
            lp = LessonPage(lab_page, f"notebooks/{path.name}")
            try:
                lp.open()
                lp.run_all()
                measurer = LessonMeasurer(lp, presses, drag, log=log, png_level=png_level)
                out[path.name[:2]] = measurer.run(_expected_explorers(path))
            finally:
                lab_page.close_documents()
                server.shutdown_kernels()
        return out
    finally:
        if ctx is not None:
            with contextlib.suppress(Exception):
                ctx.close()
        if browser is not None:
            browser.close()
        if server is not None:
            server.stop()
        if env_before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_before
        shutil.rmtree(scratch, ignore_errors=True)


def _ms(x):
    return "-" if x is None or x != x else f"{x:.0f}"


SLIDER_HEADER = [
    "lesson",
    "explorer / slider",
    "presses",
    f"median ms (< {BAR * 1e3:.0f})",
    "worst ms",
    "of the median: kernel step (PNG) / transport / browser ms",
    "PNG kB",
    "drag: mouse-up to final picture ms",
    "drag: pictures / kernel updates",
]


def slider_rows(runs):
    """One row per slider, all runs' presses pooled; ``runs`` is a list of :func:`run` results."""
    rows = []
    for stage_ in runs[0]:
        for k, first in enumerate(runs[0][stage_]):
            same = [r[stage_][k] for r in runs if stage_ in r and len(r[stage_]) > k]
            presses = [p for s in same for p in s["presses"]]
            tot = [p["total"] for p in presses]
            med = {
                key: _med([p[key] for p in presses if p[key] is not None])
                for key in ("total", "step", "png", "to_send", "to_kernel", "back")
            }
            browser_side = _med([p["to_src"] + p["decode"] + p["paint"] for p in presses])
            transport = med["to_send"] + med["to_kernel"] + med["back"]
            drags = [s["drag"] for s in same if s["drag"]]
            rows.append(
                [
                    stage_,
                    f"{first['explorer']} / {first['slider']}",
                    f"{len(tot)} (+{sum(s['missed'] for s in same)} no picture)"
                    if any(s["missed"] for s in same)
                    else str(len(tot)),
                    _ms(_med(tot)),
                    _ms(max(tot, default=None)),
                    f"{_ms(med['step'])} ({_ms(med['png'])}) / {_ms(transport)} / "
                    f"{_ms(browser_side)}",
                    f"{first['png_bytes'] / 1e3:.0f}" if first["png_bytes"] else "-",
                    ", ".join(_ms(d["after_up"]) for d in drags) or "-",
                    ", ".join(f"{d['pictures']} / {d['steps']}" for d in drags) or "-",
                ]
            )
    return rows


LESSON_HEADER = ["lesson", "sliders", "presses", "median ms", "worst ms", "per run: median"]


def lesson_rows(runs):
    rows = []
    for stage_ in runs[0]:
        per_run = [[p["total"] for s in r.get(stage_, []) for p in s["presses"]] for r in runs]
        tot = [t for ts in per_run for t in ts]
        rows.append(
            [
                stage_,
                str(len(runs[0][stage_])),
                str(len(tot)),
                _ms(_med(tot)),
                _ms(max(tot, default=None)),
                ", ".join(_ms(_med(ts)) for ts in per_run),
            ]
        )
    return rows


def section(runs, loads, skipped=None):
    """Section 5 of RESULTS.md: the tables of :func:`slider_rows` and :func:`lesson_rows`."""
    from benchmarks.run import md_table  # (run imports this module: imported when called)

    head = "## 5. Slider latency end to end, in the browser\n\n"
    if skipped:
        return head + f"Skipped: {skipped}."
    if not runs or not runs[0]:
        return head + "No lesson has a slider figure yet."
    worst = max(
        (p["total"] for r in runs for ss in r.values() for s in ss for p in s["presses"]),
        default=0.0,
    )
    medians = [_med([p["total"] for s in ss for p in s["presses"]]) for ss in runs[0].values()]
    over = max(medians) >= BAR * 1e3
    return head + "\n".join(
        [
            "What a learner feels: each lesson opened in JupyterLab (headless Chromium, "
            "`benchmarks/browser_latency.py`), all cells run, then every slider's handle pressed "
            f"{PRESSES} times with an arrow key, each press after the previous picture was "
            "painted. Latency: from the `keydown` event to the first frame painted after the "
            "explorer's `<img>` loaded its new PNG. Its parts (medians): the kernel's "
            "`Explorer.step` (recompute, redraw and PNG encoding, readout, widget messages sent; "
            "in brackets the redraw and PNG encoding alone); transport (the value's websocket "
            "message out, the server and the kernel's message loop until the step starts, the "
            "PNG's message back); browser (widget manager, image decode, the next frame). "
            f"A drag: {DRAG_STEPS} mouse moves of {DRAG_PX} px, {DRAG_PAUSE_MS} ms apart, on "
            "the handle; the time from mouse-up to the last picture painted, and how many "
            "pictures and kernel updates the drag made (ipywidgets sends one value at a time "
            "and keeps only the newest while one is in flight, so no stale updates queue up).",
            "",
            f"Load average: {'; '.join(loads)}. The kernel, the server and Chromium share the "
            "machine's cores with whatever else runs: under load every part is slower (the "
            "kernel's step most).",
            "",
            md_table(SLIDER_HEADER, slider_rows(runs)),
            "",
            md_table(LESSON_HEADER, lesson_rows(runs)),
            "",
            f"Slowest lesson median {max(medians):.0f} ms, worst single press {worst:.0f} ms: "
            + ("OVER the 100 ms bar." if over else "medians under the 100 ms bar."),
        ]
    )


def measure(repeat=1, presses=PRESSES, log=print):
    """For ``make bench``: (runs, loads), or ``(None, reason)`` where it cannot run."""
    reason = unavailable()
    if reason:
        return None, reason
    runs, loads = [], []
    for _ in range(repeat):
        before = load_average()
        runs.append(run(presses=presses, log=log))
        loads.append(f"{before} before, {load_average()} after")
    return runs, loads


def main(argv=None):
    from benchmarks.run import md_table

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--presses", type=int, default=PRESSES)
    ap.add_argument("--lessons", default="", help="stages, e.g. 00,03 (default: all)")
    ap.add_argument("--repeat", type=int, default=1, help="measure everything this many times")
    ap.add_argument("--no-drag", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    ap.add_argument("--png-level", type=int, help="set sliders.PNG_COMPRESS_LEVEL in the kernel")
    args = ap.parse_args(argv)
    reason = unavailable()
    if reason:
        print(f"browser latency: skipped: {reason}")
        return 0
    lessons = [s.strip() for s in args.lessons.split(",") if s.strip()]
    runs, loads = [], []
    for i in range(args.repeat):
        loads.append(load_average())
        print(f"run {i + 1}: load before {loads[-1]}", flush=True)
        runs.append(
            run(
                lessons,
                args.presses,
                not args.no_drag,
                log=lambda s: print("  " + s, flush=True),
                png_level=args.png_level,
            )
        )
        loads[-1] += f" before, {load_average()} after"
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "loads": loads}))
    print("\nload average per run: " + "; ".join(loads) + "\n")
    print(md_table(SLIDER_HEADER, slider_rows(runs)))
    print()
    print(md_table(LESSON_HEADER, lesson_rows(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
