"""Forum supergroups in the emulator: topics created by an admin bot, messages in a topic, and
what Telegram refuses (a topic in a plain group, a thread that does not exist)."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.sandbox import BotApiEmulator


async def test_a_topic_is_created_and_messages_go_to_it(bot: Bot, emu: BotApiEmulator) -> None:
    forum = emu.add_group("Officers", forum=True, bot_is_admin=True)
    chat = await bot.get_chat(forum.id)
    assert chat.is_forum
    topic = await bot.create_forum_topic(forum.id, "Release times")
    sent = await bot.send_message(forum.id, "card", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    voice = await bot.send_voice(forum.id, b"OggS voice", duration=4)
    assert voice.voice is not None and voice.voice.to_dict()["duration"] == 4


async def test_what_telegram_refuses_about_topics(bot: Bot, emu: BotApiEmulator) -> None:
    plain = emu.add_group("Brokers", bot_is_admin=True)
    member = emu.add_group("Officers", forum=True)
    forum = emu.add_group("Officers 2", forum=True, bot_is_admin=True)
    with pytest.raises(BadRequest, match=r"(?i)not a forum"):
        await bot.create_forum_topic(plain.id, "Topic")
    with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
        await bot.create_forum_topic(member.id, "Topic")
    with pytest.raises(BadRequest, match=r"(?i)topic_name"):
        await bot.create_forum_topic(forum.id, "x" * 129)
    with pytest.raises(BadRequest, match=r"(?i)thread not found"):
        await bot.send_message(forum.id, "lost", message_thread_id=999)
