"""ltree paths for the tenant tree and the organization tree.

A path is a dot-joined list of labels, root first. Labels are limited to `[A-Za-z0-9_]` so
they are valid on every PostgreSQL version (the hyphen is only accepted from 16 on).
"""

from __future__ import annotations

import re
import uuid

_LABEL = re.compile(r"[A-Za-z0-9_]{1,255}")


def check_label(label: str) -> str:
    """Refuse a label PostgreSQL's ltree would reject; a programming error, not user input."""
    if not _LABEL.fullmatch(label):
        raise ValueError(f"not an ltree label: {label!r}")
    return label


def check_path(path: str) -> str:
    for label in path.split("."):
        check_label(label)
    return path


def append_label(parent_path: str | None, label: str) -> str:
    check_label(label)
    if parent_path is None:
        return label
    return f"{check_path(parent_path)}.{label}"


def is_within(path: str, ancestor: str) -> bool:
    """True when `path` is `ancestor` itself or lies below it (ltree's `path <@ ancestor`)."""
    return path == ancestor or path.startswith(ancestor + ".")


def move_path(old_prefix: str, new_prefix: str, path: str) -> str:
    """Rewrite one path of a moved subtree: the `old_prefix` part becomes `new_prefix`."""
    check_path(new_prefix)
    if not is_within(path, old_prefix):
        raise ValueError(f"{path!r} is not within {old_prefix!r}")
    return new_prefix + path[len(old_prefix) :]


def org_label(org_id: uuid.UUID) -> str:
    """The label of an organization: `o` and its id's 32 hex digits, stable across moves."""
    return "o" + org_id.hex


def org_ids_on_path(org_path: str) -> list[uuid.UUID]:
    """The organization at `org_path` and its ancestors, read from the labels: an
    organization's subtree holds `org_path` exactly when its id is among these."""
    return [uuid.UUID(hex=label[1:]) for label in org_path.split(".")]


def org_child_path(parent_path: str | None, org_id: uuid.UUID) -> str:
    """The path of a new organization; `None` as parent makes it a root of its tenant."""
    return append_label(parent_path, org_label(org_id))


# Casbin domains: a tenant or organization path written with slashes, ending in one.


def tenant_domain(tenant_path: str) -> str:
    """`zb.440000.440300` → `zb/440000/440300/`."""
    return tenant_path.replace(".", "/") + "/"


def org_domain(tenant_path: str, org_path: str) -> str:
    return tenant_domain(tenant_path) + org_path.replace(".", "/") + "/"


def subtree(domain: str) -> str:
    return domain + "*"


def parse_domain(domain: str) -> tuple[str, str | None]:
    """`zb/440000/o1a…/` → (`zb.440000`, `o1a…`): the tenant path and the organization path."""
    labels = [label for label in domain.removesuffix("*").split("/") if label]
    tenant = [label for label in labels if not label.startswith("o")]
    org = [label for label in labels if label.startswith("o")]
    return ".".join(tenant), (".".join(org) or None)
