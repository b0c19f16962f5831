"""The meetings' scheduled sends in Telegram: the kit's DueTimer, rebuilt at start and woken
by changes.

The timer is set to the earliest pending job in the database. When it fires, due jobs are
taken a batch of recipients at a time, each recipient claimed in the database before the
message goes out (paced with the notices); then the timer is set again from the database.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import cast

from bot.container import Services
from bot.core.outbox import Outcome as Sending
from bot.meetings.ics import calendar_file, file_name, uid_domain
from bot.meetings.scheduling import Recipient, Subject
from bot.meetings.sends import Job, JobKind, Outcome
from handlers.kit.callbacks import encode
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.due import DueTimer
from handlers.kit.pacing import paced_sender
from handlers.kit.render import keyboard, send_text
from handlers.meetings.views import MEETING_CARD, MeetingViews

log = logging.getLogger(__name__)
REBUILD = "meetings:rebuild"
BATCH = 25
SEND_ATTEMPTS = 3  # for connection errors, where the message surely did not go out
AGAIN = frozenset({Sending.TRANSIENT, Sending.RETRY_AFTER})
WITH_CALENDAR_FILE = frozenset({JobKind.INVITE, JobKind.CHANGE, JobKind.CANCEL})


async def drain(app: BotApplication) -> datetime | None:
    """Send every due job, a batch at a time; return when the next one is due."""
    services: Services = app.bot_data["services"]
    jobs = services.meeting_jobs
    while (job := await jobs.take()) is not None:
        try:
            await _work_on(app, services, job)
        except Exception:  # a bug or bad data: this job stops, the others go on
            log.exception("meeting job failed", extra={"job": job.id})
            await jobs.fail(job)
    return await jobs.next_due()


TIMER = DueTimer("meetings:timer", drain)


def schedule_meetings(app: BotApplication) -> None:
    """Queue the start-up rebuild (it reads the database), which then starts the timer."""
    assert app.job_queue is not None
    for name in (TIMER.name, REBUILD):
        for job in app.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    app.job_queue.run_once(_rebuild, when=0, name=REBUILD)


def wake(app: BotApplication) -> None:
    """Look for due jobs now (after a meeting was created, changed or closed)."""
    TIMER.wake(app)


async def _rebuild(context: BotContext) -> None:
    """Bring the schedule in line with settings, then send whatever is due."""
    rebuilt = await context.services.meeting_jobs.rebuild()
    log.info(
        "meeting schedule rebuilt",
        extra={
            "added": rebuilt.added,
            "skipped": rebuilt.skipped,
            "interrupted": rebuilt.interrupted,  # claimed before a crash: never sent again
            "next_due": rebuilt.next_due.isoformat() if rebuilt.next_due else None,
        },
    )
    await TIMER.run(cast(BotApplication, context.application))


async def _work_on(app: BotApplication, services: Services, job: Job) -> None:
    """Do one step of a job: create the next occurrence, or send to a batch of recipients."""
    jobs = services.meeting_jobs
    if job.kind is JobKind.NEXT:
        meeting = await jobs.advance_series(job)
        log.info("next meeting scheduled", extra={"meeting": meeting.id, "series": job.meeting_id})
        return
    batch = await jobs.claim(job, BATCH)
    if not batch:
        log.info("meeting job done", extra={"job": job.id, "kind": job.kind.value})
        return
    subject = await jobs.subject(job)
    results = await asyncio.gather(
        *(_send(app, services, job, subject, recipient) for recipient in batch)
    )
    await jobs.record(job, [(r.user_id, o) for r, o in zip(batch, results, strict=True)])


async def _send(
    app: BotApplication, services: Services, job: Job, subject: Subject, recipient: Recipient
) -> Outcome:
    """Send one job to one recipient (the message, then any calendar file); return the outcome.

    The message goes at the notices' pace, within the bot-wide budget. Quiet hours do not hold
    it back: an invitation, a change, a cancellation or a reminder is about a meeting at a set
    time, and an officer expects it to arrive before that time, not after the night is over.
    Only what surely did not go out (a connection error, a 429) is tried again.
    """
    views = MeetingViews(services.translate, services.reports.taxonomy, recipient.language)
    paced, chat = paced_sender(app), recipient.user_id
    for tried in range(1, SEND_ATTEMPTS + 1):
        result = await paced.send(chat, lambda: _message(app, job, subject, chat, views))
        if result.ok:
            if job.kind in WITH_CALENDAR_FILE:
                await _calendar_file(app, job, subject, recipient, views)
            return Outcome.SENT
        if result.outcome is Sending.BLOCKED:
            return Outcome.BLOCKED
        if result.outcome in AGAIN and tried < SEND_ATTEMPTS:
            if result.outcome is Sending.TRANSIENT:
                await asyncio.sleep(tried)
            continue  # after a 429 the paced sender waits out the pause
        log.warning(
            "meeting message not sent",
            extra={"job": job.id, "outcome": result.outcome.value, "error": result.error},
        )
        return Outcome.FAILED
    return Outcome.FAILED


async def _message(
    app: BotApplication, job: Job, subject: Subject, chat: int, views: MeetingViews
) -> None:
    """Render a job in the recipient's language and send it."""
    bot, services = app.bot, cast(Services, app.bot_data["services"])
    meeting, item = subject.meeting, subject.action
    open_card = keyboard(
        [[(views.say("meeting.button_open"), encode(MEETING_CARD, "open", meeting.id))]]
    )
    if job.kind is JobKind.INVITE:
        rsvp = keyboard(views.rsvp_rows(meeting, None))
        await send_text(bot, chat, views.invitation(meeting), rsvp)
    elif job.kind is JobKind.CHANGE:
        await send_text(bot, chat, views.change(meeting, job), open_card)
    elif job.kind is JobKind.CANCEL:
        await send_text(bot, chat, views.cancelled(meeting))
    elif job.kind is JobKind.REMINDER:
        await send_text(bot, chat, views.reminder(meeting, job.lead), open_card)
    elif job.kind is JobKind.AGENDA:
        pack = await services.meeting_jobs.agenda_pack(meeting)
        await send_text(bot, chat, views.agenda_pack(pack, services.meetings.today()))
    elif item is not None and job.kind is JobKind.ACTION_DUE:
        await send_text(bot, chat, views.action_due(item, meeting))
    elif item is not None and job.kind is JobKind.ACTION_OVERDUE:
        await send_text(bot, chat, views.action_overdue(item, meeting))
    elif item is not None and job.kind is JobKind.OUTCOME:
        references = await services.meeting_jobs.references_for(job, chat)
        await send_text(bot, chat, views.outcome(item, references))
    else:
        raise ValueError(f"nothing to send for job {job.id} ({job.kind})")


async def _calendar_file(
    app: BotApplication, job: Job, subject: Subject, recipient: Recipient, views: MeetingViews
) -> None:
    """Send the meeting's .ics after its message (once: the message already went out)."""
    meeting = subject.meeting
    domain = uid_domain(app.bot_data["services"].settings.ics_domain, app.bot.username)
    result = await paced_sender(app).send(
        recipient.user_id,
        lambda: app.bot.send_document(
            recipient.user_id,
            calendar_file(meeting, domain=domain),
            filename=file_name(meeting),
            caption=views.ics_caption(meeting),
        ),
    )
    if not result.ok:
        log.warning("calendar file not sent", extra={"job": job.id, "error": result.error})
