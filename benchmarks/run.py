"""``make bench``: run the benchmarks, print their tables, write ``benchmarks/RESULTS.md``.

Usage: python -m benchmarks.run [--only bptt,course,sliders,grading,browser,memory]
                                [--threads 1,2] [--quick] [--output PATH | --no-write]

1. BPTT speed (:mod:`benchmarks.bptt`): rnnlib against PyTorch autograd and the numpy floor.
2. Course run time (:mod:`benchmarks.course`): every lesson and solution notebook.
3. Slider latency (:mod:`benchmarks.sliders`): every slider of every lesson's figures.
4. Grading a class (:mod:`benchmarks.grading`): nbgrader autograde per exercise and submission.
5. Slider latency end to end (:mod:`benchmarks.browser_latency`): every slider of every lesson
   in JupyterLab in headless Chromium, key press to picture painted (skipped, saying why, where
   Chromium or Playwright is missing).
6. Memory (:mod:`benchmarks.memory`): the JupyterLab server and a kernel per lesson and exercise,
   and what a learner's session holds in all (for a hub's or Binder's memory limit).

RESULTS.md is written only after a full run (all parts) unless ``--output`` is given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import bptt, browser_latency, course, grading, machine, memory, sliders

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
PARTS = ("bptt", "course", "sliders", "grading", "browser", "memory")


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def section_machine(info, threads_list):
    threads = (
        "numpy's BLAS threads (threadpoolctl) and torch's intra-op threads "
        "(`torch.set_num_threads`) are set to the same number for each row: "
        + ", ".join(str(t) for t in threads_list)
        if machine.threads_controllable()
        else "not controlled (threadpoolctl is not installed): each library used its default"
    )
    rows = [
        ["date", info["date"]],
        ["CPU", info["cpu"]],
        ["cores", info["cores"]],
        ["OS", info["os"]],
        ["Python", info["python"]],
        ["numpy", info["numpy"]],
        ["numpy's BLAS", info["blas"]],
        ["BLAS kernel that ran", info["blas_kernel"]],
        ["OpenBLAS core-type override", info["openblas_env"]],
        ["torch", info["torch"]],
        ["matplotlib", info["matplotlib"]],
        ["threads", threads],
        ["memory allocator", info.get("allocator", "the C library's default")],
        ["load average when the run started", info["load"]],
    ]
    return "## Machine\n\n" + md_table(["", ""], rows)


def _dot_against_matmul(call_costs):
    """``a @ b`` against ``a.dot(b)`` in words, from :func:`bptt.call_costs`' list."""
    if not call_costs:
        return "not measured in this run"
    return ", ".join(
        f"{mm * 1e6:.2f} against {dot * 1e6:.2f} µs for {shape}" for shape, dot, mm in call_costs
    )


def section_bptt(rows, validation, products=None, call_costs=None):
    text = [
        "## 1. BPTT speed: `rnn_forward` + `rnn_backward`, float64",
        "",
        "Best time per forward + backward call (ms). *rnnlib*: `rnn_forward` then "
        "`rnn_backward`, with every input check. *floor*: the same numpy operations in one "
        "function with no checks and no cache object (`benchmarks/bptt.floor_bptt`). *torch "
        "autograd*: the same formulation in PyTorch (CPU, float64), gradients by autograd; "
        "*torch nn.RNN*: PyTorch's fused RNN layer running the same model. The torch ratio uses "
        "the faster torch. All implementations run in one process, interleaved in a shuffled "
        "order each round, each sample a few ms of calls after a few untimed ones, with a "
        "pause where the library changes (so OpenBLAS's and torch's spinning worker threads "
        "do not steal a core from the other), garbage collector off; the best sample counts. "
        "The memory allocator is held in one state (see *memory allocator* above): left to "
        "itself, glibc page-faults a call's large arrays in anew in some processes and not in "
        "others (the floor measured 0.69 and 1.02 ms at (16, 32, 32, 64) in two runs).",
        "",
        "Both libraries get the same number of threads in each row. 1 thread is the reference: "
        "on 2 cores shared with the OS and other processes, a second BLAS thread is often "
        "descheduled, so 2-thread rows vary more from run to run (look at the load average "
        "above).",
        "",
        "What the plain code costs. rnnlib's `rnn_forward` and `rnn_backward` are the code "
        "lesson 06 prints: loops of step functions in which the shared recurrent weight's "
        "gradient visibly accumulates (`dWh += h_(t-1)^T da_t` every step), one input check at "
        "each entry and an overflow check at each exit; only the input side (`x Wx + b`, and "
        "`dx`, `dWx`, `db`) is batched over all steps. Inside the loops products are written "
        "`a.dot(b)`, as in CS231n: the same product as `a @ b`, whose call costs more in "
        f"numpy 2 ({_dot_against_matmul(call_costs)} on this machine), once a forward step "
        "and twice a backward step. "
        "The floor forms `dWh` in one product after the loop, precomputes `tanh'` for every "
        "step and writes into preallocated arrays; the *per-step-dWh floor* is the same lean "
        "code running the algorithm the course teaches, `dWh +=` inside the backward loop; "
        "with rnnlib's own checks added at the same points "
        "(`floor_bptt(..., dWh_per_step=True, checked=True)`) "
        "it is the leanest code of what the course's contract asks for, so *rnnlib / per-step-"
        "dWh floor with rnnlib's checks* is what rnnlib's plain structure alone costs (a call "
        "per step, `tanh'` written in the step, states stored step by step). Where the matrix "
        "products dominate, all agree within memory and cache effects; where each numpy "
        "call's overhead (about 0.5 µs) dominates, the per-step accumulation, the checks and "
        "the step calls cost what the ratios show.",
        "",
        md_table(bptt.HEADER, [bptt.table_cells(r) for r in rows]),
    ]
    if validation is not None:
        checks, whole = validation
        text += [
            "",
            f"rnnlib's checks (types, shapes and finiteness of all six arrays at the entries, "
            f"overflow of the states and gradients at the exits) at (N, T, D, H) = (1, 4, 1, 1): "
            f"{checks * 1e6:.1f} µs of the {whole * 1e6:.1f} µs of a forward + backward call "
            f"({checks / whole:.0%}).",
        ]
    text += bar_at_smallest_size(rows, validation)
    text += blas_under_both(rows, products)
    return "\n".join(text)


def blas_under_both(rows, products):
    """The model's products in numpy's BLAS and torch's, and where even the floor cannot meet
    the torch bar on this machine."""
    if not products:
        return []
    size = "({}, {}, {}, {})".format(*bptt.SIZES[-1])
    table = md_table(
        ["product, 1 thread", "numpy ms", "torch ms", "numpy / torch"],
        [[name, f"{a * 1e3:.4g}", f"{b * 1e3:.4g}", f"{a / b:.2f}"] for name, a, b in products],
    )
    over = [
        "({}, {}, {}, {}), {} thread{}".format(*r["size"], r["threads"], "s" * (r["threads"] > 1))
        for r in rows
        if r["threads"] is not None
        and bptt.best_torch(r) is not None
        and r["floor"] / bptt.best_torch(r) > bptt.TARGET_TORCH
    ]
    verdict = (
        f"Here the floor itself is above {bptt.TARGET_TORCH}x the faster torch at "
        f"{'; '.join(over)}: no numpy code meets the torch bar there on this machine."
        if over
        else f"Here the floor is within {bptt.TARGET_TORCH}x the faster torch at every size."
    )
    return [
        "",
        "The BLAS under both. rnnlib and the floor multiply matrices with numpy's BLAS (see "
        "*numpy's BLAS* above), torch with its own (see *torch*): which is faster depends on "
        "the CPU and on the two libraries' builds, and it bounds what any numpy code can do "
        "against torch at the sizes where the products "
        f"dominate. The model's own products at {size}, float64, best of interleaved samples:",
        "",
        table,
        "",
        verdict,
    ]


def bar_at_smallest_size(rows, validation):
    """What the 1.25x floor bar leaves at the smallest size, from the 1-thread row's numbers."""
    row = next((r for r in rows if r["size"] == bptt.SIZES[0] and r["threads"] in (1, None)), None)
    if row is None or validation is None:
        return []
    lean = row["floor_per_step"] / row["floor"]
    lean_checked = row["floor_checked"] / row["floor"]
    return [
        "",
        f"At {bptt.SIZES[0]} (4 steps of 1 × 1 products, about 40 numpy calls in all) the lean "
        f"code of the taught algorithm takes {lean:.2f}x the floor with no checks, and "
        f"{lean_checked:.2f}x with rnnlib's checks added (measured, the row's per-step-dWh floor "
        f"with rnnlib's checks): at this size the {bptt.TARGET_FLOOR}x bar is a bar on code that "
        f"accumulates `dWh` after the loop and checks nothing. rnnlib's further "
        f"{row['rnnlib'] / row['floor'] - lean_checked:.2f}x is its structure (a call per step, "
        f"states stored per step).",
    ]


def section_course(rows):
    head = "## 2. Course run time\n\n"
    if not rows:
        return head + "No lesson or solution notebooks exist yet."
    table = [course.table_cells(r) for r in rows] + [course.total_cells(rows)]
    return (
        head + "Each notebook executed top to bottom in a fresh kernel (start included), nothing "
        "saved.\n\n" + md_table(course.HEADER, table)
    )


def section_sliders(rows):
    head = "## 3. Slider latency\n\n"
    if not rows:
        return head + "No lesson has a slider figure yet."
    return (
        head + f"Every slider of every lesson's figures moved over {sliders.POINTS} values and "
        "back to its default with `ex.step(name=value)` (recompute, redraw to PNG, readout); "
        "times are `ex.last_update_seconds`.\n\n"
        + md_table(sliders.HEADER, [sliders.table_cells(r) for r in rows])
    )


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts to run")
    ap.add_argument("--threads", default="1,2", help="BLAS/torch thread counts, e.g. 1,2")
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    ap.add_argument("--output", type=Path, help="write the results here (default RESULTS.md)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"--only: expected parts among {PARTS}, got {sorted(unknown)}")
    threads_list = [int(t) for t in args.threads.split(",")]
    if not machine.threads_controllable():
        threads_list = [None]

    torch = bptt.import_torch() if "bptt" in parts else None
    info = machine.describe(torch)
    if "bptt" in parts:
        info["allocator"] = machine.steady_allocator()
    print(section_machine(info, threads_list), flush=True)
    warning = machine.coretype_warning()
    if warning:
        print(f"\nNote: {warning}", flush=True)

    out = ["# Benchmarks", "Written by `make bench` (`python -m benchmarks.run`)."]
    out += [section_machine(info, threads_list)] + ([f"Note: {warning}"] if warning else [])

    def log(line):
        print("  " + line, flush=True)

    if "bptt" in parts:
        print("\n1. BPTT speed", flush=True)
        rows, _ = bptt.run(threads_list, quick=args.quick, log=log)
        with machine.threads(1, torch):
            validation = bptt.validation_cost()
            products = bptt.blas_products(torch) if torch is not None else None
            call_costs = bptt.call_costs()
        out.append(section_bptt(rows, validation, products, call_costs))
    if "course" in parts:
        print("\n2. Course run time", flush=True)
        out.append(section_course(course.run(ROOT, log=log)))
    if "sliders" in parts:
        print("\n3. Slider latency", flush=True)
        out.append(section_sliders(sliders.run(log=log)))
    if "grading" in parts:
        print("\n4. Grading a class with nbgrader", flush=True)
        rows, summary = grading.run(learners=2 if args.quick else 4, log=log)
        out.append(grading.section(rows, summary, md_table))
    if "browser" in parts:
        print("\n5. Slider latency end to end, in the browser", flush=True)
        runs, loads = browser_latency.measure(log=log)
        if runs is None:
            log(f"skipped: {loads}")
            out.append(browser_latency.section(None, None, skipped=loads))
        else:
            out.append(browser_latency.section(runs, loads))
    if "memory" in parts:
        print("\n6. Memory of a learner's JupyterLab", flush=True)
        out.append(memory.section(memory.run(log=log), md_table))

    text = "\n\n".join(out) + "\n"
    print("\n" + text)
    target = args.output or (RESULTS if set(parts) == set(PARTS) else None)
    if target is not None and not args.no_write:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
