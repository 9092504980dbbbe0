"""BITV pages: German Sign Language (video with captions from this instance, and a text version), Leichte Sprache,
and the accessibility statement with the model statement's parts and the enforcement body of the Land."""

from __future__ import annotations

import dataclasses

import pytest

from agora.app import create_app
from agora.settings import SettingsError, load_settings
from tests.conftest import new_client


async def test_sign_language_page_with_video_captions_and_text(database, tmp_path) -> None:
    video, captions = tmp_path / "dgs.mp4", tmp_path / "dgs.vtt"
    video.write_bytes(b"\0\0\0\x18ftypmp42")
    captions.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nWillkommen\n", encoding="utf-8")
    with_video = dataclasses.replace(database, dgs_video=str(video), dgs_captions=str(captions))
    async with new_client(create_app(with_video, manage_db=False)) as client:
        home = (await client.get("/")).text
        assert '<a href="/gebaerdensprache">Informationen in Deutscher Gebärdensprache</a>' in home
        assert '<a href="/leichte-sprache">Informationen in Leichter Sprache</a>' in home
        page = (await client.get("/gebaerdensprache")).text
        assert '<source src="/gebaerdensprache/video?v=env" type="video/mp4">' in page
        assert '<track kind="captions" src="/gebaerdensprache/captions" srclang="de"' in page
        assert "Textfassung" in page and "Termine" in page
        served = await client.get("/gebaerdensprache/video")
        assert served.status_code == 200 and served.headers["content-type"] == "video/mp4"
        vtt = await client.get("/gebaerdensprache/captions")
        assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
        assert (await client.get("/gebaerdensprache/other")).status_code == 404
        # German only, like Leichte Sprache: the English reader gets the German page.
        await client.get("/language/en?next=/")
        assert "Informationen in Deutscher Gebärdensprache" in (await client.get("/gebaerdensprache")).text


async def test_without_a_video_the_page_says_so_and_serves_nothing(client) -> None:
    page = (await client.get("/gebaerdensprache")).text
    assert "wird vorbereitet" in page and "<video" not in page
    assert (await client.get("/gebaerdensprache/video")).status_code == 404


async def test_the_statement_has_the_model_parts_and_names_the_enforcement_body(client, database) -> None:
    page = (await client.get("/barrierefreiheit")).text
    for part in (
        "teilweise mit den Anforderungen vereinbar",
        "Nicht barrierefreie Inhalte",
        "zuletzt am",
        "Selbstbewertung",
        "barrierefreiheit@musterstadt.example",
        "01234 5678-0",
        'id="feedback"',
    ):
        assert part in page, part
    assert (
        '<a href="https://www.lbbp.nrw.de/ombudsstelle" rel="noopener noreferrer nofollow">'
        "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen</a>"
    ) in page
    bavaria = dataclasses.replace(
        database, enforcement_body="Durchsetzungsstelle Bayern", enforcement_url="https://example.org/bayern"
    )
    async with new_client(create_app(bavaria, manage_db=False)) as other:
        text = (await other.get("/barrierefreiheit")).text
        assert (
            'href="https://example.org/bayern" rel="noopener noreferrer nofollow">Durchsetzungsstelle Bayern</a>'
            in text
        )
    easy = (await client.get("/leichte-sprache")).text
    assert "Zur Anmeldung" in easy and "Barriere melden" in easy


def test_media_and_enforcement_settings_are_checked(tmp_path) -> None:
    with pytest.raises(SettingsError, match="AGORA_DGS_VIDEO"):
        load_settings({"AGORA_DGS_VIDEO": str(tmp_path / "fehlt.mp4")}, dotenv=False)
    with pytest.raises(SettingsError, match="AGORA_ENFORCEMENT_URL"):
        load_settings({"AGORA_ENFORCEMENT_URL": "ombudsstelle.example"}, dotenv=False)
