"""The office picker: offices found by a typed part of a name, or browsed a page at a time.

Shared by the report flow, /subscribe and the officers' audiences. Each caller says what data
its buttons carry (callback data from its own registry prefix); this module only chooses which
offices a screen shows, in what order, and lays out their buttons and the ◀️ ▶️ row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.taxonomy import Office, Taxonomy, search_offices
from handlers.kit.render import Choice

PAGE_SIZE = 8  # offices on one page of the list
ALL_AT_ONCE = 10  # up to this many offices, the list is one screen without paging (as always)
MATCHES_SHOWN = 8  # offices shown for a typed search; more: "type a few more letters"
SEARCH_MAX = 100  # longer text is not a search for an office name


@dataclass(frozen=True)
class OfficeScreen:
    """The offices one screen shows: a page of the list, or the matches of a typed search."""

    offices: tuple[Office, ...]
    page: int = 0
    pages: int = 1
    total: int = 0  # how many offices the list or search holds in all

    @property
    def more(self) -> int:
        """Return how many matches a search found beyond those shown."""
        return max(0, self.total - len(self.offices))


def ordered(offices: Sequence[Office], recent: Sequence[str] = ()) -> list[Office]:
    """Return the offices with the recently used ones first (most recent first)."""
    by_code = {office.code: office for office in offices}
    first = [by_code[code] for code in dict.fromkeys(recent) if code in by_code]
    chosen = {office.code for office in first}
    return [*first, *(office for office in offices if office.code not in chosen)]


def browse(offices: Sequence[Office], page: int = 0, recent: Sequence[str] = ()) -> OfficeScreen:
    """Return one page of the offices (recent first); a short list is shown whole, in order."""
    if len(offices) <= ALL_AT_ONCE:
        return OfficeScreen(tuple(offices), total=len(offices))
    listed = ordered(offices, recent)
    pages = -(-len(listed) // PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    shown = listed[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    return OfficeScreen(tuple(shown), page, pages, len(listed))


def page_holding(offices: Sequence[Office], code: str, recent: Sequence[str] = ()) -> int:
    """Return the page of the list where an office is shown."""
    codes = [office.code for office in ordered(offices, recent)]
    return codes.index(code) // PAGE_SIZE if code in codes else 0


def find(taxonomy: Taxonomy, text: str, language: str) -> OfficeScreen:
    """Return the offices matching typed text (any language, accents and case ignored)."""
    if len(text) > SEARCH_MAX:
        return OfficeScreen(())
    found = search_offices(taxonomy, text, language)
    return OfficeScreen(tuple(found[:MATCHES_SHOWN]), total=len(found))


def office_rows(
    screen: OfficeScreen,
    language: str,
    data: Callable[[Office], str],
    mark: Callable[[Office], str] = lambda office: "",
) -> list[list[Choice]]:
    """Return one button per office of the screen (a mark such as a tick before its name)."""
    return [[(mark(office) + office.name(language), data(office))] for office in screen.offices]


def paging_row(screen: OfficeScreen, data: Callable[[int], str]) -> list[Choice]:
    """Return the ◀️ ▶️ row of a paged list (empty for one page); the ends wrap around.

    Each button names the page it opens; the page shown is in the text (`page_note`), so no
    button re-opens the page already shown (an edit changing nothing is refused by Telegram).
    """
    if screen.pages <= 1:
        return []
    before = (screen.page - 1) % screen.pages
    after = (screen.page + 1) % screen.pages
    return [(f"◀️ {before + 1}", data(before)), (f"{after + 1} ▶️", data(after))]


def page_note(screen: OfficeScreen) -> str:
    """Return "(page/pages)" to put after a paged list's question ("" for one page)."""
    return f" ({screen.page + 1}/{screen.pages})" if screen.pages > 1 else ""
