"""The archive's readable copy: the applicant, the steps and the forms as one PDF.

Chinese renders with reportlab's built-in STSong-Light CID font, which PDF readers supply:
no font file and no system package is needed. Pure computation, run off the event loop.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=18, leading=26, alignment=1)
_HEADING = ParagraphStyle("heading", parent=_BODY, fontSize=13, leading=20, spaceBefore=8)


@dataclass(frozen=True, slots=True)
class Section:
    """A titled table of label → value rows (a form, or the applicant's particulars)."""

    title: str
    rows: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class ArchiveDocument:
    title: str
    particulars: Section
    steps: list[tuple[str, str, str, str, str]]
    """(number, step, date, decision, opinion) per recorded step."""
    forms: list[Section]
    scans: list[tuple[str, str, str]]
    """(path in the archive, original file name, SHA-256)."""


def _p(text: Any, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), style)


def _grid(rows: list[list[Paragraph]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _section(section: Section) -> list[Any]:
    rows = [[_p(label), _p(value)] for label, value in section.rows] or [[_p("—"), _p("")]]
    return [_p(section.title, _HEADING), _grid(rows, [40 * mm, 130 * mm])]


def render_pdf(document: ArchiveDocument) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=document.title, author="Zhibu 支部")
    story: list[Any] = [_p(document.title, _TITLE), Spacer(1, 6 * mm)]
    story += _section(document.particulars)
    header = [_p(h) for h in ("步骤", "事项", "日期", "结果", "意见")]
    steps = [header, *([_p(c) for c in row] for row in document.steps)]
    story += [
        _p("发展程序", _HEADING),
        _grid(steps, [12 * mm, 48 * mm, 25 * mm, 20 * mm, 65 * mm]),
    ]
    for form in document.forms:
        story += _section(form)
    scans = [[_p("文件"), _p("原文件名"), _p("SHA-256")]]
    scans += [[_p(path), _p(name), _p(digest)] for path, name, digest in document.scans]
    story += [_p("扫描件", _HEADING), _grid(scans, [45 * mm, 45 * mm, 80 * mm])]
    doc.build(story)
    return out.getvalue()
