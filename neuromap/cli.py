"""The ``neuromap`` command line.

Commands: ``localize`` (rank lesion sites for a case file, stdin, flags or a JSON-lines batch),
``render`` (draw a case), ``html`` (a case as a standalone interactive page), ``atlas`` (draw a
dermatome map), ``regions``, ``nerves``,
``movements``, ``muscles``, ``reflexes``, ``signs``, ``maps`` (the vocabulary), ``export``
(the atlas as GeoJSON, GraphML or node-link JSON) and ``serve`` (the HTTP service,
:mod:`neuromap.cli_serve`). See ``docs/cli.md``.

Exit status: 0 on success; 2 for invalid input or usage, with one line on stderr naming the
field and the closest valid values; 1 for an internal error (one line; set
``NEUROMAP_DEBUG=1`` for the traceback). Heavy modules (matplotlib) load only for the
commands that draw.

Examples
--------
>>> from neuromap.cli import main
>>> main(["localize", "--side", "left", "--reflex", "achilles=absent", "--json"])  # doctest: +SKIP
0
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import shutil
import sys
import tempfile
import textwrap
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Any, NoReturn

from neuromap._version import __version__
from neuromap.cli_serve import add_serve_parser, cmd_serve
from neuromap.errors import NeuromapError
from neuromap.weights import PRIORS

__all__ = ["main"]

PROG = "neuromap"
REPORT_URL = "the neuromap issue tracker"
VOCAB_COMMANDS = {
    "regions": "skin regions of the foot and groups of regions ('big toe', 'heel')",
    "nerves": "peripheral nerves",
    "movements": "movements (for motor findings)",
    "muscles": "muscles (also accepted in motor findings)",
    "reflexes": "reflexes",
    "signs": "other signs and symptoms (for 'other')",
    "maps": "dermatome maps (for --map)",
}
IMAGE_EXTENSIONS = (".png", ".svg", ".pdf")


class UsageError(Exception):
    """A command-line usage error (argparse's, turned into one line and exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _write(stream: IO[str], text: str) -> None:
    enc = getattr(stream, "encoding", None) or "utf-8"
    stream.write(text.encode(enc, "backslashreplace").decode(enc, "replace"))


# ----------------------------------------------------------------------------- the parser
_LOCALIZE_EPILOG = """\
examples:
  neuromap localize case.json
  neuromap localize case.json --json > result.json
  cat case.json | neuromap localize -
  neuromap localize --side left --region "first web space" --modality numbness \\
      --weak "great toe extension" --weak "hip abduction=4" --normal-motor "ankle plantarflexion" \\
      --reflex achilles=normal
  neuromap localize --batch cases.jsonl > results.jsonl
  neuromap localize --batch registry.parquet -o ranked.parquet --top 5

The case format is described in docs/schemas.md; the names a case may use are listed by
'neuromap regions', 'neuromap movements', 'neuromap reflexes' and 'neuromap signs'.
"""


def _add_case_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", nargs="?", metavar="CASE.json",
                   help="the case as a JSON file, or '-' for standard input; or describe it with the flags below")
    g = p.add_argument_group("a case from flags (instead of CASE.json)")
    g.add_argument("--side", help="left, right or bilateral")
    g.add_argument("--text", metavar="NOTE", help="a clinic note or complaint in words, e.g. "
                   "'R leg: 4/5 EHL, absent AJ, numb lateral border of foot' (with --side if it names none)")
    g.add_argument("--region", action="append", default=[], metavar="NAME",
                   help="an abnormal skin region (repeatable), e.g. 'first web space'")
    g.add_argument("--modality", help="the modality of the --region findings: numbness (default), tingling, "
                   "pain, burning or hypersensitivity")
    g.add_argument("--normal-region", action="append", default=[], metavar="NAME",
                   help="a region examined and found normal (repeatable)")
    g.add_argument("--weak", action="append", default=[], metavar="NAME[=GRADE]",
                   help="a weak movement or muscle (repeatable), optionally with its MRC grade: 'hip abduction=4'")
    g.add_argument("--normal-motor", action="append", default=[], metavar="NAME",
                   help="a movement or muscle of normal strength (repeatable)")
    g.add_argument("--reflex", action="append", default=[], metavar="NAME=GRADE",
                   help="a reflex and its grade (repeatable): achilles=absent, patellar=normal")
    g.add_argument("--sign", action="append", default=[], metavar="NAME",
                   help="another sign or symptom (repeatable), e.g. 'saddle anaesthesia'")
    p.add_argument("--map", metavar="NAME", help="the dermatome map for root hypotheses (see 'neuromap maps')")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _add_image_arguments(p: argparse.ArgumentParser, layouts: Sequence[str]) -> None:
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the image: .png, .svg or .pdf, or '-' for stdout")
    p.add_argument("--format", choices=[e[1:] for e in IMAGE_EXTENSIONS],
                   help="the image format (default: from the name of the output; svg for '-')")
    p.add_argument("--layout", choices=list(layouts), default=layouts[0],
                   help=f"the body drawn (default: {layouts[0]})")
    p.add_argument("--dpi", type=_positive_int, metavar="N", help="dots per inch of a .png (default: 100)")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``neuromap`` command.

    Returns
    -------
    argparse.ArgumentParser
        The parser; its ``error`` raises :class:`UsageError` instead of exiting.

    Examples
    --------
    >>> from neuromap.cli import build_parser
    >>> build_parser().parse_args(["regions", "--json"]).command
    'regions'
    """
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog=PROG, formatter_class=fmt,
                     description="Localize lower-limb neurological findings to spinal roots and peripheral nerves.",
                     epilog="examples:\n  neuromap localize case.json\n  neuromap regions\n"
                            "  neuromap localize --help\n\nneuromap is decision support for education and research, "
                            "not a diagnosis.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("localize", help="rank the lesion sites that could explain a case", formatter_class=fmt,
                       description="Rank the spinal levels and nerves that could explain a case's findings: "
                                   "red flags first, then the ranked table, warnings and the next examination.",
                       epilog=_LOCALIZE_EPILOG)
    _add_case_arguments(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON (docs/schemas.md)")
    p.add_argument("--batch", metavar="CASES.jsonl",
                   help="localize one JSON case per line ('-' for stdin) and print one JSON line per case, "
                        "in order, with its input line number ('line'); a bad line gives an error object and "
                        "does not stop the batch. A .csv or .parquet file is read from its --column of JSON "
                        "cases (each result then has its 'row')")
    p.add_argument("-o", "--output", metavar="RANKED", help="with --batch: write to this file instead of stdout; "
                   ".parquet or .csv write the ranking in long format (one row per case and rank, "
                   "ranking-only), .jsonl one JSON result per line")
    p.add_argument("--column", default="case", metavar="NAME", help="with a .csv or .parquet --batch: the column "
                   "of cases (default: case)")
    p.add_argument("--ranking-only", action="store_true", help="with --batch: results without explanations and "
                   "paths (docs/registries.md), much faster")
    p.add_argument("--top", type=_positive_int, metavar="N", help="with --batch: hypotheses kept per case of a "
                   "ranking-only result (default: 12, or 5 in a table)")
    p.add_argument("--workers", type=_positive_int, metavar="N", help="worker processes for --batch, at most "
                   "the usable cores (default: all of them for large batches)")
    p.add_argument("--strict", action="store_true",
                   help="refuse a case with a finding neuromap cannot read (by default it is listed as not "
                        "understood and the rest of the case is localized)")
    p.add_argument("--prior", choices=PRIORS, default="clinical",
                   help="base rates: cited ones (clinical, the default) or none (uniform); see docs/method.md")

    p = sub.add_parser("render", help="draw a case on the foot", formatter_class=fmt,
                       description="Draw a case's findings and its top hypothesis on the foot template.",
                       epilog="examples:\n  neuromap render case.json -o case.png\n"
                              "  neuromap render --side right --region heel -o heel.svg\n"
                              "  neuromap render case.json --hypotheses L5,common_fibular --dpi 200 -o case.png\n"
                              "  neuromap render case.json --layout limb -o case.svg\n"
                              "  neuromap render case.json --studies -o case.png")
    _add_case_arguments(p)
    _add_image_arguments(p, ("auto", "foot", "limb", "saddle"))
    p.add_argument("--hypotheses", metavar="ID,ID", help="the hypotheses to draw, by id (e.g. L5,common_fibular); "
                   "by default the leaders whose territories differ most")
    p.add_argument("--studies", action="store_true",
                   help="add the study plan below the case: the electrodiagnostic studies that would separate "
                        "the hypotheses and what each expects (see plot_study_plan)")

    p = sub.add_parser("html", help="write a case as a standalone interactive HTML page", formatter_class=fmt,
                       description="Write a case's findings, the ranking and its explanations as one HTML page "
                                   "that needs no server and no network: hover a region of the figure for its "
                                   "name, nerves and roots per dermatome layer.",
                       epilog="examples:\n  neuromap html case.json -o case.html\n"
                              "  neuromap html --side left --region 'first web space' -o - > case.html")
    _add_case_arguments(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the page ('-' for stdout)")
    p.add_argument("--title", help="the page's title (default: the top hypothesis)")

    p = sub.add_parser("atlas", help="draw a dermatome map", formatter_class=fmt,
                       description="Draw a dermatome map of the foot.",
                       epilog="examples:\n  neuromap atlas -o lee.svg\n  neuromap atlas --map keegan_garrett_1948 "
                              "-o keegan.png")
    p.add_argument("--map", metavar="NAME", help="the dermatome map (default: the atlas default; see 'neuromap maps')")
    _add_image_arguments(p, ("foot", "limb", "saddle"))

    for name, what in VOCAB_COMMANDS.items():
        p = sub.add_parser(name, help=f"list the {what}", formatter_class=fmt,
                           description=f"List the {what} with their ids and aliases.",
                           epilog=f"examples:\n  neuromap {name}\n  neuromap {name} --json")
        p.add_argument("--json", action="store_true", help="print the list as JSON")

    p = sub.add_parser("export", help="export the atlas (GeoJSON, GraphML, node-link JSON)", formatter_class=fmt,
                       description="Write the atlas: the foot template as GeoJSON (both sides, every view), or the "
                                   "innervation graph as GraphML or node-link JSON.",
                       epilog="examples:\n  neuromap export --format geojson -o foot.geojson\n"
                              "  neuromap export --format graphml -o atlas.graphml\n"
                              "  neuromap export --format node-link -o atlas.json")
    p.add_argument("--format", required=True, choices=["geojson", "graphml", "node-link"], help="the format")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write ('-' for stdout)")
    add_serve_parser(sub, fmt, _positive_int)
    return parser


# ----------------------------------------------------------------------------- case input
def _read_input(path: str, max_bytes: int) -> bytes:
    """Read a file or stdin ('-'), at most ``max_bytes + 1`` bytes (the limit check follows)."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            data: bytes = stream.read(max_bytes + 1)
            return data
        text = sys.stdin.read(max_bytes + 1)
        return text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    try:
        with open(path, "rb") as fh:
            return fh.read(max_bytes + 1)
    except OSError as exc:
        raise UsageError(f"{PROG}: cannot read {path!r}: {exc.strerror or exc}") from None


def _split_pair(text: str, flag: str, required: bool) -> tuple[str, str | None]:
    if "=" in text:
        name, value = text.rsplit("=", 1)
        if name.strip() and value.strip():
            return name.strip(), value.strip()
    if required:
        raise UsageError(f"{PROG}: {flag} expects NAME=GRADE, e.g. '{flag} achilles=absent', got {text!r}")
    return text.strip(), None


def _case_from_flags(args: argparse.Namespace, *, with_side: bool = True) -> dict[str, Any] | None:
    used = any((args.side if with_side else None, args.region, args.modality, args.normal_region, args.weak,
                args.normal_motor, args.reflex, args.sign))
    if not used:
        return None
    if args.side is None:
        raise UsageError(f"{PROG}: give --side (left, right or bilateral) with the finding flags")
    case: dict[str, Any] = {"side": args.side}
    sensory: list[dict[str, Any]] = []
    if args.region:
        item: dict[str, Any] = {"regions": list(args.region)}
        if args.modality:
            item["modality"] = args.modality
        sensory.append(item)
    elif args.modality:
        raise UsageError(f"{PROG}: --modality describes the --region findings; give at least one --region")
    if args.normal_region:
        sensory.append({"regions": list(args.normal_region), "state": "normal"})
    if sensory:
        case["sensory"] = sensory
    motor: list[dict[str, Any]] = []
    for text in args.weak:
        name, grade = _split_pair(text, "--weak", False)
        motor.append({"name": name, "grade": grade if grade is not None else "weak"})
    motor.extend({"name": n, "grade": "normal"} for n in args.normal_motor)
    if motor:
        case["motor"] = motor
    if args.reflex:
        reflexes: dict[str, Any] = {}
        for text in args.reflex:
            name, grade = _split_pair(text, "--reflex", True)
            if name in reflexes:
                raise UsageError(f"{PROG}: --reflex {name} is given twice")
            reflexes[name] = grade
        case["reflexes"] = reflexes
    if args.sign:
        case["other"] = list(args.sign)
    return case


def _load_case_arg(args: argparse.Namespace) -> Any:
    """The case of the command: built from the flags, or read from the file within the JSON limits.

    It is checked when it is localized.
    """
    from neuromap.io import DEFAULT_JSON_LIMITS, parse_json

    if getattr(args, "text", None) is not None:
        if args.case is not None or _case_from_flags(args, with_side=False) is not None:
            raise UsageError(f"{PROG}: give --text alone (with --side if it names no side)")
        return {"text": args.text, **({"side": args.side} if args.side else {})}
    flags = _case_from_flags(args)
    if flags is not None and args.case is not None:
        raise UsageError(f"{PROG}: give a case file or finding flags, not both")
    if flags is not None:
        return flags
    if args.case is None:
        raise UsageError(f"{PROG}: give a case file (or '-' for stdin) or describe the case with --side, "
                         "--region, --weak, --reflex ...")
    return parse_json(_read_input(args.case, DEFAULT_JSON_LIMITS.max_bytes))


# ----------------------------------------------------------------------------- commands
def _cmd_localize(args: argparse.Namespace) -> int:
    if args.batch is not None:
        if args.case is not None or _case_from_flags(args) is not None:
            raise UsageError(f"{PROG}: --batch reads its own cases; do not give a case file or finding flags")
        return _batch(args)
    from neuromap.io import localize_json

    case = _load_case_arg(args)
    result = localize_json(case, dermatome_map=args.map, strict=args.strict, prior=args.prior)
    if args.json:
        _write(sys.stdout, json.dumps(result, indent=2) + "\n")
    else:
        _write(sys.stdout, format_table(result))
    return 0


def _batch(args: argparse.Namespace) -> int:
    from neuromap.cli_batch import TABLE_SUFFIXES, batch_kind, batch_to_file

    if args.output is not None and not args.output.lower().endswith(TABLE_SUFFIXES):
        raise UsageError(f"{PROG}: cannot write a batch to {args.output!r}; name it .jsonl, .csv or .parquet")
    if args.output is not None or batch_kind(args.batch) != "jsonl" or args.ranking_only or args.top:
        return batch_to_file(args)
    if args.batch == "-":
        stream: IO[bytes] = getattr(sys.stdin, "buffer", None) or io.BytesIO(
            sys.stdin.read().encode("utf-8", "surrogatepass"))
        return _run_batch(stream, args)
    try:
        fh = open(args.batch, "rb")  # noqa: SIM115 - closed below, after the stream is read
    except OSError as exc:
        raise UsageError(f"{PROG}: cannot read {args.batch!r}: {exc.strerror or exc}") from None
    with fh:
        return _run_batch(fh, args)


def _run_batch(stream: IO[bytes], args: argparse.Namespace) -> int:
    """Localize the lines of *stream* chunk by chunk, writing each result (with its line number) in order."""
    from neuromap.cli_batch import batch_lines
    from neuromap.io import BATCH_CHUNK_SIZE, DEFAULT_JSON_LIMITS, localize_iter

    line_numbers: deque[int] = deque()  # of the lines read and not yet written (a few chunks)

    def cases() -> Iterator[bytes]:
        for lineno, line in batch_lines(stream, DEFAULT_JSON_LIMITS.max_bytes):
            line_numbers.append(lineno)
            yield line

    progress = sys.stderr.isatty()
    bad: list[int] = []
    n = 0
    out = sys.stdout
    # each distinct case is localized once and its result written as JSON text in the worker
    for n, text in enumerate(localize_iter(cases(), dermatome_map=args.map, strict=args.strict, workers=args.workers,
                                           as_text=True, prior=args.prior), 1):
        lineno = line_numbers.popleft()
        if text.startswith('{"error":'):
            res = json.loads(text)
            res["error"]["line"] = lineno
            res["line"] = lineno
            bad.append(lineno)
            text = json.dumps(res, separators=(",", ":"))
        else:
            text = f'{text[:-1]},"line":{lineno}}}'
        _write(out, text + "\n")
        if n % BATCH_CHUNK_SIZE == 0:
            out.flush()
            if progress:
                _write(sys.stderr, f"\r{PROG}: {n} cases localized")
    out.flush()
    if progress and n >= BATCH_CHUNK_SIZE:
        _write(sys.stderr, f"\r{PROG}: {n} cases localized\n")
    if bad:
        shown = ", ".join(map(str, bad[:10])) + (", ..." if len(bad) > 10 else "")
        _write(sys.stderr, f"{PROG}: error: {len(bad)} of {n} cases invalid (lines {shown}); "
                           "see their error objects\n")
        return 2
    return 0


def _image_suffix(args: argparse.Namespace) -> str:
    """The extension of the image to write: from ``--format``, else the output name (svg for '-')."""
    if args.format:
        return f".{args.format}"
    if args.output == "-":
        return ".svg"
    ext = os.path.splitext(args.output)[1].lower()
    if ext not in IMAGE_EXTENSIONS:
        raise UsageError(f"{PROG}: cannot write {ext or 'a file without extension'!s} images; name the output "
                         f"{', '.join(IMAGE_EXTENSIONS[:-1])} or {IMAGE_EXTENSIONS[-1]} (or give --format)")
    return ext


def _write_output(path: str, suffix: str, write: Callable[[str], None]) -> None:
    """Call ``write(file)`` on a new temporary file, then move it to *path* (or copy it to stdout for '-').

    The temporary file is made in the target directory and moved with :func:`os.replace`, so a
    failed write leaves no partial file and an existing file unchanged. A place that cannot be
    written (no such directory, a directory, read-only, a name too long) is a usage error.
    """
    if path == "-":
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = os.path.join(tmpdir, f"output{suffix}")
            write(tmp)
            sys.stdout.flush()
            with open(tmp, "rb") as fh:
                out = getattr(sys.stdout, "buffer", None)
                data = fh.read()
                if out is None:
                    _write(sys.stdout, data.decode("utf-8", "replace"))
                else:
                    out.write(data)
                    out.flush()
        return
    target = os.path.abspath(path)
    try:
        if os.path.isdir(target):
            raise IsADirectoryError(21, "it is a directory")
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)[:100]}.", suffix=suffix,
                                   dir=os.path.dirname(target))
    except OSError as exc:
        raise UsageError(f"{PROG}: cannot write {path!r}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        write(tmp)
        try:
            mode = os.stat(target).st_mode & 0o7777
        except OSError:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        raise UsageError(f"{PROG}: cannot write {path!r}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _cmd_render(args: argparse.Namespace) -> int:
    suffix = _image_suffix(args)
    from neuromap.inference import localize

    case = _load_case_arg(args)
    result = localize(case, dermatome_map=args.map)
    from neuromap.plotting import plot_localization

    hyps = [h.strip() for h in args.hypotheses.split(",") if h.strip()] if args.hypotheses is not None else None
    display = plot_localization(result, layout=args.layout, hypotheses=hyps)
    if args.studies:
        if result.next_studies:
            from neuromap.plotting import plot_study_plan

            plot_study_plan(result, fig=display.figure)
        else:
            print("neuromap: no study plan to draw (fewer than two hypotheses, or no study separates them)",
                  file=sys.stderr)
    _write_output(args.output, suffix, lambda f: display.savefig(f, dpi=args.dpi or 100))
    return 0


def _cmd_html(args: argparse.Namespace) -> int:
    from neuromap.inference import localize

    case = _load_case_arg(args)
    result = localize(case, dermatome_map=args.map)
    from neuromap.interactive import to_html

    page = to_html(result, title=args.title)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(page)

    _write_output(args.output, ".html", write)
    return 0


def _cmd_atlas(args: argparse.Namespace) -> int:
    suffix = _image_suffix(args)
    from neuromap.atlas import load_atlas

    atlas = load_atlas()
    map_id = atlas.check_map(args.map, field="--map")
    from neuromap.plotting import plot_dermatomes

    display = plot_dermatomes(atlas, dermatome_map=map_id, layout=args.layout)
    _write_output(args.output, suffix, lambda f: display.savefig(f, dpi=args.dpi or 100))
    return 0


def _cmd_vocabulary(args: argparse.Namespace) -> int:
    from neuromap.io import vocabulary

    entries = vocabulary(args.command)
    if args.json:
        _write(sys.stdout, json.dumps(entries, indent=2) + "\n")
        return 0
    rows = []
    for e in entries:
        extra = e.get("view") or (", ".join(e["regions"]) if "regions" in e else "") or (
            f"{e.get('kind_of_map') or ''}{', default' if e.get('default') else ''}") or e.get("red_flag") or ""
        aliases = ", ".join(a for a in e["aliases"] if a.lower() != e["label"].lower())
        rows.append((e["id"], e["kind"], e["label"], str(extra), aliases))
    header = ("id", "kind", "label", {"regions": "view / regions", "maps": "map kind"}.get(args.command, "note"),
              "aliases")
    _write(sys.stdout, _table([header, *rows]))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from neuromap.io import export_atlas

    _write_output(args.output, "", lambda tmp: export_atlas(args.format, tmp))
    return 0


# ----------------------------------------------------------------------------- output
def _table(rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Rows as aligned columns (the first row is the header), at most *width* characters wide.

    The widest columns are narrowed to a common width until the table fits (no column under 12
    characters), and their cells wrap onto further lines. The width is the terminal's by default (100 when the
    output is not a terminal, or ``COLUMNS``).
    """
    if width is None:
        width = shutil.get_terminal_size((100, 24)).columns
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    room = max(width, 12 * len(widths)) - 2 * (len(widths) - 1)
    if sum(widths) > room:  # the widest columns share what the narrow ones leave (water-filling)
        cap = max(12, room // len(widths))
        while cap < max(widths) and sum(min(w, cap + 1) for w in widths) <= room:
            cap += 1
        widths = [min(w, cap) for w in widths]
    lines = []
    for n, r in enumerate(rows):
        cells = [textwrap.wrap(str(c), w, break_on_hyphens=False) or [""] for c, w in zip(r, widths, strict=True)]
        for k in range(max(len(c) for c in cells)):
            lines.append("  ".join((c[k] if k < len(c) else "").ljust(w)
                                   for c, w in zip(cells, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def format_table(result: Mapping[str, Any], *, width: int = 100) -> str:
    """Format a localization result (``localize_json`` output) as readable text.

    Red flags come first in a banner, then the ranked hypotheses (rank, hypothesis, side,
    score, explained/unexplained/contradicted counts), the warnings and the next examination.

    Parameters
    ----------
    result : dict
        The output of :func:`neuromap.io.localize_json`.
    width : int, optional
        Wrap width of the banner and the notes.

    Returns
    -------
    str
        The text, ending with a newline.

    Examples
    --------
    >>> from neuromap.io import localize_json
    >>> from neuromap.cli import format_table
    >>> text = format_table(localize_json({"side": "left", "reflexes": {"achilles": "absent"}}))
    >>> text.splitlines()[0].split()[:3]
    ['rank', 'hypothesis', 'side']
    """
    out: list[str] = []
    for flag in result.get("red_flags", ()):
        bar = "!" * min(width, 100)
        out += [bar, *textwrap.wrap(f"RED FLAG ({flag.get('severity', 'urgent')}): {flag['message']}", width,
                                    initial_indent="!! ", subsequent_indent="!! "), bar, ""]
    rows = [("rank", "hypothesis", "side", "score", "explains", "unexplained", "contradicts")]
    for i, h in enumerate(result.get("hypotheses", ()), 1):
        rows.append((str(i), h["label"], h["side"], f"{h['score']:.2f}", str(len(h["explains"])),
                     str(len(h["unexplained"])), str(len(h["contradicts"]))))
    if len(rows) > 1:
        out.append(_table(rows, width=1 << 16).rstrip("\n"))  # the ranking is never wrapped
    else:
        out.append("No hypothesis: none of the findings could be scored.")
    best = [b for b in result.get("best_of_kind", ()) if b["rank"] > 1]
    if best:  # the differential: the best of each other kind, however far down it ranks
        out += textwrap.wrap("Best of each other kind: " + "; ".join(
            f"{b['kind'].replace('_', ' ')} {b['label']} (rank {b['rank']}, {b['score']:.2f})" for b in best),
            width, subsequent_indent="  ")
    dmap = result.get("dermatome_map") or {}
    if dmap:
        out.append(f"(dermatome map: {dmap.get('label', dmap.get('id'))})")
    if result.get("warnings"):
        out += ["", "Warnings:"]
        for w in result["warnings"]:
            out += textwrap.wrap(w, width, initial_indent="  - ", subsequent_indent="    ")
    if result.get("not_understood"):
        out += ["", "Not understood (not scored):"]
        for u in result["not_understood"]:
            hint = f"; did you mean {', '.join(map(repr, u['suggestions']))}?" if u["suggestions"] else ""
            out += textwrap.wrap(f"{u['field']}: {u['text']!r}: {u['problem']}{hint}", width,
                                 initial_indent="  - ", subsequent_indent="    ")
    if result.get("next_examination"):
        out += ["", "Next examination:"]
        for x in result["next_examination"]:
            out += textwrap.wrap(f"{x['label']} ({x['kind']}): {x['why']}", width, initial_indent="  - ",
                                 subsequent_indent="    ")
    if result.get("next_studies"):
        out += ["", "Studies to order (electrodiagnosis):"]
        for x in result["next_studies"]:
            out += textwrap.wrap(f"{x['label']}: {x['why']}", width, initial_indent="  - ", subsequent_indent="    ")
    if result.get("disclaimer"):
        out += ["", *textwrap.wrap(result["disclaimer"], width)]
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- main
_COMMANDS = {"localize": _cmd_localize, "render": _cmd_render, "html": _cmd_html, "atlas": _cmd_atlas,
             "export": _cmd_export, "serve": cmd_serve,
             **dict.fromkeys(VOCAB_COMMANDS, _cmd_vocabulary)}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``neuromap`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 success, 2 invalid input or usage (one line on stderr), 1 an
        internal error (one line; ``NEUROMAP_DEBUG=1`` prints the traceback), 130 interrupted.

    Examples
    --------
    >>> from neuromap.cli import main
    >>> main(["maps", "--json"])  # doctest: +SKIP
    0
    """
    return _main(argv)


def run() -> int:
    """Run the ``neuromap`` program: :func:`main` on ``sys.argv``, for the console script.

    The program starts (numpy, shapely, the atlas), runs one command and exits: the cyclic
    garbage collector would walk the freshly imported heap again and again, finding nothing to
    free (localizing a case makes no reference cycles), so it is off for the whole program; and
    the heap is frozen before the interpreter's exit, which would otherwise walk it once more (a
    full collection, ~40 ms with the atlas loaded) only to free memory the process returns
    anyway. A batch's worker processes inherit this. Use :func:`main` to run a command from
    Python: it leaves the collector alone.

    Returns
    -------
    int
        The exit status, as :func:`main` returns it.
    """
    gc.disable()
    try:
        return _main(None)
    finally:
        gc.freeze()


def _main(argv: Sequence[str] | None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(list(argv) if argv is not None else None)
        if args.command is None:
            _write(sys.stdout, parser.format_help())
            return 0
        return _COMMANDS[args.command](args)
    except SystemExit as exc:  # --help and --version exit through argparse
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except (UsageError, NeuromapError) as exc:
        prefix = "" if isinstance(exc, UsageError) else f"{PROG}: error: "
        _write(sys.stderr, _one_line(f"{prefix}{exc}") + "\n")
        return 2
    except KeyboardInterrupt:
        _write(sys.stderr, f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. '| head'); silence the flush at exit
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout is not a real file
            pass
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if os.environ.get("NEUROMAP_DEBUG", "") not in ("", "0"):
            import traceback

            traceback.print_exc()
        missing = isinstance(exc, ImportError) and getattr(exc, "name", "") in ("matplotlib", "neuromap.plotting")
        hint = ("drawing needs matplotlib and neuromap.plotting" if missing else
                f"this is a bug in neuromap {__version__}; please report it to {REPORT_URL} with the input "
                "(set NEUROMAP_DEBUG=1 for the traceback)")
        _write(sys.stderr, _one_line(f"{PROG}: internal error: {type(exc).__name__}: {exc} ({hint})") + "\n")
        return 1
