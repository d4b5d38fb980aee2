"""A bare Flask app for ``bench/serve.py``: ``GET /bytes/<n>`` answers an HTML page of n bytes
(the same size as the page it is compared with), with no database, session or template."""
from flask import Flask

app = Flask(__name__)


@app.get("/bytes/<int:size>")
def page(size: int):
    head = "<!doctype html><html><head><title>bare</title></head><body><p>"
    tail = "</p></body></html>"
    return head + "x" * max(0, size - len(head) - len(tail)) + tail
