"""Charts of the benchmark pages, as SVG text.

matplotlib's ``Figure`` API only (never ``pyplot``: it keeps global figures that leak and are
not thread-safe), the SVG backend, and the Okabe–Ito palette, which stays distinguishable with
every common colour-vision deficiency; series differ by hatching or line style as well as by
colour. Each SVG carries a ``<title>`` and a ``<desc>`` giving the numbers in words, and
``role="img"``; the pages show the same numbers as a table beside each chart.

Every chart function takes plain, hashable values (tuples of labels and numbers) and is cached
by them, so a repeated view of the same numbers renders nothing: :data:`renders` counts what
matplotlib actually drew.
"""
from __future__ import annotations

import hashlib
import io
import math
import threading
from collections import OrderedDict
from datetime import date
from functools import lru_cache
from xml.sax.saxutils import escape

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # matplotlib is imported where a chart is drawn: `eis --help` and workers start fast
    from matplotlib.figure import Figure

#: Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {"orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "black": "#000000"}
#: The four series of the dimension bars, by the benchmark row's field: colour and hatching (so
#: that colour is not the only cue).
SERIES_STYLE = {
    "self": (OKABE_ITO["orange"], ""),
    "peer_mean": (OKABE_ITO["blue"], ""),
    "group_mean": (OKABE_ITO["sky_blue"], "///"),
    # cross-hatched, not dotted: a dotted hatch is ~150 kB of circles per chart and takes WeasyPrint
    # about 3 s to draw in a PDF report; crossed lines are 16 kB and read as well.
    "group_best": (OKABE_ITO["bluish_green"], "xx"),
}
INK, GRID = "#1d2430", "#d9dee5"
RC = {"svg.fonttype": "none", "svg.hashsalt": "eis-toolkit", "font.family": "DejaVu Sans", "font.size": 10,
      "axes.edgecolor": "#5a6472", "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK,
      "hatch.linewidth": 0.8}
CACHE_SIZE = 256

_lock = threading.Lock()  # rcParams are global while a figure is drawn
renders = 0  # charts matplotlib actually drew since start (the cache's tests read it)

Value = float | None


class ChartWords(NamedTuple):
    """The words a chart draws and describes, in the reader's language (English by default; the
    caller translates them, so that this module stays free of the web app). Series are named by
    the benchmark row's field (``self``, ``peer_mean``, ``group_mean``, ``group_best``)."""

    self: str = "Self-assessment"
    peer_mean: str = "Peer mean"
    group_mean: str = "Group mean"
    group_best: str = "Group best"
    score: str = "Score"  # the axis of the bars, followed by the scale: "Score (1–5)"
    no_value: str = "no value"
    # the charts' titles (their SVG <title>), %-formatted by the argument builders of pages.py
    bars_title: str = "%(region)s: self-assessment, peer mean, group mean and group best per dimension"
    radar_title: str = "%(region)s: self-assessment against peer mean"
    questions_title: str = "%(region)s, %(dimension)s: self-assessment and peer mean per question"
    heatmap_title: str = "Peer mean per dimension: %(workshop)s"
    heatmap_page_title: str = "Peer mean per dimension: %(workshop)s (regions, page %(page)s of %(pages)s)"
    # the progress dumbbell (T0 → T1 per dimension)
    progress_title: str = "%(region)s: self-assessment and peer mean at %(t0)s and at %(t1)s"
    then: str = "then"  # T0: the hollow end of a dumbbell
    now: str = "now"  # T1: the filled end
    #: The language the numbers are written in (Babel's symbols: ``3,25`` in it/da/de); part of
    #: the words, so that a chart is cached per language as its picture now depends on it.
    language: str = "en"

    def series(self, field: str) -> str:
        return getattr(self, field)


def chart_key(*args) -> str:
    """A short stable digest of a chart's arguments: for URLs and ETags."""
    return hashlib.sha256(repr(args).encode("utf-8")).hexdigest()[:20]


def decimal(value: float, language: str = "en", digits: int | None = 2) -> str:
    """``value`` with ``digits`` decimals (``None``: as few as it needs) and the decimal sign of
    ``language`` (Babel's: ``3.25``, ``3,25``). Rounded as the tables beside the charts round
    (``%.2f``), so that a chart and its table never differ in the last digit."""
    from babel.numbers import get_decimal_symbol

    text = f"{value:g}" if digits is None else f"{value:.{digits}f}"
    return text.replace(".", get_decimal_symbol(language))


def _number(value: Value, words: ChartWords, digits: int = 2) -> str:
    return words.no_value if value is None else decimal(value, words.language, digits)


def _axis_numbers(axis, language: str) -> None:
    """Tick labels of ``axis`` as ``language`` writes numbers (``1,5``; whole numbers bare)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda x, _pos: decimal(round(x, 6), language, None)))


def _svg(figure: Figure, title: str, description: str) -> str:
    """The figure as SVG text with <title>, <desc> and role="img" on the root element."""
    global renders
    buffer = io.StringIO()
    _canvas_class()(figure)  # text measured once per string and font, across charts
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    renders += 1
    text = buffer.getvalue()
    start = text.index("<svg")
    end = text.index(">", start)
    accessible = (f'<svg role="img" aria-labelledby="chart-title chart-desc"{text[start + 4:end]}>'
                  f'<title id="chart-title">{escape(title)}</title>'
                  f'<desc id="chart-desc">{escape(description)}</desc>')
    return text[:start] + accessible + text[end + 1:]


def _matplotlib():
    """matplotlib, imported on the first chart drawn (it takes ~0.5 s; most requests draw none)."""
    import matplotlib
    import matplotlib.figure

    return matplotlib


def _figure(width: float, height: float) -> Figure:
    figure = _matplotlib().figure.Figure(figsize=(width, height))
    figure.patch.set_alpha(0)
    return figure


@lru_cache(maxsize=4096)
def _metrics(text: str, font, ismath) -> tuple[float, float, float]:
    """Width, height and descent (points) of one line of text: what matplotlib's SVG renderer
    measures, remembered across charts (matplotlib remembers it for one drawing only, and asking
    FreeType to lay out a string is a third of a chart's time; most strings recur in every chart:
    tick labels, axis labels, legends)."""
    from matplotlib.textpath import text_to_path

    return text_to_path.get_text_width_height_descent(text, font, ismath=ismath)


@lru_cache(maxsize=1)
def _canvas_class():
    """matplotlib's SVG canvas with a renderer that measures text through :func:`_metrics`."""
    import codecs

    from matplotlib import cbook
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG

    class Renderer(RendererSVG):
        def get_text_width_height_descent(self, s, prop, ismath):
            if ismath:  # mathtext (a label with $...$ in it): as matplotlib does
                return super().get_text_width_height_descent(s, prop, ismath)
            return _metrics(s, prop.copy(), ismath)  # a copy: FontProperties is mutable

    class Canvas(FigureCanvasSVG):
        def print_svg(self, filename, *, bbox_inches_restore=None, metadata=None, **ignored):
            # FigureCanvasSVG.print_svg on a text buffer, with the renderer above; ``ignored``: the
            # options print_figure passes to every backend (dpi, facecolor...: SVG takes none)
            with cbook.open_file_cm(filename, "w", encoding="utf-8") as file:
                if not cbook.file_requires_unicode(file):  # a binary file (matplotlib's dry runs)
                    file = codecs.getwriter("utf-8")(file)
                dpi, self.figure.dpi = self.figure.dpi, 72
                width, height = self.figure.get_size_inches()
                renderer = MixedModeRenderer(
                    self.figure, width, height, dpi,
                    Renderer(width * 72, height * 72, file, image_dpi=dpi, metadata=metadata),
                    bbox_inches_restore=bbox_inches_restore)
                self.figure.draw(renderer)
                renderer.finalize()

    return Canvas


POINT = 1 / 72  # inches
LINE = RC["font.size"] * 1.2 * POINT  # one line of chart text, in inches
LEGEND_ROW = 0.26  # one row of a legend, in inches


def _text_width(text: str) -> float:
    """The width in inches of (multi-line) text in the charts' font, measured without drawing.

    The charts place their axes from these widths instead of matplotlib's constrained layout,
    which draws every text several times to find them (about half of a chart's time)."""
    return max(_metrics(line, _font(), False)[0] for line in text.split("\n")) * POINT


@lru_cache(maxsize=1)
def _font():
    """The charts' font (one FontProperties, not one per label)."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=RC["font.family"], size=RC["font.size"])


def _place_axes(figure: Figure, left: float, right: float, top: float, bottom: float, **kwargs):
    """Axes filling the figure but for the given margins (inches)."""
    width, height = figure.get_size_inches()
    return figure.add_axes((left / width, bottom / height, 1 - (left + right) / width, 1 - (top + bottom) / height),
                           **kwargs)


def _legend_below(figure: Figure, columns: int = 2, **kwargs) -> None:
    figure.legend(loc="lower center", bbox_to_anchor=(0.5, 0.02), ncols=columns, frameon=False, **kwargs)


@lru_cache(maxsize=CACHE_SIZE)
def dimension_bars(labels: tuple[str, ...], series: tuple[tuple[str, tuple[Value, ...]], ...],
                   scale: tuple[int, int], title: str, words: ChartWords = ChartWords()) -> str:
    """Grouped horizontal bars: one group per dimension, one bar per series (``(field, values)``:
    self, peer mean, group mean, group best), on the questionnaire's scale. A missing value has
    no bar."""
    lo, hi = scale
    description = "; ".join(
        f"{label}: " + ", ".join(f"{words.series(name)} {_number(values[i], words)}" for name, values in series)
        for i, label in enumerate(labels))
    wrapped = [_wrap(label, 22) for label in labels]
    with _lock, _matplotlib().rc_context(RC):
        figure, axes, bars = _bars_template(len(labels), tuple(name for name, _ in series), scale,
                                            tuple(words.series(name) for name, _ in series), words.score,
                                            words.language)
        width, height = figure.get_size_inches()
        left = max(map(_text_width, wrapped), default=0) + 0.2
        position = axes.get_position()
        axes.set_position((left / width, position.y0, 1 - (left + 0.15) / width, position.height))
        for (_, values), rectangles in zip(series, bars):
            for rectangle, value in zip(rectangles, values):
                rectangle.set_visible(value is not None)  # a missing value has no bar
                rectangle.set_width(0 if value is None else value - lo)
        axes.set_yticks(range(len(labels)), labels=wrapped)
        return _svg(figure, title, description)


#: Figures of :func:`dimension_bars` by their shape, drawn again with new bars and labels
#: (creating a figure, its axes, ticks and bars is half of a chart's time). Used under ``_lock``.
_BAR_TEMPLATES: OrderedDict[tuple, tuple] = OrderedDict()
BAR_TEMPLATES = 16


def _bars_template(count: int, names: tuple[str, ...], scale: tuple[int, int], legend: tuple[str, ...],
                   score: str, language: str) -> tuple:
    """The figure, axes and bars (one rectangle per series and label) of grouped bars of this
    shape: ``count`` labels, the series ``names`` (shown as ``legend``), on ``scale``, numbers
    written as ``language`` does."""
    key = (count, names, scale, legend, score, language)
    if key in _BAR_TEMPLATES:
        _BAR_TEMPLATES.move_to_end(key)
        return _BAR_TEMPLATES[key]
    lo, hi = scale
    legend_rows = math.ceil(len(names) / 2)
    bottom = 2 * LINE + 0.3 + legend_rows * LEGEND_ROW  # tick labels, axis label, legend
    figure = _figure(5.2, 0.1 + 0.55 * count + 0.12 + bottom)
    axes = _place_axes(figure, left=1, right=0.15, top=0.1, bottom=bottom)  # the left margin: per chart
    height = 0.8 / max(len(names), 1)
    bars = []
    for s, (name, label) in enumerate(zip(names, legend)):
        colour, hatch = SERIES_STYLE.get(name, (OKABE_ITO["black"], ""))
        positions = [i + (s - (len(names) - 1) / 2) * height for i in range(count)]
        bars.append(axes.barh(positions, [1] * count, left=lo, height=height * 0.92, color=colour, hatch=hatch,
                              edgecolor="white" if not hatch else INK, linewidth=0.4, label=label).patches)
    axes.set_yticks(range(count))
    axes.invert_yaxis()  # the limits: every bar's place, drawn or not
    axes.set_xlim(lo, hi)
    axes.set_xticks(range(lo, hi + 1))
    axes.xaxis.grid(True, color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    _axis_numbers(axes.xaxis, language)
    axes.set_xlabel(f"{score} ({lo}–{hi})")
    _legend_below(figure)
    _BAR_TEMPLATES[key] = figure, axes, bars
    if len(_BAR_TEMPLATES) > BAR_TEMPLATES:
        _BAR_TEMPLATES.popitem(last=False)
    return figure, axes, bars


@lru_cache(maxsize=CACHE_SIZE)
def radar(labels: tuple[str, ...], self_values: tuple[Value, ...], peer_values: tuple[Value, ...],
          scale: tuple[int, int], title: str, words: ChartWords = ChartWords()) -> str:
    """Self-assessment against peer mean per dimension on a radar (at least three dimensions).
    A missing value breaks the line there."""
    lo, hi = scale
    description = "; ".join(f"{label}: {words.self} {_number(s, words)}, "
                            f"{words.peer_mean} {_number(p, words)}"
                            for label, s, p in zip(labels, self_values, peer_values))
    count = len(labels)
    wrapped = [_wrap(label, 16) for label in labels]
    # the labels around the circle are centred a little outside it: half of each sticks out
    side = max(map(_text_width, wrapped)) / 2 + 0.3
    rise = max(label.count("\n") + 1 for label in wrapped) * LINE / 2 + 0.3
    with _lock, _matplotlib().rc_context(RC):
        figure, axes, lines, fill = _radar_template(count, scale, words.series("peer_mean"), words.series("self"),
                                                    words.language)
        width, height = figure.get_size_inches()
        bottom = rise + LEGEND_ROW + 0.1
        axes.set_position((side / width, bottom / height, 1 - 2 * side / width, 1 - (rise + bottom) / height))
        angles = [2 * math.pi * i / count for i in range(count)]
        for line, values in zip(lines, (peer_values, self_values)):
            points = [math.nan if v is None else v for v in values]
            line.set_data(angles + angles[:1], points + points[:1])
        fill.set_visible(all(v is not None for v in peer_values))
        if fill.get_visible():
            fill.set_xy(list(zip(angles + angles[:1], peer_values + peer_values[:1])))
        axes.set_xticks(angles, labels=wrapped)
        return _svg(figure, title, description)


_RADAR_TEMPLATES: OrderedDict[tuple, tuple] = OrderedDict()  # as _BAR_TEMPLATES


def _radar_template(count: int, scale: tuple[int, int], peer_label: str, self_label: str, language: str) -> tuple:
    """The figure, polar axes, lines (peer mean, self) and peer fill of a radar of ``count``
    dimensions on ``scale``, numbers written as ``language`` does."""
    key = (count, scale, peer_label, self_label, language)
    if key in _RADAR_TEMPLATES:
        _RADAR_TEMPLATES.move_to_end(key)
        return _RADAR_TEMPLATES[key]
    lo, hi = scale
    angles = [2 * math.pi * i / count for i in range(count)]
    figure = _figure(5.0, 4.8)
    axes = _place_axes(figure, left=1, right=1, top=1, bottom=1, projection="polar")  # per chart
    axes.set_theta_offset(math.pi / 2)  # the first dimension at the top, then clockwise
    axes.set_theta_direction(-1)
    lines, fill = [], None
    for name, label, style, marker in (("peer_mean", peer_label, "-", "o"), ("self", self_label, "--", "s")):
        colour = SERIES_STYLE[name][0]
        lines += axes.plot(angles + angles[:1], [lo] * (count + 1), linestyle=style, marker=marker, color=colour,
                           linewidth=2, markersize=5, label=label)
        if name == "peer_mean":
            fill, = axes.fill(angles, [lo] * count, color=colour, alpha=0.12)
    axes.set_xticks(angles)
    axes.set_ylim(lo, hi)
    axes.set_yticks(range(lo, hi + 1))
    _axis_numbers(axes.yaxis, language)
    axes.set_rlabel_position(180 / count)
    axes.tick_params(axis="x", pad=8)
    axes.grid(color=GRID)
    _legend_below(figure)
    _RADAR_TEMPLATES[key] = figure, axes, lines, fill
    if len(_RADAR_TEMPLATES) > BAR_TEMPLATES:
        _RADAR_TEMPLATES.popitem(last=False)
    return figure, axes, lines, fill


@lru_cache(maxsize=CACHE_SIZE)
def heatmap(row_labels: tuple[str, ...], column_labels: tuple[str, ...], values: tuple[tuple[Value, ...], ...],
            scale: tuple[int, int], title: str, words: ChartWords = ChartWords()) -> str:
    """Regions × dimensions, each cell the peer mean written in it and coloured on the scale
    (cividis: readable with colour-vision deficiencies and in greyscale)."""
    lo, hi = scale
    description = "; ".join(
        f"{row}: " + ", ".join(f"{column} {_number(v, words)}" for column, v in zip(column_labels, cells))
        for row, cells in zip(row_labels, values))
    columns = [_wrap(label, 24) for label in column_labels]
    with _lock, _matplotlib().rc_context(RC):
        figure = _figure(1.4 + 0.8 * len(column_labels), 2.6 + 0.42 * len(row_labels))
        axes, colour_bar = _heatmap_axes(figure, row_labels, columns)
        grid = [[math.nan if v is None else v for v in cells] for cells in values]
        image = axes.imshow(grid, cmap="cividis", vmin=lo, vmax=hi, aspect="auto")
        colours = _matplotlib().colormaps["cividis"]
        for r, cells in enumerate(values):
            for c, v in enumerate(cells):
                if v is None:
                    axes.text(c, r, "–", ha="center", va="center", color=INK)
                    continue
                red, green, blue, _ = colours((v - lo) / (hi - lo))
                light = 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45
                axes.text(c, r, decimal(v, words.language), ha="center", va="center", color=INK if light else "white")
        axes.set_xticks(range(len(column_labels)), labels=columns, rotation=HEATMAP_TURN, ha="left",
                        rotation_mode="anchor")
        axes.set_yticks(range(len(row_labels)), labels=row_labels)
        axes.xaxis.tick_top()
        axes.tick_params(length=0)
        axes.spines[:].set_visible(False)
        colorbar = figure.colorbar(image, cax=colour_bar, orientation="horizontal",
                                   label=f"{words.peer_mean} ({lo}–{hi})")
        _axis_numbers(colorbar.ax.xaxis, words.language)
        return _svg(figure, title, description)


HEATMAP_TURN = 35  # degrees: the column labels above the heatmap


def _heatmap_axes(figure: Figure, row_labels, columns: list[str]) -> tuple:
    """The heatmap's axes and its colour bar's (a bar 60 % as wide, centred below), placed from
    the measured labels: row labels at the left, column labels turned above, standing out to
    the right of their columns as far as they need."""
    width, height = figure.get_size_inches()
    turn = math.radians(HEATMAP_TURN)
    sizes = [(_text_width(label), (label.count("\n") + 1) * LINE) for label in columns]
    left = max(map(_text_width, row_labels), default=0) + 0.2
    top = max((w * math.sin(turn) + h * math.cos(turn) for w, h in sizes), default=0) + 0.1
    right = 0.15
    for _ in range(2):  # the columns narrow as the right margin grows
        column = (width - left - right) / max(len(columns), 1)
        right = max([0.15] + [w * math.cos(turn) - (len(columns) - i - 0.5) * column + 0.1
                              for i, (w, _) in enumerate(sizes)])
    across = width - left - right
    bar = across * 0.6 / 40  # the colour bar's thickness
    under = 2 * LINE + 0.12  # its tick labels and its label
    colour_bar = figure.add_axes(((left + across * 0.2) / width, under / height, across * 0.6 / width, bar / height))
    axes = _place_axes(figure, left=left, right=right, top=top, bottom=under + bar + 0.12)
    return axes, colour_bar


@lru_cache(maxsize=CACHE_SIZE)
def progress_dumbbell(labels: tuple[str, ...], self_values: tuple[tuple[Value, Value], ...],
                      peer_values: tuple[tuple[Value, Value], ...], scale: tuple[int, int], title: str,
                      words: ChartWords = ChartWords()) -> str:
    """Change between two assessments (T0 → T1): one row per dimension, a dumbbell each for the
    self-assessment (dashed, squares) and the peer mean (solid, circles), hollow at T0 and filled
    at T1. A side missing a value shows only the other end; both missing, nothing."""
    lo, hi = scale
    description = "; ".join(
        f"{label}: " + ", ".join(f"{words.series(name)} {words.then} {_number(pair[0], words)}, "
                                 f"{words.now} {_number(pair[1], words)}" for name, pair in
                                 (("self", s), ("peer_mean", p)))
        for label, s, p in zip(labels, self_values, peer_values))
    wrapped = [_wrap(label, 22) for label in labels]
    bottom = 2 * LINE + 0.3 + 2 * LEGEND_ROW  # tick labels, axis label, a legend of four in two rows
    with _lock, _matplotlib().rc_context(RC):
        figure = _figure(5.2, 1.1 + 0.55 * len(labels))
        axes = _place_axes(figure, left=max(map(_text_width, wrapped), default=0) + 0.2, right=0.15, top=0.1,
                           bottom=bottom)
        for offset, name, values, style, marker in ((-0.17, "self", self_values, "--", "s"),
                                                    (0.17, "peer_mean", peer_values, "-", "o")):
            colour = SERIES_STYLE[name][0]
            for i, (t0, t1) in enumerate(values):
                y = i + offset
                if t0 is not None and t1 is not None:
                    axes.annotate("", xy=(t1, y), xytext=(t0, y), arrowprops={
                        "arrowstyle": "-", "color": colour, "linewidth": 2, "linestyle": style})
                if t0 is not None:
                    axes.plot([t0], [y], marker=marker, markersize=7, markerfacecolor="white",
                              markeredgecolor=colour, markeredgewidth=1.6, linestyle="none")
                if t1 is not None:
                    axes.plot([t1], [y], marker=marker, markersize=7, color=colour, linestyle="none")
            axes.plot([], [], marker=marker, color=colour, linestyle=style, linewidth=2,
                      label=words.series(name))
        axes.plot([], [], marker="o", markersize=7, markerfacecolor="white", markeredgecolor=INK,
                  linestyle="none", label=words.then)
        axes.plot([], [], marker="o", markersize=7, color=INK, linestyle="none", label=words.now)
        axes.set_yticks(range(len(labels)), labels=wrapped)
        axes.set_ylim(len(labels) - 0.5, -0.5)
        axes.set_xlim(lo - 0.1, hi + 0.1)
        axes.set_xticks(range(lo, hi + 1))
        _axis_numbers(axes.xaxis, words.language)
        axes.xaxis.grid(True, color=GRID, linewidth=0.8)
        axes.set_axisbelow(True)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_xlabel(f"{words.score} ({lo}–{hi})")
        _legend_below(figure)
        return _svg(figure, title, description)


def _wrap(text: str, width: int) -> str:
    """Break a label into lines of about ``width`` characters at spaces."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def cache_clear() -> None:
    for chart in (dimension_bars, radar, heatmap, progress_dumbbell, timeline):
        chart.cache_clear()



# --- the timeline of an action plan (docs/action-plans.md) ---------------------------------------

class TimelineWords(NamedTuple):
    """The words of :func:`timeline`, in the reader's language (the caller translates them)."""

    planned: str = "Planned"
    started: str = "Started"
    done: str = "Done"
    dropped: str = "Dropped"
    late: str = "late"
    today: str = "Today"
    no_dates: str = "no dates"
    title: str = "%(region)s: timeline of the action plan"

    def status(self, name: str) -> str:
        return getattr(self, name, name)


#: An action's status → colour and hatching (Okabe–Ito; dropped is grey and hatched, so that colour
#: is not the only cue); a late action gets a vermillion outline and the word "late".
TIMELINE_STYLE = {"planned": (OKABE_ITO["sky_blue"], ""), "started": (OKABE_ITO["blue"], ""),
                  "done": (OKABE_ITO["bluish_green"], ""), "dropped": ("#b5bcc5", "///")}
LATE = OKABE_ITO["vermillion"]


class TimelineItem(NamedTuple):
    """One bar of :func:`timeline`: ``label`` (e.g. "2. A KPI set"), its dates (either may be
    missing), its status (planned, started, done, dropped) and whether it is late."""

    label: str
    starts: date | None
    ends: date | None
    status: str
    late: bool = False


def timeline_description(items, words: TimelineWords) -> str:
    """The timeline in words (its SVG <desc>, and the text alternative of the page's image)."""
    parts = []
    for item in items:
        when = (f"{item.starts or '–'} – {item.ends or '–'}" if item.starts or item.ends else words.no_dates)
        parts.append(f"{item.label}: {when}, {words.status(item.status)}" + (f", {words.late}" if item.late else ""))
    return "; ".join(parts)


@lru_cache(maxsize=CACHE_SIZE)
def timeline(items: tuple[TimelineItem, ...], today: date, title: str, words: TimelineWords = TimelineWords()) -> str:
    """One horizontal bar per action from its start to its end, coloured by status, late ones
    outlined and marked, and a dashed line at ``today``. An action with one date only is a
    diamond at that date; one without dates is named "no dates" at the left of its row."""
    mpl = _matplotlib()
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    days = [d for item in items for d in (item.starts, item.ends) if d is not None] + [today]
    first, last = min(days), max(days)
    margin = max((last - first).days * 0.04, 15)
    low, high = mdates.date2num(first) - margin, mdates.date2num(last) + margin * 2.5
    wrapped = [_wrap(item.label, 30) for item in items]
    statuses = [s for s in TIMELINE_STYLE if any(item.status == s for item in items)] or ["planned"]
    entries = len(statuses) + any(item.late for item in items) + 1  # the legend: statuses, late, today
    legend_rows = math.ceil(entries / min(entries, 4))
    with _lock, mpl.rc_context(RC | {"text.parse_math": False}):
        figure = _figure(7.0, 1.3 + 0.42 * max(len(items), 1))
        axes = _place_axes(figure, left=max(map(_text_width, wrapped), default=0) + 0.2, right=0.35, top=0.1,  # a date label may stand out at the right
                           bottom=LINE + 0.25 + legend_rows * LEGEND_ROW)  # date labels, legend
        for row, item in enumerate(items):
            colour, hatch = TIMELINE_STYLE.get(item.status, (OKABE_ITO["black"], ""))
            edge = LATE if item.late else (INK if hatch else "white")
            start = mdates.date2num(item.starts) if item.starts else None
            end = mdates.date2num(item.ends) if item.ends else None
            if start is not None and end is not None:
                axes.barh(row, max(end - start, 2), left=start, height=0.56, color=colour, hatch=hatch,
                          edgecolor=edge, linewidth=1.6 if item.late else 0.4)
                tip = max(start, end)
            elif start is not None or end is not None:
                when = start if start is not None else end
                tip = when + margin * 0.5  # the word "late" clears the diamond
                axes.plot([when], [row], marker="D", markersize=8, color=colour,
                          markeredgecolor=edge, markeredgewidth=1.6 if item.late else 0.6)
            else:
                axes.text(low + margin * 0.2, row, words.no_dates, va="center", ha="left", color="#5a6472",
                          fontstyle="italic", fontsize=8.5)
                continue
            if item.late:
                axes.text(tip + margin * 0.3, row, words.late, va="center", ha="left", color=LATE,
                          fontweight="bold", fontsize=8.5)
        axes.axvline(mdates.date2num(today), color=LATE, linestyle="--", linewidth=1.2)
        axes.set_yticks(range(len(items)), labels=wrapped)
        axes.set_ylim(len(items) - 0.5, -0.5)
        axes.set_xlim(low, high)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))  # numbers only: no month names to translate
        axes.xaxis.grid(True, color=GRID, linewidth=0.8)
        axes.set_axisbelow(True)
        axes.spines[["top", "right"]].set_visible(False)
        handles = [Patch(facecolor=TIMELINE_STYLE[s][0], hatch=TIMELINE_STYLE[s][1],
                         edgecolor=INK if TIMELINE_STYLE[s][1] else "white", label=words.status(s)) for s in statuses]
        if any(item.late for item in items):
            handles.append(Patch(facecolor="white", edgecolor=LATE, linewidth=1.6, label=words.late))
        handles.append(Line2D([], [], color=LATE, linestyle="--", linewidth=1.2, label=f"{words.today} ({today})"))
        _legend_below(figure, columns=min(len(handles), 4), handles=handles)
        return _svg(figure, title, timeline_description(items, words))

