"""Column types PostgreSQL has and SQLAlchemy lacks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import cast
from sqlalchemy.types import String, UserDefinedType


class Ltree(UserDefinedType[str]):
    """PostgreSQL ltree, bound and read as its text form (`zb.440000.440300`)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "ltree"

    def bind_expression(self, bindvalue: Any) -> Any:
        return cast(bindvalue, self)

    def column_expression(self, col: Any) -> Any:
        return cast(col, String)
