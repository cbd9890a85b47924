"""Two factors for administrators (等保 2.0 L3), through HTTP against the real database.

The shared test server runs with `ZHIBU_MFA_REQUIRED_FOR_ADMINS` off so the suite's demo
admins log in with a password; here a second server over the same database runs with the
shipped default (on). Each test makes its own accounts: an enrolled account is asked for
its factor on every server, and the demo accounts must stay password-only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from infra.db.bootstrap import DatabaseUrls
from infra.settings import Settings
from tests.conftest import ADMIN_PASSWORD, Api, unique
from tests.integration.test_storage_routes import serve, variant
from tests.integration.test_tenancy import PASSWORD, create_user, problem

V1 = "/api/v1"


@pytest.fixture(scope="module")
async def strict(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A server with the shipped default: administrators need a second factor."""
    configured = variant(settings, ZHIBU_MFA_REQUIRED_FOR_ADMINS=True)
    assert Settings().mfa_required_for_admins is True  # the default this server stands for
    async with serve(configured) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        yield http


@dataclass
class Enrolled:
    username: str
    totp: pyotp.TOTP
    recovery_codes: list[str]
    session: dict[str, Any]


async def new_admin(futian: Api) -> str:
    user = await create_user(futian)
    r = await futian.post(
        f"{V1}/role-assignments", json={"user_id": user["id"], "role": "tenant_admin"}
    )
    assert r.status_code == 201, r.text
    return str(user["username"])


async def password_step(http: httpx.AsyncClient, username: str) -> dict[str, Any]:
    r = await http.post(f"{V1}/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next time step: still accepted (one step of drift), and not the step
    a code was just used for, which a second use must not pass."""
    return totp.at(time.time() + totp.interval)


async def enrolled_admin(http: httpx.AsyncClient, futian: Api) -> Enrolled:
    username = await new_admin(futian)
    step = await password_step(http, username)
    assert (step["mfa_required"], step["enrollment_required"]) == (True, True)
    r = await http.post(f"{V1}/auth/mfa/enroll", json={"challenge": step["challenge"]})
    assert r.status_code == 200, r.text
    totp = pyotp.TOTP(r.json()["secret"])
    r = await http.post(
        f"{V1}/auth/mfa/confirm", json={"challenge": step["challenge"], "code": totp.now()}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    return Enrolled(username, totp, body["recovery_codes"], body["session"])


async def status(http: httpx.AsyncClient, access_token: str) -> dict[str, Any]:
    r = await http.get(f"{V1}/auth/mfa", headers={"Authorization": f"Bearer {access_token}"})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_an_admin_enrols_at_first_login_and_refresh_keeps_the_assurance(
    strict: httpx.AsyncClient, futian: Api
) -> None:
    username = await new_admin(futian)
    step = await password_step(strict, username)
    assert step["mfa_required"] is True
    assert step["enrollment_required"] is True
    assert "access_token" not in step
    me = await strict.get(f"{V1}/me", headers={"Authorization": f"Bearer {step['challenge']}"})
    assert me.status_code == 401  # a challenge is not an access token

    r = await strict.post(f"{V1}/auth/mfa/enroll", json={"challenge": step["challenge"]})
    assert r.status_code == 200, r.text
    enrollment = r.json()
    assert enrollment["otpauth_uri"].startswith("otpauth://totp/")
    assert "issuer=Zhibu" in enrollment["otpauth_uri"]
    totp = pyotp.TOTP(enrollment["secret"])

    wrong = await strict.post(
        f"{V1}/auth/mfa/confirm", json={"challenge": step["challenge"], "code": "000000"}
    )
    if totp.now() != "000000":
        problem(wrong, 401, "mfa_code_invalid")
    r = await strict.post(
        f"{V1}/auth/mfa/confirm", json={"challenge": step["challenge"], "code": totp.now()}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["recovery_codes"]) == 10
    assert len(set(body["recovery_codes"])) == 10
    session = body["session"]
    assert (await status(strict, session["access_token"])) | {"enrolled_at": None} == {
        "enrolled": True,
        "enrolled_at": None,
        "recovery_codes_left": 10,
        "session_verified": True,
    }

    r = await strict.post(f"{V1}/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert r.status_code == 200, r.text
    assert (await status(strict, r.json()["access_token"]))["session_verified"] is True

    again = await strict.post(f"{V1}/auth/mfa/enroll", json={"challenge": step["challenge"]})
    problem(again, 409, "mfa_already_enrolled")


async def test_codes_and_recovery_codes_work_once_each_on_every_server(
    strict: httpx.AsyncClient, http: httpx.AsyncClient, futian: Api
) -> None:
    admin = await enrolled_admin(strict, futian)
    # Enrolled accounts are asked everywhere, also where the platform switch is off.
    for server in (strict, http):
        step = await password_step(server, admin.username)
        assert (step["mfa_required"], step["enrollment_required"]) == (True, False)
        assert set(step["methods"]) == {"totp", "recovery_code"}

    step = await password_step(strict, admin.username)
    code = next_code(admin.totp)
    r = await strict.post(
        f"{V1}/auth/login/mfa", json={"challenge": step["challenge"], "code": code}
    )
    assert r.status_code == 200, r.text
    assert (await status(strict, r.json()["access_token"]))["session_verified"] is True
    step = await password_step(strict, admin.username)
    replay = await strict.post(
        f"{V1}/auth/login/mfa", json={"challenge": step["challenge"], "code": code}
    )
    problem(replay, 401, "mfa_code_invalid")

    recovery = admin.recovery_codes[3].lower().replace("-", " ")  # as a person might type it
    r = await strict.post(
        f"{V1}/auth/login/mfa", json={"challenge": step["challenge"], "code": recovery}
    )
    assert r.status_code == 200, r.text
    assert (await status(strict, r.json()["access_token"]))["recovery_codes_left"] == 9
    r = await strict.post(
        f"{V1}/auth/login/mfa",
        json={"challenge": step["challenge"], "code": admin.recovery_codes[3]},
    )
    problem(r, 401, "mfa_code_invalid")


async def test_renewing_recovery_codes_takes_a_fresh_code_and_retires_the_old_ones(
    strict: httpx.AsyncClient, futian: Api
) -> None:
    admin = await enrolled_admin(strict, futian)
    bearer = {"Authorization": f"Bearer {admin.session['access_token']}"}
    code = next_code(admin.totp)
    r = await strict.post(f"{V1}/auth/mfa/recovery-codes", json={"code": code}, headers=bearer)
    assert r.status_code == 200, r.text
    renewed = r.json()["recovery_codes"]
    assert len(renewed) == 10
    assert not set(renewed) & set(admin.recovery_codes)
    r = await strict.post(f"{V1}/auth/mfa/recovery-codes", json={"code": code}, headers=bearer)
    problem(r, 401, "mfa_code_invalid")  # that code was used

    step = await password_step(strict, admin.username)
    old = {"challenge": step["challenge"], "code": admin.recovery_codes[0]}
    problem(await strict.post(f"{V1}/auth/login/mfa", json=old), 401, "mfa_code_invalid")
    new = {"challenge": step["challenge"], "code": renewed[0]}
    r = await strict.post(f"{V1}/auth/login/mfa", json=new)
    assert r.status_code == 200, r.text


async def test_wrong_codes_lock_the_factor_and_are_audited(
    strict: httpx.AsyncClient, futian: Api
) -> None:
    admin = await enrolled_admin(strict, futian)
    step = await password_step(strict, admin.username)
    right = next_code(admin.totp)
    wrong = [c for c in ("111111", "222222", "333333", "444444", "555555", "666666") if c != right]
    answers = []
    for code in wrong[:5]:
        r = await strict.post(
            f"{V1}/auth/login/mfa", json={"challenge": step["challenge"], "code": code}
        )
        answers.append((r.status_code, r.json()["code"]))
    assert answers == [(401, "mfa_code_invalid")] * 4 + [(429, "mfa_locked")]
    r = await strict.post(
        f"{V1}/auth/login/mfa", json={"challenge": step["challenge"], "code": right}
    )
    problem(r, 429, "mfa_locked")
    r = await futian.get(f"{V1}/audit-events", params={"action": "auth.mfa_verified", "limit": 200})
    failures = [e for e in r.json()["items"] if e["actor_name"] == admin.username]
    assert len(failures) == 5
    assert {e["outcome"] for e in failures} == {"failure"}


async def test_forged_and_misused_challenges_are_refused(
    strict: httpx.AsyncClient, futian: Api
) -> None:
    for challenge in ("not-a-challenge", "eyJhbGciOiJIUzI1NiJ9.e30.x" * 2):
        r = await strict.post(
            f"{V1}/auth/login/mfa", json={"challenge": challenge, "code": "123456"}
        )
        problem(r, 401, "mfa_challenge_invalid")
    username = await new_admin(futian)
    step = await password_step(strict, username)
    # An enrolment challenge cannot be used to skip the second step.
    r = await strict.post(
        f"{V1}/auth/login/mfa", json={"challenge": step["challenge"], "code": "123456"}
    )
    problem(r, 401, "mfa_challenge_invalid")
    r = await strict.post(f"{V1}/auth/mfa/enroll", json={})
    problem(r, 401, "unauthenticated")
    r = await strict.post(
        f"{V1}/auth/mfa/confirm", json={"challenge": step["challenge"], "code": "123456"}
    )
    problem(r, 409, "mfa_not_enrolled")


async def test_a_tenant_can_require_it_for_all_staff_and_members_are_never_asked(
    strict: httpx.AsyncClient, city: Api, tenant_ids: dict[str, str]
) -> None:
    r = await city.post(
        f"{V1}/tenants",
        json={
            "code": "440390",
            "name": "双因素测试区直属机关工委",
            "parent_id": tenant_ids["440300"],
            "settings": {"mfa_required_for_staff": True},
        },
    )
    assert r.status_code == 201, r.text
    tenant_id = r.json()["id"]
    staff = await create_user(city, tenant_id=tenant_id)
    r = await city.post(
        f"{V1}/role-assignments",
        json={"user_id": staff["id"], "role": "inspector", "tenant_id": tenant_id},
    )
    assert r.status_code == 201, r.text
    step = await password_step(strict, staff["username"])
    assert (step["mfa_required"], step["enrollment_required"]) == (True, True)

    no_role = await create_user(city, tenant_id=tenant_id)
    assert "access_token" in await password_step(strict, no_role["username"])
    inspector_elsewhere = await create_user(city)  # in 440300, which does not require it
    r = await city.post(
        f"{V1}/role-assignments", json={"user_id": inspector_elsewhere["id"], "role": "inspector"}
    )
    assert r.status_code == 201, r.text
    assert "access_token" in await password_step(strict, inspector_elsewhere["username"])


async def test_anyone_may_enrol_with_their_session_and_is_asked_from_then_on(
    http: httpx.AsyncClient, futian: Api
) -> None:
    user = await create_user(futian)
    tokens = await password_step(http, user["username"])
    api = Api(http, tokens["access_token"], user["username"])
    r = await api.post(f"{V1}/auth/mfa/enroll", json={})
    assert r.status_code == 200, r.text
    totp = pyotp.TOTP(r.json()["secret"])
    r = await api.post(f"{V1}/auth/mfa/confirm", json={"code": totp.now()})
    assert r.status_code == 200, r.text
    assert r.json()["session"] is None
    assert len(r.json()["recovery_codes"]) == 10
    assert (await status(http, api.token))["enrolled"] is True
    # The session that proved the factor keeps it when refreshed.
    r = await http.post(f"{V1}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    assert (await status(http, r.json()["access_token"]))["session_verified"] is True
    step = await password_step(http, user["username"])
    assert step["mfa_required"] is True


async def test_a_password_only_session_is_not_renewed_once_the_factor_is_required(
    strict: httpx.AsyncClient, http: httpx.AsyncClient, futian: Api
) -> None:
    username = await new_admin(futian)
    tokens = await password_step(http, username)  # the switch is off on the shared server
    refresh_token = tokens["refresh_token"]
    r = await strict.post(f"{V1}/auth/refresh", json={"refresh_token": refresh_token})
    problem(r, 401, "mfa_required")
    r = await http.post(f"{V1}/auth/refresh", json={"refresh_token": refresh_token})
    assert r.status_code == 200, r.text


async def test_an_operator_resets_a_lost_factor_from_the_cli(
    strict: httpx.AsyncClient,
    futian: Api,
    database: DatabaseUrls,
    data_dir: Path,
) -> None:
    admin = await enrolled_admin(strict, futian)
    env = {"DATABASE_URL": database.admin, "ZHIBU_DATA_DIR": str(data_dir)}
    runner = CliRunner()

    def run(username: str) -> tuple[int, str]:
        result = runner.invoke(cli, ["users", "reset-mfa", username], env=env)
        return result.exit_code, result.output

    code, output = await asyncio.to_thread(run, admin.username)
    assert code == 0, output
    r = await strict.post(
        f"{V1}/auth/refresh", json={"refresh_token": admin.session["refresh_token"]}
    )
    assert r.status_code == 401  # the reset ended the account's sessions
    me = await strict.get(
        f"{V1}/me", headers={"Authorization": f"Bearer {admin.session['access_token']}"}
    )
    assert me.status_code == 401  # and their access tokens at once
    step = await password_step(strict, admin.username)
    assert (step["mfa_required"], step["enrollment_required"]) == (True, True)
    r = await futian.get(f"{V1}/audit-events", params={"action": "auth.mfa_reset"})
    assert [e["actor_name"] for e in r.json()["items"] if e["detail"].get("had_factor")]

    code, output = await asyncio.to_thread(run, unique("nobody"))
    assert code == 2


async def test_the_platform_admin_and_the_demo_admins_are_asked_to_enrol(
    strict: httpx.AsyncClient,
) -> None:
    for username in ("admin", "gd_admin", "futian_admin"):
        r = await strict.post(
            f"{V1}/auth/login", json={"username": username, "password": ADMIN_PASSWORD}
        )
        assert r.status_code == 200, r.text
        assert (r.json()["mfa_required"], r.json()["enrollment_required"]) == (True, True)
    r = await strict.post(
        f"{V1}/auth/login", json={"username": "futian_secretary", "password": ADMIN_PASSWORD}
    )
    assert "access_token" in r.json()  # not an administrator
