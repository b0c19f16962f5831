"""How a bulletin reads: a Telegram message per language, a static HTML page, its PNG chart."""

from __future__ import annotations

import base64
import html as markup
import io
import re
from collections.abc import Sequence

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from bot.bulletins.model import Bulletin, Item, ItemKind, public_count, public_share
from bot.core.i18n import Translator
from bot.core.taxonomy import NO_OFFICE, OTHER_OFFICE, Taxonomy


class Words:
    """A bulletin's catalog texts, names and numbers in one language."""

    def __init__(self, translate: Translator, taxonomy: Taxonomy, language: str) -> None:
        self._t = translate
        self._taxonomy = taxonomy
        self.language = language

    def __call__(self, key: str, /, **params: object) -> str:
        """Return a catalog text in this language."""
        return self._t(self.language, key, **params)

    def month(self, bulletin: Bulletin) -> str:
        """Return the bulletin's month in words ("November 2026")."""
        return str(format_date(bulletin.month.first, "LLLL y", locale=self.language))

    def place(self, item: Item) -> str:
        """Return "topic — office" of an item, escaped."""
        topic = self._taxonomy.topic(item.topic)
        parts = [topic.name(self.language) if topic else ""]
        if item.office == NO_OFFICE or item.office is None:
            pass
        elif item.office == OTHER_OFFICE:
            parts.append(self("report.office_other"))
        else:
            office = self._taxonomy.office(item.office)
            parts.append(office.name(self.language) if office else "")
        return markup.escape(" — ".join(part for part in parts if part), quote=False)

    def number(self, value: int) -> str:
        """Return a whole number in the language's notation."""
        return str(format_decimal(value, locale=self.language))

    def percent(self, ratio: float) -> str:
        """Return a ratio as a percentage."""
        return str(format_percent(ratio, locale=self.language))


def _item_line(item: Item, w: Words) -> str:
    text = markup.escape(item.text_in(w.language), quote=False)
    if item.kind is ItemKind.ISSUE:
        count = public_count(item.traders)
        traders = w("bulletin.traders", count=count) if count else w("bulletin.traders_few")
        return w(
            "bulletin.issue",
            place=w.place(item),
            traders=traders,
            outcome=text or w("bulletin.no_outcome"),
        )
    return "• " + text


def figures(bulletin: Bulletin, w: Words) -> list[str]:
    """Return the headline figures, each one only if its group is large enough."""
    f, hidden = bulletin.figures, w("bulletin.figure_hidden")
    reports = public_count(f.reports)
    in_time = public_share(f.resolved_in_time, f.resolved_measured)
    rating = f.satisfaction if public_count(f.rated) else None
    return [
        w("bulletin.figure_reports", count=w.number(reports) if reports else hidden),
        w("bulletin.figure_in_time", percent=w.percent(in_time) if in_time is not None else hidden),
        w(
            "bulletin.figure_satisfaction",
            rating=str(format_decimal(round(rating, 1), locale=w.language)) if rating else hidden,
        ),
    ]


def sections(bulletin: Bulletin, w: Words) -> list[str]:
    """Return the bulletin in Telegram HTML, a paragraph per section (blank lines between)."""
    parts = [w("bulletin.title", month=w.month(bulletin)) + "\n" + w("bulletin.intro")]
    for kind in ItemKind:
        items = [item for item in bulletin.published if item.kind is kind]
        if items:
            lines = [_item_line(item, w) for item in items]
            parts.append("\n".join([w(f"bulletin.section_{kind.value}"), *lines]))
    parts.append("\n".join([w("bulletin.section_figures"), *figures(bulletin, w)]))
    return parts


def message(bulletin: Bulletin, w: Words) -> str:
    """Return the bulletin as one Telegram HTML text (split on sending if long)."""
    return "\n\n".join(sections(bulletin, w))


def plain(text: str) -> str:
    """Return Telegram HTML as plain text (tags dropped, entities decoded)."""
    return markup.unescape(re.sub(r"<[^>]*>", "", text))


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1d1d1f}article{border-bottom:1px solid #ccc;padding:.5rem 0 1rem}"
    "h1{font-size:1.6rem}h2{font-size:1.25rem}img{max-width:100%}"
    "nav a{margin-right:1rem}"
    "@media print{nav{display:none}body{margin:0;max-width:none}article{break-inside:avoid}}"
)


def _article(bulletin: Bulletin, w: Words, heading: str) -> str:
    first, *rest = sections(bulletin, w)
    title, intro = first.split("\n", 1)
    body = "".join("<p>" + part.replace("\n", "<br>\n") + "</p>\n" for part in rest)
    return (
        f'<article id="b-{bulletin.month.key}">\n<{heading}>{title}</{heading}>\n'
        f"<p>{intro}</p>\n{body}</article>\n"
    )


def page(
    bulletins: Sequence[Bulletin], w: Words, chart: bytes | None, languages: Sequence[str]
) -> str:
    """Return a self-contained, printable HTML page: the latest bulletin, then the archive."""
    title = markup.escape(plain(w("bulletin.page_title")))
    others = " ".join(
        f'<a href="bulletin.{code}.html" hreflang="{code}">{code.upper()}</a>'
        for code in languages
        if code != w.language
    )
    parts = [f"<h1>{title}</h1>\n<nav>{others}</nav>\n"]
    if not bulletins:
        parts.append(f"<p>{w('bulletin.page_empty')}</p>\n")
    else:
        latest, *archive = bulletins
        parts.append(_article(latest, w, "h2"))
        if chart:
            data = base64.b64encode(chart).decode("ascii")
            alt = markup.escape(plain(w("bulletin.chart_title")))
            parts.append(f'<figure><img alt="{alt}" src="data:image/png;base64,{data}"></figure>\n')
        if archive:
            parts.append(f"<h2>{w('bulletin.page_archive')}</h2>\n")
            parts.extend(_article(bulletin, w, "h3") for bulletin in archive)
    return (
        f'<!DOCTYPE html>\n<html lang="{markup.escape(w.language)}">\n<head>\n'
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width">\n'
        f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "".join(parts)
        + "</body>\n</html>\n"
    )


def chart(bulletins: Sequence[Bulletin], w: Words) -> bytes:
    """Return a PNG: reports received each month of the archive (small months left out)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    months = sorted(bulletins, key=lambda b: b.month.first)
    figure = Figure(figsize=(8, 4), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)  # the Agg backend, set here, never pyplot's global state
    axes = figure.subplots()
    names = [b.month.key for b in months]
    values = [public_count(b.figures.reports) or 0 for b in months]
    axes.bar(names, values, color="#2b6cb0")
    axes.set_title(plain(w("bulletin.chart_title")))
    axes.set_ylim(bottom=0)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
