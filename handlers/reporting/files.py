"""Files traders send with reports: fetched and checked by their content before they are kept."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InputFile, Message
from telegram.error import TelegramError

from bot.core import files
from bot.core.errors import UserError
from bot.reporting.drafts import MAX_FILE_BYTES
from bot.reporting.model import Attachment, AttachmentKind, location_attachment
from handlers.kit.context import BotContext
from handlers.kit.render import escape
from handlers.kit.replies import Speaker

log = logging.getLogger(__name__)


def attachment_of(message: Message) -> Attachment | None:
    """Return the photo, document, voice note or location a message carries, as declared, with
    the text typed with it (its caption), if any."""
    found = _declared(message)
    if found is None or not message.caption:
        return found
    return found.model_copy(update={"caption": message.caption})


def _seconds(length: int | timedelta) -> int:
    """Return a duration in whole seconds (PTB gives int or timedelta)."""
    return int(length.total_seconds()) if isinstance(length, timedelta) else int(length)


def _declared(message: Message) -> Attachment | None:
    """Return the file or location a message carries, as declared, if any."""
    if message.location:
        return location_attachment(message.location.latitude, message.location.longitude)
    if message.voice:
        voice = message.voice
        return Attachment(
            kind=AttachmentKind.VOICE,
            file_id=voice.file_id,
            file_unique_id=voice.file_unique_id,
            mime_type=voice.mime_type or files.OGG,
            file_size=voice.file_size,
            duration=_seconds(voice.to_dict().get("duration", 0)),
        )
    if message.photo:
        largest = message.photo[-1]
        return Attachment(
            kind=AttachmentKind.PHOTO,
            file_id=largest.file_id,
            file_unique_id=largest.file_unique_id,
            file_size=largest.file_size,
            width=largest.width,
            height=largest.height,
            mime_type="image/jpeg",
        )
    if message.document:
        doc = message.document
        return Attachment(
            kind=AttachmentKind.DOCUMENT,
            file_id=doc.file_id,
            file_unique_id=doc.file_unique_id,
            file_name=doc.file_name,
            mime_type=doc.mime_type,
            file_size=doc.file_size,
        )
    return None


async def received_attachment(
    context: BotContext, message: Message, speaker: Speaker
) -> Attachment | None:
    """Return the file a message carries, checked: a document is downloaded and kept as what
    its bytes are, under a safe name; UserError (a catalog reason) when it is not accepted.

    Telegram re-encodes photos, so they are kept as they came. A document whose name had to
    change is sent back to the sender under the safe name, and that copy is what is kept, so
    officers never see the disguised name.
    """
    attachment = attachment_of(message)
    if attachment is None or attachment.kind in (AttachmentKind.PHOTO, AttachmentKind.LOCATION):
        return attachment
    if attachment.file_size is not None and attachment.file_size > MAX_FILE_BYTES:
        raise UserError("report.error_file_large", megabytes=MAX_FILE_BYTES // (1024 * 1024))
    try:
        found = await context.bot.get_file(attachment.file_id)
        content = bytes(await found.download_as_bytearray())
    except TelegramError as problem:
        log.warning("file not fetched", extra={"error": type(problem).__name__})
        raise UserError("report.error_file_unreadable") from None
    try:
        if attachment.kind is AttachmentKind.VOICE:
            return attachment.model_copy(
                update={"mime_type": files.sniff_voice(content), "file_size": len(content)}
            )
        checked = files.inspect(content, attachment.file_name)
    except UserError as refusal:
        log.warning("file refused", extra={"reason": refusal.reason})
        raise
    kept = attachment.model_copy(
        update={
            "mime_type": checked.mime_type,
            "file_name": checked.file_name,
            "file_size": len(content),
        }
    )
    if checked.file_name == attachment.file_name:
        return kept
    copy = await context.bot.send_document(
        message.chat.id,
        InputFile(content, filename=checked.file_name),
        caption=speaker.say("report.file_renamed", name=escape(checked.file_name)),
    )
    if copy.document is None:
        return kept
    return kept.model_copy(
        update={"file_id": copy.document.file_id, "file_unique_id": copy.document.file_unique_id}
    )
