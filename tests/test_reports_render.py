"""WeasyPrint's font configuration, kept per thread by ``reporting.render``: it saves loading
Fontconfig and opening every font again per report, and changes no byte of the PDF."""
import threading

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from eis_toolkit.reporting import render
from eis_toolkit.reporting.fetcher import BASE_URL, ReportFetcher

PAGE = ('<html lang="da"><style>h1 {{ font-family: serif }} p {{ font-family: sans-serif }}</style>'
        '<h1>{title}</h1><p>Bedømmelse, Gutachter: Größe, revisione più è — æøå ÆØÅ {title}</p></html>')


def test_each_thread_keeps_one_font_configuration():
    kept = render.font_config()
    assert render.font_config() is kept
    other = []
    thread = threading.Thread(target=lambda: other.append(render.font_config()))
    thread.start()
    thread.join()
    assert isinstance(other[0], FontConfiguration) and other[0] is not kept


def test_a_kept_font_configuration_gives_the_bytes_of_a_fresh_one(app):
    def pdf(title: str, font_config) -> bytes:
        return HTML(string=PAGE.format(title=title), base_url=BASE_URL,
                    url_fetcher=ReportFetcher(app.static_folder)).write_pdf(
            pdf_identifier=b"0" * 32, font_config=font_config)

    render.html_to_pdf(PAGE.format(title="Først en anden rapport"), "1" * 32)  # the kept one has been used
    kept = render.html_to_pdf(PAGE.format(title="Rapport"), "0" * 32)
    assert kept == pdf("Rapport", FontConfiguration())
    assert kept != pdf("Rapport 2", FontConfiguration())  # the comparison can tell documents apart
