"""The transfer letter (组织关系介绍信): as data, as a printable page, and its online check."""

from __future__ import annotations

import uuid
from html import escape

from litestar import MediaType, Response, get, post
from litestar.openapi.datastructures import ResponseSpec

from api.context import Ctx
from api.deps import AppSettings, Protector
from api.openapi_common import READ, WRITE
from api.transfers import schemas as s
from api.transfers.presenters import letter_out, who_of
from domain.transfers import LetterFace
from infra.offload import offload
from infra.settings import Settings
from infra.transfers import letter_key, letter_of, letter_pdf, verify_letter

TAGS = ["Transfers"]


def _key(settings: Settings) -> bytes:
    return letter_key(settings.secret_bytes("jwt_secret"))


@get(
    "/transfers/{transfer_id:uuid}/letter",
    summary="组织关系介绍信 The transfer letter",
    description=(
        "已发出的转接的介绍信（存根、介绍信、回执三联共用的内容）：编号取自数据库序列，"
        "党费交至取自党费账（大写），有效期为租户设置（默认 90 天，过期自动失效），"
        "核验码供接收方在线核验。转出方看到全号身份证号（记审计），接收方看到脱敏号。"
    ),
    tags=TAGS,
    operation_id="getTransferLetter",
    responses=READ,
)
async def get_letter(
    ctx: Ctx, app_settings: AppSettings, protector: Protector, transfer_id: uuid.UUID
) -> s.TransferLetterOut:
    async with ctx.uow() as uow:
        letter = await letter_of(uow, ctx, who_of(ctx), protector, _key(app_settings), transfer_id)
    return letter_out(letter)


def _row(label: str, value: object) -> str:
    return (
        f"<tr><th>{escape(label)}</th><td>{escape('' if value is None else str(value))}</td></tr>"
    )


def render(letter: s.TransferLetterOut) -> str:
    """Three parts on one page: 存根, 介绍信, 回执联; every value escaped."""
    m = letter.member
    c = letter.sender_contact
    common = "".join(
        [
            _row("姓名", m.name),
            _row("性别", {"male": "男", "female": "女"}.get(m.gender, m.gender)),
            _row("年龄", m.age),
            _row("民族", m.ethnicity),
            _row(
                "党员类别", {"full": "正式党员", "probationary": "预备党员"}.get(m.status, m.status)
            ),
            _row("身份证号码", m.id_number),
            _row("由", f"{letter.from_tenant_name} {letter.from_organization_name}"),
            _row("去", f"{letter.to_tenant_name or ''} {letter.to_organization_name}"),
            _row("党费交至", letter.paid_to),
            _row("有效期", f"{letter.validity_days} 天（至 {letter.valid_until}）"),
        ]
    )
    contact = "".join(
        [
            _row("党员联系电话", m.phone),
            _row("党员原所在基层党委通讯地址", c.address),
            _row("联系电话", c.phone),
            _row("传真", c.fax),
            _row("邮编", c.postcode),
        ]
    )
    number = escape(letter.number)
    code = escape(letter.verification_code)
    parts = [
        ("存根", common + _row("开具日期", letter.issued_on)),
        ("中国共产党党员组织关系介绍信", common + contact + _row("核验码", code)),
        (
            "回执联",
            _row("姓名", m.name) + _row("介绍信编号", number) + _row("接收党组织（盖章）", ""),
        ),
    ]
    sections = "".join(
        f"<section><h2>{escape(title)}</h2><p>第 {number} 号</p><table>{rows}</table></section>"
        for title, rows in parts
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>组织关系介绍信 {number}</title><style>"
        "section{page-break-after:always;border-bottom:1px dashed #999;padding:1em}"
        "th{text-align:left;padding-right:1em}</style></head>"
        f"<body>{sections}</body></html>"
    )


@get(
    "/transfers/{transfer_id:uuid}/letter/html",
    summary="打印介绍信 The letter as a printable page",
    description="同 `GET /transfers/{id}/letter`，为可打印的 HTML（存根、介绍信、回执联三联）。",
    tags=TAGS,
    operation_id="printTransferLetter",
    media_type=MediaType.HTML,
    responses=READ,
)
async def print_letter(
    ctx: Ctx, app_settings: AppSettings, protector: Protector, transfer_id: uuid.UUID
) -> Response[str]:
    async with ctx.uow() as uow:
        letter = await letter_of(uow, ctx, who_of(ctx), protector, _key(app_settings), transfer_id)
    return Response(
        render(letter_out(letter)),
        media_type=MediaType.HTML,
        headers={"Cache-Control": "no-store"},
    )


@get(
    "/transfers/{transfer_id:uuid}/letter/pdf",
    summary="介绍信（PDF） The letter as a PDF",
    description=(
        "同 `GET /transfers/{id}/letter`，为 A4 PDF：存根、介绍信、回执联三联，以裁切线分开，"
        "各印编号；介绍信联印核验码及在线核验所需各项（身份证号脱敏）。中文以 PDF 阅读器内置的 "
        "STSong-Light 字体排版。"
    ),
    tags=TAGS,
    operation_id="getTransferLetterPdf",
    responses={
        200: ResponseSpec(
            data_container=bytes,
            media_type="application/pdf",
            description="介绍信 The letter",
            generate_examples=False,
        ),
        **READ,
    },
)
async def letter_as_pdf(
    ctx: Ctx, app_settings: AppSettings, protector: Protector, transfer_id: uuid.UUID
) -> Response[bytes]:
    async with ctx.uow() as uow:
        letter = await letter_of(uow, ctx, who_of(ctx), protector, _key(app_settings), transfer_id)
    return Response(
        await offload(letter_pdf, letter),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{letter.number}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@post(
    "/transfer-letters/verify",
    summary="核验介绍信 Verify a letter",
    description=(
        "按介绍信上印的内容和核验码核验：任何一项被改动（如党费交至、姓名、接收党组织）都不再匹配。"
        "匹配且本方能看到该转接时同时返回其状态。"
    ),
    tags=TAGS,
    operation_id="verifyTransferLetter",
    status_code=200,
    responses=WRITE,
)
async def verify(
    ctx: Ctx, app_settings: AppSettings, data: s.TransferLetterVerifyIn
) -> s.TransferLetterVerifyOut:
    face = LetterFace(
        number=data.number,
        name=data.member_name,
        id_number_masked=data.member_id_number,
        from_organization=data.from_organization_name,
        to_organization=data.to_organization_name,
        paid_to=data.paid_to,
        valid_until=data.valid_until.isoformat(),
    )
    async with ctx.uow() as uow:
        verdict = await verify_letter(uow, _key(app_settings), face, data.verification_code)
        uow.audit(
            "transfer.letter_verified",
            "transfer_letter",
            None,
            detail={"number": data.number, "valid": verdict.valid},
        )
    return s.TransferLetterVerifyOut(valid=verdict.valid, state=verdict.state)  # type: ignore[arg-type]


ROUTES = [get_letter, print_letter, letter_as_pdf, verify]
