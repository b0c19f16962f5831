"""Calendar files: they parse back with the icalendar library and carry the right UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.meetings.ics import calendar_file, file_name, uid_domain
from bot.meetings.model import Meeting, MeetingStatus

MADRID = ZoneInfo("Europe/Madrid")


def _meeting(local: datetime, **changes: object) -> Meeting:
    values: dict[str, object] = {
        "id": 42,
        "title": "Q&A; customs, brokers <and> forwarders",
        "starts_at": local.astimezone(UTC),
        "ends_at": (local + timedelta(minutes=90)).astimezone(UTC),
        "zone": "Europe/Madrid",
        "place": "Customs House, room 2",
        "link": "https://meet.example.org/q?id=7&lang=es",
        "agenda": "1. Scanner queues\n2. Weekend opening",
        "created_by": 1,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(changes)
    return Meeting.model_validate(values)


@pytest.mark.parametrize(
    ("local", "utc_hour"),
    [
        (datetime(2026, 1, 20, 10, 0, tzinfo=MADRID), 9),  # CET, UTC+1
        (datetime(2026, 7, 21, 10, 0, tzinfo=MADRID), 8),  # CEST, UTC+2
    ],
)
def test_the_file_parses_back_with_the_utc_start(local: datetime, utc_hour: int) -> None:
    meeting = _meeting(local)
    calendar = Calendar.from_ical(calendar_file(meeting))
    assert str(calendar["version"]) == "2.0"
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == local and start.utcoffset() == timedelta(0) and start.hour == utc_hour
    assert event.decoded("dtend") - start == timedelta(minutes=90)
    assert str(event["summary"]) == meeting.title  # commas and semicolons escaped and back
    assert str(event["location"]) == "Customs House, room 2"
    assert str(event["url"]) == meeting.link
    assert "Weekend opening" in str(event["description"])
    assert str(event["uid"]) == "meeting-42@customs-feedback-bot"
    assert str(event["status"]) == "CONFIRMED" and int(str(event["sequence"])) == 0
    assert file_name(meeting) == "meeting-42.ics"


def test_a_change_keeps_the_uid_and_raises_the_sequence() -> None:
    first = _meeting(datetime(2026, 3, 3, 10, tzinfo=MADRID))
    moved = first.model_copy(
        update={"starts_at": datetime(2026, 3, 31, 8, tzinfo=UTC), "sequence": 1}
    )
    before = Calendar.from_ical(calendar_file(first)).walk("VEVENT")[0]
    after = Calendar.from_ical(calendar_file(moved)).walk("VEVENT")[0]
    assert before["uid"] == after["uid"] and int(str(after["sequence"])) == 1
    assert after.decoded("dtstart") == datetime(2026, 3, 31, 8, tzinfo=UTC)


def test_an_online_meeting_and_a_cancelled_one() -> None:
    online = _meeting(datetime(2026, 5, 5, 10, tzinfo=MADRID), place=None, agenda="")
    event = Calendar.from_ical(calendar_file(online)).walk("VEVENT")[0]
    assert str(event["location"]) == online.link
    cancelled = online.model_copy(update={"status": MeetingStatus.CANCELLED, "sequence": 3})
    event = Calendar.from_ical(calendar_file(cancelled)).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED" and int(str(event["sequence"])) == 3


def test_each_deployment_has_its_own_uids() -> None:
    meeting = _meeting(datetime(2026, 3, 3, 10, tzinfo=MADRID))
    assert uid_domain("feedback.aduana.go.cr", "CrAduanaBot") == "feedback.aduana.go.cr"
    assert uid_domain(None, "CrAduanaBot") == "craduanabot.t.me"
    assert uid_domain(None, None) == "customs-feedback-bot"
    uids = {
        str(Calendar.from_ical(calendar_file(meeting, domain=domain)).walk("VEVENT")[0]["uid"])
        for domain in ("craduanabot.t.me", "gtaduanabot.t.me")
    }
    assert uids == {"meeting-42@craduanabot.t.me", "meeting-42@gtaduanabot.t.me"}
