"""Read and validate neuromap's data files.

This is the lowest stage of the package: it reads the JSON and GeoJSON files of an atlas
directory, checks each against its schema (required and allowed keys, types, unique ids,
source keys that resolve to a citation) and hands plain, validated Python data upward. It
never executes anything found in a file and never reaches the network.

The bundled atlas lives in ``neuromap/data`` inside an installed package (copied from the
repository's top-level ``data/`` folder when the wheel is built).
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neuromap.errors import AtlasDataError

__all__ = ["ATLAS_FILES", "AtlasData", "bundled_data_dir", "read_atlas_data"]

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
    "foot.geojson",
)

ROOT_IDS = ("L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4", "S5")
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_MAX_FILE_BYTES = 20_000_000


def bundled_data_dir() -> Path:
    """Return the directory holding the bundled atlas files.

    In an installed wheel the files sit in ``neuromap/data``; in a source checkout (editable
    install) they are read from the repository's top-level ``data/`` folder.

    Examples
    --------
    >>> (bundled_data_dir() / "nerves.json").is_file()
    True
    """
    # os.path rather than Path.resolve(): the same path, without pathlib's extra stat calls
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "data")
    if os.path.isfile(os.path.join(packaged, "manifest.json")):
        return Path(packaged)
    return Path(os.path.dirname(here), "data")


@dataclass(frozen=True)
class AtlasData:
    """The validated content of an atlas directory, as plain Python data."""

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
    foot: Mapping[str, Any]
    version: str


class _Checker:
    """Schema checks for one file, raising :class:`AtlasDataError` naming file and entry."""

    def __init__(self, file: str, sources: Mapping[str, Any] | None = None) -> None:
        self.file = file
        self.sources = sources

    def fail(self, entry: str, problem: str) -> AtlasDataError:
        return AtlasDataError(self.file, entry, problem)

    def obj(self, value: Any, entry: str, required: Iterable[str], optional: Iterable[str] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(entry, f"expected an object, got {type(value).__name__}")
        required = tuple(required)
        optional = tuple(optional)
        spec = _KEY_SPECS.get((required, optional))
        if spec is None:
            spec = _KEY_SPECS[(required, optional)] = (frozenset(required), frozenset(required) | frozenset(optional))
        keys = value.keys()
        if keys >= spec[0] and keys <= spec[1]:
            return value
        allowed = spec[1]
        for key in required:
            if key not in value:
                raise self.fail(entry, f"missing required key {key!r}")
        for key in value:
            if key not in allowed:
                raise self.fail(entry, f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
        return value

    def mapping(self, value: Any, entry: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(entry, f"expected an object, got {type(value).__name__}")
        return value

    def list_of(self, value: Any, entry: str, kind: type | tuple[type, ...] = object) -> list:
        if not isinstance(value, list):
            raise self.fail(entry, f"expected a list, got {type(value).__name__}")
        if kind is object:
            return value
        for item in value:
            if not isinstance(item, kind):
                break
        else:
            return value
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                raise self.fail(f"{entry}[{i}]", f"expected {_tname(kind)}, got {type(item).__name__}")
        return value

    def string(self, value: Any, entry: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(entry, "expected a non-empty string")
        return value

    def ident(self, value: Any, entry: str) -> str:
        if type(value) is str and _SNAKE.match(value):
            return value
        self.string(value, entry)
        if not _SNAKE.match(value):
            raise self.fail(entry, f"id {value!r} is not snake_case")
        return value

    def roots(self, value: Any, entry: str) -> list[str]:
        self.list_of(value, entry, str)
        if not value:
            raise self.fail(entry, "expected at least one root")
        for r in value:
            if r not in ROOT_IDS:
                raise self.fail(entry, f"unknown root {r!r} (roots are L1-L5 and S1-S5)")
        return value

    def source_keys(self, value: Any, entry: str) -> list[str]:
        if _plain_known_keys(value, self.sources):
            return value
        self.list_of(value, entry, str)
        if not value:
            raise self.fail(entry, "every fact needs at least one source key")
        if self.sources is not None:
            for key in value:
                if key not in self.sources:
                    raise self.fail(entry, f"source key {key!r} is not in sources.json")
        return value

    def unique(self, items: Iterable[Mapping[str, Any]], entry: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item["id"] in seen:
                raise self.fail(f"{entry}[{i}] ({item['id']})", "duplicate id")
            seen.add(item["id"])

    def root_values(self, value: Any, entry: str) -> None:
        if _root_values_ok(value, self.sources):
            return
        self.list_of(value, entry, dict)
        if not value:
            raise self.fail(entry, "expected at least one root-value entry")
        for i, rv in enumerate(value):
            e = f"{entry}[{i}]"
            self.obj(rv, e, ("roots", "sources"), ("major", "note"))
            self.roots(rv["roots"], e + ".roots")
            for r in rv.get("major", []):
                if r not in rv["roots"]:
                    raise self.fail(e + ".major", f"major root {r!r} is not among the roots")
            self.source_keys(rv["sources"], e + ".sources")


_ROOT_SET = frozenset(ROOT_IDS)
#: required and allowed keys of a root-value entry and of a region's supplying nerve
_ROOT_VALUE_KEYS = (frozenset(("roots", "sources")), frozenset(("roots", "sources", "major", "note")))
_SUPPLY_KEYS = (frozenset(("nerve", "role", "sources")), frozenset(("nerve", "role", "sources", "note")))


def _keys_ok(keys: Any, known: Mapping[str, Any] | None) -> bool:
    """Whether *keys* passes :meth:`_Checker.source_keys` (a non-empty list of known keys)."""
    if type(keys) is not list or not keys:
        return False
    for key in keys:
        if type(key) is not str or (known is not None and key not in known):
            return False
    return True


def _root_values_ok(value: Any, known: Mapping[str, Any] | None) -> bool:
    """Whether *value* passes :meth:`_Checker.root_values`, without wording any entry.

    Plain values only: anything else returns False and goes through the full checks, which
    raise the first problem.
    """
    if type(value) is not list or not value:
        return False
    lo, hi = _ROOT_VALUE_KEYS
    for rv in value:
        if type(rv) is not dict or not lo <= rv.keys() <= hi:
            return False
        roots = rv["roots"]
        if type(roots) is not list or not roots:
            return False
        for r in roots:
            if type(r) is not str or r not in _ROOT_SET:
                return False
        if "major" in rv:
            major = rv["major"]
            if type(major) is not list:
                return False
            for r in major:
                if type(r) is not str or r not in roots:
                    return False
        if not _keys_ok(rv["sources"], known):
            return False
    return True


def _supplies_ok(value: Any, known: Mapping[str, Any] | None) -> bool:
    """Whether a region's ``nerves`` list passes the checks of read_atlas_data, without wording entries."""
    if type(value) is not list or not value:
        return False
    lo, hi = _SUPPLY_KEYS
    for s in value:
        if (type(s) is not dict or not lo <= s.keys() <= hi or s["role"] not in ("primary", "variant")
                or not _keys_ok(s["sources"], known)):
            return False
    return True
#: required and allowed keys of a dermatome assignment
_ASSIGNMENT_KEYS = (frozenset(("map", "region", "roots", "sources")),
                    frozenset(("map", "region", "roots", "sources", "note")))

#: (required, optional) key tuples of _Checker.obj -> (required set, allowed set)
_KEY_SPECS: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[frozenset[str], frozenset[str]]] = {}


def _tname(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(k.__name__ for k in kind)
    return kind.__name__


def _plain_known_keys(keys: Any, known: Any) -> bool:
    """Tell whether *keys* is a non-empty list of strings, each in *known* (any when None).

    The common case of a ``sources`` list, accepted without the wording checks.
    """
    if type(keys) is not list or not keys:
        return False
    return all(type(k) is str and (known is None or k in known) for k in keys)


#: extra flags of the atlas file reads: no blocking on a FIFO, close on exec, and binary mode
#: on Windows (where O_NONBLOCK and O_CLOEXEC do not exist and text mode is the default)
_OPEN_FLAGS = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _read_json(path: Path) -> Any:
    name = path.name
    # one open, one fstat and reads until EOF (half the system calls of stat + open().read());
    # O_NONBLOCK: a FIFO or device at the path is refused without blocking
    try:
        fd = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise AtlasDataError(name, "(file)", f"missing from the atlas directory {path.parent}") from None
    except OSError as exc:
        raise AtlasDataError(name, "(file)", f"cannot be read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise AtlasDataError(name, "(file)", f"missing from the atlas directory {path.parent}")
        if st.st_size > _MAX_FILE_BYTES:
            raise AtlasDataError(name, "(file)", f"larger than {_MAX_FILE_BYTES} bytes")
        chunks = [os.read(fd, st.st_size + 1)]
        total = len(chunks[0])
        while chunks[-1]:
            if total > _MAX_FILE_BYTES:  # (grew while being read)
                raise AtlasDataError(name, "(file)", f"larger than {_MAX_FILE_BYTES} bytes")
            chunks.append(os.read(fd, 65536))
            total += len(chunks[-1])
    except OSError as exc:
        raise AtlasDataError(name, "(file)", f"cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)
    try:
        text = (chunks[0] if len(chunks) == 2 else b"".join(chunks)).decode("utf-8")
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AtlasDataError(name, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise AtlasDataError(name, "(file)", "not UTF-8 text") from None


_NO_ALIASES: list[str] = []
#: (required, optional) of _entity -> (required key set, allowed key set)
_ENTITY_SPECS: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[frozenset[str], frozenset[str]]] = {}


def _entity(c: _Checker, item: Any, entry: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    # fast path: an entity of plain valid values passes in one go; anything else goes through
    # the checks below, which raise the first problem
    spec = _ENTITY_SPECS.get((required, optional))
    if spec is None:
        req = frozenset(("id", "label", *required))
        spec = _ENTITY_SPECS[(required, optional)] = (req, req | {"aliases", "sources", "description", *optional})
    if type(item) is dict and spec[0] <= item.keys() <= spec[1]:
        label = item["label"]
        aliases = item["aliases"] if "aliases" in item else _NO_ALIASES
        if type(label) is str and label.strip() and type(aliases) is list:
            for alias in aliases:
                if type(alias) is not str:
                    break
            else:
                if "sources" not in item:
                    return item
                if _plain_known_keys(item["sources"], c.sources):
                    return item
    c.obj(item, entry, ("id", "label", *required), ("aliases", "sources", "description", *optional))
    c.string(item["label"], entry + ".label")
    c.list_of(item.get("aliases", []), entry + ".aliases", str)
    if "sources" in item:
        c.source_keys(item["sources"], entry + ".sources")
    return item


def read_atlas_data(directory: str | Path | None = None) -> AtlasData:
    """Read and schema-check every file of an atlas directory.

    Parameters
    ----------
    directory : str or Path, optional
        A directory holding the files listed in :data:`ATLAS_FILES`. Defaults to the bundled
        atlas (:func:`bundled_data_dir`).

    Returns
    -------
    AtlasData
        The validated file contents.

    Raises
    ------
    AtlasDataError
        If a file is missing, is not valid JSON, or breaks its schema; the message names the
        file and the entry.

    Examples
    --------
    >>> data = read_atlas_data()
    >>> sorted(r["id"] for r in data.roots)[:3]
    ['L1', 'L2', 'L3']
    """
    d = Path(directory) if directory is not None else bundled_data_dir()
    if not d.is_dir():
        raise AtlasDataError(str(d), "(directory)", "is not a directory")
    raw = {name: _read_json(d / name) for name in ATLAS_FILES}

    # sources
    c = _Checker("sources.json")
    top = c.obj(raw["sources.json"], "(top level)", ("sources",), ("description",))
    sources = c.mapping(top["sources"], "sources")
    for key, src in sources.items():
        c.ident(key, f"sources.{key}")
        c.obj(src, f"sources.{key}", ("citation", "tier"), ("doi", "url", "notes", "verified", "verification"))
        c.string(src["citation"], f"sources.{key}.citation")
        if src["tier"] not in ("T1", "T2", "T3"):
            raise c.fail(f"sources.{key}.tier", f"tier must be T1, T2 or T3, got {src['tier']!r}")

    # roots and plexuses
    c = _Checker("roots.json", sources)
    top = c.obj(raw["roots.json"], "(top level)", ("roots", "plexuses"), ("description",))
    roots = c.list_of(top["roots"], "roots", dict)
    for i, r in enumerate(roots):
        _entity(c, r, f"roots[{i}]", ())
    ids = [r["id"] for r in roots]
    if tuple(ids) != ROOT_IDS:
        raise c.fail("roots", f"roots must be exactly {', '.join(ROOT_IDS)} in order, got {', '.join(ids)}")
    plexuses = c.list_of(top["plexuses"], "plexuses", dict)
    for i, p in enumerate(plexuses):
        e = f"plexuses[{i}] ({p.get('id')})"
        _entity(c, p, e, ("roots",), ("subkind", "joins"))
        c.ident(p["id"], e + ".id")
        c.roots(p["roots"], e + ".roots")
    c.unique(plexuses, "plexuses")

    # nerves
    c = _Checker("nerves.json", sources)
    top = c.obj(raw["nerves.json"], "(top level)", ("nerves",), ("description",))
    nerves = c.list_of(top["nerves"], "nerves", dict)
    for i, n in enumerate(nerves):
        e = f"nerves[{i}] ({n.get('id')})"
        _entity(c, n, e, ("parent", "function", "root_values", "sites"), ("origin", "variants", "contributions"))
        c.ident(n["id"], e + ".id")
        if n["function"] not in ("motor", "sensory", "mixed"):
            raise c.fail(e + ".function", f"must be motor, sensory or mixed, got {n['function']!r}")
        c.root_values(n["root_values"], e + ".root_values")
        c.list_of(n["sites"], e + ".sites", dict)
        if not n["sites"]:
            raise c.fail(e + ".sites", "every nerve needs at least one lesion site")
        for j, s in enumerate(n["sites"]):
            c.obj(s, f"{e}.sites[{j}]", ("id", "label"))
            c.ident(s["id"], f"{e}.sites[{j}].id")
        for j, v in enumerate(n.get("variants", [])):
            c.obj(v, f"{e}.variants[{j}]", ("note", "sources"), ("origin_certainty",))
            c.source_keys(v["sources"], f"{e}.variants[{j}].sources")
            cert = v.get("origin_certainty", 1.0)
            if not isinstance(cert, (int, float)) or not 0 < cert <= 1:
                raise c.fail(f"{e}.variants[{j}].origin_certainty", "must be a number in (0, 1]")
        for j, k in enumerate(n.get("contributions", [])):
            c.obj(k, f"{e}.contributions[{j}]", ("from", "share", "note", "sources"))
            if not isinstance(k["share"], (int, float)) or not 0 < k["share"] < 1:
                raise c.fail(f"{e}.contributions[{j}].share", "must be a number between 0 and 1")
            c.source_keys(k["sources"], f"{e}.contributions[{j}].sources")
    c.unique(nerves, "nerves")

    # muscles and movements
    c = _Checker("muscles.json", sources)
    top = c.obj(raw["muscles.json"], "(top level)", ("movements", "muscles"), ("description",))
    movements = c.list_of(top["movements"], "movements", dict)
    for i, m in enumerate(movements):
        e = f"movements[{i}] ({m.get('id')})"
        _entity(c, m, e, (), ("isncsci_key",))
        c.ident(m["id"], e + ".id")
        if "isncsci_key" in m and m["isncsci_key"] not in ROOT_IDS:
            raise c.fail(e + ".isncsci_key", f"unknown root {m['isncsci_key']!r}")
    c.unique(movements, "movements")
    muscles = c.list_of(top["muscles"], "muscles", dict)
    for i, m in enumerate(muscles):
        e = f"muscles[{i}] ({m.get('id')})"
        _entity(c, m, e, ("nerve", "movements", "root_values"), ("origin", "isncsci_key"))
        c.ident(m["id"], e + ".id")
        c.list_of(m["movements"], e + ".movements", str)
        c.root_values(m["root_values"], e + ".root_values")
        if "isncsci_key" in m and m["isncsci_key"] not in ROOT_IDS:
            raise c.fail(e + ".isncsci_key", f"unknown root {m['isncsci_key']!r}")
    c.unique(muscles, "muscles")

    # reflexes
    c = _Checker("reflexes.json", sources)
    top = c.obj(raw["reflexes.json"], "(top level)", ("reflexes",), ("description",))
    reflexes = c.list_of(top["reflexes"], "reflexes", dict)
    for i, r in enumerate(reflexes):
        e = f"reflexes[{i}] ({r.get('id')})"
        _entity(c, r, e, ("nerve", "muscle", "root_values"))
        c.ident(r["id"], e + ".id")
        c.root_values(r["root_values"], e + ".root_values")
    c.unique(reflexes, "reflexes")

    # regions
    c = _Checker("regions.json", sources)
    top = c.obj(raw["regions.json"], "(top level)", ("views", "regions"), ("description",))
    views = c.mapping(top["views"], "views")
    for v, spec in views.items():
        c.obj(spec, f"views.{v}", ("label",), ("description",))
    regions = c.list_of(top["regions"], "regions", dict)
    for i, r in enumerate(regions):
        e = f"regions[{i}] ({r.get('id')})"
        _entity(c, r, e, ("view", "nerves"))
        c.ident(r["id"], e + ".id")
        if r["view"] not in views:
            raise c.fail(e + ".view", f"unknown view {r['view']!r} (views: {', '.join(views)})")
        if _supplies_ok(r["nerves"], sources):
            continue
        c.list_of(r["nerves"], e + ".nerves", dict)
        if not r["nerves"]:
            raise c.fail(e + ".nerves", "every region needs at least one supplying nerve")
        for j, s in enumerate(r["nerves"]):
            c.obj(s, f"{e}.nerves[{j}]", ("nerve", "role", "sources"), ("note",))
            if s["role"] not in ("primary", "variant"):
                raise c.fail(f"{e}.nerves[{j}].role", f"must be primary or variant, got {s['role']!r}")
            c.source_keys(s["sources"], f"{e}.nerves[{j}].sources")
    c.unique(regions, "regions")

    # groups
    c = _Checker("groups.json", sources)
    top = c.obj(raw["groups.json"], "(top level)", ("groups", "not_on_foot"), ("description",))
    groups = c.list_of(top["groups"], "groups", dict)
    region_ids = {r["id"] for r in regions}
    for i, g in enumerate(groups):
        e = f"groups[{i}] ({g.get('id')})"
        _entity(c, g, e, ("regions",))
        c.ident(g["id"], e + ".id")
        for r in c.list_of(g["regions"], e + ".regions", str):
            if r not in region_ids:
                raise c.fail(e + ".regions", f"unknown region {r!r}")
    c.unique(groups, "groups")
    not_on_foot = tuple(c.list_of(top["not_on_foot"], "not_on_foot", str))

    # dermatome layers
    c = _Checker("dermatomes.json", sources)
    derm = c.obj(
        raw["dermatomes.json"], "(top level)", ("default", "maps", "assignments", "weights"),
        ("description", "default_reason", "key_points", "disagreements"),
    )
    weights = c.mapping(derm["weights"], "weights")
    for grade, w in weights.items():
        if not isinstance(w, (int, float)) or not 0 < w <= 1:
            raise c.fail(f"weights.{grade}", "weights must be numbers in (0, 1]")
    maps = c.list_of(derm["maps"], "maps", dict)
    for i, m in enumerate(maps):
        e = f"maps[{i}] ({m.get('id')})"
        c.obj(m, e, ("id", "label", "kind", "sources"), ("method", "caveats", "confidence", "description"))
        c.ident(m["id"], e + ".id")
        if m["kind"] not in ("areas", "points"):
            raise c.fail(e + ".kind", f"must be areas or points, got {m['kind']!r}")
        c.source_keys(m["sources"], e + ".sources")
    c.unique(maps, "maps")
    map_ids = {m["id"] for m in maps}
    if derm["default"] not in map_ids:
        raise c.fail("default", f"default map {derm['default']!r} is not one of the maps")
    known = sources
    for i, a in enumerate(c.list_of(derm["assignments"], "assignments", dict)):
        # fast path: an assignment of plain, valid values passes without wording an entry;
        # anything else goes through the checks below, which raise the first problem
        if type(a) is dict and _ASSIGNMENT_KEYS[0] <= a.keys() <= _ASSIGNMENT_KEYS[1]:
            m, reg, rs, srcs = a["map"], a["region"], a["roots"], a["sources"]
            if (type(m) is str and m in map_ids and type(reg) is str and reg in region_ids and type(rs) is dict
                    and rs and type(srcs) is list and srcs):
                for r, grade in rs.items():
                    if r not in _ROOT_SET or type(grade) is not str or grade not in weights:
                        break
                else:
                    for key in srcs:
                        if type(key) is not str or key not in known:
                            break
                    else:
                        continue
        e = f"assignments[{i}] ({a.get('map')}, {a.get('region')})"
        c.obj(a, e, ("map", "region", "roots", "sources"), ("note",))
        if a["map"] not in map_ids:
            raise c.fail(e + ".map", f"unknown map {a['map']!r}")
        if a["region"] not in region_ids:
            raise c.fail(e + ".region", f"unknown region {a['region']!r}")
        c.mapping(a["roots"], e + ".roots")
        if not a["roots"]:
            raise c.fail(e + ".roots", "expected at least one root")
        for r, grade in a["roots"].items():
            if r not in ROOT_IDS:
                raise c.fail(e + ".roots", f"unknown root {r!r}")
            if grade not in weights:
                raise c.fail(e + ".roots", f"unknown grade {grade!r} (grades: {', '.join(weights)})")
        c.source_keys(a["sources"], e + ".sources")

    # signs
    c = _Checker("signs.json", sources)
    top = c.obj(raw["signs.json"], "(top level)", ("signs",), ("description",))
    signs = c.list_of(top["signs"], "signs", dict)
    for i, s in enumerate(signs):
        e = f"signs[{i}] ({s.get('id')})"
        _entity(c, s, e, ("points_to",), ("red_flag", "warning"))
        c.ident(s["id"], e + ".id")
        pt = c.obj(s["points_to"], e + ".points_to", (), ("roots", "nerves", "kinds"))
        if "roots" in pt:
            c.roots(pt["roots"], e + ".points_to.roots")
        for j, n in enumerate(pt.get("nerves", [])):
            c.obj(n, f"{e}.points_to.nerves[{j}]", ("nerve",), ("site",))
        if s.get("red_flag") not in (None, "cauda_equina"):
            raise c.fail(e + ".red_flag", f"unknown red flag {s['red_flag']!r}")
        if s.get("warning") not in (None, "umn"):
            raise c.fail(e + ".warning", f"unknown warning {s['warning']!r}")
    c.unique(signs, "signs")

    # lesion patterns that are not a single root or nerve
    c = _Checker("patterns.json", sources)
    patterns = c.obj(raw["patterns.json"], "(top level)", ("polyneuropathy", "cauda_equina"), ("description",))
    for name in ("polyneuropathy", "cauda_equina"):
        p = c.obj(patterns[name], name, ("label", "sources"), ("regions", "movements", "reflexes", "roots", "note"))
        c.source_keys(p["sources"], f"{name}.sources")
        for key in ("regions", "movements", "reflexes"):
            for target, w in c.mapping(p.get(key, {}), f"{name}.{key}").items():
                if not isinstance(w, (int, float)) or not 0 < w <= 1:
                    raise c.fail(f"{name}.{key}.{target}", "weights must be numbers in (0, 1]")
        if "roots" in p:
            c.roots(p["roots"], f"{name}.roots")

    foot = raw["foot.geojson"]
    if not isinstance(foot, dict):
        raise AtlasDataError("foot.geojson", "(top level)", "expected a GeoJSON FeatureCollection object")

    manifest_path = d / "manifest.json"
    version = "unversioned"
    if manifest_path.is_file():
        manifest = _read_json(manifest_path)
        if isinstance(manifest, dict) and isinstance(manifest.get("atlas_version"), str):
            version = manifest["atlas_version"]

    return AtlasData(
        directory=d,
        sources=sources,
        roots=tuple(roots),
        plexuses=tuple(plexuses),
        nerves=tuple(nerves),
        movements=tuple(movements),
        muscles=tuple(muscles),
        reflexes=tuple(reflexes),
        regions=tuple(regions),
        views=views,
        groups=tuple(groups),
        not_on_foot=not_on_foot,
        dermatomes=derm,
        signs=tuple(signs),
        patterns=patterns,
        foot=foot,
        version=version,
    )
