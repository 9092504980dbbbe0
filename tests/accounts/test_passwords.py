"""Password rules after OWASP ASVS 5.0 level 2, and argon2id hashing."""

from __future__ import annotations

import pytest

from agora.accounts import passwords
from agora.accounts.passwords import hash_password, password_problems, verify_password

PASSPHRASE = "meine katze heißt minka und mag fisch"


@pytest.fixture(autouse=True)
def english():
    """The assertions read the English messages; the German ones are checked in the page tests."""
    from agora import i18n

    token = i18n.current_locale.set("en")
    yield
    i18n.current_locale.reset(token)


def test_twelve_characters_is_the_minimum():
    assert password_problems("Fj3kd9slq2x") != []  # 11
    assert password_problems("Fj3kd9slq2xZ") == []  # 12


@pytest.mark.parametrize("length", [12, 64, 128])
def test_long_passphrases_are_welcome(length):
    words = "lilac ferry quietly under seven bright lanterns "
    candidate = (words * 4)[:length]
    assert len(candidate) == length
    assert password_problems(candidate) == []


def test_more_than_128_characters_is_refused():
    candidate = ("lilac ferry quietly under seven bright lanterns " * 3)[:129]
    assert len(candidate) == 129
    problems = password_problems(candidate)
    assert len(problems) == 1 and "128" in problems[0]


@pytest.mark.parametrize(
    "common",
    [
        "123qweasdzxc",
        "1qaz2wsx3edc",
        "qwerty123456",
        "leavemealone",
        "password1234",
        "123456789012",
        "qwertzuiopasdf",
        "sunshine2024!",
        "aaaaaaaaaaaaaaa",
        "Password1234",
    ],
)
def test_common_passwords_are_refused(common):
    assert any("common" in p for p in password_problems(common)), common


@pytest.mark.parametrize(
    "plain",
    ["all lower case words here", "ALLUPPERCASEWORDS", "nurbuchstabenhier", "Grüße aus Köln am Rhein"],
)
def test_no_composition_rules(plain):
    # No demand for digits, capitals or symbols: length and not being common are what count.
    assert password_problems(plain) == []


def test_service_and_personal_words_are_not_enough():
    assert password_problems("agoraagoraagora") != []
    assert password_problems("maxmustermann1", email="maxmustermann@example.org", name="Max") != []


def test_messages_follow_the_readers_language():
    from agora import i18n

    token = i18n.current_locale.set("de")
    try:
        german = password_problems("short")[0]
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("en")
    try:
        english = password_problems("short")[0]
    finally:
        i18n.current_locale.reset(token)
    assert "12" in german and "12" in english
    assert english.startswith("The password")


def test_argon2id_hash_and_verify():
    hashed = hash_password(PASSPHRASE)
    assert hashed.startswith("$argon2id$")
    assert PASSPHRASE not in hashed
    assert hash_password(PASSPHRASE) != hashed  # salted
    assert verify_password(hashed, PASSPHRASE)
    assert not verify_password(hashed, PASSPHRASE + "x")
    assert not verify_password(None, PASSPHRASE)
    assert not verify_password("not a hash", PASSPHRASE)
    assert not passwords.needs_rehash(hashed)
