"""DigestService on a fixture database: every figure recomputed here in plain Python."""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.i18n import Translator
from bot.core.masking import mask_personal, short_quote
from bot.core.service_levels import parse_service_levels
from bot.digests.figures import inclusion
from bot.digests.files import EXPORT_COLUMNS
from bot.digests.model import Period, Timing
from bot.digests.service import DigestService
from config.reference_data import load_taxonomy
from storage.db import Database
from storage.digests.queries import DigestRepository
from tests.telegram_html import HOSTILE_TEXTS, html_problems, refusals

ZONE = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
OCTOBER = Period.between(date(2026, 10, 1), date(2026, 10, 31))
LEVELS = parse_service_levels("high=1d/5d, normal=2d/30d, low=2d/30d")
ACK_DAYS, RESOLVE_DAYS = {"high": 1, "normal": 2, "low": 2}, {"high": 5, "normal": 30, "low": 30}
OPEN = ("new", "acknowledged", "in_progress")
SECRET = "Ana López of Andina told me"  # only ever in an anonymous report


@dataclass
class Fixture:
    """One report as the test knows it."""

    id: int
    reporter: int | None
    created: datetime
    kind: str
    topic: str
    office: str
    language: str
    urgency: str
    sentiment: float
    status: str
    anonymous: bool
    text: str
    events: list[tuple[str, datetime]] = field(default_factory=list)
    voices: list[int] = field(default_factory=list)


USERS = {  # id: (first name, organisation, business size, women-led)
    1: ("Ana", "Andina Comercial SRL", "micro", "yes"),
    2: ("Boris", "Kedr LLC", "micro", "no"),
    3: ("Carla", "Cóndor SRL", "small", "yes"),
    4: ("Dmitri", "Ladoga", "small", "no"),
    5: ("Emma", "Harbor Ltd", "medium", "undisclosed"),
    6: ("Frank", "Summit Co", "large", "no"),
    7: ("Gleb", None, None, None),
    8: ("Hana", "Meridian Ltd", "micro", "yes"),
    9: ("Ivan", None, "small", "no"),
    10: ("Jon", None, "small", "no"),
}


def t(text: str) -> datetime:
    """Return a UTC moment from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def flow(created: datetime, *steps: tuple[str, float]) -> list[tuple[str, datetime]]:
    """Return events at the given hours after filing."""
    return [(status, created + timedelta(hours=hours)) for status, hours in steps]


def _report(number: int, reporter: int | None, created: str, **values: object) -> Fixture:
    moment = t(created)
    base: dict[str, object] = {
        "kind": "issue",
        "topic": "release_delays",
        "office": "PORT-MAIN",
        "language": "en",
        "urgency": "normal",
        "sentiment": -0.5,
        "status": "new",
        "anonymous": False,
        "text": f"Containers held at the port for days, case {number}.",
    }
    base.update(values)
    events = base.pop("events", [])
    voices = base.pop("voices", [])
    return Fixture(number, reporter, moment, events=events, voices=voices, **base)  # type: ignore[arg-type]


def fixtures() -> list[Fixture]:
    """Return October (Madrid) reports, September ones (the period before) and outliers."""
    c = t
    return [
        # the recurring issue: release delays at the port (4 reports, 3 voices)
        _report(1, 1, "2026-09-30 22:30", sentiment=-0.8, status="resolved",
                text="Write to ana@example.com or call +34 612 345 678: Andina Comercial SRL"
                     " waited 9 days at the port.",
                events=flow(c("2026-09-30 22:30"), ("acknowledged", 5), ("resolved", 100)),
                voices=[9, 10]),
        _report(2, 2, "2026-10-03 10:00", anonymous=True, status="acknowledged",
                text=f"{SECRET} that the port is slow again.",
                events=flow(c("2026-10-03 10:00"), ("acknowledged", 60)), voices=[3]),
        _report(3, 8, "2026-10-05 09:00", status="resolved", sentiment=-0.4,
                events=flow(c("2026-10-05 09:00"), ("acknowledged", 1), ("in_progress", 2),
                            ("resolved", 30))),
        _report(4, 2, "2026-10-05 11:00", status="rejected", kind="suggestion", sentiment=0.2,
                text="Open the port gate earlier in the morning.",
                events=flow(c("2026-10-05 11:00"), ("acknowledged", 10), ("rejected", 50))),
        # IT systems, not about a place (2 reports)
        _report(5, 3, "2026-10-10 08:00", topic="it_systems", office="none", language="es",
                urgency="high", sentiment=-0.9, status="in_progress",
                text="El portal no funciona desde ayer.",
                events=flow(c("2026-10-10 08:00"), ("acknowledged", 3), ("in_progress", 4))),
        _report(6, 4, "2026-10-12 15:00", topic="it_systems", office="none", language="ru",
                kind="question", urgency="low", sentiment=0.0, status="resolved",
                text="Когда заработает портал?",
                events=flow(c("2026-10-12 15:00"), ("resolved", 800))),  # past 30 days: late
        # single reports, one of them with voices (a group of 3)
        _report(7, 5, "2026-10-15 12:00", topic="inspections", office="AIRPORT-INTL",
                sentiment=-0.6, status="resolved",
                events=flow(c("2026-10-15 12:00"), ("acknowledged", 72), ("resolved", 200)),
                voices=[1, 4]),
        _report(8, 6, "2026-10-20 09:00", topic="fees_payments", office="HQ", urgency="high",
                status="new", sentiment=-0.3),
        _report(9, 6, "2026-10-21 09:00", topic="documentation", office="BORDER-NORTH",
                kind="suggestion", urgency="low", sentiment=0.4, status="duplicate",
                events=flow(c("2026-10-21 09:00"), ("duplicate", 20))),
        _report(10, 7, "2026-10-22 09:00", topic="documentation", office="other",
                language="es", status="new", sentiment=-0.2),
        _report(11, None, "2026-10-23 09:00", topic="transparency", office="none",
                language="ru", status="acknowledged", sentiment=-0.1,
                events=flow(c("2026-10-23 09:00"), ("acknowledged", 30))),
        _report(12, 1, "2026-10-25 23:30", topic="documentation", office="HQ", status="resolved",
                sentiment=-0.5,
                events=flow(c("2026-10-25 23:30"), ("acknowledged", 20), ("resolved", 40))),
        _report(13, 8, "2026-10-28 10:00", topic="documentation", office="HQ",
                kind="question", status="resolved", sentiment=0.1,
                events=flow(c("2026-10-28 10:00"), ("acknowledged", 2), ("resolved", 26))),
        _report(14, 1, "2026-10-29 10:00", topic="inspections", office="PORT-MAIN",
                status="in_progress", sentiment=-0.7,
                events=flow(c("2026-10-29 10:00"), ("acknowledged", 49), ("in_progress", 50))),
        _report(15, 8, "2026-10-31 22:59", topic="inspections", office="PORT-MAIN",
                status="new", sentiment=-0.5),  # 23:59 in Madrid: still October
        # outside October in Madrid
        _report(16, 2, "2026-10-31 23:30", status="new"),  # 1 November, 00:30 in Madrid
        _report(17, 3, "2026-09-30 21:30", status="resolved", sentiment=-0.2,
                events=flow(c("2026-09-30 21:30"), ("resolved", 10))),  # 30 September
        _report(18, 4, "2026-09-10 12:00", topic="it_systems", office="none", status="resolved",
                sentiment=-0.6, events=flow(c("2026-09-10 12:00"), ("resolved", 48))),
        _report(19, 9, "2026-09-02 12:00", kind="suggestion", status="new", sentiment=0.3),
        _report(20, 10, "2026-08-20 12:00", status="in_progress", sentiment=-0.4,
                events=flow(c("2026-08-20 12:00"), ("in_progress", 5))),
    ]  # fmt: skip


SURVEYS = [  # (report, rating, fixed); None: asked, never answered
    (1, 4, 1), (3, 2, 0), (3, 5, 1),  # report 3 reopened and resolved again: the latest counts
    (7, 3, 1), (12, 1, 0), (13, None, None), (17, 5, 1),  # 17 is September's
]  # fmt: skip


async def load(db: Database, reports: list[Fixture]) -> None:
    """Insert the users and reports of the fixture."""
    for uid, (first, organisation, size, women_led) in USERS.items():
        await db.execute(
            "INSERT INTO users (id, first_name, last_name, organisation, business_size,"
            " women_led, created_at, updated_at) VALUES (?, ?, 'Demo', ?, ?, ?, ?, ?)",
            (uid, first, organisation, size, women_led, "2025-01-01", "2025-01-01"),
        )
    for r in reports:
        stamp = r.created.isoformat()
        await db.execute(
            "INSERT INTO reports (id, reference, reporter_id, draft_key, kind, description, topic,"
            " office, language, anonymous, status, urgency, sentiment, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (r.id, f"R-2026-{r.id:05d}", r.reporter, f"k{r.id}", r.kind, r.text, r.topic,
             r.office, r.language, int(r.anonymous), r.status, r.urgency, r.sentiment, stamp,
             stamp),
        )  # fmt: skip
        for status, moment in r.events:
            await db.execute(
                "INSERT INTO report_events (report_id, status, at) VALUES (?, ?, ?)",
                (r.id, status, moment.isoformat()),
            )
        for uid in r.voices:
            await db.execute(
                "INSERT INTO report_voices (report_id, user_id, created_at) VALUES (?, ?, ?)",
                (r.id, uid, stamp),
            )
    loaded = {r.id for r in reports}
    for report, rating, fixed in (survey for survey in SURVEYS if survey[0] in loaded):
        await db.execute(
            "INSERT INTO satisfaction (report_id, asked_at, rating, fixed, answered_at)"
            " VALUES (?, '2026-11-01', ?, ?, ?)",
            (report, rating, fixed, None if rating is None else "2026-11-02"),
        )


@pytest.fixture
async def service(fresh_db: Database) -> AsyncIterator[DigestService]:
    await load(fresh_db, fixtures())
    await load_meetings(fresh_db)
    store = await DigestRepository.open(fresh_db)
    yield DigestService(
        store,
        load_taxonomy(),
        Translator.from_directory(),
        ZONE,
        levels=LEVELS,
        clock=lambda: NOW,
    )
    await store.close()


def working_days_later(moment: datetime, days: int) -> datetime:
    """Step one Madrid calendar day at a time, counting only Monday to Friday."""
    local, counted = moment.astimezone(ZONE), 0
    while counted < days:
        local += timedelta(days=1)
        counted += local.isoweekday() <= 5
    return local


def ack_due(r: Fixture) -> datetime:
    return working_days_later(r.created, ACK_DAYS[r.urgency])


def resolve_due(r: Fixture) -> datetime:
    return working_days_later(r.created, RESOLVE_DAYS[r.urgency])


def in_period(report: Fixture, period: Period) -> bool:
    return period.start <= report.created.astimezone(ZONE).date() < period.end


def first(report: Fixture, wanted: object) -> datetime | None:
    moments = [at for status, at in report.events if wanted is None or status == wanted]
    moments = [at for status, at in report.events if status != "new"] if wanted is None else moments
    return min(moments) if moments else None


def seconds(report: Fixture, wanted: str | None) -> int | None:
    moment = first(report, wanted)
    return None if moment is None else int((moment - report.created).total_seconds())


def median_hours(values: list[int]) -> float | None:
    return statistics.median(values) / 3600 if values else None


async def test_every_figure_matches_a_plain_python_count(service: DigestService) -> None:
    digest = await service.build(OCTOBER)
    everything = fixtures()
    now = [r for r in everything if in_period(r, OCTOBER)]
    before = [r for r in everything if in_period(r, OCTOBER.previous())]
    assert [r.id for r in now] == list(range(1, 16))  # the zone decides 1, 15, 16 and 17
    assert [r.id for r in before] == [17, 18, 19]

    assert (digest.total.current, digest.total.previous) == (15, 3)
    for name in ("kind", "topic", "office", "language", "urgency"):
        counted_now = Counter(getattr(r, name) for r in now)
        counted_before = Counter(getattr(r, name) for r in before)
        shown = {row.key: (row.current, row.previous) for row in getattr(digest, f"by_{name}")}
        expected = {k: (counted_now[k], counted_before[k]) for k in counted_now | counted_before}
        assert shown == expected, name
        currents = [row.current for row in getattr(digest, f"by_{name}")]
        assert currents == sorted(currents, reverse=True)

    assert Counter({(t, s): n for t, s, n in digest.topic_status}) == Counter(
        (r.topic, r.status) for r in now
    )
    per_day = Counter(r.created.astimezone(ZONE).date() for r in now)
    assert dict(digest.per_day) == {day: per_day[day] for day in OCTOBER.dates()}

    for row in digest.sentiment:
        mine = [r.sentiment for r in now if r.topic == row.topic]
        old = [r.sentiment for r in before if r.topic == row.topic]
        assert row.current == pytest.approx(statistics.mean(mine))
        assert row.previous == (pytest.approx(statistics.mean(old)) if old else None)
        assert row.reports == len(mine)
    assert {row.topic for row in digest.sentiment} == {r.topic for r in now}

    sizes: Counter[tuple[str, str]] = Counter()
    counts: Counter[tuple[str, str]] = Counter()
    for r in now:
        sizes[(r.topic, r.office)] += 1 + len(r.voices)
        counts[(r.topic, r.office)] += 1
    ranked = sorted((k for k in sizes if sizes[k] > 1), key=lambda k: (-sizes[k], -counts[k], k))
    assert [(i.topic, i.office, i.size) for i in digest.recurring] == [
        (*k, sizes[k]) for k in ranked[:5]
    ]
    assert [(i.topic, i.office, i.reports, i.voices) for i in digest.recurring] == [
        ("release_delays", "PORT-MAIN", 4, 3),
        ("inspections", "AIRPORT-INTL", 1, 2),
        ("documentation", "HQ", 2, 0),
        ("inspections", "PORT-MAIN", 2, 0),
        ("it_systems", "none", 2, 0),
    ]


async def test_inclusion_counts_are_suppressed_under_five(service: DigestService) -> None:
    digest = await service.build(OCTOBER)
    now = [r for r in fixtures() if in_period(r, OCTOBER)]

    def profile(r: Fixture, index: int) -> str:
        value = USERS[r.reporter][index] if r.reporter else None
        return str(value) if value else "unknown"

    rows = {(row.dimension, row.group): row for row in digest.inclusion}
    sizes = Counter(profile(r, 2) for r in now)
    assert sizes == Counter({"micro": 8, "small": 2, "medium": 1, "large": 2, "unknown": 2})
    assert [rows[("business_size", g)].reports for g in ("micro", "small", "medium", "large")] == [
        8, "<5", "<5", "<5"
    ]  # fmt: skip
    assert rows[("business_size", "undisclosed")].reports == "<5"
    micro = [r for r in now if profile(r, 2) == "micro"]
    resolved = [r for r in micro if r.status == "resolved"]
    assert rows[("business_size", "micro")].resolved_share == pytest.approx(
        len(resolved) / len(micro)
    )
    times = [s for r in resolved if (s := seconds(r, "resolved")) is not None]
    assert len(times) == 4  # under 5: no median shown
    assert rows[("business_size", "micro")].median_resolve_hours is None
    assert rows[("business_size", "small")].resolved_share is None  # suppressed group
    led = Counter(profile(r, 3) for r in now)
    assert rows[("women_led", "yes")].reports == led["yes"] == 7
    assert rows[("women_led", "no")].reports == led["no"] == 5
    assert rows[("women_led", "undisclosed")].reports == rows[("women_led", "unknown")].reports
    assert rows[("women_led", "unknown")].reports == "<5"
    assert all(row.satisfaction is None for row in digest.inclusion)  # under 5 answers each


async def test_follow_up_kpis_match(service: DigestService) -> None:
    digest = await service.build(OCTOBER)
    everything = fixtures()
    now = [r for r in everything if in_period(r, OCTOBER)]
    f = digest.follow_up
    acked = [s for r in now if (s := seconds(r, None)) is not None]
    solved = [s for r in now if (s := seconds(r, "resolved")) is not None]
    assert f.history_available
    assert f.median_ack_hours == pytest.approx(median_hours(acked))
    assert f.median_resolve_hours == pytest.approx(median_hours(solved))
    assert f.median_ack_hours == pytest.approx(20.0)  # by hand: 1 2 3 5 10 20 20 30 49 60 72 800
    assert f.ack_within_service_level is not None
    acked_reports = [r for r in now if seconds(r, None) is not None]
    assert (f.ack_within_service_level.part, f.ack_within_service_level.whole) == (
        len([r for r in acked_reports if (t := first(r, None)) is not None and t <= ack_due(r)]),
        sum(1 for r in now if seconds(r, None) is not None or ack_due(r) <= NOW),
    )
    assert f.resolved_within_service_level is not None
    solved_reports = [r for r in now if seconds(r, "resolved") is not None]
    assert f.resolved_within_service_level.part == len(
        [r for r in solved_reports if (t := first(r, "resolved")) and t <= resolve_due(r)]
    )
    due = [
        r
        for r in now
        if seconds(r, "resolved") is not None or (r.status in OPEN and resolve_due(r) <= NOW)
    ]
    assert f.resolved_within_service_level.whole == len(due)
    assert f.service_levels == "high 1d/5d · normal 2d/30d · low 2d/30d"
    assert (f.resolved.part, f.resolved.whole) == (sum(r.status == "resolved" for r in now), 15)
    suggestions = [r for r in now if r.kind == "suggestion"]
    decided = [r for r in suggestions if r.status in ("resolved", "rejected", "duplicate")]
    assert (f.suggestions_with_outcome.part, f.suggestions_with_outcome.whole) == (
        len(decided),
        len(suggestions),
    )
    open_now = sorted(r.created for r in everything if r.status in OPEN)
    ages = [(NOW - moment).total_seconds() / 86400 for moment in open_now]
    assert f.backlog.open == len(open_now) == 10
    assert f.backlog.median_age_days == pytest.approx(statistics.median(ages))
    assert f.backlog.oldest_age_days == pytest.approx(max(ages))
    late = [r for r in everything if r.status in OPEN and resolve_due(r) <= NOW]
    assert f.backlog.over_service_level == len(late)
    latest = {report: (rating, fixed) for report, rating, fixed in SURVEYS if rating is not None}
    rated = [latest[r.id] for r in now if r.id in latest]
    assert len(rated) == 4  # 1, 3 (its second answer), 7, 12; not 13 (unanswered) nor 17
    assert f.satisfaction_average == pytest.approx(statistics.fmean(r for r, _ in rated))
    assert f.satisfaction_average == pytest.approx(3.25)  # by hand: (4 + 5 + 3 + 1) / 4
    assert f.confirmed_fixed is not None
    assert (f.confirmed_fixed.part, f.confirmed_fixed.whole) == (3, 4)
    assert (f.meetings_held, f.meeting_attendance) == (1, 12)  # M1 only (see MEETINGS)
    assert (f.actions_done, f.actions_overdue) == (1, 2)  # A1; A2 open, A3 done too late
    assert f.reminders_missed == 2
    assert (f.notices_sent, f.notices_reach) == (1, 2)  # N1: 2 of its 4 copies delivered
    text = service.text(digest, "en")
    assert "Meetings held: 1; attendance: 12" in text and "overdue: 2" in text
    assert "Notices sent: 1; traders reached: 2" in text


MEETINGS = [  # id, status, starts_at (UTC), attendance
    (1, "held", "2026-10-10T10:00:00+00:00", 12),
    (2, "held", "2026-10-31T23:30:00+00:00", 7),  # 1 November in Madrid
    (3, "scheduled", "2026-10-20T10:00:00+00:00", None),
    (4, "held", "2026-09-15T10:00:00+00:00", 30),
]
ACTIONS = [  # id, due_on, done_at
    (1, "2026-10-12", "2026-10-15T09:00:00+00:00"),  # done in October
    (2, "2026-10-20", None),  # overdue
    (3, "2026-10-25", "2026-11-02T09:00:00+00:00"),  # done, but after October: overdue then
    (4, "2026-12-01", None),  # not due yet
    (5, "2026-09-20", "2026-09-30T09:00:00+00:00"),  # done in September
]
NOTICES = [  # id, started_at, delivery states of its copies
    (1, "2026-10-07T08:00:00+00:00", ("sent", "sent", "blocked", "failed")),
    (2, "2026-11-02T08:00:00+00:00", ("sent",)),  # November
]
MISSED = ["2026-10-05T08:00:00+00:00", "2026-10-30T08:00:00+00:00", "2026-11-03T08:00:00+00:00"]


async def load_meetings(db: Database) -> None:
    """Insert the consultations of the fixture: meetings, action items, missed reminders and
    notices with their deliveries."""
    for mid, status, starts, attendance in MEETINGS:
        await db.execute(
            "INSERT INTO meetings (id, title, starts_at, ends_at, zone, status, created_by,"
            " attendance, created_at, updated_at) VALUES (?, 'Consultation', ?, ?, 'UTC', ?, 1,"
            " ?, ?, ?)",
            (mid, starts, starts, status, attendance, starts, starts),
        )
    for aid, due, done in ACTIONS:
        await db.execute(
            "INSERT INTO action_items (id, meeting_id, what, due_on, recorded_by, created_at,"
            " done_at) VALUES (?, 1, 'Publish the release times', ?, 1, ?, ?)",
            (aid, due, "2026-10-10T12:00:00+00:00", done),
        )
    for nid, started, states in NOTICES:
        await db.execute(
            "INSERT INTO notices (id, author_id, status, started_at, created_at, updated_at)"
            " VALUES (?, 1, 'sent', ?, ?, ?)",
            (nid, started, started, started),
        )
        for uid, state in enumerate(states, start=1):
            await db.execute(
                "INSERT INTO notice_deliveries (notice_id, kind, user_id, language, state,"
                " next_try_at, updated_at) VALUES (?, 'notice', ?, 'en', ?, ?, ?)",
                (nid, uid, state, started, started),
            )
    for number, at in enumerate(MISSED, start=1):
        await db.execute(
            "INSERT INTO meeting_jobs (id, meeting_id, kind, lead, priority, due_at, state)"
            " VALUES (?, 1, 'reminder', ?, 1, ?, 'missed')",
            (number, number, at),
        )
        await db.execute(
            "INSERT INTO meeting_deliveries (job_id, user_id, outcome, at)"
            " VALUES (?, 1, 'missed', ?)",
            (number, at),
        )


async def test_quotes_never_show_anonymous_text_or_contacts(service: DigestService) -> None:
    digest = await service.build(OCTOBER)
    quotes = [quote for issue in digest.recurring for quote in issue.quotes]
    port = digest.recurring[0]
    assert len(port.quotes) == 2
    everything = " ".join(quotes)
    assert SECRET not in everything and "slow again" not in everything
    assert "ana@example.com" not in everything and "612 345 678" not in everything
    assert "Andina" not in everything  # the reporter's organisation
    assert "[…]" in port.quotes[0] and "waited 9 days at the port" in port.quotes[0]
    assert all(len(quote) <= 120 for quote in quotes)
    text = service.text(digest, "en")
    assert SECRET not in text and "ana@example.com" not in text


@pytest.mark.parametrize("language", ["en", "es", "ru"])
async def test_summary_is_telegram_html_in_the_officers_language(
    service: DigestService, language: str
) -> None:
    digest = await service.build(OCTOBER)
    text = service.text(digest, language)
    assert not html_problems(text)
    assert all(len(part) < 4096 for part in text.split("\n\n"))
    assert "&lt;5" in text and "<5" not in text
    assert "{" not in text and "digest." not in text  # every key found and formatted
    names = {"en": "Release and clearance times", "es": "Plazos de levante", "ru": "Сроки выпуска"}
    assert names[language] in text and "Art. 7" in text
    assert "15" in text


async def test_an_empty_period_reads_sensibly(service: DigestService) -> None:
    period = Period.between(date(2027, 3, 1), date(2027, 3, 7))
    digest = await service.build(period)
    assert digest.total.current == 0 and digest.by_topic == () and digest.recurring == ()
    assert all(count == 0 for _, count in digest.per_day) and len(digest.per_day) == 7
    assert all(row.reports == "<5" for row in digest.inclusion)
    assert digest.follow_up.resolved.ratio is None and digest.follow_up.median_ack_hours is None
    text = service.text(digest, "en")
    assert "No reports were filed in this period" in text and "Open now: <b>10</b>" in text
    assert (await service.chart(digest, "en")).startswith(b"\x89PNG\r\n\x1a\n")


async def test_a_one_report_period_reads_sensibly(service: DigestService) -> None:
    digest = await service.build(Period.between(date(2026, 10, 20), date(2026, 10, 20)))
    assert digest.total.current == 1 and digest.total.previous == 0
    assert digest.recurring == ()
    text = service.text(digest, "es")
    assert "Informes: <b>1</b> (ninguno antes)" in text
    assert "Ningún tema y lugar" in text
    assert [row.reports for row in digest.inclusion if row.dimension == "business_size"] == [
        "<5"
    ] * 6


async def test_without_status_history_times_are_not_available(fresh_db: Database) -> None:
    reports = [r for r in fixtures() if not r.events]
    await load(fresh_db, reports)
    store = await DigestRepository.open(fresh_db)
    service = DigestService(store, load_taxonomy(), Translator.from_directory(), ZONE,
                            clock=lambda: NOW)  # fmt: skip
    digest = await service.build(OCTOBER)
    await store.close()
    f = digest.follow_up
    assert not f.history_available and f.median_ack_hours is None
    assert f.ack_within_service_level is None and f.resolved_within_service_level is None
    assert (f.resolved.part, f.resolved.whole) == (0, 3)  # shares from statuses still work
    text = service.text(digest, "en")
    assert "Median time to acknowledge: <i>not available yet</i>" in text


async def test_exports_hold_every_report_of_the_period(
    service: DigestService, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    digest = await service.build(OCTOBER)
    path = tmp_path / "digest.xlsx"
    assert await service.write_xlsx(digest, path, "en") == 15
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["KPIs", "Reports"]
    rows = list(book["Reports"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Reference", "Filed (local time)", "Kind")
    assert rows[0][-1] == "Text (excerpt)"
    now = [r for r in fixtures() if in_period(r, OCTOBER)]
    assert [(row[0], row[9], row[11]) for row in rows[1:]] == [
        (f"R-2026-{r.id:05d}", service.wording("en").name("status", r.status), len(r.voices))
        for r in now
    ]
    assert rows[1][1] == datetime(2026, 10, 1, 0, 30)  # local time, Madrid
    assert rows[1][3] == "Release and clearance times" and rows[1][8] == "negative"
    assert rows[1][12] == "Write to […] or call […]: […] waited 9 days at the port."
    assert rows[2][10] == "yes" and rows[2][12] is None  # an anonymous report's text stays out
    assert not any("Ana" in str(cell) for row in rows for cell in row)
    kpis = {row[0]: row[1:] for row in book["KPIs"].iter_rows(values_only=True)}
    assert kpis["Reports"][0] == 15
    assert kpis["Average rating (1–5)"][0] == pytest.approx(3.2)  # rounded: 3.25
    assert kpis["Release and clearance times (Art. 7)"][0] == 4
    book.close()
    stream = io.StringIO()
    assert await service.write_csv(OCTOBER, stream, "en") == 15
    lines = list(csv.reader(io.StringIO(stream.getvalue())))
    assert lines[0] == list(EXPORT_COLUMNS) and lines[1][0] == "R-2026-00001"
    assert lines[1][1] == "2026-10-01 00:30:00"


async def test_the_kpi_sheet_reads_like_a_report_in_the_officers_language(
    service: DigestService, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    digest = await service.build(OCTOBER)
    path = tmp_path / "digest.xlsx"
    await service.write_xlsx(digest, path, "es")
    book = load_workbook(path)  # not read-only: formats, widths and panes
    sheet = book["KPIs"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["Indicador", "Octubre de 2026", "frente a Septiembre de 2026", "Variación",
                      "Nota"]  # fmt: skip
    assert sheet.freeze_panes == "B2" and sheet.column_dimensions["A"].width > 40
    lines = {row[0].value: row for row in sheet.iter_rows(min_row=2) if row[0].value}
    total = lines["Informes"]
    assert (total[1].value, total[1].number_format) == (15, "#,##0")
    assert total[3].number_format == "+0%;−0%;0%" and total[3].value == (15 - 3) / 3
    resolved = lines["Resueltos hasta ahora"]
    assert resolved[1].number_format == "0%" and 0 <= resolved[1].value <= 1
    assert resolved[4].value == f"{digest.follow_up.resolved.part} de 15"
    median = lines["Mediana del tiempo hasta resolver (horas)"][1].value
    assert median == round(median, 1) and any(str(name).startswith("Por tema") for name in lines)
    assert not [c for row in sheet.iter_rows() for c in row if "ack_within" in str(c.value)]
    reports = book["Reports"]
    assert [c.value for c in reports[1]][-1] == "Texto (extracto)" and reports.freeze_panes
    assert reports["B2"].number_format == "yyyy-mm-dd hh:mm" and reports["J2"].value == "Resuelto"
    book.close()


async def test_reports_fill_as_many_sheets_as_needed_and_text_stays_text(
    service: DigestService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xml.etree import ElementTree

    from openpyxl import load_workbook

    from bot.digests import workbook

    monkeypatch.setattr(workbook, "XLSX_MAX_ROWS", 10)
    digest = await service.build(OCTOBER)
    path = tmp_path / "digest.xlsx"
    assert await service.write_xlsx(digest, path, "en") == 15
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["KPIs", "Reports", "Reports 2"]
    first, second = (list(book[name].iter_rows(values_only=True)) for name in book.sheetnames[1:])
    assert (len(first), len(second)) == (11, 6) and first[0] == second[0]  # a header on each
    assert [row[0] for row in first[1:] + second[1:]] == [
        f"R-2026-{r.id:05d}" for r in fixtures() if in_period(r, OCTOBER)
    ]
    book.close()
    cells_in = ("=1+1 & <b>\x00", None, 3, *[""] * 10)  # markup, a NUL, a formula's start
    row = workbook._row_xml(2, cells_in, 5)
    cells = ElementTree.fromstring(row)
    assert [c.get("r") for c in cells] == ["A2", "C2"]
    assert "".join(cells[0].itertext()) == "=1+1 & <b>" and cells[0].get("t") == "inlineStr"


async def test_csv_file_starts_with_a_byte_order_mark_for_excel(
    service: DigestService, tmp_path: Path
) -> None:
    target = tmp_path / "reports.csv"
    assert await service.write_csv(OCTOBER, target, "ru") == 15
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(EXPORT_COLUMNS) and rows[1][0] == "R-2026-00001"
    assert "Сроки выпуска и оформления" in data.decode("utf-8-sig")


async def test_the_picture_is_one_phone_wide_page_of_headline_figures(
    service: DigestService,
) -> None:
    import matplotlib.image

    from bot.digests.picture import headline

    digest = await service.build(OCTOBER)
    png = await service.chart(digest, "ru")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[1] == 1080 and image.shape[0] > image.shape[1]  # portrait, phone width
    assert image[:, :, :3].std() > 0.1  # drawn, not blank
    figures = {
        label: (value, change)
        for label, value, change, _ in headline(digest, service.wording("es"))
    }
    resolved = digest.follow_up.resolved
    assert figures["Informes recibidos"] == ("15", "+400%")  # 15 against 3 in September
    assert figures["Resueltos"][0] == str(resolved.part)
    assert figures["Resueltos dentro del nivel de servicio"][0].endswith("%")
    assert figures["Mediana hasta resolver"][0].endswith(("h", "d"))
    assert figures["Satisfacción"][0] == "3,2/5"  # rounded, in Spanish notation


async def test_html_page_is_standalone(service: DigestService) -> None:
    digest = await service.build(OCTOBER)
    page = service.html(digest, "en", b"\x89PNG fake")
    assert page.startswith("<!DOCTYPE html>") and "data:image/png;base64," in page
    assert not re.search(r"(src|href)=\"https?:", page)


async def test_printable_digest_as_html_and_pdf_carries_the_figures(
    service: DigestService,
) -> None:
    from pypdf import PdfReader

    digest = await service.build(OCTOBER)
    picture = await service.chart(digest, "ru")
    page = service.html(digest, "ru", picture)
    assert "Обращений: <b>15</b>" in page and "Сроки выпуска и оформления" in page
    assert '<html lang="ru">' in page and "Ana" not in page.split("<figure>")[0]
    pdf = await service.pdf(digest, "ru", picture)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2 and reader.pages[-1].images  # the picture on its own page
    words = " ".join(page.extract_text() for page in reader.pages)
    assert "Обращений: 15" in words and "Сроки выпуска и оформления" in words
    assert "2026-10-01" in words and "<b>" not in words and "Ana" not in words


async def test_a_scheduled_digest_is_claimed_once_per_officer(service: DigestService) -> None:
    week = Period.week(date(2026, 11, 28))
    assert await service.claim_delivery(week, 42)
    assert not await service.claim_delivery(week, 42)
    assert await service.claim_delivery(week, 43)
    assert await service.claim_delivery(week.previous(), 42)


def test_period_from_text_uses_the_zones_today() -> None:
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 December in Madrid
    service = DigestService(None, load_taxonomy(), Translator.from_directory(), ZONE,  # type: ignore[arg-type]
                            clock=lambda: late)  # fmt: skip
    assert service.period("month").key == "2026-11"


def test_group_satisfaction_needs_five_answers() -> None:
    def timing(size: str, rating: int | None) -> Timing:
        return Timing(size, "no", "resolved", "normal", 0, 60, 120, rating, 1)

    rows = inclusion(
        [timing("micro", r) for r in (5, 4, 4, 3, 2, None)]
        + [timing("small", r) for r in (1, 1, 1, 1, None, None)],
        history=True,
    )
    by_group = {(row.dimension, row.group): row for row in rows}
    assert by_group[("business_size", "micro")].satisfaction == pytest.approx(18 / 5)
    assert by_group[("business_size", "small")].satisfaction is None  # 4 answers: not shown
    assert by_group[("women_led", "no")].satisfaction == pytest.approx(22 / 9)


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
async def test_hostile_quotes_reach_telegram_escaped(service: DigestService, name: str) -> None:
    digest = await service.build(OCTOBER)
    quote = short_quote(mask_personal(HOSTILE_TEXTS[name]))
    port = digest.recurring[0].model_copy(update={"quotes": (quote, quote)})
    digest = digest.model_copy(update={"recurring": (port, *digest.recurring[1:])})
    for language in ("en", "es", "ru"):
        text = service.text(digest, language)
        assert not refusals(text), refusals(text)
        assert "<i>x</i>" not in text
