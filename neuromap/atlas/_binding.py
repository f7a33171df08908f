"""The binding of the innervation graph and the foot template: both name the same regions, in the same views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neuromap.errors import AtlasDataError
from neuromap.geometry import FootTemplate

__all__ = ["check_binding"]


def check_binding(nodes: Mapping[str, Mapping[str, Any]], template: FootTemplate) -> None:
    """Raise :class:`AtlasDataError` unless the graph's regions and the template's polygons match one to one.

    Parameters
    ----------
    nodes : Mapping
        Node id -> attributes of the graph (regions have ``kind`` ``region`` and a ``view``).
    template : FootTemplate
        The foot template.
    """
    graph_regions = {n for n, a in nodes.items() if a["kind"] == "region"}
    template_regions = set(template.regions())
    for r in sorted(template_regions - graph_regions):
        raise AtlasDataError("foot.geojson", r, "region is not in regions.json")
    for r in sorted(graph_regions - template_regions):
        raise AtlasDataError("foot.geojson", r, "region of regions.json has no polygon")
    for r in sorted(graph_regions):
        if nodes[r]["view"] != template.view_of(r):
            raise AtlasDataError("foot.geojson", r, f"view differs from regions.json ({nodes[r]['view']})")
