"""The town's public face: its name, coat of arms, website and the agency's contact in the header and footer, and
the staff dashboard's list of legal pages still showing the placeholder text."""

from __future__ import annotations

import dataclasses

import pytest

from agora.app import create_app
from agora.pages import services as pages
from agora.settings import SettingsError, load_settings
from tests.conftest import new_client

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


async def test_the_header_and_footer_show_the_town(database, tmp_path) -> None:
    logo = tmp_path / "wappen.png"
    logo.write_bytes(PNG)
    town = dataclasses.replace(
        database,
        town_name="Musterstadt",
        town_logo=str(logo),
        town_website="https://www.musterstadt.example",
        agency_contact="Wirtschaftsförderung, wirtschaft@musterstadt.example",
    )
    async with new_client(create_app(town, manage_db=False)) as client:
        home = (await client.get("/")).text
        assert 'class="brand-text">Musterstadt<span class="brand-sub">Agora – ' in home
        assert '<img class="brand-logo" src="/town-logo?v=env" alt=""' in home
        assert '<a href="https://www.musterstadt.example">Website von Musterstadt</a>' in home
        assert "Kontakt: Wirtschaftsförderung, wirtschaft@musterstadt.example" in home
        served = await client.get("/town-logo")
        assert served.status_code == 200 and served.content == PNG
        assert served.headers["content-type"] == "image/png"


async def test_without_settings_the_header_says_agora(client) -> None:
    home = (await client.get("/")).text
    assert 'class="brand-text">Agora<span' in home and "/town-logo" not in home
    assert (await client.get("/town-logo")).status_code == 404


def test_town_settings_are_checked(tmp_path) -> None:
    for bad in ({"AGORA_TOWN_LOGO": str(tmp_path / "fehlt.png")}, {"AGORA_TOWN_WEBSITE": "www.musterstadt.de"}):
        with pytest.raises(SettingsError):
            load_settings(bad, dotenv=False)
    gif = tmp_path / "logo.gif"
    gif.write_bytes(b"GIF89a")
    with pytest.raises(SettingsError, match="AGORA_TOWN_LOGO"):
        load_settings({"AGORA_TOWN_LOGO": str(gif)}, dotenv=False)


async def test_the_dashboard_lists_legal_pages_on_placeholder_text(staff_client, database) -> None:
    page = (await staff_client.get("/staff")).text
    assert "Rechtliche Seiten mit Platzhaltertext" in page and "Impressum (de)" in page
    for kind in pages.PAGES:
        for language in ("de",) if kind.slug in pages.GERMAN_ONLY else database.languages:
            await pages.save_page(kind.slug, language, "Titel", "Text", "admin@example.org")
    assert await pages.pages_on_defaults(database.languages) == []
    assert "Rechtliche Seiten mit Platzhaltertext" not in (await staff_client.get("/staff")).text
