"""The bot's commands and who may use each; the menus and /help are built from this."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.users import Access


@dataclass(frozen=True)
class Command:
    """A slash command, the least access it needs, and whether it shows in menus."""

    name: str
    access: Access = Access.USER
    in_menu: bool = True


COMMANDS: tuple[Command, ...] = (
    Command("start"),
    Command("report"),
    Command("myreports"),
    Command("meetings"),
    Command("cancel"),
    Command("help"),
    Command("language"),
    Command("mydata"),
    Command("deletemydata"),
    Command("stop"),
    Command("subscribe"),
    Command("inbox", access=Access.OFFICER),
    Command("history", access=Access.OFFICER),
    Command("digest", access=Access.OFFICER),
    Command("correct", access=Access.OFFICER),
    Command("team", access=Access.OFFICER),
    Command("newmeeting", access=Access.OFFICER),
    Command("actions", access=Access.OFFICER),
    Command("broadcast", access=Access.ADMIN),
    Command("bulletin", access=Access.ADMIN),
)


def commands_for(access: Access) -> list[Command]:
    """Return the commands a user with this access may use, in menu order."""
    return [command for command in COMMANDS if access.includes(command.access)]
