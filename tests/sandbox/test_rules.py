"""Telegram's validation rules, enforced with Telegram's descriptions, through PTB."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden

from bot.sandbox import BotApiEmulator
from bot.sandbox.formatting import EntityParseError, parse_html
from bot.sandbox.markdown import parse_markdown_v2
from bot.sandbox.rendering import render_html


async def test_text_limit_is_4096_characters(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    await bot.send_message(ana.id, "x" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ana.id, "x" * 4097)
    assert emu.violations[-1].description == "Bad Request: message is too long"


async def test_length_is_counted_after_html_parsing(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    sent = await bot.send_message(ana.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert sent.text == "x" * 4096 and sent.entities[0].type == "bold"
    await bot.send_message(ana.id, "&lt;" * 4096, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ana.id, "<i>" + "&amp;" * 4097 + "</i>", parse_mode="HTML")


async def test_length_is_counted_in_utf16_code_units(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    await bot.send_message(ana.id, "😀" * 2048)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ana.id, "😀" * 2048 + "x")


async def test_empty_text_is_rejected(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(ana.id, "  \n ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(ana.id, "<b></b>", parse_mode="HTML")


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("Hello <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("plain</b>", "Unexpected end tag at byte offset 5"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", 'Character "&" at byte offset 4 must be escaped as "&amp;"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("Zoë <br>", 'Unsupported start tag "br" at byte offset 5'),
    ],
)
async def test_bad_html_is_rejected_with_telegrams_reason(
    bot: Bot, emu: BotApiEmulator, html: str, reason: str
) -> None:
    ana = emu.add_user("Ana")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(ana.id, html, parse_mode="HTML")
    assert emu.violations[-1].description == f"Bad Request: can't parse entities: {reason}"


async def test_html_entities_come_back_like_telegrams(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    html = (
        "<b>Bold</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>sp</tg-spoiler> <code>c</code> "
        '<a href="https://customs.example/">link</a> <pre><code class="language-python">x = 1'
        "</code></pre> &lt;3 &#128512;"
    )
    sent = await bot.send_message(ana.id, html, parse_mode="HTML")
    assert sent.text == "Bold it u s sp c link x = 1 <3 😀"
    kinds = [(e.type, e.offset, e.length) for e in sent.entities]
    assert kinds == [
        ("bold", 0, 4),
        ("italic", 5, 2),
        ("underline", 8, 1),
        ("strikethrough", 10, 1),
        ("spoiler", 12, 2),
        ("code", 15, 1),
        ("text_link", 17, 4),
        ("pre", 22, 5),
    ]
    assert sent.entities[6].url == "https://customs.example/"
    assert sent.entities[7].language == "python"
    assert ana.last is not None
    assert ana.last.html == html.replace("&#128512;", "😀")


def test_html_round_trips_through_the_renderer() -> None:
    source = "<b>a <i>b</i></b> &lt;tag&gt; <blockquote expandable>q</blockquote>"
    text, entities = parse_html(source)
    assert render_html(text, entities) == source


def test_markdown_v2_requires_escaping_reserved_characters() -> None:
    text, entities = parse_markdown_v2(r"*Total:* 5\.00 \- [docs](https://x\.org)")
    assert text == "Total: 5.00 - docs"
    assert [e["type"] for e in entities] == ["bold", "text_link"]
    with pytest.raises(EntityParseError, match=r"Character '\.' is reserved"):
        parse_markdown_v2("Total: 5.00")


async def test_markdown_v2_errors_reach_the_bot(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    with pytest.raises(BadRequest, match=r"Can.t parse entities: character .!. is reserved"):
        await bot.send_message(ana.id, "Thanks!", parse_mode="MarkdownV2")


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])

    await bot.send_message(ana.id, "ok", reply_markup=keyboard("d" * 64))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(ana.id, "too long", reply_markup=keyboard("d" * 65))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(ana.id, "bytes, not characters", reply_markup=keyboard("é" * 33))
    assert emu.violations[-1].description == "Bad Request: BUTTON_DATA_INVALID"


async def test_inline_buttons_need_an_action(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    markup = {"inline_keyboard": [[{"text": "Just text"}]]}
    with pytest.raises(BadRequest, match="Can't parse inline keyboard button"):
        await bot.send_message(ana.id, "x", reply_markup=markup)  # type: ignore[arg-type]
    assert emu.violations[-1].description == (
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard"
    )


async def test_malformed_reply_keyboards_are_rejected(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    with pytest.raises(BadRequest):
        await bot.send_message(ana.id, "x", reply_markup={"keyboard": "A,B"})  # type: ignore[arg-type]
    assert emu.violations[-1].description == (
        'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array'
    )
    with pytest.raises(BadRequest, match="Can't parse keyboard button"):
        await bot.send_message(ana.id, "x", reply_markup={"keyboard": [[{"txt": "A"}]]})  # type: ignore[arg-type]


async def test_reply_keyboards_remove_and_force_reply_are_accepted(
    bot: Bot, emu: BotApiEmulator
) -> None:
    ana = emu.add_user("Ana")
    await bot.send_message(ana.id, "Role?", reply_markup=ReplyKeyboardMarkup([["Trader", "Agent"]]))
    assert ana.last is not None and ana.last.reply_keyboard == [["Trader", "Agent"]]
    await bot.send_message(ana.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert ana.last is not None and ana.last.removes_keyboard
    await bot.send_message(ana.id, "Your reference?", reply_markup=ForceReply())
    assert ana.last is not None and ana.last.forces_reply
    assert emu.rejections == []


async def test_caption_limit_is_1024_characters(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    await bot.send_document(ana.id, b"data", filename="a.txt", caption="c" * 1024)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(ana.id, b"data", filename="a.txt", caption="c" * 1025)


async def test_unknown_chat_is_not_found(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "anyone?")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message("@nobody", "anyone?")


async def test_blocked_and_never_started_users_are_forbidden(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    ana.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ana.id, "still there?")
    ana.unblock_bot()
    await bot.send_message(ana.id, "welcome back")

    stranger = emu.add_user("Sam", started=False)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hi")
    await stranger.send("/start")
    await bot.send_message(stranger.id, "hi")
    kinds = [
        u.my_chat_member.new_chat_member.status for u in await bot.get_updates() if u.my_chat_member
    ]
    assert kinds == ["kicked", "member"]


async def test_edit_and_delete_rules(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    sent = await bot.send_message(ana.id, "Status: open")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=ana.id, message_id=sent.message_id + 100)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Status: open", chat_id=ana.id, message_id=sent.message_id)
    assert emu.violations[-1].description.startswith(
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same"
    )
    await bot.edit_message_text("Status: closed", chat_id=ana.id, message_id=sent.message_id)
    assert await bot.delete_message(ana.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ana.id, sent.message_id)
    assert ana.messages == []
    deleted = emu.sent_to(ana, include_deleted=True)[0]
    assert deleted.deleted and deleted.text == "Status: closed"


async def test_callback_answers_are_validated(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    await bot.send_message(ana.id, "Press", reply_markup=markup)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    query = await ana.press("Go")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query["id"], text="t" * 201)
    assert await bot.answer_callback_query(query["id"], text="Done", show_alert=True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query["id"], text="twice")
    assert ana.callback_answers[0].show_alert and ana.callback_answers[0].text == "Done"
