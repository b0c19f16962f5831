"""Digest periods, small-cell suppression, masking of personal details in quotes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.masking import mask_personal, short_quote
from bot.digests.model import (
    MAX_DAYS,
    CountRow,
    Period,
    PeriodError,
    SentimentRow,
    Share,
    suppress,
    suppress_table,
)


def test_week_is_the_last_complete_monday_to_sunday() -> None:
    week = Period.week(date(2026, 11, 25))  # a Wednesday
    assert (week.start, week.last, week.end) == (
        date(2026, 11, 16),
        date(2026, 11, 22),
        date(2026, 11, 23),
    )
    assert week.days == 7 and week.kind == "week" and week.key == "2026-W47"
    assert Period.week(date(2026, 11, 23)) == week  # on the Monday after, the same week


def test_month_is_the_last_complete_calendar_month() -> None:
    october = Period.month(date(2026, 11, 28))
    assert (october.start, october.end, october.days) == (date(2026, 10, 1), date(2026, 11, 1), 31)
    assert october.key == "2026-10"
    december = Period.month(date(2027, 1, 1))
    assert (december.start, december.last) == (date(2026, 12, 1), date(2026, 12, 31))


def test_parse_reads_words_and_inclusive_ranges() -> None:
    today = date(2026, 11, 28)
    assert Period.parse(" Week ", today) == Period.week(today)
    assert Period.parse("MONTH", today) == Period.month(today)
    november = Period.parse("2026-11-01..2026-11-30", today)
    assert (november.start, november.end, november.last) == (
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2026, 11, 30),
    )
    assert november.days == 30 and november.key == "2026-11-01..2026-11-30"
    one_day = Period.parse("2026-11-05..2026-11-05", today)
    assert one_day.days == 1 and one_day.dates() == [date(2026, 11, 5)]
    leap_year = Period.parse("2024-01-01..2024-12-31", today)
    assert leap_year.days == MAX_DAYS


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("fortnight", "period.bad_format"),
        ("2026/11/01..2026/11/30", "period.bad_format"),
        ("2026-11-31..2026-12-01", "period.bad_format"),
        ("2026-11-30", "period.bad_format"),
        ("2026-11-30..2026-11-01", "period.end_before_start"),
        ("2025-01-01..2026-01-02", "period.too_long"),
        ("9999-12-25..9999-12-31", "period.out_of_range"),
        ("0001-01-01..0001-01-07", "period.out_of_range"),
        ("1999-12-31..2000-01-02", "period.out_of_range"),
        ("2027-11-29..2027-11-30", "period.out_of_range"),
        ("٢٠٢٦-١١-٠١..٢٠٢٦-١١-٠٢", "period.bad_format"),
        ("２０２６-11-01..2026-11-02", "period.bad_format"),
    ],
)
def test_parse_rejects_bad_periods_with_a_catalog_key(text: str, key: str) -> None:
    with pytest.raises(PeriodError) as caught:
        Period.parse(text, date(2026, 11, 28))
    assert caught.value.key == key
    assert isinstance(caught.value, ValueError)


def test_previous_has_the_same_length_just_before() -> None:
    november = Period.between(date(2026, 11, 2), date(2026, 12, 1))
    before = november.previous()
    assert (before.start, before.end, before.days) == (date(2026, 10, 3), date(2026, 11, 2), 30)
    week = Period.week(date(2026, 11, 25))
    assert week.previous().kind == "week" and week.previous().key == "2026-W46"


def test_a_whole_month_is_compared_with_the_calendar_month_before() -> None:
    for october in (
        Period.month(date(2026, 11, 28)),
        Period.between(date(2026, 10, 1), date(2026, 10, 31)),
    ):
        before = october.previous()
        assert (before.start, before.end) == (date(2026, 9, 1), date(2026, 10, 1))
        assert before.whole_month and before.previous().start == date(2026, 8, 1)
    march = Period.month(date(2026, 4, 2)).previous()
    assert (march.start, march.days) == (date(2026, 2, 1), 28)


def test_bounds_are_local_midnights_in_utc_across_a_dst_change() -> None:
    october = Period.month(date(2026, 11, 28))
    start, end = october.utc_bounds(ZoneInfo("Europe/Madrid"))  # CEST until 25 October
    assert start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert october.iso_bounds(ZoneInfo("UTC")) == (
        "2026-10-01T00:00:00+00:00",
        "2026-11-01T00:00:00+00:00",
    )


def test_suppress_hides_counts_under_five() -> None:
    assert [suppress(n) for n in range(7)] == ["<5", "<5", "<5", "<5", "<5", 5, 6]


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it() -> None:
    assert suppress_table([10, 3, 8, 20]) == [10, "<5", "<5", 20]  # 3 = total - the rest
    assert suppress_table([10, 3, 2]) == [10, "<5", "<5"]
    assert suppress_table([10, 20]) == [10, 20]
    assert suppress_table([3]) == ["<5"]


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Write to ana.lopez@example.com today", "ana.lopez@example.com"),
        ("Call +7 912 345-67-89 please", "912 345-67-89"),
        ("Llamen al (01) 555-0199-22.", "555-0199"),
        ("see https://example.org/x?y=1", "example.org"),
        ("see www.example.com", "example.com"),
        ("ask @ivan_petrov", "ivan_petrov"),
        ("declaration 10702020/011126/0001234", "0001234"),
    ],
)
def test_mask_personal_hides_contacts_and_long_numbers(text: str, hidden: str) -> None:
    masked = mask_personal(text)
    assert hidden not in masked and "[…]" in masked


def test_mask_personal_keeps_dates_articles_and_short_numbers() -> None:
    text = "On 2026-11-01 (01.11.2026) we waited 12 days, see Art. 7 and 10.4"
    assert mask_personal(text) == text


def test_mask_personal_hides_the_reporters_names() -> None:
    text = "Hello, Carlos García here — ООО «Меридиан»; carlos will call"
    masked = mask_personal(text, ("Carlos", "García", "ООО «Меридиан»", ""))
    assert "Carlos" not in masked and "carlos" not in masked and "Меридиан" not in masked
    assert masked.startswith("Hello, […] […] here")


def test_short_quote_cuts_at_a_word_under_the_limit() -> None:
    assert short_quote("  two\n words ") == "two words"
    quote = short_quote("word " * 60)
    assert len(quote) <= 120 and quote.endswith("…") and not quote.endswith(" …")


def test_figures_compute_changes_and_ratios() -> None:
    assert CountRow(key="x", current=12, previous=10).change == pytest.approx(20.0)
    assert CountRow(key="x", current=3, previous=0).change is None
    assert Share(part=1, whole=4).ratio == 0.25 and Share(part=0, whole=0).ratio is None
    row = SentimentRow(topic="x", current=-0.2, previous=-0.5, reports=3)
    assert row.trend == pytest.approx(0.3)
    assert SentimentRow(topic="x", current=-0.2, previous=None, reports=3).trend is None
