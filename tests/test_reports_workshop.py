"""The workshop report: regions side by side with the figures of ``eis export benchmark``, the
heatmap's numbers, site visits, nominations of submitted reviews only, no reviewer names; who may
download it."""
import io
import json
import re

import pytest
from pypdf import PdfReader

URL = "/reports/workshops/aarhus-2017.pdf"


def pdf_words(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_demo_workshop_report(runner, app, tmp_path):
    assert runner.invoke(args=["demo"]).exit_code == 0
    rows = json.loads(runner.invoke(args=["export", "benchmark", "aarhus-2017", "--format", "json"]).output)
    out = tmp_path / "w.pdf"
    result = runner.invoke(args=["report", "workshop", "aarhus-2017", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_words(out.read_bytes())
    for code, name in (("DK04", "Central Denmark"), ("IE04", "Northern and Western (Donegal)")):
        overall = next(r for r in rows if r["region"] == code and r["level"] == "overall")
        gap = f"{overall['gap']:+.2f}".replace("-", "−")
        assert (f"{name} ({code}) {overall['index']:.0f} {overall['peer_mean']:.2f} {overall['self']:.2f} {gap} "
                f"α {overall['alpha']:.2f}") in text
    # the heatmap's table: per dimension, each region's peer mean
    strategy = [f"{r['peer_mean']:.2f}" for r in rows if r["level"] == "dimension" and r["key"] == "strategy"]
    assert f"Strategy and governance {' '.join(strategy)}" in text
    assert "EASI'R" in text and "Unique North" in text  # site visits
    assert "Supported growth firms tell their own story to peers" in text  # a nomination
    assert "Agreement per region" in text
    for person in ("Giulia Ferri", "Chiara Repetto", "Elena Guidi"):
        assert person not in text, "the workshop report names no reviewer"
    reader = PdfReader(out)
    assert reader.metadata.title.startswith("Workshop report: ")
    assert [i.title for i in reader.outline if not isinstance(i, list)][1:3] == ["Contents",
                                                                                 "Hot-seat regions side by side"]


def test_nominations_of_draft_reviews_stay_out(load, bundle, runner, tmp_path):
    bundle["workshops"][0]["reviews"][0]["status"] = "draft"
    load(bundle)
    out = tmp_path / "w.pdf"
    assert runner.invoke(args=["report", "workshop", "aarhus-2017", "-o", str(out)]).exit_code == 0
    text = pdf_words(out.read_bytes())
    assert "Company visits" not in text and "No practice was nominated in a submitted review." in text


@pytest.mark.parametrize("status, who, expected", [
    ("published", None, 302),
    ("published", "admin@example.org", 200),
    ("published", "host@example.org", 200),
    ("published", "it@example.org", 200),   # a partner region, once published
    ("open", "host@example.org", 403),     # the host works for DK04, in the hot seat: not before publication (#13)
    ("open", "dk@example.org", 403),
    ("open", "it@example.org", 403),
])
def test_who_may_download_the_workshop_report(load, bundle, client, login, status, who, expected):
    bundle["workshops"][0]["status"] = status
    load(bundle)
    if who:
        login(who)
    response = client.get(URL)
    assert response.status_code == expected
    if expected == 200:
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_the_pages_link_their_reports(loaded, client, login):
    login("host@example.org")
    scorecard = client.get("/benchmark/workshops/aarhus-2017/regions/DK04?lang=de").get_data(as_text=True)
    assert 'href="/reports/workshops/aarhus-2017/regions/DK04.pdf?lang=de"' in scorecard
    workshop = client.get("/benchmark/workshops/aarhus-2017").get_data(as_text=True)
    assert 'href="/reports/workshops/aarhus-2017.pdf?lang=' in workshop


def test_the_cli_refuses_an_unknown_workshop_and_a_reader_who_may_not_see_it(load, bundle, runner, tmp_path):
    bundle["workshops"][0]["status"] = "closed"
    load(bundle)
    out = tmp_path / "w.pdf"
    result = runner.invoke(args=["report", "workshop", "nope", "-o", str(out)])
    assert result.exit_code == 1 and "unknown workshop 'nope'" in result.output
    result = runner.invoke(args=["report", "workshop", "aarhus-2017", "-o", str(out), "--as", "it@example.org"])
    assert result.exit_code == 1 and "may not see the benchmark of aarhus-2017" in result.output
    assert not out.exists()
