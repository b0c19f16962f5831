"""How a draft bulletin looks to an admin: a preview in each language, its items with buttons."""

from __future__ import annotations

from bot.bulletins.model import Bulletin
from handlers.kit import callbacks
from handlers.kit.callbacks import encode
from handlers.kit.context import BotApplication
from handlers.kit.render import Choice, escape, keyboard, send_text
from handlers.kit.replies import Speaker

BULLETIN = callbacks.prefix("bul", "a draft bulletin: edit, drop or take back an item, publish")
EXCERPT = 120


def controls(speaker: Speaker, bulletin: Bulletin) -> tuple[str, list[list[Choice]]]:
    """Return the list of a draft's items, each with its buttons, and Publish."""
    lines = [speaker.say("bulletin.controls", month=bulletin.month.key)]
    rows: list[list[Choice]] = []
    for number, item in enumerate(bulletin.items, start=1):
        text = item.text_in(speaker.lang) or speaker.say("bulletin.no_outcome")
        short = text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
        mark = speaker.say("bulletin.dropped_mark") + " " if item.dropped else ""
        kind = speaker.say(f"bulletin.kind_{item.kind.value}")
        lines.append(f"{number}. {mark}<i>{kind}</i>: {escape(short)}")
        toggle = ("u", "↩️") if item.dropped else ("d", "🗑")
        rows.append(
            [
                (f"✏️ {number}", encode(BULLETIN, "e", bulletin.id, item.id)),
                (f"{toggle[1]} {number}", encode(BULLETIN, toggle[0], bulletin.id, item.id)),
            ]
        )
    rows.append([(speaker.say("bulletin.publish"), encode(BULLETIN, "p", bulletin.id))])
    return "\n".join(lines), rows


async def send_draft(
    app: BotApplication, chat_id: int, speaker: Speaker, bulletin: Bulletin
) -> None:
    """Send an admin the draft: a preview in each language, then the items with their buttons."""
    services = app.bot_data["services"]
    bot, bulletins = app.bot, services.bulletins
    await send_text(bot, chat_id, speaker.say("bulletin.draft_intro", month=bulletin.month.key))
    for language in services.translate.languages:
        name = services.translate(language, "language.name")
        header = speaker.say("bulletin.preview_language", language=name)
        await send_text(bot, chat_id, header + "\n\n" + bulletins.text(bulletin, language))
    text, rows = controls(speaker, bulletin)
    await send_text(bot, chat_id, text, keyboard(rows))
