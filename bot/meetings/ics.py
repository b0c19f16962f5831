"""Calendar files (.ics, RFC 5545) for meetings, written with the icalendar library."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from bot.meetings.model import Meeting, MeetingStatus

PRODUCT = "-//Customs Feedback Bot//Consultations//EN"
UID_DOMAIN = "customs-feedback-bot"  # when neither ICS_DOMAIN nor the bot's username is known


def uid_domain(configured: str | None, username: str | None) -> str:
    """Return the deployment's part of every event UID: ICS_DOMAIN, else <username>.t.me."""
    if configured:
        return configured
    return f"{username.lower()}.t.me" if username else UID_DOMAIN


def calendar_file(
    meeting: Meeting, now: datetime | None = None, *, domain: str = UID_DOMAIN
) -> bytes:
    """Return one event for a meeting, its start and end in UTC.

    The UID (meeting id @ the deployment's domain) stays the same across changes and SEQUENCE
    grows, so a calendar app updates the event it already has; a cancelled meeting comes with
    STATUS:CANCELLED.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{domain}")
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", meeting.title)
    location = meeting.place or meeting.link
    if location:
        event.add("location", location)
    if meeting.link:
        event.add("url", meeting.link)
    description = "\n\n".join(part for part in (meeting.agenda, meeting.link or "") if part)
    if description:
        event.add("description", description)
    event.add("sequence", meeting.sequence)
    cancelled = meeting.status is MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def file_name(meeting: Meeting) -> str:
    """Return the file name a meeting's calendar file is sent under."""
    return f"meeting-{meeting.id}.ics"
