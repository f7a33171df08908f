"""The atlas for other tools: the vocabulary a case may use, and the atlas in exchange formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neuromap.errors import UnknownNameError, suggest

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["EXPORT_FORMATS", "VOCABULARIES", "export_atlas", "vocabulary"]

#: Formats :func:`export_atlas` writes.
EXPORT_FORMATS = ("geojson", "graphml", "node-link")
#: Vocabularies :func:`vocabulary` lists.
VOCABULARIES = ("regions", "nerves", "movements", "muscles", "reflexes", "signs", "maps")


def vocabulary(kind: str, *, atlas: Atlas | None = None) -> list[dict[str, Any]]:
    """The names a case may use for one kind of finding, with their aliases.

    Parameters
    ----------
    kind : {"regions", "nerves", "movements", "muscles", "reflexes", "signs", "maps"}
        ``regions`` lists the skin regions and the groups of regions ("big toe", "heel");
        ``maps`` lists the dermatome layers.
    atlas : Atlas, optional
        Defaults to the bundled atlas.

    Returns
    -------
    list of dict
        One entry per entity, in data order: ``id``, ``kind``, ``label``, ``aliases`` and,
        depending on the kind, ``view`` (regions), ``regions`` (groups), ``kind_of_map`` and
        ``confidence`` (maps), ``red_flag``/``warning`` (signs), and ``xrefs`` (code system ->
        codes, :meth:`neuromap.atlas.Atlas.xrefs`) for an entity with standard codes.

    Raises
    ------
    UnknownNameError
        An unknown kind.

    Examples
    --------
    >>> from neuromap.io import vocabulary
    >>> hallux = next(e for e in vocabulary("regions") if e["id"] == "hallux")
    >>> hallux["kind"], "big toe" in [hallux["label"].lower(), *hallux["aliases"]]
    ('group', True)
    """
    from neuromap.atlas import load_atlas

    atlas = atlas if atlas is not None else load_atlas()
    if kind not in VOCABULARIES:
        raise UnknownNameError(str(kind), "vocabulary", suggest(str(kind), VOCABULARIES) or list(VOCABULARIES),
                               field="kind")
    if kind == "maps":
        out = []
        for m in atlas.dermatome_maps:
            info = atlas.dermatome_map_info(m)
            out.append({"id": m, "kind": "dermatome_map", "label": info.get("label", m), "aliases": [],
                        "kind_of_map": info.get("kind"), "confidence": info.get("confidence"),
                        "default": m == atlas.default_dermatome_map})
        return out
    kinds = {"regions": ("region", "group"), "nerves": ("nerve",), "movements": ("movement",),
             "muscles": ("muscle",), "reflexes": ("reflex",), "signs": ("sign",)}[kind]
    out = []
    for k in kinds:
        for ident in atlas.ids(k):
            attrs = atlas.resolve(ident, k).attrs
            entry: dict[str, Any] = {"id": ident, "kind": k, "label": str(attrs.get("label", ident)),
                                     "aliases": [str(a) for a in attrs.get("aliases", ())]}
            codes = atlas.codes.of(k, ident)
            if codes:
                entry["xrefs"] = codes
            if k == "region":
                entry["view"] = attrs.get("view")
            elif k == "group":
                entry["regions"] = list(attrs.get("regions", ()))
            elif k == "sign":
                for extra in ("red_flag", "warning"):
                    if attrs.get(extra):
                        entry[extra] = attrs[extra]
            out.append(entry)
    return out


def export_atlas(fmt: str, path: str | Path, *, atlas: Atlas | None = None) -> None:
    """Write the atlas in an exchange format.

    Parameters
    ----------
    fmt : {"geojson", "graphml", "node-link"}
        ``geojson``: the foot template, every view, both sides (each feature's properties
        carry ``side``, ``view`` and ``region`` or ``outline``, and a region's ``xrefs``, code
        system -> codes, where it has standard codes); ``graphml``: the innervation graph
        (list and mapping attributes, ``xrefs`` among them, as JSON strings); ``node-link``:
        the graph as node-link JSON.
    path : str or Path
        The file to write.
    atlas : Atlas, optional
        Defaults to the bundled atlas.

    Raises
    ------
    UnknownNameError
        An unknown format.

    Examples
    --------
    >>> import json, tempfile, os
    >>> from neuromap.io import export_atlas
    >>> with tempfile.TemporaryDirectory() as d:
    ...     export_atlas("geojson", os.path.join(d, "foot.geojson"))
    ...     fc = json.load(open(os.path.join(d, "foot.geojson")))
    >>> sorted({f["properties"]["side"] for f in fc["features"]})
    ['left', 'right']
    """
    from neuromap.atlas import load_atlas

    key = str(fmt).lower().replace("_", "-").replace("nodelink", "node-link")
    if key not in EXPORT_FORMATS:
        raise UnknownNameError(str(fmt), "export format", suggest(key, EXPORT_FORMATS) or list(EXPORT_FORMATS),
                               field="format")
    atlas = atlas if atlas is not None else load_atlas()
    target = Path(path)
    if key == "graphml":
        atlas.write_graphml(target)
        return
    if key == "node-link":
        data: dict[str, Any] = atlas.to_node_link()
    else:
        data = _template_geojson(atlas)
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.write("\n")


def _template_geojson(atlas: Atlas) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}
    for side in ("right", "left"):
        fc = atlas.template.to_geojson(None, side=side)
        meta = {k: v for k, v in fc.get("neuromap", {}).items() if k != "template_side"}
        for feat in fc["features"]:
            props = {**feat["properties"], "side": side}
            codes = atlas.codes.of("region", props["region"]) if "region" in props else {}
            features.append({**feat, "properties": {**props, "xrefs": codes} if codes else props})
    meta.update(sides=["right", "left"], atlas_version=atlas.version)
    return {"type": "FeatureCollection", "neuromap": meta, "features": features}
