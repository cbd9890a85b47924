"""Deprecated operations (the versioning policy in the README, "Versions and deprecation").

A deprecated operation keeps answering as before until its sunset, with `Deprecation`
(RFC 9745: since when), `Sunset` (RFC 8594: until when) and a `Link` to its successor on
every answer, and `deprecated: true` in the document; from the sunset on it answers 410
`endpoint_sunset` naming the successor (api.admission checks, before any input is read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from litestar.datastructures import ResponseHeader

DEPRECATION = "deprecation"
"""A handler's `opt` key holding its `Deprecation`."""


@dataclass(frozen=True, slots=True)
class Deprecation:
    successor: str  # the path that replaces it
    since: datetime
    sunset: datetime

    def gone(self, now: datetime) -> bool:
        return now >= self.sunset

    @property
    def link(self) -> str:
        return f'<{self.successor}>; rel="successor-version"'

    def headers(self) -> list[ResponseHeader]:
        return [
            ResponseHeader(
                name="Deprecation",
                value=f"@{int(self.since.timestamp())}",
                description="弃用时间（RFC 9745） Deprecated since (RFC 9745)",
            ),
            ResponseHeader(
                name="Sunset",
                value=format_datetime(self.sunset, usegmt=True),
                description="停用时间，之后返回 410（RFC 8594） Gone from then on (RFC 8594)",
            ),
            ResponseHeader(
                name="Link",
                value=self.link,
                description="替代它的接口 The operation that replaces it",
            ),
        ]


def deprecated_alias(
    route: Callable[..., Any], path: str, deprecation: Deprecation, **kwargs: Any
) -> Callable[[Callable[..., Any]], Any]:
    """`route` (litestar.get, post…) at `path` as a deprecated alias of its successor:
    `deprecated_alias(get, "/old", Deprecation(...), ...)(new_handler.fn)`."""
    opt = {**kwargs.pop("opt", {}), DEPRECATION: deprecation}
    return route(  # type: ignore[no-any-return]
        path,
        deprecated=True,
        response_headers=deprecation.headers(),
        opt=opt,
        **kwargs,
    )
