"""Staff phones encrypted like members'; login throttling by (account, client); rate-limit store.

`app_user.phone` was plaintext, and so was the `p:<phone>` login identifier. Both become
what members have: an AEAD ciphertext, a blind index (the login identifier is now
`p:<hex index>`) and a masked copy. Existing rows are encrypted here with the keys the
caller of `migrate` hands in (`config.attributes["protector"]`); a database with staff
phones and no keys refuses to migrate rather than lose them.

`login_throttle` remembers failed logins per (account, client address) and per account
overall (`client = '*'`), keyed by an opaque subject so unknown usernames are throttled
exactly like real ones. `rate_limit` is the key/value store the HTTP rate limits of all
workers share; it is UNLOGGED: losing counters in a crash is harmless.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from alembic import context, op
from sqlalchemy import text

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SCHEMA = [
    """
    CREATE TABLE login_throttle (
        subject text NOT NULL,
        client text NOT NULL,
        failures integer NOT NULL,
        last_failure_at timestamptz NOT NULL,
        locked_until timestamptz,
        PRIMARY KEY (subject, client)
    )
    """,
    "CREATE INDEX login_throttle_last_failure ON login_throttle (last_failure_at)",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO zhibu_app",
    """
    CREATE UNLOGGED TABLE rate_limit (
        key text PRIMARY KEY,
        value bytea NOT NULL,
        expires_at timestamptz
    )
    """,
    "CREATE INDEX rate_limit_expires ON rate_limit (expires_at)",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit TO zhibu_app",
]


def _encrypt_staff_phones() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        text("SELECT tenant_id, id, phone FROM app_user WHERE phone IS NOT NULL")
    ).all()
    if not rows:
        return
    protector = context.config.attributes.get("protector")
    if protector is None:
        raise RuntimeError("staff phones need the field keys to be encrypted: pass a protector")
    for tenant_id, user_id, phone in rows:
        sealed = protector.staff_phone(phone)
        bind.execute(
            text(
                "UPDATE app_user SET phone_enc = :enc, phone_bidx = :bidx, phone_masked = :masked"
                " WHERE tenant_id = :t AND id = :u"
            ),
            {
                "enc": sealed.ciphertext,
                "bidx": sealed.blind_index,
                "masked": sealed.masked,
                "t": tenant_id,
                "u": user_id,
            },
        )
        bind.execute(
            text("UPDATE login_identity SET identifier = :new WHERE identifier = :old"),
            {"new": "p:" + sealed.blind_index.hex(), "old": "p:" + phone},
        )


def upgrade() -> None:
    op.execute(
        "ALTER TABLE app_user ADD COLUMN phone_enc bytea, ADD COLUMN phone_bidx bytea,"
        " ADD COLUMN phone_masked text"
    )
    _encrypt_staff_phones()
    op.execute("ALTER TABLE app_user DROP COLUMN phone")
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE rate_limit")
    op.execute("DROP TABLE login_throttle")
    # Without the keys phones cannot come back; their login identifiers go with them.
    op.execute("DELETE FROM login_identity WHERE identifier LIKE 'p:%'")
    op.execute("ALTER TABLE app_user ADD COLUMN phone text")
    op.execute("ALTER TABLE app_user DROP COLUMN phone_enc, DROP COLUMN phone_bidx")
    op.execute("ALTER TABLE app_user DROP COLUMN phone_masked")
