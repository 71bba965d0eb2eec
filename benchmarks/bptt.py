"""BPTT speed: rnnlib's ``rnn_forward`` + ``rnn_backward`` against PyTorch autograd and the floor.

Three implementations of one model, ``h_t = tanh(x_t Wx + h_(t-1) Wh + b)``, each computing every
hidden state and the gradients ``dx, dh0, dWx, dWh, db`` for an upstream gradient ``dh`` of every
``h_t`` (float64):

- **rnnlib**: ``h, cache = rnn_forward(x, h0, Wx, Wh, b)`` then ``rnn_backward(dh, cache)``, with
  all of rnnlib's input checks (types, shapes, finiteness) on every call.
- **floor**: :func:`floor_bptt`, the leanest numpy formulation we could write: no checks, no cache
  object, one batched input projection, T recurrent matmuls forward and T backward, one batched
  product per weight gradient, results written in place where that saves an allocation, dead
  temporaries freed early. rnnlib cannot be faster than this by more than noise (memory and cache
  state, ±10% at the larger sizes); the ratio rnnlib / floor is what its checks and structure
  cost.
- **torch**: PyTorch autograd on the CPU running the same model, written two ways: the same
  formulation as the floor (a batched input projection, then T steps of ``tanh``), and
  ``torch.nn.RNN`` (PyTorch's own fused RNN layer, with its hidden bias frozen at zero so it is
  this model). The ratio to torch uses the faster of the two.

Timing (:func:`best_of_interleaved`): all implementations run in one process, interleaved (one
sample of each per round, in a shuffled order, so a burst of load on the machine hits all of
them), each sample a loop of calls lasting a few ms; the best sample per implementation is
reported (the minimum is the least disturbed estimate of what the code costs). The garbage
collector is off while a sample runs, as in :mod:`timeit`. ``make bench`` first holds glibc's
allocator steady (:func:`benchmarks.machine.steady_allocator`), so that no implementation's
arrays are page-faulted in anew on some calls and not on others.
"""

from __future__ import annotations

import gc
import operator
import random
import time

import numpy as np

from rnnlib import rnn_backward, rnn_forward
from rnnlib._validate import checked_arrays
from rnnlib.rnn import _finite_grads, _finite_states, _upstream

SIZES = [(1, 4, 1, 1), (16, 32, 32, 64), (32, 64, 64, 128), (64, 64, 128, 256)]
TARGET_TORCH = 0.90  # rnnlib time <= 0.90 x the faster torch time, at every size
TARGET_FLOOR = 1.25  # rnnlib time <= 1.25 x the floor time, at every size


def make_problem(N, T, D, H, seed=0, dtype=np.float64):
    """Random inputs of the given sizes, weights scaled so that tanh is not saturated."""
    rng = np.random.default_rng(seed)
    return {
        "x": rng.normal(size=(N, T, D)).astype(dtype),
        "h0": (0.5 * rng.normal(size=(N, H))).astype(dtype),
        "Wx": (0.5 / np.sqrt(D) * rng.normal(size=(D, H))).astype(dtype),
        "Wh": (0.5 / np.sqrt(H) * rng.normal(size=(H, H))).astype(dtype),
        "b": (0.1 * rng.normal(size=H)).astype(dtype),
        "dh": rng.normal(size=(N, T, H)).astype(dtype),
    }


ARGS = ("x", "h0", "Wx", "Wh", "b", "dh")
OUTPUTS = ("h", "dx", "dh0", "dWx", "dWh", "db")


# -- the floor --------------------------------------------------------------------------------
def floor_bptt(x, h0, Wx, Wh, b, dh, dWh_per_step=False, checked=False):
    """Forward and backward through time in the fewest numpy calls: the speed floor.

    The same numpy operations as rnnlib's, in one function, without checks or a cache object:
    time-major layout (each step reads and writes one contiguous (N, H) block), one batched
    input projection, T recurrent products each way, one batched product per weight gradient,
    and temporaries freed as soon as they are dead (the next arrays then reuse memory that is
    still in cache: ~15% at mid sizes). Returns ``(h, dx, dh0, dWx, dWh, db)`` with ``h`` of
    shape (N, T, H). Trusted float64 inputs only.

    ``dWh_per_step=True`` is the floor of the algorithm the course teaches (and rnnlib runs):
    ``dWh += h_(t-1)^T da_t`` inside the backward loop, one product and one addition a step,
    instead of one product over all steps after it.

    ``checked=True`` adds rnnlib's own checks at the points where rnnlib makes them (the six
    arrays' types, shapes and finiteness at the entries, the states' and gradients' overflow at
    the exits). With both, this is the leanest code of what the course's contract asks for, so
    rnnlib / that floor is what rnnlib's plain structure costs (a call per step, ``tanh'``
    written in the step, states stored step by step).
    """
    if checked:
        (x, h0, Wx, Wh, b), _ = checked_arrays(
            x=(x, "NTD"), h0=(h0, "NH"), Wx=(Wx, "DH"), Wh=(Wh, "HH"), b=(b, "H")
        )
        dh = _upstream("dh", dh, x.shape[:2] + Wh.shape[:1], "(N, T, H)", "the shape of h")
    N, T, D = x.shape
    H = Wh.shape[0]
    x_tm = x.transpose(1, 0, 2).reshape(T * N, D)  # rows (t, n)
    xw = (x_tm.dot(Wx) + b).reshape(T, N, H)  # one batched input projection
    hs = np.empty((T + 1, N, H))
    hs[0] = h0
    h = h0
    for t in range(T):  # T recurrent products forward
        h = np.tanh(xw[t] + h.dot(Wh), hs[t + 1])
    del xw
    if checked:
        _finite_states(hs)
    h = hs[1:]
    dtanh = 1.0 - h * h
    dh_tm = dh.transpose(1, 0, 2)
    da = np.empty((T, N, H))
    WhT = Wh.T
    carry = 0.0
    dWh = np.zeros((H, H)) if dWh_per_step else None
    for t in range(T - 1, -1, -1):  # T recurrent products backward
        g = dh_tm[t] + carry
        carry = np.multiply(g, dtanh[t], da[t]).dot(WhT)
        if dWh_per_step:
            dWh += hs[t].T.dot(da[t])
    del dtanh
    da2 = da.reshape(T * N, H)
    dWx = x_tm.T.dot(da2)  # one batched product per weight gradient
    if not dWh_per_step:
        dWh = hs[:-1].reshape(T * N, H).T.dot(da2)
    db = da2.sum(0)
    dx = da2.dot(Wx.T).reshape(T, N, D).transpose(1, 0, 2)
    if checked:
        _finite_grads(dx=dx, dh0=carry, dWx=dWx, dWh=dWh, db=db)
    return h.transpose(1, 0, 2), dx, carry, dWx, dWh, db


def rnnlib_bptt(x, h0, Wx, Wh, b, dh):
    """rnnlib's forward then backward: ``(h, dx, dh0, dWx, dWh, db)``."""
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    return (h, *rnn_backward(dh, cache))


# -- torch ------------------------------------------------------------------------------------
def import_torch():
    """``torch``, or None where it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


class TorchModel:
    """The same model in PyTorch (float64, CPU), its gradients by autograd, two ways."""

    def __init__(self, torch, p):
        self.torch = torch
        self.t = {k: torch.tensor(p[k], requires_grad=k != "dh") for k in ARGS}
        D, H = p["Wx"].shape
        rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True, dtype=torch.float64)
        with torch.no_grad():  # nn.RNN computes x W_ih^T + b_ih + h W_hh^T + b_hh
            rnn.weight_ih_l0.copy_(torch.tensor(p["Wx"].T))
            rnn.weight_hh_l0.copy_(torch.tensor(p["Wh"].T))
            rnn.bias_ih_l0.copy_(torch.tensor(p["b"]))
            rnn.bias_hh_l0.zero_()
        rnn.bias_hh_l0.requires_grad_(False)
        self.rnn = rnn

    def autograd(self):
        """Batched input projection, then T steps; ``(h, dx, dh0, dWx, dWh, db)`` as tensors."""
        torch, t = self.torch, self.t
        xw = torch.matmul(t["x"], t["Wx"]) + t["b"]
        h, hs = t["h0"], []
        for s in range(xw.shape[1]):
            h = torch.tanh(xw[:, s] + h @ t["Wh"])
            hs.append(h)
        h = torch.stack(hs, 1)
        grads = torch.autograd.grad(h, [t[k] for k in ARGS[:5]], t["dh"])
        return (h, *grads)

    def nn_rnn(self):
        """``torch.nn.RNN``; gradients returned in rnnlib's layout (Wx = W_ih^T, Wh = W_hh^T)."""
        torch, t, rnn = self.torch, self.t, self.rnn
        h, _ = rnn(t["x"], t["h0"][None])
        dx, dh0, dWih, dWhh, db = torch.autograd.grad(
            h, [t["x"], t["h0"], rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0], t["dh"]
        )
        return h, dx, dh0, dWih.T, dWhh.T, db


# -- timing -----------------------------------------------------------------------------------
def _sample(loop, n):
    """Seconds per call of ``loop(n)`` (which makes n calls), with the garbage collector off."""
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        loop(n)
        return (time.perf_counter() - t0) / n
    finally:
        if gc_was_on:
            gc.enable()


def best_of_interleaved(
    loops, sample_seconds=0.004, budget_seconds=3.0, min_repeats=15, library=None, settle=0.0
):
    """Best seconds per call of each ``loops[name](n)``, sampled in turn.

    Each loop first runs once (warm-up) to choose its number of calls per sample (about
    ``sample_seconds`` of work); then rounds of one sample per loop repeat until both
    ``min_repeats`` rounds and ``budget_seconds`` have passed (at most 400 rounds). The order is
    shuffled every round (seeded), so no implementation always runs right after another.

    Two things keep one implementation's leftovers from being charged to the next one:

    - a sample of fast calls starts with a few untimed ones (after torch's nn.RNN, the next
      ~0.3 ms of numpy work runs measurably slower: cold caches, a trimmed heap);
    - where ``library[name]`` changes from one sample to the next (numpy to torch or back), the
      loop first sleeps ``settle`` seconds. With more than one thread, both OpenBLAS's worker
      threads and torch's OpenMP threads keep spinning for a while after their last call
      (OpenBLAS up to about 0.1 s) and would take a core from the other library.
    """
    library = library or {}
    n = {}
    for name, loop in loops.items():
        once = _sample(loop, 1)
        n[name] = max(1, int(sample_seconds / max(once, 1e-9)))
    best = dict.fromkeys(loops, float("inf"))
    t_end = time.perf_counter() + budget_seconds
    rounds, previous = 0, None
    order = random.Random(0)
    while rounds < min_repeats or (time.perf_counter() < t_end and rounds < 400):
        names = list(loops)
        order.shuffle(names)  # a new order each round: no implementation always follows another
        for name in names:
            loop = loops[name]
            warm = n[name] // 8  # untimed calls before the sample
            if settle and library.get(name) != previous:
                time.sleep(settle)
                warm = max(warm, 1 if n[name] > 1 else 0)  # wake the thread pool up first
            previous = library.get(name)
            if warm:
                loop(warm)
            best[name] = min(best[name], _sample(loop, n[name]))
        rounds += 1
    return best, rounds


def _same(a, b, name):
    a = np.asarray(a)
    if a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12):
        raise AssertionError(f"benchmark implementations disagree on {name}")


def measure(size, threads, torch=None, budget_seconds=3.0, min_repeats=15):
    """Time every implementation at one size; returns a dict of seconds (None: not run)."""
    N, T, D, H = size
    p = make_problem(N, T, D, H)
    x, h0, Wx, Wh, b, dh = (p[k] for k in ARGS)
    want = rnnlib_bptt(x, h0, Wx, Wh, b, dh)
    for per_step, checked in ((False, False), (True, False), (True, True)):
        got = floor_bptt(x, h0, Wx, Wh, b, dh, dWh_per_step=per_step, checked=checked)
        for name, g, w in zip(OUTPUTS, got, want, strict=True):
            _same(g, w, f"floor {name}")

    def rnnlib_loop(n):
        for _ in range(n):
            _, cache = rnn_forward(x, h0, Wx, Wh, b)
            rnn_backward(dh, cache)

    def floor_loop(n):
        for _ in range(n):
            floor_bptt(x, h0, Wx, Wh, b, dh)

    def floor_per_step_loop(n):
        for _ in range(n):
            floor_bptt(x, h0, Wx, Wh, b, dh, dWh_per_step=True)

    def floor_checked_loop(n):
        for _ in range(n):
            floor_bptt(x, h0, Wx, Wh, b, dh, dWh_per_step=True, checked=True)

    loops = {
        "rnnlib": rnnlib_loop,
        "floor": floor_loop,
        "floor_per_step": floor_per_step_loop,
        "floor_checked": floor_checked_loop,
    }
    if torch is not None:
        model = TorchModel(torch, p)
        for way in (model.autograd, model.nn_rnn):
            for name, got, w in zip(OUTPUTS, way(), want, strict=True):
                _same(got.detach().numpy(), w, f"torch {way.__name__} {name}")

        def torch_loop(n):
            for _ in range(n):
                model.autograd()

        def torch_nn_loop(n):
            for _ in range(n):
                model.nn_rnn()

        loops |= {"torch": torch_loop, "torch_nn": torch_nn_loop}
    best, rounds = best_of_interleaved(
        loops,
        budget_seconds=budget_seconds,
        min_repeats=min_repeats,
        library={"torch": "torch", "torch_nn": "torch"},
        settle=0.0 if threads == 1 else 0.15,
    )
    best.setdefault("torch", None)
    best.setdefault("torch_nn", None)
    best["rounds"] = rounds
    best["size"], best["threads"] = size, threads
    return best


def validation_cost(size=(1, 4, 1, 1), repeats=300):
    """Seconds per forward + backward spent in rnnlib's checks, and rnnlib's total.

    Times the checks as rnnlib runs them (``checked_arrays`` at the entry of ``rnn_forward`` and
    ``_finite_states`` at its exit; ``_unpack`` and ``_upstream`` at the entry of
    ``rnn_backward`` and ``_finite_grads`` at its exit) against the whole pair of calls.
    """
    from rnnlib._validate import checked_arrays
    from rnnlib.rnn import _finite_grads, _finite_states, _unpack, _upstream

    p = make_problem(*size)
    x, h0, Wx, Wh, b, dh = (p[k] for k in ARGS)
    N, T, D, H = size
    _, cache = rnn_forward(x, h0, Wx, Wh, b)
    grads = dict(zip(("dx", "dh0", "dWx", "dWh", "db"), rnn_backward(dh, cache), strict=True))

    def checks(n):
        for _ in range(n):
            checked_arrays(x=(x, "NTD"), h0=(h0, "NH"), Wx=(Wx, "DH"), Wh=(Wh, "HH"), b=(b, "H"))
            _finite_states(cache.hs)
            _unpack(cache, "rnn_forward", 4)
            _upstream("dh", dh, (N, T, H), "(N, T, H)", "the shape of h")
            _finite_grads(**grads)

    def whole(n):
        for _ in range(n):
            _, c = rnn_forward(x, h0, Wx, Wh, b)
            rnn_backward(dh, c)

    best, _ = best_of_interleaved({"checks": checks, "whole": whole}, budget_seconds=1.0)
    return best["checks"], best["whole"]


def _product_loops(**products):
    """``{name: loop}`` from ``name=(fn, a, b)``: ``loop(n)`` makes n calls of ``fn(a, b)`` (for
    :func:`best_of_interleaved`; every loop pays the same call through ``fn``)."""

    def looped(fn, a, b):
        def loop(n):
            for _ in range(n):
                fn(a, b)

        return loop

    return {name: looped(*p) for name, p in products.items()}


def blas_products(torch, size=None, budget_seconds=1.0):
    """The model's own matrix products in numpy (its BLAS) and in torch (its BLAS), float64.

    At ``size`` (default the largest of :data:`SIZES`): the recurrent product of one step
    ``h_(t-1) Wh`` (N, H)(H, H) and one step's ``h_(t-1)^T da_t`` (H, N)(N, H), and the batched
    ``X Wx`` (NT, D)(D, H) and ``H^T dA`` (H, NT)(NT, H). Returns a list of
    ``(product, numpy seconds, torch seconds)``: which library's BLAS is faster on this machine
    bounds what any numpy code can do against torch (run it inside :func:`machine.threads`).
    """
    N, T, D, H = size or SIZES[-1]
    rng = np.random.default_rng(0)
    shapes = [
        ("h_(t-1) Wh", (N, H), (H, H)),
        ("h_(t-1)^T da_t", (H, N), (N, H)),
        ("X Wx", (N * T, D), (D, H)),
        ("H^T dA", (H, N * T), (N * T, H)),
    ]
    out = []
    for name, sa, sb in shapes:
        a, b = rng.normal(size=sa), rng.normal(size=sb)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        _same(ta @ tb, a.dot(b), name)
        best, _ = best_of_interleaved(
            _product_loops(numpy=(np.ndarray.dot, a, b), torch=(operator.matmul, ta, tb)),
            budget_seconds=budget_seconds,
            library={"numpy": "numpy", "torch": "torch"},
        )
        out.append(
            (f"{name}: ({sa[0]}, {sa[1]}) × ({sb[0]}, {sb[1]})", best["numpy"], best["torch"])
        )
    return out


def call_costs(budget_seconds=0.5):
    """Seconds per call of ``a.dot(b)`` and of ``a @ b`` on the same arrays: a list of
    ``(shapes in words, dot seconds, matmul seconds)`` for 1 × 1 arrays and for one backward
    step's ``da Wh^T`` at (N, H) = (16, 64)."""
    out = []
    for sa, sb in (((1, 1), (1, 1)), ((16, 64), (64, 64))):
        a, b = np.ones(sa), np.ones(sb)
        best, _ = best_of_interleaved(
            _product_loops(dot=(np.ndarray.dot, a, b), matmul=(operator.matmul, a, b)),
            sample_seconds=0.002,
            budget_seconds=budget_seconds,
        )
        out.append((f"({sa[0]}, {sa[1]}) × ({sb[0]}, {sb[1]})", best["dot"], best["matmul"]))
    return out


def run(threads_list, quick=False, log=print):
    """Measure every size at every thread count; returns (rows, torch_version or None)."""
    from . import machine

    torch = import_torch()
    rows = []
    for threads in threads_list:
        with machine.threads(threads, torch):
            for size in SIZES:
                # More threads, more ways for other processes' load to intrude: more rounds.
                single = threads == 1
                row = measure(
                    size,
                    threads,
                    torch,
                    budget_seconds=0.5 if quick else (5.0 if single else 12.0),
                    min_repeats=5 if quick else (20 if single else 40),
                )
                rows.append(row)
                log(format_row(row))
    return rows, (torch.__version__ if torch is not None else None)


def best_torch(row):
    """The faster torch time of the row, or None."""
    ts = [row[k] for k in ("torch", "torch_nn") if row[k] is not None]
    return min(ts) if ts else None


def _ms(s):
    return "not installed" if s is None else f"{s * 1e3:.4g}"


def format_row(row):
    return " | ".join(table_cells(row))


def table_cells(row):
    """The cells of one row of the BPTT table (see :data:`HEADER`)."""
    bt = best_torch(row)
    r_floor = row["rnnlib"] / row["floor"]
    r_torch = None if bt is None else row["rnnlib"] / bt
    ok = r_floor <= TARGET_FLOOR and (r_torch is None or r_torch <= TARGET_TORCH)
    return [
        "({}, {}, {}, {})".format(*row["size"]),
        "default" if row["threads"] is None else str(row["threads"]),
        _ms(row["rnnlib"]),
        _ms(row["floor"]),
        f"{row['floor_per_step'] / row['floor']:.2f}",
        f"{row['rnnlib'] / row['floor_checked']:.2f}",
        _ms(row["torch"]),
        _ms(row["torch_nn"]),
        f"{r_floor:.2f}",
        "n/a (no torch)" if r_torch is None else f"{r_torch:.2f}",
        "n/a (no torch)" if bt is None else f"{row['floor'] / bt:.2f}",
        "yes" if ok else "NO",
    ]


HEADER = [
    "(N, T, D, H)",
    "threads",
    "rnnlib ms",
    "floor ms",
    "per-step-dWh floor / floor",
    "rnnlib / per-step-dWh floor with rnnlib's checks",
    "torch autograd ms",
    "torch nn.RNN ms",
    f"rnnlib / floor (≤ {TARGET_FLOOR})",
    f"rnnlib / best torch (≤ {TARGET_TORCH})",
    "floor / best torch",
    "targets met",
]
