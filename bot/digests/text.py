"""Digest words: names and numbers in an officer's language, the summary, and an HTML page."""

from __future__ import annotations

import base64
import html as markup
import re
from collections.abc import Sequence
from typing import Protocol

from babel.dates import format_interval, format_skeleton
from babel.numbers import format_decimal, format_percent

from bot.core.taxonomy import NO_OFFICE, OTHER_OFFICE, Taxonomy
from bot.digests.model import CountRow, Digest, Period, Share

NEUTRAL_BAND = 0.1  # sentiment scores within ±0.1 read as neutral


class Translate(Protocol):
    """Look up a catalog text (bot.core.i18n.Translator)."""

    def __call__(self, language: str, key: str, /, **params: object) -> str: ...


class Wording:
    """Names, numbers and catalog texts of a digest in one language (Telegram-HTML safe)."""

    def __init__(self, translate: Translate, taxonomy: Taxonomy, language: str) -> None:
        self._t = translate
        self.taxonomy = taxonomy
        self.language = language

    def __call__(self, key: str, /, **params: object) -> str:
        """Return a catalog text in this language."""
        return self._t(self.language, key, **params)

    def topic(self, code: str | None) -> str:
        """Return a topic's name (unescaped)."""
        topic = self.taxonomy.topic(code)
        return topic.name(self.language) if topic else code or self("digest.unset")

    def article(self, code: str | None) -> str:
        """Return a topic's TFA article, or ''."""
        topic = self.taxonomy.topic(code)
        return topic.tfa if topic else ""

    def office(self, code: str | None) -> str:
        """Return an office's name (unescaped)."""
        if code == NO_OFFICE:
            return self("report.office_none")
        if code == OTHER_OFFICE:
            return self("report.office_other")
        office = self.taxonomy.office(code)
        return office.name(self.language) if office else code or self("digest.unset")

    def name(self, field: str, code: str | None) -> str:
        """Return the display name of a topic, office, kind, status, urgency, language or group."""
        if field in ("topic", "office"):
            return self.topic(code) if field == "topic" else self.office(code)
        if code is None:
            return self("digest.unset")
        if field == "business_size":
            return self(f"size.{code}" if code != "unknown" else "digest.group.unknown")
        digest_labels = ("urgency", "language", "women_led")  # kind, status: the bot's own
        return self(f"digest.{field}.{code}" if field in digest_labels else f"{field}.{code}")

    def number(self, value: float, digits: int = 0) -> str:
        """Return a number in the language's notation."""
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return str(format_decimal(round(value, digits), format=pattern, locale=self.language))

    def signed(self, value: float) -> str:
        """Return a -1..1 score with its sign and two decimals (+0.31, −0.28)."""
        rounded = round(value, 2) or 0.0  # no −0.00
        return str(format_decimal(rounded, format="+0.00;−0.00", locale=self.language))

    def percent(self, ratio: float | None) -> str:
        """Return a ratio as a percentage, or — for none."""
        if ratio is None:
            return "—"
        return str(format_percent(ratio, format="#,##0%", locale=self.language))

    def change(self, row: CountRow) -> str:
        """Return '(+12% vs previous)', '(new)' or '' for a count against the previous period."""
        if row.previous == 0:
            return self("digest.change_new") if row.current else ""
        change = row.change or 0.0
        sign = "+" if change > 0 else "−" if change < 0 else "±"
        return self("digest.change", change=sign + self.percent(abs(change) / 100))

    def share(self, share: Share | None) -> str:
        """Return '12 of 40 (30%)', or 'not available yet' for None."""
        if share is None:
            return self("digest.not_available")
        return self(
            "digest.share",
            part=self.number(share.part),
            whole=self.number(share.whole),
            percent=self.percent(share.ratio),
        )

    def hours(self, hours: float | None, available: bool = True) -> str:
        """Return a duration in hours (under two days) or days, '—', or 'not available yet'."""
        if not available:
            return self("digest.not_available")
        if hours is None:
            return "—"
        if hours < 48:
            return self("digest.hours", value=self.number(hours, 1))
        return self("digest.days", value=self.number(hours / 24, 1))

    def rating(self, value: float | None) -> str:
        """Return an average 1-5 rating ("3.4/5"), or a dash when there is none to show."""
        return "—" if value is None else f"{self.number(value, 1)}/5"

    def period_name(self, period: Period) -> str:
        """Return a period as people say it: "October 2026", or "17–23 Nov 2026"."""
        if period.whole_month:
            name = str(format_skeleton("yMMMM", period.start, locale=self.language))
            return name[:1].upper() + name[1:]
        if period.days == 1:
            return str(format_skeleton("yMMMd", period.start, locale=self.language))
        return str(format_interval(period.start, period.last, "yMMMd", locale=self.language))

    def sentiment_word(self, score: float | None) -> str:
        """Return a -1..1 sentiment score in words: negative, neutral or positive."""
        if score is None:
            return "—"
        tone = (
            "negative"
            if score < -NEUTRAL_BAND
            else "positive"
            if score > NEUTRAL_BAND
            else "neutral"
        )
        return self(f"digest.sentiment.{tone}")

    def optional(self, value: float | None) -> str:
        """Return a count, or 'not available yet' when the bot does not record it yet."""
        return self("digest.not_available") if value is None else self.number(value)


def _lines(wording: Wording, field: str, rows: Sequence[CountRow], limit: int = 12) -> str:
    e = markup.escape
    out = [wording(f"digest.section.{field}")]
    for row in rows[:limit]:
        name = e(wording.name(field, row.key))
        if field == "topic" and wording.article(row.key):
            name += f" ({e(wording.article(row.key))})"
        out.append(f"• {name}: <b>{wording.number(row.current)}</b> {wording.change(row)}".rstrip())
    return "\n".join(out)


def summary(digest: Digest, w: Wording) -> list[str]:
    """Return the digest's paragraphs in Telegram HTML, each well under 4096 characters."""
    e = markup.escape
    period, before = digest.period, digest.previous_period
    parts = [
        w("digest.title", start=period.start.isoformat(), end=period.last.isoformat())
        + "\n"
        + w(
            "digest.compared",
            start=before.start.isoformat(),
            end=before.last.isoformat(),
            zone=e(digest.zone),
        )
    ]
    total = digest.total
    if total.current == 0:
        parts.append(w("digest.empty", previous=w.number(total.previous)))
    else:
        parts.append(w("digest.total", count=w.number(total.current), change=w.change(total)))
        for field in ("kind", "topic", "office", "language", "urgency"):
            parts.append(_lines(w, field, getattr(digest, f"by_{field}")))
        parts.append(_recurring(digest, w))
        parts.append(_sentiment(digest, w))
        parts.append(_inclusion(digest, w))
    parts.append(_follow_up(digest, w))
    return parts


def _recurring(digest: Digest, w: Wording) -> str:
    e = markup.escape
    out = [w("digest.section.recurring")]
    for rank, issue in enumerate(digest.recurring, start=1):
        out.append(
            f"{rank}. <b>{e(w.topic(issue.topic))}</b> — {e(w.office(issue.office))}: "
            + w(
                "digest.recurring_size",
                reports=w.number(issue.reports),
                voices=w.number(issue.voices),
                size=w.number(issue.size),
            )
        )
        out.extend(f"   <i>«{e(quote)}»</i>" for quote in issue.quotes)
    if not digest.recurring:
        out.append(w("digest.no_recurring"))
    return "\n".join(out)


def _sentiment(digest: Digest, w: Wording) -> str:
    out = [w("digest.section.sentiment")]
    for row in digest.sentiment[:12]:
        value = "—" if row.current is None else w.signed(row.current)
        trend = None if row.trend is None else round(row.trend, 2)
        arrow = "" if trend is None else ("↑" if trend > 0 else "↓" if trend < 0 else "→")
        moved = "" if trend is None else f" {arrow} {w.signed(trend)}"
        out.append(f"• {markup.escape(w.topic(row.topic))}: <b>{value}</b>{moved}")
    return "\n".join(out)


def _inclusion(digest: Digest, w: Wording) -> str:
    out = [w("digest.section.inclusion")]
    history = digest.follow_up.history_available
    for dimension in ("business_size", "women_led"):
        out.append(w(f"digest.inclusion.{dimension}"))
        for row in (r for r in digest.inclusion if r.dimension == dimension):
            reports = row.reports if isinstance(row.reports, str) else w.number(row.reports)
            out.append(
                f"• {markup.escape(w.name(dimension, row.group))}: "
                + w(
                    "digest.inclusion_line",
                    reports=markup.escape(reports),
                    resolved=w.percent(row.resolved_share),
                    median=w.hours(row.median_resolve_hours, history),
                    satisfaction=w.rating(row.satisfaction),
                )
            )
    return "\n".join(out)


def _follow_up(digest: Digest, w: Wording) -> str:
    f, history = digest.follow_up, digest.follow_up.history_available
    backlog = f.backlog
    lines = [
        w("digest.section.follow_up"),
        w("digest.kpi.ack", value=w.hours(f.median_ack_hours, history)),
        w("digest.kpi.resolve", value=w.hours(f.median_resolve_hours, history)),
        w("digest.kpi.ack_sla", value=w.share(f.ack_within_service_level)),
        w("digest.kpi.resolve_sla", value=w.share(f.resolved_within_service_level)),
        w("digest.kpi.resolved", value=w.share(f.resolved)),
        w("digest.kpi.backlog", count=w.number(backlog.open),
          median=w.hours(None if backlog.median_age_days is None else backlog.median_age_days * 24),
          oldest=w.hours(None if backlog.oldest_age_days is None else backlog.oldest_age_days * 24),
          late=w.number(backlog.over_service_level)),
        w("digest.kpi.satisfaction", average=w.rating(f.satisfaction_average),
          fixed=w.share(f.confirmed_fixed)),
        w("digest.kpi.suggestions", value=w.share(f.suggestions_with_outcome)),
        w("digest.kpi.meetings", held=w.optional(f.meetings_held),
          attendance=w.optional(f.meeting_attendance)),
        w("digest.kpi.actions", done=w.optional(f.actions_done),
          overdue=w.optional(f.actions_overdue)),
        w("digest.kpi.notices", sent=w.optional(f.notices_sent), reach=w.optional(f.notices_reach)),
        w("digest.kpi.reminders", value=w.optional(f.reminders_missed)),
        w("digest.kpi.levels", levels=markup.escape(f.service_levels)),
    ]  # fmt: skip
    return "\n".join(lines)


def html_page(digest: Digest, w: Wording, chart: bytes | None = None) -> str:
    """Return a standalone HTML page of the digest (inline style, chart embedded, no links)."""
    title = w("digest.title", start=digest.period.start.isoformat(),
              end=digest.period.last.isoformat())  # fmt: skip
    plain_title = markup.escape(plain(title))
    body = "\n".join(
        "<section><p>" + part.replace("\n", "<br>\n") + "</p></section>"
        for part in summary(digest, w)
    )
    image = ""
    if chart:
        data = base64.b64encode(chart).decode("ascii")
        image = f'<figure><img alt="" src="data:image/png;base64,{data}"></figure>'
    style = (
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.45;color:#1d1d1f}section{border-bottom:1px solid #ddd;padding:.5rem 0}"
        "img{max-width:100%}blockquote{margin:0 1rem;color:#555}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{markup.escape(w.language)}">\n<head>\n'
        f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width">\n'
        f"<title>{plain_title}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f"{body}\n{image}\n</body>\n</html>\n"
    )


def plain(text: str) -> str:
    """Return Telegram HTML as plain text (tags dropped, entities decoded)."""
    return markup.unescape(re.sub(r"<[^>]*>", "", text))
