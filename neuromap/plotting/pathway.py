"""The figure of an atlas path: from a root or nerve to a region, muscle or reflex, as a chain of boxes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.text import Text

from neuromap.errors import InvalidArgumentError
from neuromap.plotting._labels import wrap
from neuromap.plotting._layout import new_figure, resolve_atlas
from neuromap.plotting._style import KIND_COLORS, OUTLINE
from neuromap.plotting.displays import PathDisplay

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["plot_pathway"]


def plot_pathway(atlas: Atlas | None, source: str, target: str, *, ax: Axes | None = None,
                 title: str | None = None, dermatome_map: str | None = None) -> PathDisplay:
    """Draw the atlas path from a root (or nerve) to a region, muscle or reflex as a chain of boxes.

    Parameters
    ----------
    atlas : Atlas or None
        The atlas; the bundled one if None.
    source : str
        A root, plexus or nerve (any name the atlas resolves).
    target : str
        A region, muscle, movement or reflex.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; a new standalone figure if None.
    title : str, optional
        The title, at the top left of the figure; by default it names the source and the target.
    dermatome_map : str, optional
        The layer used when the only path is a dermatome edge.

    Returns
    -------
    PathDisplay
        Boxes by node id, the path and the relation of each arrow.

    Raises
    ------
    InvalidArgumentError
        The source does not reach the target in the atlas (a ValueError).
    UnknownNameError
        A name the atlas does not know.

    Notes
    -----
    Labels and relations come from the graph (node ``label``, edge ``relation``), so the
    figure shows what :meth:`Atlas.path <neuromap.atlas.Atlas.path>` uses, and nothing else.

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.plotting import plot_pathway
    >>> display = plot_pathway(neuromap.load_atlas(), "L5", "first_web_space")
    >>> display.path
    ('L5', 'lumbosacral_trunk', 'sacral_plexus', 'sciatic', 'common_fibular', 'deep_fibular', 'first_web_space')
    >>> display.title.get_text()
    'L5 nerve root → First dorsal web space'

    Into an Axes of your own:

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(9, 2))
    >>> display = plot_pathway(None, "S1", "achilles", ax=ax, title="S1 to the ankle jerk")
    >>> display.ax is ax
    True
    >>> plt.close(fig)
    """
    atlas = resolve_atlas(atlas)
    path = atlas.path(source, target, dermatome_map=dermatome_map)
    if not path:
        raise InvalidArgumentError("target", f"{source!r} does not reach {target!r} in the atlas")
    n = len(path)
    if ax is None:
        fig = new_figure(max(4.0, 1.45 * n + 0.3), 1.9)
        ax = fig.add_axes((0.01, 0.02, 0.98, 0.82), frameon=False)
    else:
        fig = ax.get_figure(root=True)  # type: ignore[assignment]
    ax.set_xlim(-0.55, n - 0.45)
    ax.set_ylim(-0.6, 0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    texts: dict[str, Text] = {}
    boxes: dict[str, Any] = {}
    for i, node in enumerate(path):
        attrs = atlas.node(node)
        kind = attrs["kind"]
        txt = ax.text(i, 0, f"{wrap(str(attrs['label']), 14)}\n({kind})", ha="center", va="center", fontsize=7.5,
                      zorder=3, bbox={"boxstyle": "round,pad=0.35", "fc": KIND_COLORS.get(kind, "#DDDDDD"),
                                      "ec": OUTLINE, "lw": 0.8})
        texts[node] = txt
        boxes[node] = txt.get_bbox_patch()
    relations = []
    for i, (u, v) in enumerate(zip(path, path[1:], strict=False)):
        rel = str(atlas.edge(u, v).get("relation", "")) if v in atlas.successors(u) else ""
        relations.append(rel)
        ax.annotate("", xy=(0, 0.5), xycoords=texts[v], xytext=(1, 0.5), textcoords=texts[u],
                    arrowprops={"arrowstyle": "-|>", "color": OUTLINE, "lw": 1.0, "shrinkA": 2, "shrinkB": 2})
        ax.text(i + 0.5, 0.36, rel, ha="center", va="bottom", fontsize=7, style="italic", color="#444444")
    if title is None:
        title = f"{atlas.node(path[0])['label']} → {atlas.node(path[-1])['label']}"
    title_text = fig.text(0.01, 0.98, title, ha="left", va="top", fontsize=10, fontweight="bold")
    return PathDisplay(fig, {"path": ax}, boxes, None, texts, path=tuple(path), relations=tuple(relations),
                       title=title_text)
