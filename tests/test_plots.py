"""rnnlib.course.plots: the unrolled-graph drawing (names, labels, gradient paths, highlighting);
rnnlib.course.sliders.freeze_static: the static-background cache of slider figures (its pictures
against plain full draws)."""

import io

import numpy as np
import pytest
from matplotlib import rc_context
from matplotlib.colors import same_color
from matplotlib.figure import Figure

from rnnlib.course.plots import (
    FADED,
    HIGHLIGHT,
    NORMAL,
    draw_unrolled_graph,
    gradient_path,
    seed_label_map,
)
from rnnlib.course.sliders import freeze_static, new_figure


def graph(**kw):
    fig = new_figure(figsize=(9, 3))
    return fig, draw_unrolled_graph(fig.add_subplot(), **kw)


def png(fig):
    buf = io.BytesIO()
    fig.canvas.print_png(buf)
    return buf.getvalue()


# -- gradient paths, written out by hand ---------------------------------------------------------
def test_gradient_paths_by_hand():
    assert gradient_path("v") == [("o4", "yhat"), ("yhat", "L")]
    assert gradient_path(4) == [("o3", "o4"), ("o4", "yhat"), ("yhat", "L")]
    assert gradient_path(("w", 2)) == [
        ("o1", "o2"),
        ("o2", "o3"),
        ("o3", "o4"),
        ("o4", "yhat"),
        ("yhat", "L"),
    ]
    assert gradient_path(("u", 3)) == [("x3", "o3"), ("o3", "o4"), ("o4", "yhat"), ("yhat", "L")]
    assert gradient_path(1, T=1) == [("o0", "o1"), ("o1", "yhat"), ("yhat", "L")]
    assert gradient_path(("w", 3), T=4) == gradient_path(3)


@pytest.mark.parametrize("T", [1, 2, 4, 7])
def test_path_has_one_edge_per_chain_rule_factor(T):
    """dL/dw⁽ᵗ⁾ = dL/dŷ · dŷ/do_T · Π_(k=t+1..T) do_k/do_(k−1) · do_t/dw⁽ᵗ⁾: T − t + 3 factors."""
    for t in range(1, T + 1):
        path = gradient_path(t, T=T)
        assert len(path) == T - t + 3
        # a connected chain: each edge starts where the previous one ended
        assert all(a[1] == b[0] for a, b in zip(path[:-1], path[1:], strict=True))
        assert path[-1] == ("yhat", "L")


@pytest.mark.parametrize("bad", [0, 5, -1, "w", "u", ("w", 0), ("v", 1), True, 2.0, None])
def test_gradient_path_rejects_unknown_weights(bad):
    with pytest.raises(ValueError, match=r"^weight: expected 'v', a step t in 1\.\.4"):
        gradient_path(bad)


@pytest.mark.parametrize("T", [0, -2, 2.5, True, "4", None])
def test_T_must_be_a_positive_integer(T):
    with pytest.raises(ValueError, match="^T: expected an integer"):
        gradient_path("v", T=T)
    with pytest.raises(ValueError, match="^T: expected an integer"):
        draw_unrolled_graph(Figure().add_subplot(), T=T)


# -- the drawing -------------------------------------------------------------------------------
@pytest.mark.parametrize("T", [1, 3, 4, 6])
def test_nodes_and_edges(T):
    _, g = graph(T=T)
    want_nodes = {f"x{t}" for t in range(1, T + 1)} | {f"o{t}" for t in range(T + 1)}
    assert set(g.nodes) == want_nodes | {"yhat", "y", "L"}
    want_edges = {(f"o{t - 1}", f"o{t}") for t in range(1, T + 1)}
    want_edges |= {(f"x{t}", f"o{t}") for t in range(1, T + 1)}
    want_edges |= {(f"o{T}", "yhat"), ("yhat", "L"), ("y", "L")}
    assert set(g.edges) == want_edges
    # every recurrent edge carries its own copy w⁽ᵗ⁾, every input edge u, the output edge v
    for t in range(1, T + 1):
        assert g.edge_labels[(f"o{t - 1}", f"o{t}")].get_text() == f"$w^{{({t})}}$"
        assert g.edge_labels[(f"x{t}", f"o{t}")].get_text() == "$u$"
    assert g.edge_labels[(f"o{T}", "yhat")].get_text() == "$v$"
    assert g.seed_labels == {}


def test_arrows_run_from_source_to_target():
    _, g = graph()
    for (src, dst), arrow in g.edges.items():
        (x0, y0), (x1, y1) = arrow._posA_posB
        (cs, cd) = g.nodes[src].center, g.nodes[dst].center
        r = g.nodes[src].radius
        # starts on the source's rim and ends on the target's rim, pointing from one to the other
        assert np.hypot(x0 - cs[0], y0 - cs[1]) == pytest.approx(r)
        assert np.hypot(x1 - cd[0], y1 - cd[1]) == pytest.approx(r)
        assert np.dot([x1 - x0, y1 - y0], [cd[0] - cs[0], cd[1] - cs[1]]) > 0


def test_seed_labels_sit_where_the_seed_puts_them():
    """The seed: w3 is the last-layer weight (v); o_4 depends on w2; ∂o_3/∂w1; ∂o_2/∂w."""
    _, g = graph(seed_labels=True)
    got = {e: t.get_text() for e, t in g.seed_labels.items()}
    assert got == {
        ("o4", "yhat"): "seed: w3",
        ("o3", "o4"): "seed: w2",
        ("o2", "o3"): "seed: w1",
        ("o1", "o2"): "seed: w",
    }
    # w3 is on the output edge, not on a recurrent one: v is not a copy of w
    assert "seed: w3" not in {t.get_text() for e, t in g.seed_labels.items() if e[1] != "yhat"}
    assert seed_label_map(4) == {e: lab.removeprefix("seed: ") for e, lab in got.items()}


def test_seed_labels_need_three_steps():
    with pytest.raises(ValueError, match="^T: expected T >= 3 for the seed's labels"):
        graph(T=2, seed_labels=True)
    assert seed_label_map(5)[("o5", "yhat")] == "w3"
    assert seed_label_map(5)[("o2", "o3")] == "w"


def colours(g):
    return {e: a.get_edgecolor() for e, a in g.edges.items()}


def test_no_highlight_draws_everything_alike():
    _, g = graph()
    assert all(same_color(c, NORMAL) for c in colours(g).values())
    assert g.highlighted == []


@pytest.mark.parametrize(
    ("highlight", "lit"),
    [
        ("v", {("o4", "yhat"), ("yhat", "L")}),
        (4, {("o3", "o4"), ("o4", "yhat"), ("yhat", "L")}),
        (("u", 4), {("x4", "o4"), ("o4", "yhat"), ("yhat", "L")}),
        ([("o1", "o2"), ("x2", "o2")], {("o1", "o2"), ("x2", "o2")}),
    ],
)
def test_highlight_colours_exactly_the_path(highlight, lit):
    _, g = graph(highlight=highlight)
    for e, c in colours(g).items():
        assert same_color(c, HIGHLIGHT if e in lit else FADED), e
        assert g.edges[e].get_linewidth() > (2.0 if e in lit else 0.0)
    assert set(g.highlighted) == lit
    lit_nodes = {n for e in lit for n in e}
    for n, circle in g.nodes.items():
        assert same_color(circle.get_edgecolor(), HIGHLIGHT if n in lit_nodes else FADED), n


def test_highlight_can_be_changed_and_removed():
    fig, g = graph()
    plain = png(fig)
    g.set_highlight(gradient_path(2) + gradient_path(3))
    assert set(g.highlighted) == set(gradient_path(2)) | {("o2", "o3")}
    lit = png(fig)
    assert lit != plain
    g.set_highlight(None)
    assert all(same_color(c, NORMAL) for c in colours(g).values())
    assert png(fig) == plain


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (0, r"^highlight: expected 'v', a step t in 1\.\.4"),
        (("w", 9), r"^highlight: expected 'v', a step t in 1\.\.4"),
        ("w2", r"^highlight: expected 'v'"),
        ([("o4", "o3")], r"^highlight: expected edges of the graph .* \[\('o4', 'o3'\)\]"),
        (3.0, r"^highlight: expected None, 'v', a step t"),
    ],
)
def test_bad_highlight(bad, match):
    with pytest.raises(ValueError, match=match):
        graph(highlight=bad)


def test_set_values_writes_numbers_at_nodes():
    _, g = graph()
    assert all(t.get_text() == "" for t in g.node_values.values())
    g.set_values({"o2": 0.1953, "x1": -1.0})
    assert g.node_values["o2"].get_text() == "+0.195"
    assert g.node_values["x1"].get_text() == "-1.000"
    with pytest.raises(ValueError, match="^values: expected node names among .* got 'o9'"):
        g.set_values({"o9": 1.0})


def test_equations_are_optional():
    _, g = graph()
    _, h = graph(show_equations=False)
    assert any("tanh" in t.get_text() for t in g.ax.texts)
    assert not any("tanh" in t.get_text() for t in h.ax.texts)


# -- freeze_static: the cached picture equals a full draw ------------------------------------
def two_figures():
    """The same figure twice: one plain, one with its line declared dynamic."""
    out = []
    for _ in range(2):
        fig = new_figure(figsize=(4, 3))
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], color="0.5")
        ax.set_xlim(0, 1)
        ax.set_ylim(-2, 2)
        ax.set_title("static title")
        (line,) = ax.plot([], [], "r-")
        text = ax.text(0.1, 1.5, "")
        fig.canvas.draw()
        fig.set_layout_engine("none")  # as Explorer does once it has laid the figure out
        out.append((fig, ax, line, text))
    return out


def pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_frozen_figure_draws_the_same_picture():
    (plain, _, pline, ptext), (frozen, fax, fline, ftext) = two_figures()
    freeze_static(frozen, [fline, ftext])
    for k in range(4):
        xs = np.linspace(0.1, 0.9, 20)  # clear of the spines (dynamic artists are drawn last)
        for line, text in ((pline, ptext), (fline, ftext)):
            line.set_data(xs, np.sin(3 * xs + k))
            text.set_text(f"k = {k}")
        np.testing.assert_array_equal(pixels(frozen), pixels(plain))
    assert png(frozen) == png(plain)


def test_frozen_figure_needs_invalidate_for_static_changes():
    (plain, pax, _, _), (frozen, fax, _, _) = two_figures()
    invalidate = freeze_static(frozen, [])
    pixels(frozen)
    for ax in (pax, fax):
        ax.set_title("a new title")
    assert not np.array_equal(pixels(frozen), pixels(plain))  # the cached picture is kept
    invalidate()
    np.testing.assert_array_equal(pixels(frozen), pixels(plain))


def test_frozen_figure_still_saves_as_svg():
    (_, _, _, _), (frozen, _, line, _) = two_figures()
    freeze_static(frozen, [line])
    line.set_data([0, 1], [1, -1])
    buf = io.StringIO()
    with rc_context({"svg.fonttype": "none"}):  # keep text as text
        frozen.savefig(buf, format="svg")
    assert "static title" in buf.getvalue()  # a full draw: the static part is there too
