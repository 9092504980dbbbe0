"""What the account services refuse, and that a refusal leaves the account as it was."""

from __future__ import annotations

import pyotp
import pytest

from agora.accounts import services
from agora.accounts.models import User
from tests.conftest import make_user


async def test_an_administrator_cannot_demote_or_disable_themselves(database) -> None:
    admin = await make_user("chefin@example.org", ["admin"])
    await make_user("zweite@example.org", ["admin"])
    for roles, active in ((["organizer"], True), (["admin"], False)):
        with pytest.raises(services.AccountError) as refused:
            await services.update_user(admin.id, display_name="Chefin", roles=roles, is_active=active, acting=admin)
        assert set(refused.value.errors) == {"roles"}
    stored = await User.get(id=admin.id)
    assert (stored.roles, stored.is_active, stored.display_name) == (["admin"], True, "Test Person")


async def test_a_blank_name_is_refused(database) -> None:
    admin = await make_user("chefin@example.org", ["admin"])
    other = await make_user("kollege@example.org", ["organizer"])
    with pytest.raises(services.AccountError) as refused:
        await services.update_user(other.id, display_name="  ", roles=["organizer"], is_active=True, acting=admin)
    assert set(refused.value.errors) == {"display_name"}
    assert (await User.get(id=other.id)).display_name == "Test Person"


async def test_the_last_active_administrator_stays(database) -> None:
    first = await make_user("chefin@example.org", ["admin"])
    second = await make_user("vertretung@example.org", ["admin"])
    # Another administrator may take the role away while one remains ...
    demoted = await services.update_user(
        second.id, display_name="Vertretung", roles=["organizer"], is_active=True, acting=first
    )
    assert demoted.roles == ["organizer"]
    # ... but not from the last one, even when acting as someone else.
    with pytest.raises(services.AccountError) as refused:
        await services.update_user(first.id, display_name="Chefin", roles=["organizer"], is_active=True, acting=second)
    assert set(refused.value.errors) == {"roles"}
    assert (await User.get(id=first.id)).roles == ["admin"]


async def test_a_second_factor_code_works_once_and_only_with_a_secret(database) -> None:
    secret = pyotp.random_base32()
    without = await make_user("ohne@example.org", ["organizer"])
    assert await services.verify_totp(without, pyotp.TOTP(secret).now()) is False
    user = await make_user("mit@example.org", ["admin"], totp_secret=secret)
    code = pyotp.TOTP(secret).now()
    assert await services.verify_totp(user, "000000" if code != "000000" else "111111") is False
    assert await services.verify_totp(user, code) is True
    assert await services.verify_totp(user, code) is False  # a replayed code is refused
