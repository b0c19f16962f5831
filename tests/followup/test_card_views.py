"""The officer's card: buttons that follow the state, file captions within Telegram's limit,
locations as coordinates with a map link."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.i18n import Translator
from bot.core.taxonomy import Kind
from bot.followup.model import Deadlines, OfficerReportView
from bot.reporting.model import Attachment, AttachmentKind, Status, location_attachment
from config.reference_data import load_taxonomy
from handlers.followup.views import OfficerViews
from handlers.kit.text import CAPTION_LIMIT, split_html, visible_length

T = Translator.from_directory()
MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
PHOTO = Attachment(kind=AttachmentKind.PHOTO, file_id="p", file_unique_id="p")


def _view(status: Status, assigned_to: int | None, *files: Attachment) -> OfficerReportView:
    return OfficerReportView(
        id=7, reference="R-2026-00007", kind=Kind.ISSUE, description="Held",
        topic=None, office=None, office_other=None, incident_date=None, language="en",
        anonymous=True, status=status, urgency=None, sentiment=None, attachments=files,
        created_at=MONDAY, updated_at=MONDAY, assigned_to=assigned_to, duplicate_of=None,
        reason=None, group_size=1, deadlines=Deadlines(MONDAY, MONDAY), overdue=None, thread=(),
    )  # fmt: skip


def _buttons(lang: str, view: OfficerReportView) -> list[str]:
    views = OfficerViews(T, load_taxonomy(), lang, ZoneInfo("UTC"))
    return [text for row in views.actions(view) for text, _ in row]


@pytest.mark.parametrize("lang", ["en", "es", "ru"])
def test_take_only_when_nobody_has_it_and_files_only_when_there_are_some(lang: str) -> None:
    free = _buttons(lang, _view(Status.NEW, None, PHOTO))
    taken = _buttons(lang, _view(Status.IN_PROGRESS, 5, location_attachment(1.0, 2.0)))
    assert T(lang, "followup.btn.take") in free and T(lang, "followup.btn.files") in free
    assert T(lang, "followup.btn.take") not in taken
    assert T(lang, "followup.btn.files") not in taken  # a location is in the card itself


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.REJECTED, Status.DUPLICATE])
def test_a_closed_report_offers_reopen_and_no_status_buttons(status: Status) -> None:
    buttons = _buttons("en", _view(status, 5))
    assert T("en", "followup.btn.reopen") in buttons
    for key in ("take", "acknowledged", "in_progress", "resolved", "reject", "duplicate"):
        assert T("en", f"followup.btn.{key}") not in buttons


def test_a_long_caption_is_split_under_the_caption_limit() -> None:
    views = OfficerViews(T, load_taxonomy(), "ru", ZoneInfo("UTC"))
    long = PHOTO.model_copy(update={"caption": "Печать сорвана <b> & 🚛 " * 120})
    caption = views.file_caption("R-2026-00007", 0, 2, long)
    pieces = split_html(caption, CAPTION_LIMIT)
    assert len(pieces) > 1 and all(visible_length(p) <= CAPTION_LIMIT for p in pieces)
    assert "R-2026-00007" in pieces[0] and "&lt;b&gt;" in caption


def test_a_location_is_shown_with_an_openstreetmap_link() -> None:
    views = OfficerViews(T, load_taxonomy(), "es", ZoneInfo("UTC"))
    card = views.officer_card(_view(Status.NEW, None, location_attachment(10.7, -85.6)), None)
    assert "10.70000, -85.60000" in card
    assert 'href="https://www.openstreetmap.org/?mlat=10.700000&amp;mlon=-85.600000' in card


def test_the_trader_sees_what_they_typed_with_each_file_and_the_voice_length() -> None:
    views = OfficerViews(T, load_taxonomy(), "en", ZoneInfo("UTC"))
    voice = Attachment(kind=AttachmentKind.VOICE, file_id="v", file_unique_id="v", duration=67)
    notes = views.file_notes(
        [PHOTO, PHOTO.model_copy(update={"caption": "Seal <broken>"}), voice,
         location_attachment(10.7, -85.6)]
    )  # fmt: skip
    assert notes == ["📎 2: «Seal &lt;broken&gt;»", "🎤 3: 1:07", "📍 4: 10.70000, -85.60000"]
