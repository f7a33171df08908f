"""The HTML page and the widget's Python side, without a browser (tests/test_interactive_browser.py has one)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import neuromap
from neuromap.interactive import region_info, summarize, to_html, views_svg

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "l5_radiculopathy.json"
CASE = json.loads(EXAMPLE.read_text(encoding="utf-8"))


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(page)
    return parser.tags


def test_import_neuromap_does_not_import_the_interactive_layer():
    code = ("import sys, neuromap; neuromap.localize({'side': 'left', 'reflexes': {'achilles': 'absent'}}); "
            "print(sorted(m for m in ('neuromap.interactive', 'anywidget', 'matplotlib', 'neuromap.widgets') "
            "if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=True)
    assert r.stdout.strip() == "[]"


def test_the_page_needs_no_network_and_no_matplotlib():
    code = ("import sys, json; from neuromap.interactive import to_html; "
            f"p = to_html(json.load(open({str(EXAMPLE)!r}))); "
            "print('matplotlib' in sys.modules, 'anywidget' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=True)
    assert r.stdout.strip() == "False False"
    page = to_html(CASE)
    # nothing is loaded from elsewhere: no src/href attributes, no url(), no import of a URL
    for tag, attrs in _tags(page):
        assert "src" not in attrs and "href" not in attrs, (tag, attrs)
    assert "url(" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_page_has_every_region_once_with_its_id(atlas):
    tags = _tags(to_html(CASE))
    regions = [a for t, a in tags if t == "path" and "nm-region" in (a.get("class") or "")]
    assert sorted(a["id"] for a in regions) == sorted(atlas.template.regions())
    assert all(a["id"] == a["data-region"] for a in regions)


def test_page_colours_findings_and_outlines_the_top_territory():
    result = neuromap.localize(CASE)
    tags = _tags(result.to_html())
    cls = {a["id"]: (a.get("class") or "").split() for t, a in tags if t == "path" and a.get("id")}
    assert "nm-numb" in cls["first_web_space"] and "nm-numb" in cls["hallux_dorsal"]
    assert "nm-normal" in cls["medial_malleolus"]
    territory = {r for r, w in result.top.territory.regions.items() if w >= 0.5}
    assert {r for r, c in cls.items() if "nm-territory" in c} == territory
    assert not any({"nm-numb", "nm-normal"} & set(c) for r, c in cls.items()
                   if r not in ("first_web_space", "hallux_dorsal", "hallux_plantar_medial", "hallux_plantar_lateral",
                                "medial_malleolus"))


def test_page_ranking_lists_each_hypothesis_with_its_explanations():
    result = neuromap.localize(CASE)
    page = to_html(result, max_hypotheses=4)
    rows = [a for t, a in _tags(page) if t == "tr" and a.get("data-hypothesis")]
    assert [r["data-hypothesis"] for r in rows] == [h.id for h in result.hypotheses[:4]]
    for h in result.hypotheses[:4]:
        for e in h.explains:
            assert f"{e['text']}: {e['why']}" in page
    assert page.index('id="nm-red-flags"') < page.index('id="nm-figure"') < page.index('id="nm-ranking"')


def test_page_embedded_data_matches_the_atlas(atlas):
    page = to_html(CASE)
    raw = re.search(r'<script type="application/json" id="nm-data">(.*?)</script>', page, re.S)[1]
    data = json.loads(raw)
    assert data["regions"] == region_info(atlas)
    assert data["regions"]["lateral_border"]["nerves"][0] == atlas[atlas.nerves_for("lateral_border")[0]].label


def test_page_escapes_what_the_caller_wrote():
    nasty = "</script><script>alert(1)</script>"
    page = to_html(CASE, title=nasty)
    assert nasty not in page and "&lt;/script&gt;" in page
    case = {"side": "left", "sensory": [{"regions": ["first web space"]}], "notes": nasty}
    assert "alert(1)</script>" not in to_html(case)


def test_red_flags_lead_the_page():
    page = to_html({"side": "bilateral", "other": ["saddle anaesthesia"]})
    flags = re.search(r'<section class="nm-red-flags" id="nm-red-flags">(.*?)</section>', page)[1]
    assert "cauda equina" in flags.lower()
    assert page.index("nm-red-flags") < page.index("<h2>")


def test_left_side_is_the_mirror_image(atlas):
    right = views_svg(atlas, ["dorsal"], side="right")
    left = views_svg(atlas, ["dorsal"], side="left")
    assert right != left
    vb = re.search(r'viewBox="([-\d.]+) 0 ([\d.]+)', left)
    minx, _, maxx, _ = atlas.template.bounds("dorsal", side="left")
    assert float(vb[1]) == pytest.approx(minx - 4, abs=0.1)


@pytest.mark.parametrize(("kwargs", "field"), [({"max_hypotheses": 0}, "max_hypotheses"),
                                               ({"max_hypotheses": "3"}, "max_hypotheses")])
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(neuromap.InvalidArgumentError, match=f"'{field}'"):
        to_html(CASE, **kwargs)


def test_bad_view_and_case_errors():
    atlas = neuromap.load_atlas()
    with pytest.raises(neuromap.InvalidArgumentError, match="Did you mean 'dorsal'"):
        views_svg(atlas, ["dorsl"])
    with pytest.raises(neuromap.InvalidCaseError, match="'left'"):
        to_html({"side": "lfet", "sensory": [{"regions": ["first web space"]}]})
    # a name it cannot read is listed on the page, not a refusal (issue #16)
    assert "webby bit" in to_html({"side": "left", "sensory": [{"regions": ["first web space", "webby bit"]}]})


def test_summary_is_json_and_red_flags_first():
    result = neuromap.localize({"side": "left", "other": ["saddle anaesthesia"], "motor": [
        {"name": "hip flexion", "grade": 4}]})
    s = summarize(result)
    assert list(s)[0] == "red_flags" and s["red_flags"]
    assert json.loads(json.dumps(s)) == s


# ----------------------------------------------------------------------------- the CLI
def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "neuromap", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_cli_html_writes_the_page(tmp_path):
    out = tmp_path / "case.html"
    r = _cli("html", str(EXAMPLE), "-o", str(out), "--title", "L5 or common fibular?")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    page = out.read_text(encoding="utf-8")
    assert page == to_html(neuromap.localize(CASE), title="L5 or common fibular?")
    assert [p.name for p in tmp_path.iterdir()] == ["case.html"]  # no temporary file left


def test_cli_html_to_stdout_and_from_flags():
    r = _cli("html", "--side", "left", "--region", "first web space", "-o", "-")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("<!DOCTYPE html>") and 'id="first_web_space"' in r.stdout


def test_cli_html_errors_are_one_line(tmp_path):
    out = tmp_path / "case.html"
    out.write_text("before", encoding="utf-8")
    r = _cli("html", "--side", "lfet", "--region", "first web space", "-o", str(out))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "'left'" in r.stderr
    assert out.read_text(encoding="utf-8") == "before"  # a failed run leaves the file as it was
    r = _cli("html", str(EXAMPLE), "-o", str(tmp_path / "missing" / "case.html"))
    assert r.returncode == 2 and "cannot write" in r.stderr


# ----------------------------------------------------------------------------- the widget's Python side
@pytest.fixture(autouse=True)
def _needs_anywidget(request):
    # only the widget's tests need the widgets extra; the page's run without it
    if request.node.name.startswith("test_widget"):
        pytest.importorskip("anywidget", reason="the widget needs the widgets extra (anywidget)")


def test_widget_localizes_on_every_change_of_the_case():
    from neuromap.widgets import CaseWidget

    w = CaseWidget()
    assert w.case == {"side": "right"} and w.result == {} and w.error == ""
    w.case = {"side": "right", "sensory": [{"regions": ["lateral_border", "little_toe_dorsal"],
                                            "modality": "numbness"}], "reflexes": {"achilles": "absent"}}
    expected = neuromap.localize(w.case)
    assert w.result["hypotheses"][0]["id"] == expected.top.id
    assert w.result["pattern"]["kind"] == expected.pattern["kind"]
    assert "nm-numb" in w.classes["lateral_border"]
    w.case = {**w.case, "other": ["saddle anaesthesia"]}
    assert w.result["red_flags"] and "cauda equina" in w.result["red_flags"][0].lower()


def test_widget_reports_an_invalid_case_and_keeps_the_last_result():
    from neuromap.widgets import CaseWidget

    w = CaseWidget(CASE)
    before = w.result
    w.case = {"side": "left", "motor": [{"name": "great toe extension", "grade": 7}]}
    assert "motor[0].grade" in w.error
    assert w.result == before
    w.case = CASE
    assert w.error == ""


def test_widget_case_is_a_dict_and_json():
    from neuromap.interactive import CaseWidget as Same
    from neuromap.widgets import CaseWidget

    assert Same is CaseWidget
    w = CaseWidget(CASE)
    assert isinstance(w.case, dict) and w.case == CASE and w.case is not CASE
    assert json.loads(w.to_json()) == CASE
    w.case = {**CASE, "side": "right"}
    assert 'data-view="dorsal"' in w.svg and 'id="' not in w.svg  # the widget's elements carry no ids
    with pytest.raises(neuromap.InvalidTypeError, match="'case'"):
        CaseWidget("left")


def test_widget_side_follows_the_case(atlas):
    from neuromap.widgets import CaseWidget

    w = CaseWidget({"side": "right", "reflexes": {"patellar": "reduced"}})
    right = w.svg
    w.case = {**w.case, "side": "left"}
    assert w.svg != right and w.svg == CaseWidget({"side": "left"}).svg
