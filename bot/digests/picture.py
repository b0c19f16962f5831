"""The digest as one picture for a screen: headline figures, topics against before, top issues.

Portrait, 1080 px wide, so it reads on a phone; drawn with matplotlib's Agg backend (never
pyplot's global state), in DejaVu Sans (Latin and Cyrillic), in the officer's language.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

from bot.digests.model import Digest, change_percent
from bot.digests.text import Wording, plain

WIDTH_INCHES, DPI = 8.0, 135  # 1080 px wide
TOPICS_SHOWN = 8
ISSUES_SHOWN = 5
NOW_COLOUR, BEFORE_COLOUR = "#1f5fa8", "#b8c7da"
UP, DOWN, FLAT = "#2e7d32", "#c62828", "#555555"


def headline(digest: Digest, w: Wording) -> list[tuple[str, str, str, str]]:
    """Return the headline figures: (label, value, change against before, its colour)."""
    f, total = digest.follow_up, digest.total

    def moved(now: float, before: float, coloured: bool = True) -> tuple[str, str]:
        change = change_percent(now, before)
        if change is None:
            return (w("digest.png.new") if now else "—"), FLAT
        rounded = round(change)
        sign = "+" if rounded > 0 else "−" if rounded < 0 else "±"
        colour = FLAT if rounded == 0 or not coloured else UP if rounded > 0 else DOWN
        return f"{sign}{w.percent(abs(rounded) / 100)}", colour

    received = moved(total.current, total.previous, coloured=False)  # more is neither good nor bad
    resolved = moved(f.resolved.part, f.previous_resolved.part)
    within = f.resolved_within_service_level
    return [
        (w("digest.png.received"), w.number(total.current), *received),
        (w("digest.png.resolved"), w.number(f.resolved.part), *resolved),
        (w("digest.png.within"), w.percent(within.ratio) if within else "—", "", FLAT),
        (w("digest.png.median"), plain(w.hours(f.median_resolve_hours, f.history_available)),
         "", FLAT),
        (w("digest.png.satisfaction"), w.rating(f.satisfaction_average), "", FLAT),
    ]  # fmt: skip


def _tiles(axes: Any, figures: list[tuple[str, str, str, str]]) -> None:
    axes.set_axis_off()
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    width = 1 / len(figures)
    for index, (label, value, change, colour) in enumerate(figures):
        middle = width * (index + 0.5)
        axes.add_patch(_box(axes, width * index + 0.006, width - 0.012))
        axes.text(middle, 0.68, value, ha="center", va="center", fontsize=16, weight="bold")
        axes.text(middle, 0.38, change, ha="center", va="center", fontsize=11, color=colour)
        wrapped = textwrap.fill(label, 15, break_long_words=False)
        axes.text(middle, 0.16, wrapped, ha="center", va="center",
                  fontsize=8.5, color="#333333", linespacing=1.1)  # fmt: skip


def _box(axes: Any, left: float, width: float) -> Any:
    from matplotlib.patches import FancyBboxPatch

    style = "round,pad=0,rounding_size=0.03"
    return FancyBboxPatch((left, 0.02), width, 0.96, boxstyle=style, facecolor="#f2f5f9",
                          edgecolor="#d0d7e2", transform=axes.transAxes)  # fmt: skip


def _topics(axes: Any, digest: Digest, w: Wording) -> None:
    rows = sorted(digest.by_topic, key=lambda r: (-r.current, -r.previous))[:TOPICS_SHOWN]
    names = [textwrap.shorten(w.topic(row.key), 34, placeholder="…") for row in rows]
    positions = list(range(len(rows)))
    height = 0.38
    now = axes.barh([p - height / 2 for p in positions], [r.current for r in rows], height,
                    color=NOW_COLOUR, label=w.period_name(digest.period))  # fmt: skip
    axes.barh([p + height / 2 for p in positions], [r.previous for r in rows], height,
              color=BEFORE_COLOUR, label=w.period_name(digest.previous_period))  # fmt: skip
    axes.bar_label(now, [w.number(r.current) for r in rows], padding=3, fontsize=9)
    axes.set_yticks(positions, names, fontsize=10)
    axes.invert_yaxis()
    axes.set_title(plain(w("digest.png.topics")), loc="left", fontsize=13, weight="bold", x=-0.6)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="x", labelsize=9)
    if rows:
        axes.legend(loc="lower right", fontsize=9, frameon=False)
    else:
        axes.text(0.5, 0.5, plain(w("digest.empty", previous=w.number(digest.total.previous))),
                  ha="center", va="center", transform=axes.transAxes, wrap=True)  # fmt: skip


def _issues(axes: Any, digest: Digest, w: Wording) -> None:
    axes.set_axis_off()
    axes.set_title(plain(w("digest.png.recurring")), loc="left", fontsize=13, weight="bold")
    issues = digest.recurring[:ISSUES_SHOWN]
    if not issues:
        axes.text(0, 0.85, textwrap.fill(plain(w("digest.no_recurring")), 70), fontsize=10,
                  va="top", transform=axes.transAxes)  # fmt: skip
        return
    step = 1 / ISSUES_SHOWN
    for rank, issue in enumerate(issues):
        top = 0.97 - rank * step
        place = textwrap.shorten(f"{w.topic(issue.topic)} — {w.office(issue.office)}", 70,
                                 placeholder="…")  # fmt: skip
        axes.text(0, top, f"{rank + 1}. {place}", fontsize=10.5, weight="bold", va="top",
                  transform=axes.transAxes)  # fmt: skip
        traders = plain(w("digest.png.traders", count=w.number(issue.size)))
        quote = (
            f"«{textwrap.shorten(issue.quotes[0], 80, placeholder='…')}»" if issue.quotes else ""
        )
        axes.text(0.03, top - step * 0.42, f"{traders}   {quote}".rstrip(), fontsize=9,
                  color="#444444", va="top", transform=axes.transAxes)  # fmt: skip


def render_png(digest: Digest, w: Wording) -> bytes:
    """Return the one-page picture as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_INCHES, 12), dpi=DPI)
    FigureCanvasAgg(figure)  # the Agg backend, set here, never pyplot's global state
    title = w("digest.png.title", period=w.period_name(digest.period))
    versus = w("digest.xlsx.vs", period=w.period_name(digest.previous_period))
    figure.text(0.5, 0.975, plain(title), ha="center", va="top", fontsize=17, weight="bold")
    figure.text(0.5, 0.945, versus, ha="center", va="top", fontsize=12, color="#444444")
    _tiles(figure.add_axes((0.03, 0.79, 0.94, 0.125)), headline(digest, w))
    topics = figure.add_axes((0.40, 0.36, 0.56, 0.37))
    topics.xaxis.set_major_locator(MaxNLocator(integer=True))
    _topics(topics, digest, w)
    _issues(figure.add_axes((0.04, 0.015, 0.92, 0.27)), digest, w)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
