"""The HTML page and the widget's front end in a real (headless) chromium.

See tests/browser.py for how the browser is found, and when the tests skip or fail without it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import neuromap
from neuromap.interactive import region_info, to_html
from tests.browser import SCREENSHOTS, chrome_driver, console_errors, require

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "l5_radiculopathy.json"


@pytest.fixture(scope="module")
def driver():
    yield from chrome_driver()


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    # the page as the CLI writes it, opened from a file: no server, no network
    out = tmp_path_factory.mktemp("page") / "case.html"
    subprocess.run([sys.executable, "-m", "neuromap", "html", str(EXAMPLE), "-o", str(out)], check=True)
    return out


@pytest.fixture
def page(driver, page_file):
    console_errors(driver)  # start from an empty log
    driver.get(page_file.as_uri())
    return driver


def test_page_loads_without_console_errors(page):
    assert page.execute_script("return document.readyState") == "complete"
    assert console_errors(page) == []
    assert page.title.startswith("neuromap: ")


def test_every_region_is_an_element(page, atlas):
    ids = page.execute_script(
        "return Array.from(document.querySelectorAll('#nm-figure [id].nm-region'), e => e.id)")
    assert sorted(ids) == sorted(atlas.template.regions())
    data = page.execute_script(
        "return Array.from(document.querySelectorAll('#nm-figure .nm-region'), e => e.dataset.region)")
    assert data == ids


@pytest.mark.parametrize("rid", [
    "first_web_space", "plantar_heel", "lateral_malleolus", "anterior_thigh_distal", "popliteal_fossa", "perianal"])
def test_hover_shows_name_nerves_and_roots(page, atlas, rid):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    el = page.find_element(By.ID, rid)
    ActionChains(page).move_to_element(el).perform()
    tooltip = page.find_element(By.ID, "nm-tooltip")
    assert tooltip.is_displayed()
    text = tooltip.text
    assert atlas[rid].label in text
    for nerve in atlas.nerves_for(rid):
        assert atlas[nerve].label in text
    for m in atlas.dermatome_maps:
        label = atlas.dermatome_map_info(m)["label"]
        roots = ", ".join(f"{r} ({g})" for r, g in atlas.dermatome_grades(rid, m).items()) or "no root given"
        assert f"{label}: {roots}" in text
    assert page.find_element(By.ID, "nm-region-info").get_attribute("data-region") == rid
    assert console_errors(page) == []


def test_hovering_a_ranking_row_outlines_its_territory(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    row = page.find_element(By.CSS_SELECTOR, "#nm-ranking tbody tr")
    regions = row.get_attribute("data-regions").split()
    assert regions
    ActionChains(page).move_to_element(row).perform()
    marked = page.execute_script(
        "return Array.from(document.querySelectorAll('.nm-highlight'), e => e.id)")
    assert sorted(marked) == sorted(regions)


def test_page_screenshot(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    ActionChains(page).move_to_element(page.find_element(By.ID, "first_web_space")).perform()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert page.save_screenshot(str(SCREENSHOTS / "interactive_page.png"))


def test_red_flags_come_first(driver, tmp_path):
    out = tmp_path / "ces.html"
    out.write_text(to_html({"side": "bilateral", "other": ["saddle anaesthesia", "urinary retention"]}),
                   encoding="utf-8")
    console_errors(driver)
    driver.get(out.as_uri())
    assert console_errors(driver) == []
    flags = driver.execute_script("return document.getElementById('nm-red-flags')")
    first = driver.execute_script(
        "return document.querySelector('section, h2, #nm-figure') === arguments[0]", flags)
    assert first
    assert "cauda equina" in flags.text.lower()
    # a bilateral case draws both sides; each region element keeps one id
    assert driver.execute_script("return document.querySelectorAll('.nm-side').length") == 2
    ids = driver.execute_script("return Array.from(document.querySelectorAll('[id].nm-region'), e => e.id)")
    assert len(ids) == len(set(ids)) == len(region_info(neuromap.load_atlas()))


# ----------------------------------------------------------------------------- the widget's front end
_FAKE_MODEL_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>CaseWidget front end</title>
<style>{css}</style></head><body><div id="widget"></div>
<script type="application/json" id="esm">{esm}</script>
<script type="application/json" id="state">{state}</script>
<script type="module">
// A stand-in for the anywidget model (get, set, on, off, save_changes), with no Jupyter behind it.
class FakeModel {{
  constructor(state) {{ this.state = state; this.listeners = {{}}; this.saved = 0; }}
  get(key) {{ return this.state[key]; }}
  set(key, value) {{
    this.state[key] = value;
    for (const cb of this.listeners["change:" + key] || []) cb();
  }}
  on(event, cb) {{ (this.listeners[event] = this.listeners[event] || []).push(cb); }}
  off(event, cb) {{ this.listeners[event] = (this.listeners[event] || []).filter((x) => x !== cb); }}
  save_changes() {{ this.saved += 1; }}
}}
const model = new FakeModel(JSON.parse(document.getElementById("state").textContent));
window.nmModel = model;
const source = JSON.parse(document.getElementById("esm").textContent);
const url = URL.createObjectURL(new Blob([source], {{type: "text/javascript"}}));
const widget = (await import(url)).default;
widget.render({{model, el: document.getElementById("widget")}});
window.nmReady = true;
</script></body></html>
"""


def _widget_state(w) -> dict:
    return {k: getattr(w, k) for k in ("case", "result", "error", "classes", "svg", "regions", "movements", "reflexes")}


@pytest.fixture
def widget_page(driver, tmp_path):
    require("anywidget", "the widget needs anywidget (pip install -e '.[test]')")
    from selenium.webdriver.support.ui import WebDriverWait

    from neuromap.interactive.page import script_json
    from neuromap.widgets import CaseWidget

    w = CaseWidget({"side": "left"})
    page = tmp_path / "widget.html"
    page.write_text(_FAKE_MODEL_PAGE.format(css=w._css, esm=script_json(w._esm), state=script_json(_widget_state(w))),
                    encoding="utf-8")
    console_errors(driver)
    driver.get(page.as_uri())
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return window.nmReady === true"))
    return driver, w


def _case(driver) -> dict:
    return driver.execute_script("return window.nmModel.get('case')")


def test_widget_front_end_loads_and_draws_every_region(widget_page, atlas):
    driver, _ = widget_page
    assert console_errors(driver) == []
    regions = driver.execute_script(
        "return Array.from(document.querySelectorAll('#widget .nm-region'), e => e.dataset.region)")
    assert sorted(regions) == sorted(atlas.template.regions())


def test_clicking_regions_changes_the_model_case(widget_page):
    from selenium.webdriver.common.by import By

    driver, w = widget_page
    region = driver.find_element(By.CSS_SELECTOR, '#widget [data-region="first_web_space"]')
    region.click()
    assert _case(driver) == {"side": "left", "sensory": [{"regions": ["first_web_space"], "modality": "numbness"}]}
    assert driver.execute_script("return window.nmModel.saved") == 1
    assert "nm-numb" in region.get_attribute("class")
    driver.find_element(By.CSS_SELECTOR, '#widget .nm-modality[data-modality="tingling"]').click()
    driver.find_element(By.CSS_SELECTOR, '#widget [data-region="lateral_border"]').click()
    driver.find_element(By.CSS_SELECTOR, '#widget .nm-modality[data-modality="normal"]').click()
    driver.find_element(By.CSS_SELECTOR, '#widget [data-region="medial_malleolus"]').click()
    assert _case(driver)["sensory"] == [{"regions": ["first_web_space"], "modality": "numbness"},
                                        {"regions": ["lateral_border"], "modality": "tingling"},
                                        {"regions": ["medial_malleolus"], "state": "normal"}]
    # a second click with the same modality clears the region
    driver.find_element(By.CSS_SELECTOR, '#widget [data-region="medial_malleolus"]').click()
    assert len(_case(driver)["sensory"]) == 2
    assert console_errors(driver) == []


def test_dragging_paints_every_region_crossed(widget_page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver, _ = widget_page
    find = driver.find_element
    ActionChains(driver).click_and_hold(find(By.CSS_SELECTOR, '#widget [data-region="hallux_dorsal"]')) \
        .move_to_element(find(By.CSS_SELECTOR, '#widget [data-region="first_web_space"]')) \
        .move_to_element(find(By.CSS_SELECTOR, '#widget [data-region="second_toe_dorsal"]')).release().perform()
    painted = _case(driver)["sensory"][0]["regions"]
    assert {"hallux_dorsal", "first_web_space", "second_toe_dorsal"} <= set(painted)


def test_strength_and_reflex_controls_change_the_case(widget_page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver, _ = widget_page
    Select(driver.find_element(By.CSS_SELECTOR, "#widget .nm-movement")).select_by_value("hip_abduction")
    Select(driver.find_element(By.CSS_SELECTOR, "#widget .nm-grade")).select_by_value("3")
    driver.find_element(By.CSS_SELECTOR, "#widget .nm-motor-set").click()
    Select(driver.find_element(By.CSS_SELECTOR, '#widget select[data-reflex="achilles"]')).select_by_value("absent")
    case = _case(driver)
    assert case["motor"] == [{"name": "hip_abduction", "grade": 3}]
    assert case["reflexes"] == {"achilles": "absent"}
    assert "hip_abduction" in driver.execute_script(
        "return Array.from(document.querySelectorAll('#widget .nm-motor-list li'), e => e.dataset.movement)")
    driver.find_element(By.CSS_SELECTOR, "#widget .nm-motor-list button").click()
    assert "motor" not in _case(driver) or _case(driver)["motor"] == []


def test_the_round_trip_through_python_updates_the_ranking(widget_page):
    from selenium.webdriver.common.by import By

    driver, w = widget_page
    driver.find_element(By.CSS_SELECTOR, '#widget [data-region="first_web_space"]').click()
    driver.find_element(By.CSS_SELECTOR, '#widget [data-region="hallux_dorsal"]').click()
    # what the kernel would do on the change of `case`: localize again and send the result back
    w.case = _case(driver)
    assert w.error == ""
    driver.execute_script(
        "const m = window.nmModel; m.set('classes', arguments[0]); m.set('result', arguments[1]);",
        w.classes, w.result)
    first = driver.find_element(By.CSS_SELECTOR, "#widget .nm-ranking tbody tr")
    assert first.get_attribute("data-hypothesis") == w.result["hypotheses"][0]["id"] == neuromap.localize(
        json.loads(w.to_json())).top.id
    pattern = driver.find_element(By.CSS_SELECTOR, "#widget .nm-pattern").text
    assert pattern.startswith(f"Pattern: {w.result['pattern']['kind'].replace('_', ' ')}")
    assert "nm-numb" in driver.find_element(By.CSS_SELECTOR, '#widget [data-region="first_web_space"]') \
        .get_attribute("class")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(SCREENSHOTS / "interactive_widget.png"))
    assert console_errors(driver) == []


def test_keyboard_focus_describes_a_region(page, atlas):
    from selenium.webdriver.common.by import By

    el = page.find_element(By.ID, "lateral_border")
    page.execute_script("arguments[0].focus()", el)
    assert page.execute_script("return document.activeElement.id") == "lateral_border"
    panel = page.find_element(By.ID, "nm-region-info")
    assert panel.get_attribute("data-region") == "lateral_border"
    assert atlas["lateral_border"].label in panel.text
    assert page.find_element(By.ID, "nm-tooltip").is_displayed()


def test_widget_keyboard_paints_the_focused_region(widget_page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, _ = widget_page
    el = driver.find_element(By.CSS_SELECTOR, '#widget [data-region="plantar_heel"]')
    driver.execute_script("arguments[0].focus()", el)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    assert _case(driver)["sensory"] == [{"regions": ["plantar_heel"], "modality": "numbness"}]
    driver.switch_to.active_element.send_keys(Keys.SPACE)
    assert "sensory" not in _case(driver)
