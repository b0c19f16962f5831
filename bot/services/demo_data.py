"""Synthetic traders, reports, voices and status history for demos and benchmarks."""

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

from bot.domain import recurring
from bot.domain.reports import format_reference
from bot.domain.taxonomy import NO_OFFICE, Taxonomy

USER_ID_BASE = 10**12  # far above real Telegram user ids, so demo users never clash with them
BATCH = 50_000
DAY = 86_400
EPOCH = datetime(1970, 1, 1, tzinfo=UTC).date()

_SENTENCES = """
[release_delays]
en i Our import declaration has waited {days} days for release with no explanation.
en s Publish expected release times per office and tell us when a consignment is held.
en q How many days should release take once all documents have been accepted?
es i Nuestra declaración de importación lleva {days} días esperando el levante sin explicación.
es s Publiquen los plazos de levante de cada aduana y avisen cuando se retiene una carga.
es q ¿Cuántos días debe tardar el levante una vez aceptados todos los documentos?
ru i Декларация ждёт выпуска уже {days} дн., на посту ничего не объясняют.
ru s Публикуйте сроки выпуска по каждому посту и сообщайте, когда груз задержан.
ru q Сколько дней должен занимать выпуск после того, как все документы приняты?
[documentation]
en i They asked for the original invoice again although we uploaded it; we waited {days} days.
en s Accept scanned certificates of origin instead of paper originals.
en q Which documents are required for a temporary import of exhibition goods?
es i Volvieron a pedir la factura original aunque ya la habíamos cargado; esperamos {days} días.
es s Propongo aceptar certificados de origen escaneados en lugar de originales en papel.
es q ¿Qué documentos se exigen para la importación temporal de mercancías para una feria?
ru i Снова потребовали оригинал инвойса, хотя мы его уже загрузили; партия простояла {days} дн.
ru s Предлагаем принимать сканы сертификатов происхождения вместо бумажных оригиналов.
ru q Какие документы нужны для временного ввоза товаров на выставку?
[fees_payments]
en i We paid the duties {days} days ago but the payment does not show and the goods are blocked.
en s Allow payment of fees by bank card at the counter and online.
en q Why was a storage fee charged while the goods were held for inspection?
es i Pagamos los derechos hace {days} días, pero el pago no aparece y la mercancía sigue retenida.
es s Sería útil poder pagar las tasas con tarjeta en ventanilla y en línea.
es q ¿Por qué se cobró almacenaje mientras la mercancía estaba retenida para inspección?
ru i Пошлину оплатили {days} дн. назад, но платёж так и не отразился, товар заблокирован.
ru s Просим разрешить оплату сборов банковской картой в окне и онлайн.
ru q Почему взяли плату за хранение, пока товар стоял на досмотре?
[it_systems]
en i The single window portal has been down for {days} days and declarations cannot be filed.
en s Send an e-mail or SMS when a declaration changes status in the system.
en q Is there a test environment where brokers can try the new declaration format?
es i El portal de ventanilla única lleva {days} días caído y no se pueden presentar declaraciones.
es s Envíen un correo o SMS cuando una declaración cambia de estado en el sistema.
es q ¿Hay un entorno de pruebas para que los agentes ensayen el nuevo formato de declaración?
ru i Портал «единого окна» не работает уже {days} дн., декларации подать невозможно.
ru s Присылайте письмо или SMS, когда меняется статус декларации в системе.
ru q Есть ли тестовая среда, где брокеры могут опробовать новый формат декларации?
[classification_valuation]
en i The declared value was raised without explanation and the review took {days} days.
en s Publish advance rulings on classification so that every office applies the same code.
en q How do I apply for an advance ruling on the tariff code of a new product?
es i Aumentaron el valor declarado sin explicación y la revisión tardó {days} días.
es s Publiquen las resoluciones anticipadas para que todas las aduanas apliquen la misma partida.
es q ¿Cómo solicito una resolución anticipada sobre la partida de un producto nuevo?
ru i Заявленную стоимость повысили без объяснений, а пересмотр занял {days} дн.
ru s Публикуйте предварительные решения по классификации, чтобы код применяли одинаково.
ru q Как получить предварительное решение по коду ТН ВЭД для нового товара?
[inspections]
en i Every consignment of ours goes to physical inspection; the last one waited {days} days.
en s Let traders attend inspections by appointment so containers are not opened twice.
en q On what criteria are consignments selected for physical inspection?
es i Todos nuestros envíos van a inspección física; el último esperó {days} días en el escáner.
es s Permitan asistir a la inspección con cita previa para no abrir el contenedor dos veces.
es q ¿Con qué criterios se seleccionan los envíos para inspección física?
ru i Все наши партии отправляют на физический досмотр; последняя простояла {days} дн.
ru s Предлагаем досмотр по записи в присутствии декларанта, чтобы не вскрывать контейнер дважды.
ru q По каким критериям партии отбирают на физический досмотр?
[transparency]
en i The new rule on samples applied from the day it was published, with no time to prepare.
en s Publish draft regulations for comment at least {days} days before they take effect.
en q Where can I find the list of restricted goods and how do I appeal a decision?
es i La nueva norma sobre muestras se aplicó el mismo día de su publicación, sin tiempo de ajuste.
es s Publiquen los proyectos de normas para comentarios {days} días antes de su entrada en vigor.
es q ¿Dónde consulto la lista de mercancías restringidas y cómo recurro una decisión?
ru i Новое правило об образцах применили в день публикации, подготовиться было невозможно.
ru s Публикуйте проекты нормативных актов для обсуждения за {days} дн. до вступления в силу.
ru q Где найти перечень ограниченных товаров и как обжаловать решение?
[integrity]
en i An officer hinted clearance would be faster for an extra payment; we refused and waited.
en s Put up signs with the hotline number for complaints about officials' conduct.
en q How can a complaint about an officer be filed confidentially?
es i Un funcionario insinuó que con un pago extra el despacho sería más rápido; nos negamos.
es s Coloquen carteles con el número de la línea de denuncias sobre la conducta del personal.
es q ¿Cómo se presenta una queja confidencial sobre un funcionario?
ru i Сотрудник намекнул, что за доплату оформят быстрее; мы отказались и ждали {days} дн.
ru s Разместите на постах номер горячей линии для жалоб на действия сотрудников.
ru q Как подать конфиденциальную жалобу на сотрудника таможни?
[border_cooperation]
en i Trucks queue {days} days at the crossing: the veterinary post and Customs keep other hours.
en s Hold joint inspections with the other border agencies at one stop.
en q Can transit goods be sealed once and not inspected again at the exit post?
es i Los camiones esperan {days} días en el paso: veterinaria y Aduana tienen horarios distintos.
es s Propongo inspecciones conjuntas con los demás organismos de frontera en un solo punto.
es q ¿Se puede precintar la mercancía en tránsito una vez y no revisarla de nuevo a la salida?
ru i Фуры стоят на переходе по {days} дн.: ветконтроль и таможня работают в разные часы.
ru s Предлагаем совместный досмотр с другими пограничными службами в одном месте.
ru q Можно ли опломбировать транзитный груз один раз и не досматривать его на выезде?
[other]
en i The parking area at the office has no lighting and drivers wait there for {days} days.
en s Open a second counter during the morning peak.
en q Are the office opening hours different on public holidays?
es i El estacionamiento de la aduana no tiene luz y los conductores esperan allí {days} días.
es s Abran una segunda ventanilla en la hora punta de la mañana.
es q ¿Cambia el horario de atención de la aduana en días festivos?
ru i Стоянка у поста не освещена, а водители ждут там по {days} дн.
ru s Предлагаем открывать второе окно в утренние часы пик.
ru q Меняется ли график работы поста в праздничные дни?
"""
_OPENERS = {
    "en": ("", "", "Hello.", "Good morning.", "Hello again."),
    "es": ("", "", "Hola.", "Buenos días.", "Buenas tardes."),
    "ru": ("", "", "Здравствуйте.", "Добрый день.", "Уважаемые коллеги!"),
}
_CLOSERS = {  # the last three show the masking of contacts and names in digest quotes
    "en": ("", "Please help.", "It costs us money.", "Write to {email}.", "Call {phone}.",
           "— {org}"),
    "es": ("", "Ayúdennos.", "Nos cuesta dinero.", "Escriban a {email}.", "Llamen al {phone}.",
           "— {org}"),
    "ru": ("", "Просим помочь.", "Это стоит денег.", "Пишите на {email}.", "Звоните: {phone}.",
           "— {org}"),
}  # fmt: skip
_CLOSER_CUMULATIVE = (0.6, 0.78, 0.9, 0.94, 0.97)  # thresholds between the closers above
_NAMES = {
    "en": ("James Mary Robert Linda Michael Sarah David Emma", "Smith Brown Taylor Wilson Clark"),
    "es": ("Carlos María José Lucía Javier Ana Diego Valentina", "García López Pérez Gómez Ruiz"),
    "ru": ("Алексей Мария Дмитрий Елена Сергей Ольга Иван Анна", "Ким Мельник Шевчук Бондаренко"),
}
_ORGS = {
    "en": ("{} Logistics Ltd", "Harbor Summit Bluewater Northstar Keystone Meridian"),
    "es": ("{} Comercial SRL", "Andina Austral Pacífico Cóndor Altiplano Caribe"),
    "ru": ("ООО «{}»", "Восток Меридиан Транзит Сапсан Ладога Кедр"),
}
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
    """A synthetic trader, in the column order of storage.demo_data.USER_COLUMNS."""

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


DemoReport = tuple[Any, ...]  # in the column order of storage.demo_data.REPORT_COLUMNS
Voice = tuple[int, int, None, str, str]  # report_id, user_id, comment, language, created_at
Event = tuple[int, str, str]  # report_id, status, at
Batch = tuple[list[DemoReport], list[Voice], list[Event], dict[int, int]]


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
    ) -> None: ...
    async def end_bulk(self) -> None: ...


@dataclass(frozen=True)
class Plan:
    """What to generate: reports over the year before now, ids and references after first_id."""

    taxonomy: Taxonomy
    reports: int
    seed: int
    now: datetime
    first_id: int
    counters: dict[int, int]


@dataclass(frozen=True)
class DemoSummary:
    """What was generated."""

    users: int
    reports: int
    voices: int
    events: int
    first: datetime | None
    last: datetime | None


def sentences() -> dict[tuple[str, str, str], str]:
    """Return the report sentence for each (topic, language, kind)."""
    found: dict[tuple[str, str, str], str] = {}
    topic = ""
    for line in _SENTENCES.strip().splitlines():
        if line.startswith("["):
            topic = line.strip("[]")
            continue
        language, kind, text = line.split(" ", 2)
        found[(topic, language, {"i": "issue", "s": "suggestion", "q": "question"}[kind])] = text
    return found


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
        firsts, lasts = (part.split() for part in _NAMES[language])
        pattern, words = _ORGS[language]
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


def _timestamps(rng: random.Random, count: int, now: datetime) -> list[float]:
    """Return sorted report times over the year before now: growing use, busy on weekdays."""
    start = (now - timedelta(days=365)).replace(hour=0, minute=0, second=0, microsecond=0)
    days = range(366)
    weights = [
        (1 + 1.5 * day / 365) * (0.2 if (start + timedelta(days=day)).weekday() >= 5 else 1)
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
        self.times = _timestamps(rng, plan.reports, plan.now)
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
        self.start = plan.now.timestamp() - 365 * DAY
        texts = sentences()
        self.variants = {
            key: [
                f"{opener} {text.format(days=days)}".lstrip()
                for opener in _OPENERS[key[1]]
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
        for offset, created in enumerate(times):
            report_id = self.first_id + begin + offset
            user = self.users[bisect.bisect(reporters, rng.random() * reporters[-1])]
            kind = _KINDS[bisect.bisect((0.6, 0.85), rng.random())]
            topic = self.topics[bisect.bisect(topics, rng.random() * topics[-1])]
            roll = rng.random()
            language = user.language if roll < 0.9 else ("en", "es", "ru")[int(roll * 30) % 3]
            stamped = [(status, _iso(at)) for status, at in history(rng, kind, created, self.now)]
            events.extend((report_id, status, at) for status, at in stamped[1:])
            year = int(stamped[0][1][:4])
            counters[year] = counters.get(year, 0) + 1
            (low, high), urgency, roll = _SENTIMENT[kind], _URGENCY[kind], rng.random()
            places, weights = self.places[topic]
            office = places[bisect.bisect(weights, rng.random() * weights[-1])]
            tone = low + (high - low) * rng.random() + _MOOD.get(topic, 0.0)
            tone += _DRIFT.get(topic, 0.0) * (created - self.start) / (365 * DAY)
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
        return reports, voices, events, dict(counters)

    def _text(self, topic: str, language: str, user: DemoUser, kind: str) -> str:
        rng, variants = self.rng, self.variants[(topic, language, kind)]
        text = variants[int(rng.random() * len(variants))]
        closer = _CLOSERS[language][bisect.bisect(_CLOSER_CUMULATIVE, rng.random())]
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
    batch: int = BATCH, parallel: bool | None = None,
) -> DemoSummary:  # fmt: skip
    """Fill the store with users and `reports` reports over the year before now, by seed.

    The same seed gives the same data. With `parallel` (default: more than one batch) a worker
    process makes the next batches while this one writes.
    """
    first_id, counters = await store.next_report_id(), await store.reference_counters()
    plan = Plan(taxonomy, reports, seed, now, first_id, counters)
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
        voices = events = 0
        moments: list[str] = []
        for index in range(len(starts)):
            rows, new_voices, new_events, counters = await upcoming.pop(0)
            if index + 2 < len(starts):
                upcoming.append(make(starts[index + 2]))
            await store.add_batch(rows, new_voices, new_events, counters)
            voices, events = voices + len(new_voices), events + len(new_events)
            moments = [*moments[:1], rows[0][-2], rows[-1][-2]]  # created_at of first and last
    return DemoSummary(
        users=len(users), reports=reports, voices=voices, events=events,
        first=datetime.fromisoformat(moments[0]) if moments else None,
        last=datetime.fromisoformat(moments[-1]) if moments else None,
    )  # fmt: skip
