"""The platform's PDF documents (fpdf2): one base with a title, a restriction line and numbered, dated pages.

Every app that prints (a main courante, an intervention sheet, a register for an inspection, a route sheet, a
request to the prefect) builds on `Document` and passes its text through `latin1`, so no app writes its own.
"""

from __future__ import annotations

from django.utils import timezone
from fpdf import FPDF

# The PDF core fonts speak Latin-1: a few typographic characters get their plain equivalents.
_PLAIN = str.maketrans({"\u2014": "-", "\u2013": "-", "\u2019": "'", "\u2018": "'", "\u201c": '"',
                        "\u201d": '"', "\u2026": "...", "\u0153": "oe", "\u0152": "OE", "\u20ac": "EUR",
                        "\u202f": " ", "\u00a0": " "})

RESTRICTED = "Document de police municipale - données personnelles - diffusion restreinte"


def latin1(text: object) -> str:
    """`text` as the core fonts can draw it: typographic characters made plain, the rest replaced by '?'."""
    return str(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class Document(FPDF):
    """An A4 portrait document: the title and a restriction line on every page, 'Page n/N - édité le ...' below.

    `restriction` is the line under the title (personal data, public document...); an empty string prints none.
    """

    def __init__(self, title: str, *, restriction: str = RESTRICTED, orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.title_text = title
        self.restriction = restriction
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(latin1(title))
        self.set_creator("Confiance")
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font("Helvetica", "B", 12)
        self.cell(0, 8, latin1(self.title_text), new_x="LMARGIN", new_y="NEXT")
        if self.restriction:
            self.set_font("Helvetica", "", 8)
            self.cell(0, 5, latin1(self.restriction), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, latin1(f"Page {self.page_no()}/{{nb}} - édité le "
                               f"{timezone.localtime():%d/%m/%Y à %H:%M}"), align="C")

    def heading(self, text: str) -> None:
        """A section title."""
        self.ln(2)
        self.set_font("Helvetica", "B", 10)
        self.cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9)

    def field(self, label: str, value: object, *, label_width: float = 45) -> None:
        """One 'label: value' line; the value wraps."""
        self.set_font("Helvetica", "B", 9)
        self.cell(label_width, 5, latin1(label))
        self.set_font("Helvetica", "", 9)
        self.multi_cell(0, 5, latin1(value if value not in (None, "") else "-"), new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str) -> None:
        self.set_font("Helvetica", "", 9)
        self.multi_cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")

    def grid(self, headers: list[str], rows: list[list[object]], widths: list[float]) -> None:
        """A plain table: a bold header row, then one row per item, cells cut to their width."""
        self.set_font("Helvetica", "B", 8)
        for header, width in zip(headers, widths, strict=True):
            self.cell(width, 6, latin1(header), border=1)
        self.ln()
        self.set_font("Helvetica", "", 8)
        for row in rows:
            for value, width in zip(row, widths, strict=True):
                text = latin1(value if value not in (None, "") else "-")
                while text and self.get_string_width(text) > width - 2:
                    text = text[:-1]
                self.cell(width, 5, text, border=1)
            self.ln()

    def output_bytes(self) -> bytes:
        return bytes(self.output())
