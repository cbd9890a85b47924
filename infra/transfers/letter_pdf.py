"""The letter (组织关系介绍信) as a PDF: 存根, 介绍信 and 回执联 on A4, parted by cut lines,
each with the letter's number. The letter part prints the verification code beside the
fields it covers as the receiving side types them into `transfer-letters/verify` (身份证号
masked there even where the letter shows it in full). Chinese is set in reportlab's
built-in STSong-Light CID font, which PDF readers supply; rendered off the event loop."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from infra.transfers.letters import Letter

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=15, leading=22, alignment=1)
_NUMBER = ParagraphStyle("number", parent=_BODY, alignment=2)
_GENDER = {"male": "男", "female": "女"}
_STATUS = {"full": "正式党员", "probationary": "预备党员"}


def _p(text: Any, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)), style)


def _grid(rows: list[tuple[str, Any]]) -> Table:
    table = Table([[_p(k), _p(v)] for k, v in rows], colWidths=[42 * mm, 128 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _particulars(letter: Letter) -> list[tuple[str, Any]]:
    v = letter.transfer
    return [
        ("姓名", v.member_name),
        ("性别", _GENDER.get(v.member_gender, v.member_gender)),
        ("年龄", letter.age),
        ("民族", v.member_ethnicity),
        ("党员类别", _STATUS.get(v.member_status, v.member_status)),
        ("身份证号码", letter.id_number),
        ("由", f"{v.from_tenant_name} {v.from_organization_name}"),
        ("去", f"{v.to_tenant_name or ''} {v.to_organization_name}".strip()),
        ("党费交至", letter.paid_to),
        ("有效期", f"{v.validity_days} 天（至 {letter.valid_until.isoformat()}）"),
    ]


def _part(title: str, number: str, rows: list[tuple[str, Any]], lead: str = "") -> list[Any]:
    story: list[Any] = [_p(title, _TITLE), _p(f"第 {number} 号", _NUMBER)]
    if lead:
        story += [_p(lead), Spacer(1, 2 * mm)]
    return [*story, _grid(rows)]


def _cut() -> list[Any]:
    return [
        Spacer(1, 4 * mm),
        HRFlowable(width="100%", dash=(4, 3), color=colors.grey),
        Spacer(1, 4 * mm),
    ]


def letter_pdf(letter: Letter) -> bytes:
    v = letter.transfer
    c = letter.sender_contact
    particulars = _particulars(letter)
    contact = [
        ("党员联系电话", letter.phone),
        ("党员原所在基层党委通讯地址", c.get("address")),
        ("联系电话", c.get("phone")),
        ("传真", c.get("fax")),
        ("邮编", c.get("postcode")),
    ]
    check = [
        ("核验码", letter.code),
        (
            "在线核验",
            "接收方在平台“核验介绍信”（POST /api/v1/transfer-letters/verify）录入编号、姓名、"
            f"身份证号 {v.member_id_number_masked}、由、去、党费交至、有效期至和核验码；"
            "任何一项被改动即不匹配。",
        ),
    ]
    lead = (
        f"{v.to_organization_name}：兹介绍{v.member_name}同志"
        f"（{_STATUS.get(v.member_status, v.member_status)}）的党员组织关系由"
        f"{v.from_organization_name}转去你处，请接洽。党费已交到{letter.paid_to}。"
    )
    receipt_lead = (
        f"{v.from_organization_name}：{v.member_name}同志的党员组织关系已转达我处，特此回复。"
    )
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"中国共产党党员组织关系介绍信 {letter.number}",
        author="Zhibu 支部",
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    story = [
        *_part(
            "党员组织关系介绍信（存根）",
            letter.number,
            [*particulars, ("开具日期", letter.issued_on.isoformat())],
        ),
        *_cut(),
        *_part(
            "中国共产党党员组织关系介绍信",
            letter.number,
            [*particulars, *contact, ("开具日期", letter.issued_on.isoformat()), *check],
            lead,
        ),
        *_cut(),
        *_part(
            "党员组织关系介绍信（回执联）",
            letter.number,
            [("姓名", v.member_name), ("接收党组织（盖章）", ""), ("接收日期", "")],
            receipt_lead,
        ),
    ]
    doc.build(story)
    return out.getvalue()
