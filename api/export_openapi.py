"""Write the app's OpenAPI document: `python -m api.export_openapi openapi/openapi.json`.

The document is checked in (third parties code against it) and a test fails when it
drifts from the app. Building the app needs a database URL, but exporting never runs
the lifespan, so a placeholder that is never connected to is enough.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from infra.settings import Settings

_PLACEHOLDER_URL = "postgresql+psycopg://schema-export@localhost.invalid/unused"


def openapi_document() -> dict[str, Any]:
    from api.app import create_app
    from api.openapi_finish import finish

    app = create_app(Settings(APP_DATABASE_URL=_PLACEHOLDER_URL))
    return finish(app.openapi_schema.to_schema())


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m api.export_openapi OUTPUT.json\n")
        return 2
    target = Path(argv[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(openapi_document()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
