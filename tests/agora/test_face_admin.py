"""Admins set the town's public face in the app: name, website, contact, logo, the sign-language video and its
captions. Files are checked by their content, served with their type, nosniff and ranges; what is left empty
falls back to the settings; cached public pages change at once; uploads have limits of their own."""

from __future__ import annotations

import dataclasses

import httpx

import agora.app
from agora.app import create_app
from agora.face import services as face
from agora.face import staff as face_staff
from agora.face.models import TownFace, TownFaceChange
from agora.pages import services as pages
from participation.models import Attachment
from tests.conftest import ADMIN_TOTP, csrf_from, login, make_user, new_client
from tests.participation.helpers import open_consultation

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32
WEBP = b"RIFF\x20\0\0\0WEBPVP8 " + b"\0" * 32
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
MP4 = b"\0\0\0\x18ftypmp42" + bytes(range(256)) * 8
WEBM = b"\x1a\x45\xdf\xa3" + b"\0" * 64
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nWillkommen in Musterstadt.\n"
PAGE = face_staff.PATH


async def _save(client: httpx.AsyncClient, data: dict | None = None, files: dict | None = None) -> httpx.Response:
    page = await client.get(PAGE)
    assert page.status_code == 200
    text = (await pages.get_page("gebaerdensprache", "de")).body
    form = {
        "town_name": "",
        "town_website": "",
        "agency_contact": "",
        "video_url": "",
        "dgs_text": text,
        **(data or {}),
    }
    return await client.post(PAGE, data={"csrf_token": csrf_from(page.text), **form}, files=files or None)


def _stored_files(settings) -> list[str]:  # noqa: ANN001
    folder = face.folder(settings)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_only_admins_reach_the_page(admin_client, staff_client, client, database) -> None:
    page = await admin_client.get(PAGE)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and '<label for="logo">' in page.text
    assert '<label for="captions">' in page.text and 'href="/staff/town"' in (await admin_client.get("/staff")).text
    assert (await staff_client.get(PAGE)).status_code == 403
    assert 'href="/staff/town"' not in (await staff_client.get("/staff")).text
    anonymous = await client.get(PAGE)
    assert anonymous.status_code in (302, 303) and "/staff/login" in anonymous.headers["location"]
    refused = await client.post(PAGE, data={"town_name": "Hackstadt"})
    assert refused.status_code in (302, 303, 401, 403)
    assert not await TownFace.exists()


async def test_an_uploaded_logo_shows_at_once_on_cached_pages(admin_client, client, database) -> None:
    before = await client.get("/")
    assert (await client.get("/")).headers["etag"] == before.headers["etag"]  # kept in the page cache
    assert "brand-logo" not in before.text
    saved = await _save(admin_client, {"town_name": "Musterstadt"}, {"logo": ("wappen.png", PNG, "image/png")})
    assert saved.status_code == 303
    row = await TownFace.get(id=1)
    assert row.logo_type == "image/png" and row.logo_file.endswith(".png") and row.logo_file != "wappen.png"
    assert row.updated_by == "admin@example.org" and row.updated_at is not None
    [change] = await TownFaceChange.all()
    assert change.changed_by == "admin@example.org" and {"logo_file", "town_name"} <= set(change.changed)

    home = await client.get("/", headers={"if-none-match": before.headers["etag"]})
    assert home.status_code == 200
    assert f'<img class="brand-logo" src="/town-logo?v={row.logo_file[:12]}" alt=""' in home.text
    assert 'class="brand-text">Musterstadt<span' in home.text
    logo = await client.get(f"/town-logo?v={row.logo_file[:12]}")
    assert logo.status_code == 200 and logo.content == PNG
    assert logo.headers["content-type"] == "image/png"
    assert logo.headers["x-content-type-options"] == "nosniff"
    assert "max-age" in logo.headers["cache-control"]

    for name, data, kind in (("w.jpg", JPEG, "image/jpeg"), ("w.webp", WEBP, "image/webp")):
        assert (
            await _save(admin_client, {"town_name": "Musterstadt"}, {"logo": (name, data, kind)})
        ).status_code == 303
        assert (await client.get("/town-logo")).headers["content-type"] == kind
    # The replaced files are gone: only the current logo is kept.
    assert _stored_files(database) == [(await TownFace.get(id=1)).logo_file]


async def test_logos_are_checked_by_content_and_size(admin_client, database) -> None:
    for name, data in (
        ("wappen.svg", SVG),
        ("wappen.png", SVG),  # an SVG behind a PNG name
        ("wappen.gif", b"GIF89a" + b"\0" * 20),
        ("wappen.png", b"just text"),
    ):
        refused = await _save(admin_client, {"town_name": "Musterstadt"}, {"logo": (name, data, "image/png")})
        assert refused.status_code == 400, name
        assert 'id="logo-error"' in refused.text and "PNG, JPEG oder WebP" in refused.text
    big = PNG + b"\0" * face.LOGO_MAX_BYTES
    refused = await _save(admin_client, {"town_name": "Musterstadt"}, {"logo": ("gross.png", big, "image/png")})
    assert refused.status_code == 400 and "höchstens 2 MB" in refused.text
    assert not await TownFace.exists() and _stored_files(database) == []
    # The text fields are checked like any others.
    bad = await _save(admin_client, {"town_website": "www.musterstadt.de"})
    assert bad.status_code == 400 and 'id="town_website-error"' in bad.text


async def test_the_video_is_served_with_ranges_and_captions(admin_client, client, database) -> None:
    without = await _save(admin_client, files={"video": ("dgs.mp4", MP4, "video/mp4")})
    assert without.status_code == 400 and 'id="captions-error"' in without.text
    wrong = await _save(
        admin_client,
        files={"video": ("dgs.mp4", b"not a video at all", "video/mp4"), "captions": ("u.vtt", VTT, "text/vtt")},
    )
    assert wrong.status_code == 400 and 'id="video-error"' in wrong.text
    bad_captions = await _save(
        admin_client, files={"video": ("dgs.mp4", MP4, "video/mp4"), "captions": ("u.vtt", b"1\n00:00", "text/vtt")}
    )
    assert bad_captions.status_code == 400 and 'id="captions-error"' in bad_captions.text
    assert _stored_files(database) == []

    page_before = await client.get("/gebaerdensprache")
    assert "<video" not in page_before.text
    saved = await _save(
        admin_client, files={"video": ("dgs.mp4", MP4, "video/mp4"), "captions": ("u.vtt", VTT, "text/vtt")}
    )
    assert saved.status_code == 303
    page = (await client.get("/gebaerdensprache")).text
    assert '<video class="dgs-video"' in page and 'type="video/mp4"' in page
    assert '<track kind="captions" src="/gebaerdensprache/captions"' in page

    whole = await client.get("/gebaerdensprache/video")
    assert whole.status_code == 200 and whole.content == MP4
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["x-content-type-options"] == "nosniff"
    part = await client.get("/gebaerdensprache/video", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == MP4[100:200] and part.headers["content-range"] == f"bytes 100-199/{len(MP4)}"
    assert part.headers["content-type"] == "video/mp4"
    captions = await client.get("/gebaerdensprache/captions")
    assert captions.content == VTT and captions.headers["content-type"].startswith("text/vtt")

    webm = await _save(admin_client, files={"video": ("dgs.webm", WEBM, "video/webm")})  # the captions stay
    assert webm.status_code == 303
    assert (await client.get("/gebaerdensprache/video")).headers["content-type"] == "video/webm"

    removed = await _save(admin_client, {"remove_video": "on"})
    assert removed.status_code == 303
    assert (await client.get("/gebaerdensprache/video")).status_code == 404
    assert "<video" not in (await client.get("/gebaerdensprache")).text
    assert _stored_files(database) == []
    alone = await _save(admin_client, files={"captions": ("u.vtt", VTT, "text/vtt")})
    assert alone.status_code == 400 and 'id="captions-error"' in alone.text
    assert _stored_files(database) == []

    linked = await _save(admin_client, {"video_url": "https://medien.musterstadt.example/dgs"})
    assert linked.status_code == 303
    assert 'href="https://medien.musterstadt.example/dgs"' in (await client.get("/gebaerdensprache")).text


async def test_what_admins_leave_empty_falls_back_to_the_settings(database, tmp_path) -> None:
    env_logo = tmp_path / "env.png"
    env_logo.write_bytes(PNG + b"env")
    town = dataclasses.replace(
        database,
        town_name="Envstadt",
        town_logo=str(env_logo),
        town_website="https://env.example",
        agency_contact="Wirtschaftsförderung Envstadt",
    )
    app = create_app(town, manage_db=False)
    await make_user("admin@example.org", ["admin"], totp_secret=ADMIN_TOTP)
    async with new_client(app) as admin, new_client(app) as reader:
        assert (await login(admin, "admin@example.org", totp_secret=ADMIN_TOTP)).status_code == 303
        home = (await reader.get("/")).text
        assert 'class="brand-text">Envstadt<span' in home and "Kontakt: Wirtschaftsförderung Envstadt" in home
        assert (await reader.get("/town-logo")).content == PNG + b"env"

        saved = await _save(
            admin,
            {"town_name": "Adminstadt", "agency_contact": "WFG Adminstadt"},
            {"logo": ("a.png", PNG, "image/png")},
        )
        assert saved.status_code == 303
        home = (await reader.get("/")).text
        assert 'class="brand-text">Adminstadt<span' in home and "Kontakt: WFG Adminstadt" in home
        assert '<a href="https://env.example">Website von Adminstadt</a>' in home  # website left empty: setting
        assert (await reader.get("/town-logo")).content == PNG
        form = (await admin.get(PAGE)).text
        assert "Einstellung: Envstadt" in form and 'id="remove_logo"' in form

        cleared = await _save(admin, {"remove_logo": "on"})
        assert cleared.status_code == 303
        home = (await reader.get("/")).text
        assert 'class="brand-text">Envstadt<span' in home and 'src="/town-logo?v=env"' in home
        assert (await reader.get("/town-logo")).content == PNG + b"env"
        assert _stored_files(town) == []


async def test_an_upload_above_the_routes_limit_shows_the_form_with_the_limit(database, monkeypatch) -> None:
    monkeypatch.setattr(agora.app, "UPLOAD_LIMITS", ((PAGE, 10_000),))
    app = create_app(database, manage_db=False)
    await make_user("admin@example.org", ["admin"], totp_secret=ADMIN_TOTP)
    async with new_client(app) as admin:
        assert (await login(admin, "admin@example.org", totp_secret=ADMIN_TOTP)).status_code == 303
        big = PNG + b"\0" * 20_000
        refused = await _save(admin, {"town_name": "Musterstadt"}, {"logo": ("gross.png", big, "image/png")})
        assert refused.status_code == 413
        assert '<form method="post" action="/staff/town"' in refused.text and 'id="video-error"' in refused.text
        assert "höchstens 2 MB für das Logo, 200 MB für das Video" in refused.text
        await admin.get("/language/en?next=/")
        english = await _save(admin, {"town_name": "Musterstadt"}, {"logo": ("gross.png", big, "image/png")})
        assert english.status_code == 413 and "at most 2 MB for the logo" in english.text
    assert not await TownFace.exists()


async def test_consultation_attachments_reach_their_own_limit(staff_client, database, monkeypatch) -> None:
    """Above the general request limit (2 MB) but within the attachments' 20 MB: accepted now."""
    consultation = await open_consultation()
    detail = f"/staff/participation/{consultation.id}"
    page = await staff_client.get(detail)
    pdf = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n"
    accepted = await staff_client.post(
        detail + "/attachments",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("Gutachten.pdf", pdf, "application/pdf")},
    )
    assert accepted.status_code == 303
    assert (await Attachment.get(consultation_id=consultation.id)).size == len(pdf)
    # Elsewhere the general limit still holds, with the limit named.
    too_much = await staff_client.post("/staff/events/series/new", data={"title": "x" * (3 * 1024 * 1024)})
    assert too_much.status_code == 413 and "2 MB" in too_much.text


async def test_an_attachment_above_its_limit_gets_a_page_naming_it(staff_client, database, monkeypatch) -> None:
    consultation = await open_consultation()
    detail = f"/staff/participation/{consultation.id}"
    page = await staff_client.get(detail)
    pdf = b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024)
    refused = await staff_client.post(
        detail + "/attachments",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("Riesig.pdf", pdf, "application/pdf")},
    )
    assert refused.status_code == 413
    assert "<html" in refused.text and "höchstens 20 MB" in refused.text
    assert not await Attachment.exists(consultation_id=consultation.id)


async def test_the_text_version_under_the_video_is_edited_on_the_same_page(admin_client, client, database) -> None:
    assert 'id="dgs_text"' in (await admin_client.get(PAGE)).text
    empty = await _save(admin_client, {"dgs_text": "  "})
    assert empty.status_code == 400 and 'id="dgs_text-error"' in empty.text
    saved = await _save(admin_client, {"dgs_text": "## Willkommen\n\nDas Video erklärt die Termine."})
    assert saved.status_code == 303
    page = (await client.get("/gebaerdensprache")).text
    assert "<h2>Willkommen</h2>" in page and "Das Video erklärt die Termine." in page
    [change] = await TownFaceChange.all()
    assert change.changed == ["dgs_text"] and change.changed_by == "admin@example.org"
    stored = await pages.get_page("gebaerdensprache", "de")
    assert not stored.is_default
