"""The URL fetcher of the PDF reports: the app's static files from disk, images in data: URLs,
nothing else (no file:, no remote URL, no other path of our site, no way out of static/)."""
import base64

import pytest
from weasyprint import HTML

from eis_toolkit.reporting.fetcher import BASE_URL, RefusedURL, ReportFetcher

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


@pytest.fixture
def fetcher(app):
    return ReportFetcher(app.static_folder)


def test_serves_static_files_from_disk(fetcher, app):
    response = fetcher.fetch(BASE_URL + "static/css/app.css")
    with open(f"{app.static_folder}/css/app.css", "rb") as file:
        assert response.read() == file.read()
    assert response.content_type == "text/css"
    assert fetcher.served == [BASE_URL + "static/css/app.css"]


def test_serves_images_in_data_urls(fetcher):
    response = fetcher.fetch(f"data:image/png;base64,{PNG}")
    assert response.read().startswith(b"\x89PNG")


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "http://example.org/x.css",
    "https://example.org/static/css/app.css",          # our path, someone else's host
    "http://127.0.0.1:5000/static/css/app.css",        # never over HTTP to ourselves
    BASE_URL + "benchmark/workshops/x/regions/DK04",  # our site, not a static file
    BASE_URL + "static/../../instance/secret_key",
    BASE_URL + "static/%2e%2e/%2e%2e/setup.cfg",
    BASE_URL + "static/css/app.css?x=1",
    BASE_URL + "static/no-such-file.css",
    "data:text/html,<script>alert(1)</script>",
    "data:,plain",
    "ftp://example.org/x",
])
def test_refuses_everything_else(fetcher, url):
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.requested == [url] and fetcher.served == []


def test_weasyprint_asks_the_fetcher_and_loads_only_what_it_allows(fetcher):
    html = (f'<link rel="stylesheet" href="http://evil.invalid/x.css"><img src="file:///etc/passwd">'
            f'<img src="/static/favicon.svg"><img src="data:image/png;base64,{PNG}">'
            '<p>text</p>')
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert set(fetcher.requested) == {"http://evil.invalid/x.css", "file:///etc/passwd",
                                      BASE_URL + "static/favicon.svg", f"data:image/png;base64,{PNG}"}
    assert set(fetcher.served) == {BASE_URL + "static/favicon.svg", f"data:image/png;base64,{PNG}"}
