"""The printable digest as PDF (fpdf2, offline): the summary's paragraphs, then the picture.

Text is set in DejaVu Sans, the font matplotlib ships (Latin and Cyrillic), so nothing is
fetched and no system font is needed. Bold and italics follow the summary's <b> and <i>.
"""

from __future__ import annotations

import html as markup
import io
import re
from pathlib import Path

from bot.digests.model import Digest
from bot.digests.text import Wording, plain, summary

_TAGS = {"b": "**", "/b": "**", "i": "__", "/i": "__"}
_TAG = re.compile(r"<(/?)(\w+)[^>]*>")
_OUTSIDE_FONT = re.compile("[\U00010000-\U0010ffff\u2600-\u27bf\ufe0f\u200d]")  # emoji


def _font_folder() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path(), "fonts", "ttf")


def _marked(text: str) -> str:
    """Return Telegram HTML as fpdf2 markdown (**bold**, __italic__), other tags dropped."""

    def tag(match: re.Match[str]) -> str:
        return _TAGS.get(match[1] + match[2].lower(), "")

    return _OUTSIDE_FONT.sub("", markup.unescape(_TAG.sub(tag, text))).strip()


def render_pdf(digest: Digest, w: Wording, picture: bytes | None = None) -> bytes:
    """Return the digest as an A4 PDF: title, summary paragraphs and the picture."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    folder = _font_folder()
    pdf.add_font("DejaVu", "", str(folder / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(folder / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(folder / "DejaVuSans-Oblique.ttf"))
    pdf.add_font("DejaVu", "BI", str(folder / "DejaVuSans-BoldOblique.ttf"))
    title = plain(w("digest.title", start=digest.period.start.isoformat(),
                    end=digest.period.last.isoformat()))  # fmt: skip
    pdf.set_title(_OUTSIDE_FONT.sub("", title).strip())
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", size=10)
    for part in summary(digest, w):
        pdf.multi_cell(0, 5, _marked(part), markdown=True, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    if picture:
        pdf.add_page()
        pdf.image(io.BytesIO(picture), w=pdf.epw)
    return bytes(pdf.output())
