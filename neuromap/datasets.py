"""Read and validate neuromap's data files.

This is the lowest stage of the package: it reads the JSON and GeoJSON files of an atlas
directory and hands plain, validated Python data upward. It never executes anything found in a
file and never reaches the network.

Every data file has a JSON Schema beside it (``data/schemas/<name>.schema.json``, listed in
``data/manifest.json``). The bundled files are trusted by their SHA-256 hashes in the manifest,
checked at every load (the test suite runs every check on them). When a file does not match (an
edited copy, or a user atlas directory), every file is checked against its schema with
:mod:`jsonschema`, imported only then, and then by the checks a schema cannot express: source
keys that resolve to a citation, unique ids, references between entries. The graph built from
the data (:mod:`neuromap.graph`) checks its own invariants on every load.

Every atlas directory has its own ``manifest.json`` (its ``atlas_version`` and the hash of
each file); the hashes say where an atlas comes from (:data:`ATLAS_STATUSES`): ``bundled``
when every file is the bundled one, ``custom`` when every file matches the directory's own
manifest (a user atlas sealed by ``tools/update_manifest.py``), ``modified`` otherwise (a file
changed after its manifest was written). Every result computed from the atlas carries it.

The bundled atlas lives in ``neuromap/data`` inside an installed package (copied from the
repository's top-level ``data/`` folder when the wheel is built).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neuromap.errors import AtlasDataError

__all__ = ["ATLAS_FILES", "ATLAS_STATUSES", "ROOT_IDS", "AtlasData", "bundled_data_dir", "read_atlas_data",
           "validate_file"]

#: The files of an atlas directory, in load order.
ATLAS_FILES = (
    "sources.json",
    "roots.json",
    "nerves.json",
    "muscles.json",
    "reflexes.json",
    "regions.json",
    "groups.json",
    "dermatomes.json",
    "signs.json",
    "patterns.json",
    "vocabulary.json",
    "priors.json",
    "xrefs.json",
    "electrodiagnosis.json",
    "foot.geojson",
)

#: Where an atlas comes from: every file bundled with neuromap, every file as the directory's own
#: manifest lists it (a user atlas), or a file changed since its manifest was written.
ATLAS_STATUSES = ("bundled", "custom", "modified")

#: The spinal roots of the atlas, cranial to caudal.
ROOT_IDS = ("L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4", "S5")

#: The lists of entities whose ids must be unique within their file: file -> keys.
_ENTITY_LISTS = {
    "roots.json": ("plexuses",),
    "nerves.json": ("nerves",),
    "muscles.json": ("movements", "muscles", "composites"),
    "reflexes.json": ("reflexes",),
    "regions.json": ("regions",),
    "groups.json": ("groups",),
    "dermatomes.json": ("maps",),
    "signs.json": ("signs",),
}


def bundled_data_dir() -> Path:
    """Return the directory holding the bundled atlas files.

    In an installed wheel the files sit in ``neuromap/data``; in a source checkout (editable
    install) they are read from the repository's top-level ``data/`` folder.

    Returns
    -------
    Path
        The directory of the bundled atlas.

    Examples
    --------
    >>> (bundled_data_dir() / "nerves.json").is_file()
    True
    """
    here = Path(__file__).resolve().parent
    packaged = here / "data"
    return packaged if (packaged / "manifest.json").is_file() else here.parent / "data"


@dataclass(frozen=True)
class AtlasData:
    """The validated content of an atlas directory, as plain Python data.

    ``verified`` is True when every file matches the SHA-256 hash the bundled manifest gives it
    (the bundled atlas, or an unchanged copy of it); the files were then trusted without
    running their schemas and reference checks. ``status`` is one of :data:`ATLAS_STATUSES`:
    ``bundled`` (verified), ``custom`` (every file matches the directory's own manifest) or
    ``modified``.
    """

    directory: Path
    sources: Mapping[str, Mapping[str, Any]]
    roots: tuple[Mapping[str, Any], ...]
    plexuses: tuple[Mapping[str, Any], ...]
    nerves: tuple[Mapping[str, Any], ...]
    movements: tuple[Mapping[str, Any], ...]
    muscles: tuple[Mapping[str, Any], ...]
    reflexes: tuple[Mapping[str, Any], ...]
    regions: tuple[Mapping[str, Any], ...]
    views: Mapping[str, Mapping[str, Any]]
    groups: tuple[Mapping[str, Any], ...]
    not_on_foot: tuple[str, ...]
    dermatomes: Mapping[str, Any]
    signs: tuple[Mapping[str, Any], ...]
    patterns: Mapping[str, Any]
    vocabulary: Mapping[str, Any]
    priors: Mapping[str, Any]
    xrefs: Mapping[str, Any]
    foot: Mapping[str, Any]
    version: str
    verified: bool
    status: str
    composites: tuple[Mapping[str, Any], ...] = ()
    electrodiagnosis: Mapping[str, Any] | None = None


def read_atlas_data(directory: str | Path | None = None) -> AtlasData:
    """Read and check every file of an atlas directory.

    Parameters
    ----------
    directory : str or Path, optional
        A directory holding the files listed in :data:`ATLAS_FILES`. Defaults to the bundled
        atlas (:func:`bundled_data_dir`).

    Returns
    -------
    AtlasData
        The validated file contents; ``verified`` says whether every file matched the bundled
        manifest's hashes, ``status`` where the atlas comes from (:data:`ATLAS_STATUSES`).

    Raises
    ------
    AtlasDataError
        If a file (``manifest.json`` included) is missing, is not UTF-8 JSON (with finite
        numbers), breaks its schema or refers to something that does not exist; the message
        names the file and the entry, on one line.

    Examples
    --------
    >>> data = read_atlas_data()
    >>> [r["id"] for r in data.roots][:3]
    ['L1', 'L2', 'L3']
    >>> data.verified, data.status
    (True, 'bundled')
    """
    d = Path(directory) if directory is not None else bundled_data_dir()
    if not d.is_dir():
        problem = "is not a directory" if d.exists() else "does not exist"
        raise AtlasDataError(str(d) if str(d).isprintable() else repr(str(d)), "(directory)", problem)
    bundled_manifest = _read_json(bundled_data_dir() / "manifest.json")
    bundled = bundled_manifest["files"]
    version, own = _own_manifest(d / "manifest.json")
    raw: dict[str, Any] = {}
    # the bundled atlas is the bundled files under the bundled version: a copy that only
    # relabels itself is not it
    verified = version == bundled_manifest.get("atlas_version")
    sealed = True
    for name in ATLAS_FILES:
        data = _read_bytes(d / name)
        digest = hashlib.sha256(data).hexdigest()
        verified = verified and digest == bundled[name]["sha256"]
        sealed = sealed and digest == own.get(name)
        raw[name] = _parse_json(name, data)
    if not verified:
        for name in ATLAS_FILES:
            validate_file(name, raw[name])
        _check_references(raw)

    roots, nerves, muscles = raw["roots.json"], raw["nerves.json"], raw["muscles.json"]
    regions, groups = raw["regions.json"], raw["groups.json"]
    return AtlasData(
        directory=d,
        sources=raw["sources.json"]["sources"],
        roots=tuple(roots["roots"]),
        plexuses=tuple(roots["plexuses"]),
        nerves=tuple(nerves["nerves"]),
        movements=tuple(muscles["movements"]),
        muscles=tuple(muscles["muscles"]),
        composites=tuple(muscles.get("composites", ())),
        reflexes=tuple(raw["reflexes.json"]["reflexes"]),
        regions=tuple(regions["regions"]),
        views=regions["views"],
        groups=tuple(groups["groups"]),
        not_on_foot=tuple(groups["not_on_foot"]),
        dermatomes=raw["dermatomes.json"],
        signs=tuple(raw["signs.json"]["signs"]),
        patterns=raw["patterns.json"],
        vocabulary=raw["vocabulary.json"],
        priors=raw["priors.json"],
        xrefs=raw["xrefs.json"],
        electrodiagnosis=raw["electrodiagnosis.json"],
        foot=raw["foot.geojson"],
        version=version,
        verified=verified,
        status="bundled" if verified else "custom" if sealed else "modified",
    )


def _own_manifest(path: Path) -> tuple[str, dict[str, str]]:
    """An atlas directory's ``manifest.json``: its atlas version, and the SHA-256 hash it lists per file."""
    content = _read_json(path)
    if not isinstance(content, dict):
        raise AtlasDataError(path.name, "(top level)", f"expected an object, got {type(content).__name__}")
    version = content.get("atlas_version")
    if not isinstance(version, str) or not version.strip() or not version.isprintable():
        raise AtlasDataError(path.name, "atlas_version", "expected one line of text naming the atlas version")
    files = content.get("files")
    if not isinstance(files, dict):
        raise AtlasDataError(path.name, "files", "expected an object listing the data files")
    hashes = {name: entry.get("sha256") for name, entry in files.items() if isinstance(entry, dict)}
    return version, {name: h for name, h in hashes.items() if isinstance(h, str)}


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():  # also a directory or a FIFO at the path, which is never opened
        raise AtlasDataError(path.name, "(file)", f"missing from the atlas directory {path.parent}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AtlasDataError(path.name, "(file)", f"cannot be read: {exc.strerror}") from None


class _NonFinite:
    """A ``NaN``, ``Infinity`` or ``-Infinity`` where a file has one (JSON has no such numbers)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_json(name: str, data: bytes) -> Any:
    """Parse one file: UTF-8 JSON with finite numbers, or an AtlasDataError naming where it is not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AtlasDataError(name, _position(data[:exc.start].decode("utf-8")), "not UTF-8 text") from None
    found: list[_NonFinite] = []

    def non_finite(text: str) -> _NonFinite:
        found.append(_NonFinite(text))
        return found[-1]

    try:
        content = json.loads(text, parse_constant=non_finite)
    except json.JSONDecodeError as exc:
        raise AtlasDataError(name, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise AtlasDataError(name, "(file)", "invalid JSON: nested too deeply") from None
    except ValueError:  # an integer longer than Python's int-string conversion limit
        digits = max(re.finditer(r"\d+", text), key=lambda m: m.end() - m.start())
        raise AtlasDataError(name, _position(text[:digits.start()]),
                             f"invalid JSON: a number of {digits.end() - digits.start()} digits") from None
    if found:
        raise AtlasDataError(name, _entry(content, _path_to(content, found[0]) or ()),
                             f"invalid JSON: {found[0].text} is not a number JSON allows")
    return content


def _position(before: str) -> str:
    """The line and column just after *before*, the text preceding a problem."""
    line = before.count("\n") + 1
    return f"line {line} column {len(before) - (before.rfind(chr(10)) + 1) + 1}"


def _path_to(node: Any, target: object) -> tuple[Any, ...] | None:
    """The JSON path of *target* (by identity) inside *node*."""
    if node is target:
        return ()
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        sub = _path_to(value, target)
        if sub is not None:
            return (key, *sub)
    return None


def _read_json(path: Path) -> Any:
    return _parse_json(path.name, _read_bytes(path))


# ----------------------------------------------------------------------------- JSON Schema
def validate_file(name: str, content: Any) -> None:
    """Check the content of one data file against its JSON Schema.

    The schemas are those of the bundled atlas (``data/schemas``, as the manifest lists them);
    this imports :mod:`jsonschema`, which loading the bundled atlas never needs.

    Parameters
    ----------
    name : str
        The data file, one of :data:`ATLAS_FILES`.
    content : object
        The file's parsed JSON.

    Raises
    ------
    AtlasDataError
        For the most relevant problem (:func:`jsonschema.exceptions.best_match`), naming the
        file and the entry.

    Examples
    --------
    >>> validate_file("patterns.json", {"polyneuropathy": {}, "cauda_equina": {"label": "CES"}})
    Traceback (most recent call last):
    ...
    neuromap.errors.AtlasDataError: patterns.json: polyneuropathy: missing required key 'label'
    """
    from jsonschema.exceptions import best_match

    error = best_match(_validators()[name].iter_errors(content))
    if error is not None:
        raise AtlasDataError(name, _entry(content, error.absolute_path), _problem(error))


@functools.lru_cache(maxsize=1)
def _validators() -> dict[str, Any]:
    """A validator per data file, over the bundled schemas (read once)."""
    import jsonschema
    from referencing import Registry, Resource

    directory = bundled_data_dir()
    files = _read_json(directory / "manifest.json")["files"]
    schemas = {name: _read_json(directory / entry["schema"]) for name, entry in files.items()}
    common = _read_json(directory / "schemas" / "common.schema.json")
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in (common, *schemas.values()))
    return {name: jsonschema.Draft202012Validator(s, registry=registry) for name, s in schemas.items()}


_TYPE_WORDS = {"array": "a list", "object": "an object", "string": "a string", "number": "a number",
               "integer": "an integer", "boolean": "true or false", "null": "null"}


def _problem(error: Any) -> str:
    """A jsonschema error as a short clause (the schema's ``title`` names what is counted)."""
    keyword, schema, value = error.validator, error.schema, error.instance
    what = schema.get("title", "item")
    if keyword == "required":
        missing = next(k for k in schema["required"] if k not in value)
        return f"missing required key {missing!r}"
    if keyword == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = next(k for k in value if k not in allowed)
        return f"unknown key {extra!r} (allowed: {', '.join(allowed)})"
    if keyword == "type":
        types = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
        return f"expected {' or '.join(_TYPE_WORDS[t] for t in types)}, got {type(value).__name__}"
    if keyword == "enum":
        allowed = [str(v) for v in schema["enum"] if v is not None]
        if "title" in schema:
            return f"unknown {what} {value!r} (allowed: {', '.join(allowed)})"
        return f"must be {', '.join(allowed[:-1])} or {allowed[-1]}, got {value!r}"
    if keyword in ("minItems", "minProperties"):
        return f"expected at least one {what}"
    if keyword == "pattern" and schema.get("title") == "id":
        return f"id {value!r} is not snake_case"
    if keyword == "pattern" and isinstance(value, str) and value.strip():
        return f"expected one line of printable text, got {value!r}"
    if keyword == "pattern":
        return "expected a non-empty string"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        low = "[" if "minimum" in schema else "("
        high = "]" if "maximum" in schema else ")"
        lo, hi = schema.get("minimum", schema.get("exclusiveMinimum")), schema.get("maximum",
                                                                                   schema.get("exclusiveMaximum"))
        return f"must be a number in {low}{lo}, {hi}{high}"
    return " ".join(str(error.message).split())[:200]


def _entry(content: Any, path: Sequence[Any]) -> str:
    """A JSON path as the errors name it: ``nerves[3] (sciatic).sites``.

    An item of a top-level list is followed by its id, when it has one.
    """
    out = ""
    node = content
    for depth, key in enumerate(path):
        if isinstance(key, int):
            out += f"[{key}]"
            item = node[key] if isinstance(node, list) and key < len(node) else None
            if depth == 1 and isinstance(item, dict) and isinstance(item.get("id"), str):
                out += f" ({_shown(item['id'])})"
            node = item
        else:
            out += f".{_shown(str(key))}" if out else _shown(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return out or "(top level)"


def _shown(text: str) -> str:
    """*text* as a one-line message shows it: quoted, with escapes, if it holds a line break or control character."""
    return text if text.isprintable() else repr(text)


# ----------------------------------------------------------------------------- references
def _source_keys(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], list[str]]]:
    """Every ``sources`` list of a data file, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "sources" and isinstance(item, list):
                yield (*path, key), item
            else:
                yield from _source_keys(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _source_keys(item, (*path, i))


def _check_references(raw: Mapping[str, Any]) -> None:
    """The checks no schema expresses: references between entries and files, unique ids."""
    sources = raw["sources.json"]["sources"]
    for name in ATLAS_FILES[1:-1]:
        for path, keys in _source_keys(raw[name]):
            for key in keys:
                if key not in sources:
                    raise AtlasDataError(name, _entry(raw[name], path), f"source key {key!r} is not in sources.json")
    for name, lists in _ENTITY_LISTS.items():
        for key in lists:
            seen: set[str] = set()
            for i, item in enumerate(raw[name].get(key, ())):
                if item["id"] in seen:
                    raise AtlasDataError(name, f"{key}[{i}] ({item['id']})", "duplicate id")
                seen.add(item["id"])

    ids = [r["id"] for r in raw["roots.json"]["roots"]]
    if tuple(ids) != ROOT_IDS:
        raise AtlasDataError("roots.json", "roots", f"roots must be exactly {', '.join(ROOT_IDS)} in order, "
                                                    f"got {', '.join(map(_shown, ids))}")
    for name, key in (("nerves.json", "nerves"), ("muscles.json", "muscles"), ("reflexes.json", "reflexes")):
        for i, item in enumerate(raw[name][key]):
            for j, rv in enumerate(item["root_values"]):
                for r in rv.get("major", ()):
                    if r not in rv["roots"]:
                        raise AtlasDataError(name, _entry(raw[name], (key, i, "root_values", j, "major")),
                                             f"major root {r!r} is not among the roots")

    muscle_ids = {m["id"] for m in raw["muscles.json"]["muscles"]}
    for i, c in enumerate(raw["muscles.json"].get("composites", ())):
        _check_known("muscles.json", f"composites[{i}] ({c['id']}).parts", c["parts"], muscle_ids, "muscle")

    views = raw["regions.json"]["views"]
    regions = raw["regions.json"]["regions"]
    for i, r in enumerate(regions):
        if r["view"] not in views:
            raise AtlasDataError("regions.json", f"regions[{i}] ({r['id']}).view",
                                 f"unknown view {r['view']!r} (views: {', '.join(views)})")
    region_ids = {r["id"] for r in regions}
    for i, g in enumerate(raw["groups.json"]["groups"]):
        for r in g["regions"]:
            if r not in region_ids:
                raise AtlasDataError("groups.json", f"groups[{i}] ({g['id']}).regions", f"unknown region {r!r}")

    derm = raw["dermatomes.json"]
    map_ids = {m["id"] for m in derm["maps"]}
    if derm["default"] not in map_ids:
        raise AtlasDataError("dermatomes.json", "default", f"default map {derm['default']!r} is not one of the maps")
    grades = derm["weights"]
    for i, a in enumerate(derm["assignments"]):
        e = f"assignments[{i}] ({_shown(a['map'])}, {_shown(a['region'])})"
        if a["map"] not in map_ids:
            raise AtlasDataError("dermatomes.json", e + ".map", f"unknown map {a['map']!r}")
        if a["region"] not in region_ids:
            raise AtlasDataError("dermatomes.json", e + ".region", f"unknown region {a['region']!r}")
        for grade in a["roots"].values():
            if grade not in grades:
                raise AtlasDataError("dermatomes.json", e + ".roots",
                                     f"unknown grade {grade!r} (grades: {', '.join(grades)})")
    for i, d in enumerate(derm.get("disagreements", ())):
        _check_known("dermatomes.json", f"disagreements[{i}].regions", d.get("regions", ()), region_ids, "region")
        _check_known("dermatomes.json", f"disagreements[{i}].maps", d.get("maps", {}), map_ids, "map")
    _check_targets(raw, region_ids)


def _check_targets(raw: Mapping[str, Any], region_ids: set[str]) -> None:
    """The nerves and sites signs point to, and the targets of the polyneuropathy pattern, exist."""
    sites = {n["id"]: {s["id"] for s in n["sites"]} for n in raw["nerves.json"]["nerves"]}
    for i, sign in enumerate(raw["signs.json"]["signs"]):
        for j, p in enumerate(sign["points_to"].get("nerves", ())):
            where = f"signs[{i}] ({sign['id']}).points_to.nerves[{j}]"
            _check_known("signs.json", where, (p["nerve"],), sites, "nerve")
            if "site" in p and p["site"] not in sites[p["nerve"]]:
                raise AtlasDataError("signs.json", where, f"{p['site']!r} is not a site of {p['nerve']}")
    known = {("regions", "region"): region_ids,
             ("movements", "movement"): {m["id"] for m in raw["muscles.json"]["movements"]},
             ("reflexes", "reflex"): {r["id"] for r in raw["reflexes.json"]["reflexes"]}}
    for (key, what), ids in known.items():
        targets = raw["patterns.json"]["polyneuropathy"].get(key, {})
        _check_known("patterns.json", f"polyneuropathy.{key}", targets, ids, what)
    entities = {"root": {r["id"] for r in raw["roots.json"]["roots"]},
                "plexus": {p["id"] for p in raw["roots.json"]["plexuses"]},
                "nerve": set(sites), "region": region_ids,
                "group": {g["id"] for g in raw["groups.json"]["groups"]},
                "movement": known[("movements", "movement")],
                "muscle": {m["id"] for key in ("muscles", "composites") for m in raw["muscles.json"].get(key, ())},
                "reflex": known[("reflexes", "reflex")],
                "sign": {s["id"] for s in raw["signs.json"]["signs"]}}
    for i, t in enumerate(raw["vocabulary.json"]["terms"]):
        _check_known("vocabulary.json", f"terms[{i}].id", (t["id"],), entities[t["kind"]], t["kind"])
    _check_xrefs(raw["xrefs.json"], entities)
    for i, entry in enumerate(raw["priors.json"]["nerves"]):
        where = f"nerves[{i}] ({entry['nerve']})"
        _check_known("priors.json", where, (entry["nerve"],), sites, "nerve")
        if "site" in entry and entry["site"] not in sites[entry["nerve"]]:
            raise AtlasDataError("priors.json", where, f"{entry['site']!r} is not a site of {entry['nerve']}")
    for i, event in enumerate(raw["priors.json"]["history"]):
        for j, r in enumerate(event["raises"]):
            where = f"history[{i}] ({event['id']}).raises[{j}]"
            _check_known("priors.json", where, [r["nerve"]] if "nerve" in r else [], sites, "nerve")
            _check_known("priors.json", where, [r["plexus"]] if "plexus" in r else [], entities["plexus"], "plexus")
            if "site" in r and r["site"] not in sites.get(r.get("nerve", ""), ()):
                raise AtlasDataError("priors.json", where, f"{r['site']!r} is not a site of {r.get('nerve')}")
    shares = raw["priors.json"]["root_levels"]["shares"]
    left = 1.0 - sum(shares.values())
    if left < -1e-9 or (len(shares) < len(ROOT_IDS) and left <= 0):
        raise AtlasDataError("priors.json", "root_levels.shares",
                             f"the shares sum to {1 - left:.3f}: at most 1, and below 1 while a level is unlisted")
    _check_electrodiagnosis(raw["electrodiagnosis.json"], set(sites), entities["muscle"], known[("reflexes", "reflex")])


def _check_electrodiagnosis(edx: Mapping[str, Any], nerves: set[str], muscles: set[str], reflexes: set[str]) -> None:
    """The nerves, muscles and reflexes the electrodiagnostic studies name exist."""
    name = "electrodiagnosis.json"
    for i, s in enumerate(edx["snaps"]):
        _check_known(name, f"snaps[{i}] ({s['id']}).nerve", (s["nerve"],), nerves, "nerve")
    for key, field in (("cmaps", "nerve"), ("f_waves", "nerve")):
        for i, c in enumerate(edx[key]):
            _check_known(name, f"{key}[{i}].{field}", (c[field],), nerves, "nerve")
            _check_known(name, f"{key}[{i}].recording", (c["recording"],), muscles, "muscle")
    for i, m in enumerate(edx["emg_muscles"]):
        _check_known(name, f"emg_muscles[{i}] ({m['id']}).part_of", (m["part_of"],), muscles, "muscle")
        if m["id"] in muscles:
            raise AtlasDataError(name, f"emg_muscles[{i}] ({m['id']})", "is already a muscle of muscles.json")
    _check_known(name, "h_reflex.reflex", (edx["h_reflex"]["reflex"],), reflexes, "reflex")
    _check_known(name, "h_reflex.nerve", (edx["h_reflex"]["nerve"],), nerves, "nerve")


def _check_xrefs(xrefs: Mapping[str, Any], entities: Mapping[str, set[str]]) -> None:
    """Each entity listed once and known; each code of a known system, of its pattern, and naming one entity."""
    systems = xrefs["systems"]
    seen: set[tuple[str, str]] = set()
    owner: dict[tuple[str, str], str] = {}
    for i, entry in enumerate(xrefs["xrefs"]):
        where = f"xrefs[{i}] ({entry['id']})"
        _check_known("xrefs.json", where, (entry["id"],), entities[entry["kind"]], entry["kind"])
        if (entry["kind"], entry["id"]) in seen:
            raise AtlasDataError("xrefs.json", where, "entity listed twice")
        seen.add((entry["kind"], entry["id"]))
        for j, code in enumerate(entry["codes"]):
            _check_code("xrefs.json", f"{where}.codes[{j}]", code, systems)
            key = (code["system"], code["code"])
            if key in owner:
                raise AtlasDataError("xrefs.json", f"{where}.codes[{j}]", f"{key[1]} is already a code of {owner[key]}")
            owner[key] = entry["id"]
    for i, q in enumerate(xrefs["qualifiers"]["laterality"]):
        _check_code("xrefs.json", f"qualifiers.laterality[{i}]", q, systems)


def _check_code(name: str, where: str, code: Mapping[str, Any], systems: Mapping[str, Any]) -> None:
    _check_known(name, where + ".system", (code["system"],), systems, "code system")
    if not re.fullmatch(systems[code["system"]]["pattern"], code["code"]):
        raise AtlasDataError(name, where + ".code", f"{code['code']!r} is not a {code['system']} code")


def _check_known(name: str, where: str, values: Iterable[str], known: Container[str], what: str) -> None:
    for value in values:
        if value not in known:
            raise AtlasDataError(name, where, f"unknown {what} {value!r}")
