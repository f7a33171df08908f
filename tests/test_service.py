"""The HTTP service against a real ``neuromap serve`` with two workers, over real HTTP on loopback.

Every good answer must equal the library's (:func:`neuromap.io.localize_json`), every bad one
must carry the library's error object with the right 4xx; faults (a slow body, a client that
disconnects, an oversized body, a worker killed mid-request) must leave the service answering.
Each test is bounded by socket and client timeouts; none measures speed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

import neuromap
from neuromap.io import error_object, load_schema, localize_json, localize_many, vocabulary
from tests.case_suite import load_cases
from tests.serving import Server

TIMEOUT = httpx.Timeout(20.0)
GOOD = {"side": "left", "sensory": [{"regions": ["first web space"], "modality": "numbness"}],
        "motor": [{"name": "great toe extension", "grade": 4}, {"name": "hip abduction", "grade": 4}]}


@pytest.fixture(scope="module")
def server():
    with Server("--timeout", "20", "--body-timeout", "1") as srv:
        yield srv
        assert "Traceback" not in srv.text() and "internal error" not in srv.text(), srv.text()[-3000:]


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as c:
        yield c


def library(case: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """What the service must answer for *case* (the body as sent): the status and the JSON."""
    if isinstance(case, bytes):
        try:
            json.loads(case)
        except ValueError:
            return 400, {}
    try:
        return 200, localize_json(case, **kwargs)
    except neuromap.NeuromapError as exc:
        return 422, error_object(exc)


def _requests() -> list[tuple[str, str, bytes, int, dict[str, Any] | None]]:
    """(method, path, body, expected status, expected JSON or None) for a mix of good and bad requests."""
    out = []
    for case in load_cases():
        for strict in (False, True):
            status, want = library(case["case"], strict=strict)
            out.append(("POST", f"/localize?strict={str(strict).lower()}", json.dumps(case["case"]).encode(),
                        status, want))
    bad = [
        (b'{"side": "left", "sensory": [', 400),           # not JSON
        (b"", 400),                                         # empty
        (b'{"side": "left", "side": "right"}', 400),       # a duplicate key
        (b'\xff{"side": "left"}', 400),                    # not UTF-8
        (b'[{"side": "left"}]', 422),                      # not an object
        (b'{"side": "middle"}', 422),                      # a wrong value
        (b'{"side": "left", "sensroy": []}', 422),         # an unknown key
        (json.dumps({"side": "left", "motor": [{"name": "hip abduction", "grade": 4}] * 201}).encode(), 422),
        (json.dumps({"text": "R leg: 4/5 EHL, absent AJ", "motor": []}).encode(), 422),
    ]
    for body, status in bad:
        out.append(("POST", "/localize", body, status, library(body)[1] if status == 422 else None))
    out.append(("POST", "/localize", json.dumps({"text": "R leg: 4/5 EHL, absent AJ, numb lateral border of foot"})
                .encode(), 200, localize_json({"text": "R leg: 4/5 EHL, absent AJ, numb lateral border of foot"})))
    out.append(("POST", "/localize?strict=maybe", json.dumps(GOOD).encode(), 400, None))
    out.append(("POST", "/localize?dermatome_map=lee2008", json.dumps(GOOD).encode(), 400, None))
    out.append(("POST", "/localize?dermatome_map=keegan_garrett_1948", json.dumps(GOOD).encode(), 200,
                localize_json(GOOD, dermatome_map="keegan_garrett_1948")))
    out.append(("POST", "/localize?prior=uniform", json.dumps(GOOD).encode(), 200,
                localize_json(GOOD, prior="uniform")))
    out.append(("POST", "/localize?prior=flat", json.dumps(GOOD).encode(), 400, None))
    out.append(("GET", "/localize", b"", 405, None))
    out.append(("POST", "/localise", json.dumps(GOOD).encode(), 404, None))
    return out


def test_good_and_bad_requests_under_load(server):
    """Eight clients send ~230 mixed requests twice over: no 5xx, every answer the library's."""
    requests = _requests() * 2
    assert sum(r[3] == 200 for r in requests) > 50 and sum(r[3] >= 400 for r in requests) > 50

    def run(chunk):
        seen = []
        with httpx.Client(base_url=server.url, timeout=TIMEOUT) as c:
            for method, path, body, status, want in chunk:
                r = c.request(method, path, content=body if method == "POST" else None,
                              headers={"Content-Type": "application/json"})
                seen.append((method, path, body, status, want, r.status_code, r.json()))
        return seen

    with ThreadPoolExecutor(8) as pool:
        answers = [a for chunk in pool.map(run, [requests[i::8] for i in range(8)]) for a in chunk]
    assert len(answers) == len(requests)
    assert not [a for a in answers if a[5] >= 500]
    for method, path, body, status, want, got_status, got in answers:
        assert got_status == status, (method, path, body[:200], got)
        if want is not None:
            assert got == want, (path, body[:200])
        if status >= 400:
            assert set(got) == {"error"} and set(got["error"]) == {"type", "field", "message"}
            assert "Traceback" not in got["error"]["message"]


def test_errors_name_the_field_and_type(client):
    r = client.post("/localize", content=b'{"side": "left", "sensory": [{"regions": ["frist web spcae"]}]}',
                    params={"strict": "true"})
    assert r.status_code == 422
    assert r.json()["error"]["type"] == "UnknownNameError"
    assert r.json()["error"]["field"] == "sensory[0].regions[0]"
    r = client.post("/localize", content=json.dumps({"side": "left", "motor": [{"name": "hip abduction",
                                                                                 "grade": 4}] * 201}))
    assert r.status_code == 422 and r.json()["error"]["type"] == "LimitExceededError"
    r = client.get("/nowhere")
    assert r.status_code == 404 and r.json()["error"]["type"] == "NotFound"


def test_batch_streams_the_library_results(client):
    cases = [GOOD, {"side": "middle"}, {"text": "left: absent ankle jerk"}, GOOD,
             {"side": "right", "reflexes": {"patellar": "reduced"}}]
    want = localize_many(cases, workers=1)
    jsonl = "\n".join(json.dumps(c) for c in cases[:2]) + "\n\n" + "\n".join(json.dumps(c) for c in cases[2:]) + "\n"
    for body, ctype in ((jsonl.encode(), "application/x-ndjson"), (json.dumps(cases).encode(), "application/json")):
        r = client.post("/localize/batch", content=body, headers={"Content-Type": ctype})
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
        assert [json.loads(line) for line in r.text.splitlines()] == want
    r = client.post("/localize/batch?prior=uniform", content=jsonl.encode())
    assert [json.loads(line) for line in r.text.splitlines()] == localize_many(cases, workers=1, prior="uniform")
    assert localize_many(cases, workers=1, prior="uniform") != want
    r = client.post("/localize/batch", content=b"[{]")
    assert r.status_code == 400
    r = client.post("/localize/batch", content=b"\n".join([b"{}"] * 10_001))
    assert r.status_code == 422 and r.json()["error"] == {
        "type": "LimitExceededError", "field": "batch",
        "message": "Invalid value for 'batch': the batch holds 10001 cases, more than the limit of 10000; send it in "
                   "parts."}


def test_vocabulary_version_health_and_docs(client):
    for kind in ("regions", "nerves", "movements", "muscles", "reflexes", "signs", "maps"):
        r = client.get(f"/atlas/{kind}")
        assert r.status_code == 200 and r.json() == vocabulary(kind)
    r = client.get("/atlas/reflexs")
    assert r.status_code == 404 and "reflexes" in r.json()["error"]["message"]
    atlas = neuromap.load_atlas()
    assert client.get("/version").json() == {
        "neuromap_version": neuromap.__version__, "atlas_version": atlas.version, "atlas_status": "bundled",
        "bundled_verified_atlas": True, "schema_versions": {"case": load_schema("case")["version"],
                                                            "localization": load_schema("localization")["version"]}}
    assert client.get("/health").json() == {"status": "ok"}
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and "openapi.json" in r.text
    assert "https://" not in r.text.split("<script>")[1]  # loads nothing from elsewhere


def _unrebase(node: Any, component: str) -> Any:
    prefix = f"#/components/schemas/{component}/"
    if isinstance(node, dict):
        return {k: ("#/" + v[len(prefix):] if k == "$ref" and v.startswith(prefix) else _unrebase(v, component))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_unrebase(v, component) for v in node]
    return node


def test_openapi_is_valid_and_made_of_the_library_schemas(client):
    doc = client.get("/openapi.json").json()
    validate(doc)  # openapi-spec-validator: OpenAPI 3.1, every $ref resolves
    body = doc["paths"]["/localize"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/Case"} in body["oneOf"]
    ok = doc["paths"]["/localize"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Localization"}
    for name, component in (("case", "Case"), ("localization", "Localization")):
        published = load_schema(name)
        del published["$id"], published["$schema"]
        assert _unrebase(doc["components"]["schemas"][component], component) == published
    # the text form: every key it lists is one localize_json takes with a text case, and no other
    text_case = doc["components"]["schemas"]["TextCase"]
    case = {"text": "left foot: absent ankle jerk", "side": "left", "id": "t1", "dermatome_map": "lee_2008"}
    assert set(text_case["properties"]) == set(case)
    localize_json(case)
    with pytest.raises(neuromap.InvalidCaseError):
        localize_json({**case, "motor": []})
    assert {"/localize", "/localize/batch", "/atlas/{kind}", "/render", "/health", "/version",
            "/openapi.json", "/docs"} <= set(doc["paths"])


def test_render_png_and_svg(client):
    r = client.post("/render", params={"format": "png", "dpi": "40"}, content=json.dumps(GOOD))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG") and struct.unpack(">II", r.content[16:24])[0] > 100
    r = client.get("/render", params={"case": json.dumps(GOOD), "hypotheses": "L5,common_fibular"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml" and b"<svg" in r.content[:500]
    assert client.post("/render", params={"format": "gif"}, content=json.dumps(GOOD)).status_code == 400
    assert client.post("/render", params={"dpi": "100000"}, content=json.dumps(GOOD)).status_code == 400
    assert client.get("/render").status_code == 400
    r = client.post("/render", content=json.dumps({"side": "middle"}))
    assert r.status_code == 422 and r.json()["error"]["field"] == "side"


def _raw(server: Server, head: bytes, timeout: float = 15.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.sendall(head)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data


def _read_at_least(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n and (chunk := sock.recv(65536)):
        data += chunk
    return data


def test_oversized_body_is_refused_before_it_is_read(server):
    sock = _raw(server, b"POST /localize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 50000000\r\n\r\n{\"side\"")
    with sock:
        answer = _read_all(sock)  # the server closes the connection after a 413
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"LimitExceededError"' in answer
    # without a declared length: refused once the chunks pass the limit
    sock = _raw(server, b"POST /localize/batch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    with sock:
        chunk = b"x" * 1_000_000
        try:
            for _ in range(40):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_slow_body_clients_hold_no_worker(server, client):
    """More slow clients than workers: each gets 408 after the body timeout, the others are served meanwhile."""
    slow = [_raw(server, b"POST /localize HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n\r\n{\"side\": ")
            for _ in range(4)]
    stalled = [_raw(server, b"POST /localize HTTP/1.1\r\nHost: x\r\nContent-Le") for _ in range(4)]  # mid-header
    try:
        for _ in range(10):
            r = client.post("/localize", content=json.dumps(GOOD))
            assert r.status_code == 200 and r.json() == localize_json(GOOD)
        for sock in slow:
            answer = _read_all(sock)
            assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
            assert b'"RequestTimeout"' in answer
        for _ in range(5):  # the clients stalled in their headers hold a connection each, not a worker
            assert client.get("/health").status_code == 200
    finally:
        for sock in slow + stalled:
            sock.close()


def _batch_request(n: int) -> bytes:
    """A batch of *n* distinct cases (each localized, none from the cache), as a raw request."""
    lines = [json.dumps({**GOOD, "id": f"case-{i}"}) for i in range(n)]
    body = ("\n".join(lines) + "\n").encode()
    return b"POST /localize/batch HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def test_client_disconnecting_mid_response(server, client):
    for _ in range(3):
        sock = _raw(server, _batch_request(400))
        assert _read_at_least(sock, 12).startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not a clean close
        sock.close()
    sock = _raw(server, b"POST /localize HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                % (len(json.dumps(GOOD)), json.dumps(GOOD).encode()))
    sock.close()  # gone before the answer
    for _ in range(5):
        r = client.post("/localize", content=json.dumps(GOOD))
        assert r.status_code == 200 and r.json() == localize_json(GOOD)


def test_worker_killed_mid_request(server):
    """SIGKILL the worker streaming a batch: that answer breaks off, every later request is answered."""
    before = server.worker_pids()
    assert len(before) == 2
    sock = _raw(server, _batch_request(1500))
    with sock:
        assert _read_at_least(sock, 12).startswith(b"HTTP/1.1 200")
        victim = server.worker_of(sock)
        os.kill(victim, signal.SIGKILL)
        rest = _read_all(sock)
    assert not rest.endswith(b"0\r\n\r\n")  # the chunked answer never finished
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as c:
        for _ in range(20):
            r = c.post("/localize", content=json.dumps(GOOD))
            assert r.status_code == 200 and r.json() == localize_json(GOOD)
    deadline = time.monotonic() + 60  # uvicorn's supervisor replaces the worker
    while time.monotonic() < deadline and (len(server.worker_pids()) < 2 or victim in server.worker_pids()):
        time.sleep(0.2)
    assert len(server.worker_pids()) == 2 and victim not in server.worker_pids()
    server.wait_ready(60, started=3)  # the replacement has loaded the atlas and serves


def test_time_limit_and_logs_without_and_with_cases():
    """One worker with a 0.25 s time limit: a large drawing (~1 s) is cut off (503), the worker goes on (a case
    takes ~1 ms); --log-cases logs bodies."""
    marker = "zq-marker-case"
    with Server("--timeout", "0.25", "--log-cases", workers=1) as srv, \
            httpx.Client(base_url=srv.url, timeout=TIMEOUT) as c:
        r = c.post("/render", params={"format": "png", "dpi": "300", "layout": "limb"},
                   content=json.dumps({**GOOD, "id": marker}))
        assert r.status_code == 503 and r.json()["error"]["type"] == "TimeLimitExceeded"
        r = c.post("/localize/batch", content="\n".join(json.dumps({**GOOD, "id": f"x{i}"}) for i in range(2000)))
        last = json.loads(r.text.splitlines()[-1])
        assert r.status_code == 200 and last["error"]["type"] == "TimeLimitExceeded"
        r = c.post("/localize", content=json.dumps(GOOD))
        assert r.status_code == 200 and r.json() == localize_json(GOOD)
        time.sleep(0.2)
        assert marker in srv.text()


def test_the_log_holds_no_case_by_default(server, client):
    marker = "zq-private-note"
    assert client.post("/localize", content=json.dumps({**GOOD, "id": marker})).status_code == 200
    assert client.get("/render", params={"case": json.dumps({**GOOD, "id": marker})}).status_code == 200
    assert client.post("/localize", content=json.dumps({"side": marker})).status_code == 422
    time.sleep(0.2)
    log = server.text()
    assert "POST /localize 200" in log and "GET /render 200" in log
    assert marker not in log


def test_serve_command_line():
    """Bad options are usage errors (exit 2, one line); without the extra, one line says what to install."""
    import subprocess
    import sys

    for args in (["--port", "http"], ["--workers", "0"], ["--timeout", "-1"]):
        out = subprocess.run([sys.executable, "-m", "neuromap", "serve", *args], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    code = "import sys; sys.modules['uvicorn'] = None; from neuromap.cli import main; sys.exit(main(['serve']))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip() == ("neuromap: error: neuromap serve needs uvicorn, which is not installed: pip install "
                                  "uvicorn (or the 'serve' extra of neuromap-atlas).")
    out = subprocess.run([sys.executable, "-m", "neuromap", "serve", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and "--log-cases" in out.stdout and "curl" in out.stdout


@pytest.fixture
def browser():
    from tests.browser import chrome_driver

    yield from chrome_driver()


def test_the_docs_page_sends_requests(server, client, browser):
    """/docs in headless chromium: one entry per operation of /openapi.json; 'Send' on POST /localize answers."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser import console_errors

    doc = client.get("/openapi.json").json()
    operations = sum(len(methods) for methods in doc["paths"].values())
    browser.get(f"{server.url}/docs")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: len(d.find_elements(By.TAG_NAME, "details")) == operations)
    entry = next(e for e in browser.find_elements(By.TAG_NAME, "details")
                 if e.find_element(By.TAG_NAME, "summary").text.startswith("POST /localize "))
    entry.find_element(By.TAG_NAME, "summary").click()
    entry.find_element(By.TAG_NAME, "button").click()
    wait.until(lambda d: '"hypotheses"' in entry.find_element(By.TAG_NAME, "pre").text)
    answer = entry.find_element(By.TAG_NAME, "pre").text
    assert answer.startswith("200")
    shown = json.loads(answer.split("\n", 2)[2])
    body = json.loads(entry.find_element(By.TAG_NAME, "textarea").get_attribute("value"))
    assert shown == localize_json(body)
    assert console_errors(browser) == []


def test_the_service_imports_matplotlib_only_to_draw():
    import subprocess
    import sys

    code = ("import sys; from neuromap.service import create_app; app = create_app(); "
            "from neuromap.service.openapi import build_openapi; build_openapi(app.routes); "
            "from neuromap.io import localize_json; localize_json({'side': 'left', 'other': ['clonus']}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_fhir_localize_answers_as_the_library(client):
    """``POST /fhir/localize``: a Bundle of Observations in, the library's FHIR Bundle out (#21)."""
    import neuromap.fhir as nf

    bundle = nf.case_to_bundle(GOOD)
    answer = client.post("/fhir/localize", content=json.dumps(bundle).encode(),
                         headers={"content-type": "application/fhir+json"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/fhir+json")
    want = nf.localize_fhir(bundle)
    got = answer.json()
    assert got == json.loads(json.dumps(want))
    assert got["entry"][0]["resource"]["resourceType"] == "ClinicalImpression"
    nf.validate(got)
    uniform = client.post("/fhir/localize?prior=uniform", json=bundle)
    assert uniform.json() == json.loads(json.dumps(nf.localize_fhir(bundle, prior="uniform"))) != got
    assert client.post("/fhir/localize?prior=flat", json=bundle).status_code == 400
    # a resource the library refuses: 422 with the library's error and field; a non-object: 400
    wrong = client.post("/fhir/localize", json={"resourceType": "Patient"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"].startswith("resource")
    assert client.post("/fhir/localize", json=[bundle]).status_code == 400
    middle = client.post("/fhir/localize?side=middle", json=bundle)
    assert middle.status_code == 422 and middle.json()["error"]["field"] == "side"
