"""Where a 身份证号 was issued: its first six digits are a GB/T 2260 division code.

The first two digits name the province-level division (省级行政区), the six together the
county-level one. Old numbers keep the area of first issue, so withdrawn codes stay valid.
"""

from __future__ import annotations

from domain.members.division_codes import DIVISION_CODES

PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    "83": "台湾地区（居住证）",
}

AREA_CODES: frozenset[str] = frozenset(
    province + rest for province, codes in DIVISION_CODES.items() for rest in codes.split()
)


def is_province_code(code: str) -> bool:
    """Whether two digits are an assigned province-level code (11 北京 … 82 澳门)."""
    return code in PROVINCES


def is_area_code(code: str) -> bool:
    """Whether six digits are a division code assigned at some time since 1980."""
    return code in AREA_CODES
