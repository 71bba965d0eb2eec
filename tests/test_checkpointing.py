"""rnnlib.checkpointing: BPTT keeping every k-th state gives exactly rnn_backward's gradients (for
every k, including k = 1, k = T and k > T, and T not a multiple of k), holds ⌈T/k⌉ + k states, its
memory (traced with tracemalloc) falls from O(T) to O(T/k + k), it computes every step twice, and
bad input gets a ValueError naming the argument."""

import tracemalloc

import numpy as np
import pytest

import rnnlib.rnn
from rnnlib import numerical_gradient, rel_error, rnn_backward, rnn_forward
from rnnlib.checkpointing import checkpointed_backward, checkpoints, states_held


def _problem(N, T, D, H, seed):
    r = np.random.default_rng(seed)
    x, h0 = r.normal(size=(N, T, D)), r.normal(size=(N, H)) * 0.5
    Wx, Wh = r.normal(size=(D, H)) / np.sqrt(D), r.normal(size=(H, H)) / np.sqrt(H)
    return x, h0, Wx, Wh, r.normal(size=H) * 0.1, r.normal(size=(N, T, H))


@pytest.mark.parametrize("k", [1, 2, 3, 5, 7, 12, 13])
@pytest.mark.parametrize(("N", "T", "D", "H"), [(2, 12, 3, 4), (1, 7, 2, 5), (3, 1, 1, 2)])
def test_equal_to_rnn_backward_for_every_segment_length(N, T, D, H, k):
    x, h0, Wx, Wh, b, dh = _problem(N, T, D, H, seed=N * 100 + T + k)
    want = rnn_backward(dh, rnn_forward(x, h0, Wx, Wh, b)[1])
    got = checkpointed_backward(dh, x, h0, Wx, Wh, b, k)
    for a, c in zip(got, want, strict=True):
        assert a.shape == c.shape
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-14)


def test_against_finite_differences():
    x, h0, Wx, Wh, b, dh = _problem(2, 9, 3, 4, seed=5)
    got = checkpointed_backward(dh, x, h0, Wx, Wh, b, 4)
    params = [x, h0, Wx, Wh, b]
    for i, g in enumerate(got):

        def f(p, i=i):
            args = list(params)
            args[i] = p
            return rnn_forward(*args)[0]

        assert rel_error(numerical_gradient(f, params[i].copy(), dh), g) < 1e-7


def test_checkpoints_are_the_forward_states_every_k_steps():
    x, h0, Wx, Wh, b, _ = _problem(2, 10, 3, 4, seed=1)
    h = rnn_forward(x, h0, Wx, Wh, b)[0]
    kept = checkpoints(x, h0, Wx, Wh, b, 4)
    assert len(kept) == 3  # h_0, h_4, h_8
    for got, want in zip(kept, [h0, h[:, 3], h[:, 7]], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13)
        assert got.base is None or got.base.shape == got.shape  # not a view of a segment's states


def test_states_held_by_hand():
    assert states_held(400, 20) == 40 and states_held(400, 1) == 401
    assert states_held(10, 3) == 4 + 3 and states_held(5, 9) == 1 + 5
    assert min(range(1, 401), key=lambda k: states_held(400, k)) == 20


def test_every_step_is_computed_twice(monkeypatch):
    calls = []
    inner = rnnlib.rnn._step_forward
    monkeypatch.setattr(rnnlib.rnn, "_step_forward", lambda *a: calls.append(1) or inner(*a))
    x, h0, Wx, Wh, b, dh = _problem(1, 20, 2, 3, seed=2)
    checkpointed_backward(dh, x, h0, Wx, Wh, b, 6)
    assert len(calls) == 2 * 20  # one forward for the checkpoints, one to recompute segments


def _peak_bytes(fn):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_plain_grows_with_T_checkpointed_with_T_over_k_plus_k():
    N, D, H = 8, 1, 64
    state = N * H * 8  # bytes of one hidden state

    def plain(T):
        x, h0, Wx, Wh, b, dh = _problem(N, T, D, H, seed=T)
        return _peak_bytes(lambda: rnn_backward(dh, rnn_forward(x, h0, Wx, Wh, b)[1]))

    Ts = np.array([100, 200, 400, 800])
    peaks = np.array([plain(T) for T in Ts])
    slope, icpt = np.polyfit(Ts, peaks, 1)
    assert 1.0 * state < slope < 4.0 * state  # every h_t, and its da_t, per step
    assert np.max(np.abs(peaks - (slope * Ts + icpt))) < 0.02 * peaks.max()  # linear

    x, h0, Wx, Wh, b, dh = _problem(N, 400, D, H, seed=3)
    ck = {
        k: _peak_bytes(lambda k=k: checkpointed_backward(dh, x, h0, Wx, Wh, b, k))
        for k in (2, 10, 20, 100, 400)
    }
    assert ck[10] < 0.25 * peaks[2] and ck[20] < 0.25 * peaks[2]  # a fraction of plain BPTT
    assert ck[2] > ck[10] and ck[100] > ck[20] and ck[400] > ck[100]  # U-shaped in k


def test_a_segment_is_freed_before_the_next_is_made():
    """The backward pass over one segment holds its k + 1 states (the cache), its da and its dh
    (k steps each): 3k arrays of N × H beside the ⌈T/k⌉ checkpoints. Everything else it holds
    (dx, the weight gradients, numpy's working buffers) hardly depends on k, so the peak less
    ⌈T/k⌉ + 3k states is the same for every k within a few states. (numpy's buffers hold at
    most np.getbufsize() = 8192 numbers, 16 states here, and fewer for a shorter segment: that
    part spreads by 2 states in numpy 2 and by 7 in numpy 1.26. Holding the previous segment's
    cache and dh while the next was recomputed, as the loop once did, adds up to 2k more: a
    spread of 115 states over these k.)"""
    N, T, D, H = 8, 256, 1, 64
    state = N * H * 8
    x, h0, Wx, Wh, b, dh = _problem(N, T, D, H, seed=4)
    rest = []
    for k in (4, 8, 16, 32, 64, 128):
        peak = _peak_bytes(lambda k=k: checkpointed_backward(dh, x, h0, Wx, Wh, b, k))
        rest.append(peak / state - (-(-T // k) + 3 * k))
    assert max(rest) - min(rest) < 10, rest


@pytest.mark.parametrize(
    ("k", "match"),
    [
        (0, r"^k: expected an integer >= 1, got 0"),
        (2.5, r"^k: expected an integer >= 1"),
        (True, r"^k: expected an integer"),
    ],
)
def test_bad_k(k, match):
    x, h0, Wx, Wh, b, dh = _problem(1, 4, 2, 3, seed=0)
    with pytest.raises(ValueError, match=match):
        checkpointed_backward(dh, x, h0, Wx, Wh, b, k)


def test_bad_dh_and_bad_shapes_are_named():
    x, h0, Wx, Wh, b, dh = _problem(2, 4, 2, 3, seed=0)
    with pytest.raises(ValueError, match=r"^dh: expected shape \(N, T, H\) = \(2, 4, 3\)"):
        checkpointed_backward(dh[:, :3], x, h0, Wx, Wh, b, 2)
    with pytest.raises(ValueError, match=r"^Wh: expected"):
        checkpointed_backward(dh, x, h0, Wx, Wh[:2], b, 2)
    with pytest.raises(ValueError, match=r"^T: expected an integer >= 1"):
        states_held(0, 3)
