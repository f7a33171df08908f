"""The figure of atlas paths: from a root or nerve to regions, muscles and reflexes, as a tree of boxes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.text import Text

from neuromap.errors import InvalidArgumentError, InvalidTypeError
from neuromap.plotting._labels import text_width_in, wrap
from neuromap.plotting._layout import check_ax, new_figure, resolve_atlas
from neuromap.plotting._style import KIND_COLORS, OUTLINE, root_color
from neuromap.plotting.displays import PathDisplay

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["plot_pathway"]

_COL_IN = 1.45  # inches per step along a path
_ROW_IN = 0.62  # inches per target


def plot_pathway(source: str, target: str | Sequence[str], *, atlas: Atlas | None = None, ax: Axes | None = None,
                 title: str | None = None, dermatome_map: str | None = None) -> PathDisplay:
    """Draw the atlas path from a root (or nerve) to a region, muscle or reflex, as a chain of boxes.

    Several targets make a tree: the paths share their common start (root, plexus, trunk) and
    branch where they part, one row for each target.

    Parameters
    ----------
    source : str
        A root, plexus or nerve (any name the atlas resolves).
    target : str or sequence of str
        A region, muscle, movement or reflex, or several.
    atlas : Atlas, optional
        The atlas; the bundled one by default.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; a new standalone figure if None.
    title : str, optional
        The title, at the top left of the figure; by default it names the source and the targets.
    dermatome_map : str, optional
        The layer used when the only path is a dermatome edge.

    Returns
    -------
    PathDisplay
        Boxes and labels by node id; ``path`` (the first target's path), ``paths`` (one per
        target) and the relation of each arrow.

    Raises
    ------
    InvalidArgumentError
        The source does not reach a target in the atlas, or no target is given (a ValueError).
    InvalidTypeError
        A source or target that is not a string (the atlas is the keyword ``atlas=``), or an *ax*
        that is not an Axes (also TypeErrors).
    UnknownNameError
        A name the atlas does not know.

    Notes
    -----
    Labels and relations come from the graph (node ``label``, edge ``relation``), so the
    figure shows what :meth:`Atlas.path <neuromap.atlas.Atlas.path>` uses, and nothing else. A
    root's box has the root's colour (:data:`ROOT_COLORS`), as in every figure.

    Examples
    --------
    >>> from neuromap.plotting import plot_pathway
    >>> display = plot_pathway("L5", "first_web_space")
    >>> display.path
    ('L5', 'lumbosacral_trunk', 'sacral_plexus', 'sciatic', 'common_fibular', 'deep_fibular', 'first_web_space')
    >>> display.title.get_text()
    'L5 nerve root → First dorsal web space'

    From a root to a region, a muscle and a reflex at once:

    >>> tree = plot_pathway("S1", ["lateral_border", "gastrocnemius", "achilles"])
    >>> [p[-1] for p in tree.paths]
    ['lateral_border', 'gastrocnemius', 'achilles']

    Into an Axes of your own:

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(9, 2))
    >>> display = plot_pathway("S1", "achilles", ax=ax, title="S1 to the ankle jerk")
    >>> display.ax is ax
    True
    >>> plt.close(fig)
    """
    atlas = resolve_atlas(atlas)
    check_ax(ax)
    paths = _paths(atlas, source, target, dermatome_map)
    # one box per distinct start of a path: paths share their common start, then branch
    rows: dict[tuple[str, ...], list[int]] = {}
    for i, p in enumerate(paths):
        for d in range(1, len(p) + 1):
            rows.setdefault(p[:d], []).append(i)
    depth = max(len(p) for p in paths)
    if title is None:
        ends = ", ".join(str(atlas.node(p[-1])["label"]) for p in paths)
        title = f"{atlas.node(paths[0][0])['label']} → {ends}"
    if ax is None:
        fig = new_figure(max(4.0, _COL_IN * depth + 0.3, text_width_in(title, 10, bold=True) + 0.3),
                         1.1 + _ROW_IN * len(paths))
        ax = fig.add_axes((0.01, 0.02, 0.98, 1 - 0.5 / fig.get_size_inches()[1]), frameon=False)
    else:
        fig = ax.get_figure(root=True)  # type: ignore[assignment]
    ax.set_xlim(-0.55, depth - 0.45)
    ax.set_ylim(len(paths) - 0.4, -0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    texts: dict[str, Text] = {}
    boxes: dict[str, Any] = {}
    at: dict[tuple[str, ...], Text] = {}
    for prefix, members in rows.items():
        node = prefix[-1]
        attrs = atlas.node(node)
        kind = attrs["kind"]
        face = root_color(node) if kind == "root" else KIND_COLORS.get(kind, "#DDDDDD")
        txt = ax.text(len(prefix) - 1, sum(members) / len(members), f"{wrap(str(attrs['label']), 14)}\n({kind})",
                      ha="center", va="center", fontsize=7.5, zorder=3,
                      bbox={"boxstyle": "round,pad=0.35", "fc": face, "ec": OUTLINE, "lw": 0.8})
        at[prefix] = txt
        texts.setdefault(node, txt)
        boxes.setdefault(node, txt.get_bbox_patch())
    relations = _arrows(atlas, ax, paths, at)
    title_text = fig.text(0.01, 0.98, title, ha="left", va="top", fontsize=10, fontweight="bold")
    return PathDisplay(fig, {"path": ax}, boxes, None, texts, path=paths[0], paths=tuple(paths),
                       relations=relations[0], title=title_text)


def _paths(atlas: Atlas, source: Any, target: Any, dermatome_map: str | None) -> list[tuple[str, ...]]:
    """The atlas path from *source* to each target, every name checked."""
    targets = (target,) if isinstance(target, str) else tuple(target)
    for name, value in (("source", source), *(("target", t) for t in targets)):
        if not isinstance(value, str):
            raise InvalidTypeError(name, f"expected a name (str), but got a {type(value).__name__} (pass the atlas "
                                         "as a keyword: plot_pathway(source, target, atlas=atlas))")
    if not targets:
        raise InvalidArgumentError("target", "give at least one target")
    paths = []
    for t in targets:
        path = atlas.path(source, t, dermatome_map=dermatome_map)
        if not path:
            raise InvalidArgumentError("target", f"{source!r} does not reach {t!r} in the atlas")
        paths.append(tuple(path))
    return paths


def _arrows(atlas: Atlas, ax: Any, paths: list[tuple[str, ...]],
            at: dict[tuple[str, ...], Any]) -> list[tuple[str, ...]]:
    """An arrow into each box, labelled with the edge's relation; the relations along each path."""
    relations: list[tuple[str, ...]] = []
    arrows: set[tuple[str, ...]] = set()  # one arrow into each box
    for p in paths:
        rels = []
        for i, (u, v) in enumerate(zip(p, p[1:], strict=False)):
            rel = str(atlas.edge(u, v).get("relation", "")) if v in atlas.successors(u) else ""
            rels.append(rel)
            a, b = at[p[:i + 1]], at[p[:i + 2]]
            if p[:i + 2] in arrows:
                continue
            arrows.add(p[:i + 2])
            ax.annotate("", xy=(0, 0.5), xycoords=b, xytext=(1, 0.5), textcoords=a,
                        arrowprops={"arrowstyle": "-|>", "color": OUTLINE, "lw": 1.0, "shrinkA": 2, "shrinkB": 2})
            x, y = b.get_position()
            ax.text(x - 0.5, y - 0.36, rel, ha="center", va="bottom", fontsize=7, style="italic", color="#444444")
        relations.append(tuple(rels))
    return relations
