"""Error pages speak the reader's language, Starlette's own 404 and 405 included."""

from __future__ import annotations

import pytest

from tests.conftest import new_client

TEXTS = {
    "de": {
        404: ("Seite nicht gefunden", "Die angeforderte Seite gibt es nicht"),
        405: ("Nicht erlaubt", "Diese Adresse nimmt diese Art von Anfrage nicht an."),
        401: ("Bitte loggen Sie sich ein", "müssen Sie sich einloggen"),
        403: ("Zugriff verweigert", "keine Berechtigung"),
    },
    "en": {
        404: ("Page not found", "does not exist or has moved"),
        405: ("Not allowed", "This address does not accept that kind of request."),
        401: ("Please sign in", "You need to sign in"),
        403: ("Access denied", "You do not have permission"),
    },
}


def _check(response, lang: str, status: int) -> None:  # noqa: ANN001
    assert response.status_code == status
    title, message = TEXTS[lang][status]
    assert f'<html lang="{lang}">' in response.text
    assert f"<h1>{title}</h1>" in response.text and message in response.text
    other = TEXTS["en" if lang == "de" else "de"][status][0]
    assert other not in response.text


@pytest.mark.parametrize("lang", ["de", "en"])
async def test_unknown_paths_and_methods_get_the_translated_page(client, lang):
    client.cookies.set("agora_lang", lang)
    _check(await client.get("/no/such/page"), lang, 404)
    _check(await client.delete("/impressum"), lang, 405)  # a route that takes only GET
    own = await client.get("/termine/999999")  # a route's own not-found, with its own sentence
    assert own.status_code == 404 and f'<html lang="{lang}">' in own.text
    assert ("<h1>Seite nicht gefunden</h1>" if lang == "de" else "<h1>Page not found</h1>") in own.text


@pytest.mark.parametrize("lang", ["de", "en"])
async def test_refusals_get_the_translated_page(app, staff_client, lang):
    async with new_client(app) as anonymous:
        anonymous.cookies.set("agora_lang", lang)
        _check(await anonymous.post("/staff/account/password", data={}), lang, 401)
    staff_client.cookies.set("agora_lang", lang)
    _check(await staff_client.get("/staff/users"), lang, 403)  # organizers may not manage users
