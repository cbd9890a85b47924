"""The interactive docs work on an intranet: the page and everything it loads come from the API.

Also: OPTIONS tells the truth about which methods a path accepts.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from api.export_openapi import openapi_document

METHODS = ("get", "put", "post", "patch", "delete")


async def test_docs_page_loads_every_asset_from_the_api_itself(http: httpx.AsyncClient) -> None:
    r = await http.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert {a.rsplit(".", 1)[-1] for a in assets} >= {"js", "css"}
    for url in assets:
        assert url.startswith("/docs/assets/"), f"{url} is not served by the API"
        asset = await http.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0, url
    assert not re.search(r"<(script|link)[^>]+(src|href)\s*=\s*[\"']?(https?:)?//", page)
    assert "SwaggerUIBundle" in page
    assert "Zhibu API" in page


async def test_options_lists_every_method_of_the_path(http: httpx.AsyncClient) -> None:
    document: dict[str, Any] = openapi_document()
    wrong = []
    for path, item in document["paths"].items():
        url = re.sub(r"\{[^}]+\}", "0193c0de-0000-7000-8000-000000000001", path)
        r = await http.options(url)
        allowed = {m.strip() for m in r.headers.get("allow", "").split(",")}
        expected = {m.upper() for m in METHODS if m in item} | {"OPTIONS"}
        if r.status_code != 204 or allowed != expected:
            wrong.append(f"{path}: {r.status_code} Allow {sorted(allowed)}, not {sorted(expected)}")
    assert not wrong, "\n".join(wrong)
