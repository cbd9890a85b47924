"""The receipt as printable HTML and as a PDF. The PDF sets its Chinese in reportlab's
built-in STSong-Light (an Adobe CID font every PDF reader has), so nothing is installed on
the server and no font file is embedded. Both are rendered off the event loop."""

from __future__ import annotations

import html
import io
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A5, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from domain.dues import format_month
from domain.dues.receipts import ReceiptDocument, amount_in_words, yuan

FONT = "STSong-Light"
SHANGHAI = ZoneInfo("Asia/Shanghai")
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _lines(doc: ReceiptDocument) -> list[tuple[str, str]]:
    month = format_month(doc.month)
    return [
        ("收据编号", doc.number),
        ("交费党员", doc.member_name),
        ("所在党组织", doc.organization_name),
        ("党费所属月份", f"{month[:4]}年{int(month[5:])}月"),
        ("金额（小写）", f"¥{yuan(doc.amount_fen)}"),
        ("金额（大写）", amount_in_words(doc.amount_fen)),
        ("交纳方式", f"网上交纳（{doc.provider}，交易号 {doc.transaction_id}）"),
        ("开具时间", doc.issued_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")),
        ("收款单位", doc.tenant_name),
    ]


def receipt_html(doc: ReceiptDocument) -> str:
    rows = "\n".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in _lines(doc)
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>党费收据 {html.escape(doc.number)}</title>
<style>
body {{ font-family: "Songti SC", "SimSun", serif; margin: 2em; }}
h1 {{ text-align: center; letter-spacing: .5em; }}
table {{ border-collapse: collapse; margin: 0 auto; min-width: 32em; }}
th, td {{ border: 1px solid #000; padding: .4em .8em; text-align: left; }}
th {{ width: 9em; font-weight: normal; }}
@media print {{ body {{ margin: 0; }} }}
</style></head>
<body><h1>党费收据</h1>
<table>
{rows}
</table></body></html>
"""


def receipt_pdf(doc: ReceiptDocument) -> bytes:
    out = io.BytesIO()
    width, height = landscape(A5)
    pdf = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"党费收据 {doc.number}")
    pdf.setFont(FONT, 22)
    pdf.drawCentredString(width / 2, height - 60, "党 费 收 据")
    pdf.setFont(FONT, 12)
    y = height - 105
    for label, value in _lines(doc):
        pdf.drawString(60, y, label)
        pdf.drawString(170, y, value)
        y -= 26
    pdf.showPage()
    pdf.save()
    return out.getvalue()
