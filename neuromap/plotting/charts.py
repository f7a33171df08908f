"""Chart figures: the evidence matrix and the study plan of a localization, and the myotome chart of the atlas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text

from neuromap.datasets import ROOT_IDS
from neuromap.errors import InvalidArgumentError, InvalidTypeError, check_option
from neuromap.plotting._labels import text_width_in, wrap
from neuromap.plotting._layout import check_ax, new_figure, resolve_atlas
from neuromap.plotting._style import BLANK, EVIDENCE_COLORS, GRADE_HATCH, OUTLINE, blend, root_color, text_color
from neuromap.plotting.displays import ChartDisplay

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from neuromap.atlas import Atlas
    from neuromap.inference.result import Localization

__all__ = ["plot_evidence_matrix", "plot_myotomes", "plot_study_plan"]

_MARK = {"explained": "✓", "unexplained": "?", "contradicted": "✗", "neutral": ""}
_CELL_IN = 0.42  # inches per row of a chart
_COL_IN = 1.15  # inches per column of the evidence matrix
_ROOT_COL_IN = 0.48  # inches per root column of the myotome chart
_HEAD_IN = 0.95  # above the grid: the title and the column labels
_FOOT_IN = 0.75  # below the grid: the legend


def _frame(ax: Axes | None, n_rows: int, n_cols: int, left_in: float, col_in: float,
           title: str, head_lines: int = 1) -> tuple[Figure, Axes]:
    """A new figure sized for an *n_rows* x *n_cols* grid (or the figure of *ax*), and the Axes."""
    if ax is None:
        width = max(left_in + col_in * n_cols + 0.3, text_width_in(title, 10, bold=True) + 0.3)
        height = _HEAD_IN + 0.14 * (head_lines - 1) + _CELL_IN * n_rows + _FOOT_IN
        fig = new_figure(width, height)
        ax = fig.add_axes((left_in / width, _FOOT_IN / height, col_in * n_cols / width,
                           _CELL_IN * n_rows / height))
    else:
        fig = ax.get_figure(root=True)  # type: ignore[assignment]
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks([i + 0.5 for i in range(n_cols)])
    ax.set_yticks([i + 0.5 for i in range(n_rows)])
    ax.tick_params(length=0, top=True, bottom=False, labeltop=True, labelbottom=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig, ax


def _cell(ax: Axes, row: int, col: int, face: Any, *, hatch: str | None = None, edge: str = "white",
          lw: float = 1.5) -> Rectangle:
    rect = Rectangle((col, row), 1, 1, facecolor=face, edgecolor=edge, linewidth=lw, hatch=hatch, zorder=1,
                     hatchcolor="#555555" if hatch else None)
    ax.add_patch(rect)
    return rect


def _finding_label(finding: Any) -> str:
    """How a finding reads in a row label: its text (or target), what was found, and the side."""
    text = str(finding.text or finding.target).replace("_", " ")
    state = finding.modality if finding.abnormal else "normal"
    side = {"left": "L", "right": "R", "both": "both"}.get(str(finding.side), str(finding.side or ""))
    return f"{text}: {state} ({side})" if state else f"{text} ({side})"


def plot_evidence_matrix(result: Localization, *, hypotheses: Sequence[str] | None = None, ax: Axes | None = None,
                         title: str | None = None) -> ChartDisplay:
    """Draw the evidence matrix of a case: its findings against the leading hypotheses.

    Each cell says what one hypothesis makes of one finding: it explains it (blue, ✓), leaves it
    unexplained (orange, ?), or is contradicted by it (vermilion, ✗: a finding examined normal
    that the lesion predicts involved); the shade is the strength the engine gave, paler for a
    weaker link. A blank cell is a finding the hypothesis has nothing to say about (a normal
    finding outside its territory).

    Parameters
    ----------
    result : Localization
        What :func:`neuromap.localize` returned.
    hypotheses : sequence of str, optional
        The ids of the hypotheses to show, in this order; by default the first five.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; a new standalone figure if None.
    title : str, optional
        The title, at the top left of the figure.

    Returns
    -------
    ChartDisplay
        ``rows`` (finding fields), ``columns`` (hypothesis ids), ``status`` and ``patches``
        (``(finding field, hypothesis id)`` -> state and cell), ``labels`` (the cell marks).

    Raises
    ------
    InvalidArgumentError
        An id in *hypotheses* that the result does not rank, or an empty *hypotheses* (a ValueError).
    InvalidTypeError
        A *result* that is not a Localization, or an *ax* that is not an Axes (also TypeErrors).

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.plotting import plot_evidence_matrix
    >>> result = neuromap.localize({"side": "left",
    ...     "sensory": [{"regions": ["first web space"], "modality": "numbness"}],
    ...     "motor": [{"name": "great toe extension", "grade": 4}, {"name": "hip abduction", "grade": 4}]})
    >>> display = plot_evidence_matrix(result, hypotheses=["L5", "common_fibular"])
    >>> display.columns
    ('L5', 'common_fibular')
    >>> display.status[("motor[1]", "L5")], display.status[("motor[1]", "common_fibular")]
    ('explained', 'unexplained')
    """
    from neuromap.inference.result import Localization

    if not isinstance(result, Localization):
        raise InvalidTypeError("result", f"expected a neuromap Localization, but got a {type(result).__name__}")
    check_ax(ax)
    ranked = [h.id for h in result.hypotheses]
    ids = ranked[:5] if hypotheses is None else [hypotheses] if isinstance(hypotheses, str) else list(hypotheses)
    if not ids:
        raise InvalidArgumentError("hypotheses", f"give at least one hypothesis id, e.g. {ranked[:3]}")
    chosen = [result[check_option("hypotheses", i, ranked)] for i in dict.fromkeys(ids)]
    findings = list(result.findings)
    rows = [f.field for f in findings]
    row_labels = [_finding_label(f) for f in findings]
    col_labels = [f"{wrap(h.label, 16)}\n{h.score:.2f}" for h in chosen]
    if title is None:
        title = "Evidence matrix: findings × leading hypotheses"
    left = max([text_width_in(t, 8) for t in row_labels] + [0.5]) + 0.35
    lines = max(t.count("\n") + 1 for t in col_labels)
    fig, ax = _frame(ax, len(rows), len(chosen), left, _COL_IN, title, lines)
    ax.set_xticklabels(col_labels, fontsize=8)
    ax.set_yticklabels(row_labels, fontsize=8)
    status: dict[tuple[str, str], str] = {}
    cells: dict[tuple[str, str], Rectangle] = {}
    marks: dict[tuple[str, str], Text] = {}
    for c, h in enumerate(chosen):
        kinds = {}
        for state, items in (("explained", h.explains), ("unexplained", h.unexplained),
                             ("contradicted", h.contradicts)):
            for item in items:
                kinds[item["finding"]] = (state, float(item.get("strength", 1.0)))
        for r, field in enumerate(rows):
            state, strength = kinds.get(field, ("neutral", 0.0))
            face = BLANK if state == "neutral" else blend(EVIDENCE_COLORS[state], 0.3 + 0.7 * strength)
            key = (field, h.id)
            status[key] = state
            cells[key] = _cell(ax, r, c, face)
            if _MARK[state]:
                marks[key] = ax.text(c + 0.5, r + 0.5, _MARK[state], ha="center", va="center", fontsize=10,
                                     fontweight="bold", color=text_color(face), zorder=2)
    handles = [Patch(facecolor=EVIDENCE_COLORS[s], edgecolor=OUTLINE, label=f"{_MARK[s]} {s}")
               for s in ("explained", "unexplained", "contradicted")]
    legend = fig.legend(handles=handles, loc="lower left", ncols=3, fontsize=8, frameon=False,
                        bbox_to_anchor=(0.01, 0.01))
    title_text = fig.text(0.01, 0.99, title, ha="left", va="top", fontsize=10, fontweight="bold")
    return ChartDisplay(fig, {"matrix": ax}, cells, legend, marks, rows=tuple(rows),
                        columns=tuple(h.id for h in chosen), weights={},
                        row_labels=tuple(row_labels), status=status, key_cells=(), disputed=(), title=title_text)


def plot_study_plan(result: Localization, *, ax: Axes | None = None, fig: Figure | None = None,
                    title: str | None = None) -> ChartDisplay:
    """Draw the study plan of a case: the proposed studies against the hypotheses they separate.

    One row per study of ``result.next_studies`` (best first), one column per hypothesis; each
    cell is the result that hypothesis expects (vermilion, shaded by the predicted involvement:
    'denervation', 'reduced or absent'; pale: 'normal'), so the rows where the colours differ
    are the studies that decide between them.

    Parameters
    ----------
    result : Localization
        What :func:`neuromap.localize` returned, with a study plan.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes.
    fig : matplotlib.figure.Figure, optional
        Without *ax*: add the plan as a panel below what *fig* already holds (the figure grows by
        the panel's height; its other Axes keep their size), as ``neuromap render --studies``
        does. A new standalone figure if both are None.
    title : str, optional
        The title, at the top left of the panel.

    Returns
    -------
    ChartDisplay
        ``rows`` (study keys ``kind:id``), ``columns`` (hypothesis names), ``status`` (``(row,
        column)`` -> ``abnormal`` or ``normal``), ``patches`` (the cells) and ``labels`` (the
        expected results written in them).

    Raises
    ------
    InvalidArgumentError
        A result that proposes no study (a ValueError).
    InvalidTypeError
        A *result* that is not a Localization, or an *ax* that is not an Axes (also TypeErrors).

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.plotting import plot_study_plan
    >>> result = neuromap.localize({"side": "left", "motor": [
    ...     {"name": "ankle dorsiflexion", "grade": 3}, {"name": "great toe extension", "grade": 3},
    ...     {"name": "foot eversion", "grade": 4}], "sensory": [{"regions": ["dorsum of foot"]}]})
    >>> display = plot_study_plan(result)
    >>> display.columns[:2]
    ('common_fibular', 'L5')
    >>> display.status[("snap:superficial_fibular", "L5")]
    'normal'
    """
    from neuromap.inference.result import Localization

    if not isinstance(result, Localization):
        raise InvalidTypeError("result", f"expected a neuromap Localization, but got a {type(result).__name__}")
    check_ax(ax)
    plan = list(result.next_studies)
    if not plan:
        raise InvalidArgumentError("result", "the result proposes no study (result.next_studies is empty): "
                                   "there are fewer than two hypotheses to separate, or no study separates them")
    names = list(plan[0]["predictions"])
    rows = [f"{s['kind']}:{s['id']}" for s in plan]
    row_labels = [wrap(s["label"], 40) for s in plan]
    col_labels = [wrap(n.replace("_", " "), 16) for n in names]
    if title is None:
        title = "Study plan: what each hypothesis expects"
    left = max([text_width_in(t, 8) for t in row_labels] + [0.5]) + 0.35
    lines = max(t.count("\n") + 1 for t in col_labels)
    if ax is None and fig is not None:
        ax = _panel_below(fig, left, len(rows), len(names), lines)
    fig, ax = _frame(ax, len(rows), len(names), left, _COL_IN, title, lines)
    ax.set_xticklabels(col_labels, fontsize=8)
    ax.set_yticklabels(row_labels, fontsize=8)
    status: dict[tuple[str, str], str] = {}
    cells: dict[tuple[str, str], Rectangle] = {}
    marks: dict[tuple[str, str], Text] = {}
    for r, study in enumerate(plan):
        for c, n in enumerate(names):
            p = float(study["predictions"][n])
            word = study["expected"][n]
            abnormal = word != "normal"
            face = blend(EVIDENCE_COLORS["contradicted"], 0.35 + 0.65 * p) if abnormal else BLANK
            key = (rows[r], n)
            status[key] = "abnormal" if abnormal else "normal"
            cells[key] = _cell(ax, r, c, face)
            marks[key] = ax.text(c + 0.5, r + 0.5, wrap(word, 12), ha="center", va="center", fontsize=7,
                                 color=text_color(face), zorder=2)
    handles = [Patch(facecolor=EVIDENCE_COLORS["contradicted"], edgecolor=OUTLINE, label="expected abnormal"),
               Patch(facecolor=BLANK, edgecolor=OUTLINE, label="expected normal")]
    box = ax.get_position()
    legend = fig.legend(handles=handles, loc="upper left", ncols=2, fontsize=8, frameon=False,
                        bbox_to_anchor=(0.01, box.y0 - 0.02))
    title_text = fig.text(0.01, box.y1 + (0.3 + 0.14 * lines) / fig.get_figheight(), title, ha="left",
                          va="bottom", fontsize=10, fontweight="bold")
    return ChartDisplay(fig, {"plan": ax}, cells, legend, marks, rows=tuple(rows), columns=tuple(names),
                        weights={}, row_labels=tuple(row_labels), status=status, key_cells=(), disputed=(),
                        title=title_text)


def _panel_below(fig: Figure, left_in: float, n_rows: int, n_cols: int, head_lines: int) -> Axes:
    """A new Axes for an *n_rows* x *n_cols* grid below everything *fig* holds (the figure grows)."""
    width, height = fig.get_figwidth(), fig.get_figheight()
    extra = _HEAD_IN + 0.14 * (head_lines - 1) + _CELL_IN * n_rows + _FOOT_IN
    new_width = max(width, left_in + _COL_IN * n_cols + 0.3)
    boxes = [(a, a.get_position()) for a in fig.axes]
    texts = [(t, t.get_position()) for t in fig.texts]
    legends = list(fig.legends)
    fig.set_size_inches(new_width, height + extra)
    for a, b in boxes:  # the same size and place in inches, above the new panel
        a.set_position((b.x0 * width / new_width, (b.y0 * height + extra) / (height + extra),
                        b.width * width / new_width, b.height * height / (height + extra)))
    for t, (x, y) in texts:
        t.set_position((x * width / new_width, (y * height + extra) / (height + extra)))
    for lg in legends:
        anchor = lg.get_bbox_to_anchor().transformed(fig.transFigure.inverted())
        lg.set_bbox_to_anchor((anchor.x0 * width / new_width, (anchor.y0 * height + extra) / (height + extra),
                               anchor.width * width / new_width, anchor.height * height / (height + extra)),
                              transform=fig.transFigure)
    return fig.add_axes((left_in / new_width, _FOOT_IN / (height + extra), _COL_IN * n_cols / new_width,
                         _CELL_IN * n_rows / (height + extra)))


def _disputed_roots(attrs: Any) -> set[str]:
    """The roots some of an entry's recorded root values give and others do not."""
    values = [set(v["roots"]) for v in attrs.get("root_values", ())]
    if len(values) < 2:
        return set()
    return set.union(*values) - set.intersection(*values)


def plot_myotomes(*, atlas: Atlas | None = None, ax: Axes | None = None, title: str | None = None,
                  kind: str = "movements") -> ChartDisplay:
    """Draw the myotome chart: movements (or muscles) against the roots L1–S5.

    A cell's shade is the weight the atlas gives the root for that movement or muscle
    (:meth:`Atlas.roots_for <neuromap.atlas.Atlas.roots_for>`), in the root's own colour
    (:data:`ROOT_COLORS`). The ISNCSCI key movements and muscles are marked: their row label
    ends in ``★`` and the key root's cell is outlined. Where the atlas records disagreeing root
    values for a muscle (several ``root_values`` entries from different sources), the roots
    some sources give and others do not are hatched.

    Parameters
    ----------
    atlas : Atlas, optional
        The atlas; the bundled one by default.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; a new standalone figure if None.
    title : str, optional
        The title, at the top left of the figure.
    kind : {"movements", "muscles"}
        What the rows are.

    Returns
    -------
    ChartDisplay
        ``rows`` (entity ids), ``columns`` (roots), ``patches`` (``(row, root)`` -> cell),
        ``weights`` (``(row, root)`` -> weight), ``key_cells`` (the ISNCSCI key cells) and
        ``disputed`` (the hatched cells).

    Raises
    ------
    InvalidArgumentError
        A *kind* other than ``movements`` or ``muscles`` (a ValueError).
    InvalidTypeError
        An *ax* that is not an Axes (a TypeError).

    Notes
    -----
    Root values are recorded per muscle; movements carry one value each, so a movements chart
    has no hatched cells.

    Examples
    --------
    >>> from neuromap.plotting import plot_myotomes
    >>> display = plot_myotomes()
    >>> display.columns
    ('L1', 'L2', 'L3', 'L4', 'L5', 'S1', 'S2', 'S3', 'S4', 'S5')
    >>> ("ankle_dorsiflexion", "L4") in display.key_cells
    True
    >>> muscles = plot_myotomes(kind="muscles")
    >>> ("extensor_hallucis_longus", "S1") in muscles.disputed
    True
    """
    check_option("kind", kind, ("movements", "muscles"))
    atlas = resolve_atlas(atlas)
    check_ax(ax)
    rows = list(atlas.ids("movement" if kind == "movements" else "muscle"))
    attrs = {r: atlas.node(r) for r in rows}
    row_labels = [_myotome_label(atlas, r, attrs[r]) for r in rows]
    if title is None:
        title = f"Myotomes: {kind} (and their nerves) × roots"
    left = max(text_width_in(t, 8) for t in row_labels) + 0.35
    fig, ax = _frame(ax, len(rows), len(ROOT_IDS), left, _ROOT_COL_IN, title)
    ax.set_xticklabels(ROOT_IDS, fontsize=8, fontweight="bold")
    ax.set_yticklabels(row_labels, fontsize=8)
    cells: dict[tuple[str, str], Rectangle] = {}
    weights: dict[tuple[str, str], float] = {}
    key_cells, disputed = [], []
    for r, row in enumerate(rows):
        w = atlas.roots_for(row)
        doubt = _disputed_roots(attrs[row])
        for c, root in enumerate(ROOT_IDS):
            weight = float(w.get(root, 0.0))
            face = blend(root_color(root), weight) if weight > 0 else BLANK
            hatch = GRADE_HATCH["overlap"] if root in doubt else None
            cells[(row, root)] = _cell(ax, r, c, face, hatch=hatch)
            weights[(row, root)] = weight
            if hatch:
                disputed.append((row, root))
            if attrs[row].get("isncsci_key") == root:
                key_cells.append((row, root))
                ax.add_patch(Rectangle((c + 0.06, r + 0.06), 0.88, 0.88, fill=False, edgecolor=OUTLINE, lw=2.0,
                                       zorder=3))
    handles = [Patch(facecolor="white", edgecolor=OUTLINE, lw=2.0, label="★ ISNCSCI key root"),
               Patch(facecolor=blend(OUTLINE, 0.25), edgecolor="none", label="pale = minor root")]
    if disputed:
        handles.insert(1, Patch(facecolor="white", edgecolor=OUTLINE, hatch=GRADE_HATCH["overlap"],
                                label="sources disagree"))
    legend = fig.legend(handles=handles, loc="lower left", ncols=3, fontsize=8, frameon=False,
                        bbox_to_anchor=(0.01, 0.01))
    title_text = fig.text(0.01, 0.99, title, ha="left", va="top", fontsize=10, fontweight="bold")
    return ChartDisplay(fig, {"myotomes": ax}, cells, legend, {}, rows=tuple(rows), columns=tuple(ROOT_IDS),
                        row_labels=tuple(row_labels), weights=weights, key_cells=tuple(key_cells),
                        disputed=tuple(disputed), status={}, title=title_text)


def _myotome_label(atlas: Atlas, ident: str, attrs: Mapping[str, Any]) -> str:
    """A myotome row's label: the movement or muscle, its nerve(s), and a star for an ISNCSCI key."""
    nerves = atlas.nerves_for(ident) or ((attrs["nerve"],) if attrs.get("nerve") else ())
    short = [str(atlas.node(n)["label"]).removesuffix(" nerve") for n in nerves[:2]]
    via = f" — {', '.join(short)}{', …' if len(nerves) > 2 else ''}" if short else ""
    return f"{attrs['label']}{via}{' ★' if attrs.get('isncsci_key') else ''}"
