"""Refresh data/manifest.json: the hash, size, schema and source keys of every atlas data file.

Descriptions, licences and notes on variability are written by hand in the manifest; this
script only fills in what can be computed: each file's SHA-256 hash (by which neuromap trusts
the bundled files at every load), its size, its JSON Schema (``data/schemas/<stem>.schema.json``,
with the schema's own hash) and the source keys it cites. Run it after editing any file in data/:

    python tools/update_manifest.py

or on an atlas directory of your own (a copy of data/ you edited), to seal it: neuromap then
reports it as a ``custom`` atlas rather than a ``modified`` one:

    python tools/update_manifest.py path/to/atlas

tests/test_datasets.py fails when the manifest is out of date.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
SKIP = {"manifest.json"}


def source_keys(value: object) -> set[str]:
    """Every source key used in a data file (values of 'sources' lists)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "sources" and isinstance(v, list):
                found.update(x for x in v if isinstance(x, str))
            else:
                found |= source_keys(v)
    elif isinstance(value, list):
        for v in value:
            found |= source_keys(v)
    return found


def compute(entry: dict, path: Path) -> dict:
    """The computed fields of one file's manifest entry (the schemas are always those of data/)."""
    raw = path.read_bytes()
    data = json.loads(raw)
    keys = sorted(data["sources"]) if path.name == "sources.json" else sorted(source_keys(data))
    schema = f"schemas/{path.name.split('.')[0]}.schema.json"
    return {**entry, "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw), "sources": keys,
            "schema": schema, "schema_sha256": hashlib.sha256((DATA / schema).read_bytes()).hexdigest()}


def main(argv: list[str] | None = None) -> int:
    """Refresh the manifest of data/, or of the atlas directory given as the one argument."""
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else DATA
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    files = manifest["files"]
    on_disk = sorted(p.name for p in directory.iterdir() if p.is_file() and p.name not in SKIP)
    missing = [n for n in on_disk if n not in files]
    if missing:
        print(f"describe these files in {manifest_path} first: {', '.join(missing)}", file=sys.stderr)
        return 1
    manifest["files"] = {name: compute(files[name], directory / name) for name in on_disk}
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"updated {len(on_disk)} entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
