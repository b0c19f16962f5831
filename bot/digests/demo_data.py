"""Synthetic traders, reports, voices, status history and surveys for demos and benchmarks."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import functools
import itertools
import math
import multiprocessing
import random
from collections.abc import Awaitable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from bot.core import similarity as recurring
from bot.core.taxonomy import NO_OFFICE, Taxonomy
from bot.digests.demo_texts import CLOSER_CUMULATIVE, CLOSERS, NAMES, OPENERS, ORGS, sentences
from bot.reporting.model import format_reference

USER_ID_BASE = 10**12  # far above real Telegram user ids, so demo users never clash with them
BATCH = 50_000
DAY = 86_400
EPOCH = datetime(1970, 1, 1, tzinfo=UTC).date()

_SIZES = ("micro", "small", "medium", "large", "undisclosed", None)
_KINDS = ("issue", "suggestion", "question")
_URGENCY = {"issue": (0.3, 0.9), "suggestion": (0.05, 0.6), "question": (0.0, 0.6)}  # high, normal
_SENTIMENT = {"issue": (-0.9, -0.1), "suggestion": (-0.2, 0.4), "question": (-0.2, 0.2)}
_TOPIC_WEIGHTS = {"release_delays": 18, "it_systems": 16, "documentation": 14, "inspections": 12}
_PLACES = {  # where each topic is reported most, by office kind (none: not about a place)
    "release_delays": "port airport border", "inspections": "port port airport border",
    "border_cooperation": "border border border", "it_systems": "none none hq",
    "transparency": "none hq", "fees_payments": "inland hq port",
}  # fmt: skip
_MOOD = {"integrity": -0.25, "it_systems": -0.1, "transparency": 0.05}  # topic tone
_DRIFT = {"it_systems": 0.35, "release_delays": -0.2}  # tone change over the year


class DemoUser(NamedTuple):
    """A synthetic trader, in the column order of storage.digests.demo_data.USER_COLUMNS."""

    id: int
    first_name: str
    last_name: str
    username: str
    language: str
    business_role: str
    organisation: str
    business_size: str | None
    women_led: str | None
    privacy_accepted_at: str
    created_at: str
    updated_at: str


DemoReport = tuple[Any, ...]  # in the column order of storage.digests.demo_data.REPORT_COLUMNS
Voice = tuple[int, int, None, str, str]  # report_id, user_id, comment, language, created_at
Event = tuple[int, str, str]  # report_id, status, at
# report, asked, re-asked, rating, fixed, answered at
Survey = tuple[int, str, str | None, int | None, int | None, str | None]
Batch = tuple[list[DemoReport], list[Voice], list[Event], dict[int, int], list[Survey]]


class DemoStore(Protocol):
    """What the generator needs from storage."""

    async def begin_bulk(self) -> None: ...
    async def next_report_id(self) -> int: ...
    async def reference_counters(self) -> dict[int, int]: ...
    async def add_users(self, rows: Sequence[DemoUser]) -> None: ...
    async def add_batch(
        self,
        reports: Sequence[DemoReport],
        voices: Sequence[Voice],
        events: Sequence[Event],
        counters: dict[int, int],
        surveys: Sequence[Survey] = (),
    ) -> None: ...
    async def end_bulk(self) -> None: ...


@dataclass(frozen=True)
class Plan:
    """What to generate: reports over the days before now, ids and references after first_id."""

    taxonomy: Taxonomy
    reports: int
    seed: int
    now: datetime
    first_id: int
    counters: dict[int, int]
    days: int = 365


@dataclass(frozen=True)
class DemoSummary:
    """What was generated."""

    users: int
    reports: int
    voices: int
    events: int
    first: datetime | None
    last: datetime | None
    surveys: int = 0  # "Is it fixed?" surveys of resolved reports
    answered: int = 0  # of them, answered with a rating

    def describe(self) -> str:
        """Say what was generated and what it is good for (English, for the command line)."""
        span = f" filed {self.first:%Y-%m-%d} – {self.last:%Y-%m-%d}" if self.first else ""
        return (
            f"{self.reports:,} reports{span} by {self.users:,} demo traders (ids from 10^12,"
            f" not real Telegram users; no reminder is due to them), {self.voices:,} voices"
            f' added, {self.events:,} status changes, {self.surveys:,} "Is it fixed?" surveys'
            f" ({self.answered:,} answered with a rating).\nDigests (/digest week, /digest month,"
            " feedback-bot digest) now have figures; meetings and notices are not generated:"
            " create them in the bot (/newmeeting, /broadcast)."
        )


@functools.cache
def _day(number: int) -> str:
    return (EPOCH + timedelta(days=number)).isoformat() + "T"


@functools.cache
def _clocks() -> list[str]:
    return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00:00" for s in range(DAY)]


def _iso(seconds: float) -> str:
    """Return a Unix time as stored in the database (2026-11-28T21:00:00+00:00), quickly."""
    day, rest = divmod(int(seconds), DAY)
    return _day(day) + _clocks()[rest]


def _hours(rng: random.Random, median_hours: float, spread: float = 1.0) -> float:
    """Return a log-normal delay in seconds around a median number of hours."""
    return math.exp(rng.gauss(math.log(median_hours), spread)) * 3600


def history(rng: random.Random, kind: str, created: float, now: float) -> list[tuple[str, float]]:
    """Return a plausible status history new → acknowledged → in progress → outcome, up to now."""
    steps = [("new", created)]
    if rng.random() < 0.015:  # some reports are never picked up
        return steps
    at = created + _hours(rng, 20)
    steps.append(("acknowledged", at))
    if kind != "question" and rng.random() < 0.75:
        at += _hours(rng, 36)
        steps.append(("in_progress", at))
    if kind == "question" or rng.random() > 0.03:
        at += _hours(rng, 24 if kind == "question" else 140, 0.9)
        roll = rng.random()
        outcome = "resolved" if roll < 0.72 else "rejected" if roll < 0.9 else "duplicate"
        steps.append(("resolved" if kind == "question" else outcome, at))
    return [(status, moment) for status, moment in steps if moment < now]


def make_users(rng: random.Random, count: int, now: datetime) -> list[DemoUser]:
    """Return synthetic traders, brokers and forwarders with optional business profiles."""
    users = []
    for index in range(count):
        language = rng.choices(("en", "es", "ru"), (45, 35, 20))[0]
        firsts, lasts = (part.split() for part in NAMES[language])
        pattern, words = ORGS[language]
        joined = _iso((now - timedelta(days=rng.uniform(370, 500))).timestamp())
        role = rng.choices(("trader", "broker", "forwarder", "other"), (50, 30, 15, 5))[0]
        size = rng.choices(_SIZES, (6, 6, 4, 2, 1, 1))[0]
        women_led = rng.choices(("yes", "no", "undisclosed", None), (22, 60, 10, 8))[0]
        users.append(
            DemoUser(
                USER_ID_BASE + index, rng.choice(firsts), rng.choice(lasts), f"demo_trader_{index}",
                language, role, pattern.format(rng.choice(words.split())), size, women_led,
                joined, joined, joined,
            )
        )  # fmt: skip
    return users


def _timestamps(rng: random.Random, count: int, now: datetime, span: int = 365) -> list[float]:
    """Return sorted report times over the span of days before now: growing use, busy on
    weekdays."""
    start = (now - timedelta(days=span)).replace(hour=0, minute=0, second=0, microsecond=0)
    days = range(span + 1)
    weights = [
        (1 + 1.5 * day / span) * (0.2 if (start + timedelta(days=day)).weekday() >= 5 else 1)
        for day in days
    ]
    hours = [0.2] * 6 + [1, 2, 3, 3, 3, 2, 2, 3, 3, 2, 2, 1, 0.6, 0.4, 0.3, 0.3, 0.2, 0.2]
    picked_days = rng.choices(days, weights, k=count)
    picked_hours = rng.choices(range(24), hours, k=count)
    base, limit = start.timestamp(), now.timestamp()
    times = [
        base + day * DAY + hour * 3600 + rng.random() * 3600
        for day, hour in zip(picked_days, picked_hours, strict=True)
    ]
    return sorted(moment - DAY if moment >= limit else moment for moment in times)


class Generator:
    """Make users, then batches of reports with voices and events, in order, from one seed."""

    def __init__(self, plan: Plan) -> None:
        self.rng = rng = random.Random(plan.seed)
        self.seed, self.now, self.first_id = plan.seed, plan.now.timestamp(), plan.first_id
        self.counters = dict(plan.counters)
        self.users = make_users(rng, max(20, plan.reports // 40), plan.now)
        self.times = _timestamps(rng, plan.reports, plan.now, plan.days)
        taxonomy = plan.taxonomy
        # a few very active traders; cumulative weights, picked with bisect on one random()
        self.reporter_weights = list(
            itertools.accumulate(1 / (r + 5) for r in range(len(self.users)))
        )
        self.topics = [topic.code for topic in taxonomy.topics]
        self.topic_weights = list(
            itertools.accumulate(_TOPIC_WEIGHTS.get(c, 7) for c in self.topics)
        )
        offices = [(office.code, office.kind) for office in taxonomy.offices]
        offices.append((NO_OFFICE, "none"))
        self.places = {}  # topic -> (office codes, cumulative weights)
        for code in self.topics:
            favoured = _PLACES.get(code, "").split()
            weights = itertools.accumulate(1 + 2 * favoured.count(kind) for _, kind in offices)
            self.places[code] = ([office for office, _ in offices], list(weights))
        self.start, self.span = plan.now.timestamp() - plan.days * DAY, plan.days
        texts = sentences()
        self.variants = {
            key: [
                f"{opener} {text.format(days=days)}".lstrip()
                for opener in OPENERS[key[1]]
                for days in range(2, 22)
            ]
            for key, text in texts.items()
        }
        self.keywords = {
            key: " ".join(sorted(recurring.signature(text, key[1]))) for key, text in texts.items()
        }

    def batch(self, begin: int, size: int) -> Batch:
        """Return the reports from the begin-th (call in order), with voices and events."""
        rng, times, counters = self.rng, self.times[begin : begin + size], self.counters
        reporters, topics = self.reporter_weights, self.topic_weights
        reports: list[DemoReport] = []
        voices: list[Voice] = []
        events: list[Event] = []
        surveys: list[Survey] = []
        for offset, created in enumerate(times):
            report_id = self.first_id + begin + offset
            user = self.users[bisect.bisect(reporters, rng.random() * reporters[-1])]
            kind = _KINDS[bisect.bisect((0.6, 0.85), rng.random())]
            topic = self.topics[bisect.bisect(topics, rng.random() * topics[-1])]
            roll = rng.random()
            language = user.language if roll < 0.9 else ("en", "es", "ru")[int(roll * 30) % 3]
            steps = history(rng, kind, created, self.now)
            stamped = [(status, _iso(at)) for status, at in steps]
            events.extend((report_id, status, at) for status, at in stamped[1:])
            year = int(stamped[0][1][:4])
            counters[year] = counters.get(year, 0) + 1
            (low, high), urgency, roll = _SENTIMENT[kind], _URGENCY[kind], rng.random()
            places, weights = self.places[topic]
            office = places[bisect.bisect(weights, rng.random() * weights[-1])]
            tone = low + (high - low) * rng.random() + _MOOD.get(topic, 0.0)
            tone += _DRIFT.get(topic, 0.0) * (created - self.start) / (self.span * DAY)
            reports.append((
                report_id, format_reference(year, counters[year]), user.id,
                f"demo:{self.seed}:{report_id:010d}", kind, self._text(topic, language, user, kind),
                topic, "reporter" if rng.random() < 0.8 else "classifier", office,
                language, int(rng.random() < 0.15), stamped[-1][0],
                "high" if roll < urgency[0] else "normal" if roll < urgency[1] else "low",
                round(max(-1.0, min(1.0, tone)), 3), kind, topic,
                round(0.5 + 0.45 * rng.random(), 2), language,
                self.keywords[(topic, language, kind)], stamped[0][1], stamped[-1][1],
            ))  # fmt: skip
            if rng.random() < 0.06:
                voices.extend(self._voices(report_id, user.id, created))
            if steps[-1][0] == "resolved":
                surveys.append(self._survey(report_id, created, steps[-1][1]))
        return reports, voices, events, dict(counters), surveys

    def _survey(self, report_id: int, created: float, resolved: float) -> Survey:
        """Return the "Is it fixed?" survey of a resolved report: slower, less satisfied.

        An unanswered one counts as re-asked already: a demo trader is never sent a reminder.
        """
        rng = self.rng
        answered = resolved + _hours(rng, 6)
        if rng.random() > 0.6 or answered >= self.now:
            return (report_id, _iso(resolved), _iso(resolved), None, None, None)
        score = 4.3 - min((resolved - created) / (12 * DAY), 2.0) + rng.gauss(0, 0.9)
        rating = max(1, min(5, round(score)))
        fixed = int(rng.random() < (0.92 if rating >= 3 else 0.35))
        return (report_id, _iso(resolved), None, rating, fixed, _iso(answered))

    def _text(self, topic: str, language: str, user: DemoUser, kind: str) -> str:
        rng, variants = self.rng, self.variants[(topic, language, kind)]
        text = variants[int(rng.random() * len(variants))]
        closer = CLOSERS[language][bisect.bisect(CLOSER_CUMULATIVE, rng.random())]
        if not closer:
            return text
        phone = f"+{rng.randint(1, 99)} {rng.randint(200, 999)} {rng.randint(10**6, 10**7 - 1)}"
        email = f"{user.username}@example.com"
        return f"{text} {closer.format(email=email, phone=phone, org=user.organisation)}"

    def _voices(self, report_id: int, reporter: int, created: float) -> list[Voice]:
        count = 1 + min(int(self.rng.expovariate(0.7)), 8)
        others = [user for user in self.rng.sample(self.users, count + 1) if user.id != reporter]
        moment = self.rng.random() * 10 * DAY
        return [
            (report_id, user.id, None, user.language, _iso(min(created + moment, self.now - 1)))
            for user in others[:count]
        ]


_WORKER: dict[str, Generator] = {}  # the generator living in the worker process


def _worker_open(plan: Plan) -> None:
    _WORKER["generator"] = Generator(plan)


def _worker_users() -> list[DemoUser]:
    return _WORKER["generator"].users


def _worker_batch(begin: int, size: int) -> Batch:
    return _WORKER["generator"].batch(begin, size)


async def generate(
    store: DemoStore, taxonomy: Taxonomy, reports: int, seed: int, now: datetime, *,
    batch: int = BATCH, parallel: bool | None = None, days: int = 365,
) -> DemoSummary:  # fmt: skip
    """Fill the store with users and `reports` reports over the days before now, by seed.

    The same seed gives the same data. With `parallel` (default: more than one batch) a worker
    process makes the next batches while this one writes.
    """
    first_id, counters = await store.next_report_id(), await store.reference_counters()
    plan = Plan(taxonomy, reports, seed, now, first_id, counters, days)
    loop = asyncio.get_running_loop()
    await store.begin_bulk()
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(store.end_bulk)  # indexes are rebuilt even if interrupted
        pool, local = None, None
        if reports > batch if parallel is None else parallel:
            context = multiprocessing.get_context("spawn")
            pool = stack.enter_context(ProcessPoolExecutor(1, context, _worker_open, (plan,)))
            users = await loop.run_in_executor(pool, _worker_users)
        else:
            local = Generator(plan)
            users = local.users

        def make(begin: int) -> Awaitable[Batch]:
            if pool is not None:
                return loop.run_in_executor(pool, _worker_batch, begin, batch)
            assert local is not None
            made: asyncio.Future[Batch] = loop.create_future()
            made.set_result(local.batch(begin, batch))
            return made

        await store.add_users(users)
        starts = list(range(0, reports, batch))
        upcoming = [make(begin) for begin in starts[:2]]  # two batches ahead of the writes
        voices = events = surveys = answered = 0
        moments: list[str] = []
        for index in range(len(starts)):
            rows, new_voices, new_events, counters, new_surveys = await upcoming.pop(0)
            if index + 2 < len(starts):
                upcoming.append(make(starts[index + 2]))
            await store.add_batch(rows, new_voices, new_events, counters, new_surveys)
            voices, events = voices + len(new_voices), events + len(new_events)
            surveys += len(new_surveys)
            answered += sum(1 for survey in new_surveys if survey[3] is not None)
            moments = [*moments[:1], rows[0][-2], rows[-1][-2]]  # created_at of first and last
    return DemoSummary(
        users=len(users), reports=reports, voices=voices, events=events,
        first=datetime.fromisoformat(moments[0]) if moments else None,
        last=datetime.fromisoformat(moments[-1]) if moments else None,
        surveys=surveys, answered=answered,
    )  # fmt: skip
