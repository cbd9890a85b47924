"""Query parameters shared by the tenancy list endpoints."""

from typing import Annotated

from litestar.openapi.spec import Example
from litestar.params import Parameter

NameContains = Annotated[
    str | None,
    Parameter(
        max_length=100, description="名称包含 Name contains", examples=[Example(value="福田")]
    ),
]
