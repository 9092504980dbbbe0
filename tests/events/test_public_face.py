"""The public face of the events: navigation to all dates, the mode and places in lists, German text marked as
German for English readers, and separate words for signing in and registering."""

from __future__ import annotations

from events import services
from tests.events.helpers import published_session


async def test_dates_are_one_click_from_every_page_and_from_home(client, database) -> None:
    session = await published_session(title="Frühstück", description="Ein **Frühstück** im Rathaus.")
    home = (await client.get("/")).text
    assert '<a href="/termine">Termine</a>' in home  # the main navigation
    assert '<a href="/termine">Alle Termine</a>' in home
    assert '<a href="/signin">Einloggen</a>' in home  # signing in is not "Anmelden"
    listing = (await client.get("/termine")).text
    assert "Vor Ort" in listing and "10 Plätze frei" in listing
    full = await published_session(title="Voll", capacity=0)
    listing = (await client.get("/termine")).text
    assert "Ausgebucht" in listing
    await services.cancel_session(database, full.id)
    page = (await client.get(f"/termine/{session.id}")).text
    assert "Anmelden</button>" in page  # registering is


async def test_english_readers_see_german_content_marked_as_german(client, database) -> None:
    session = await published_session(description="Ein **Frühstück** im Rathaus.")
    await services.add_agenda_item(
        session.id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        title="Begrüßung",
        description="Kurz und herzlich.",
    )
    german = (await client.get(f"/termine/{session.id}")).text
    assert 'lang="de">Begrüßung' not in german  # the page itself is German
    await client.get("/language/en?next=/")
    english = (await client.get(f"/termine/{session.id}")).text
    assert '<html lang="en">' in english
    assert '<div class="prose" lang="de"><p>Ein <strong>Frühstück</strong>' in english
    assert '<span lang="de">Begrüßung</span>' in english
    assert '<h1 lang="de">' in english


async def test_signed_in_staff_do_not_see_the_participants_sign_in(staff_client, database) -> None:
    home = (await staff_client.get("/")).text
    assert 'href="/signin"' not in home and 'href="/staff"' in home


async def test_the_session_page_says_whom_to_ask_how_to_get_there_and_until_when(client, database) -> None:
    series = await services.create_series(
        title="Wirtschaft trifft Verwaltung", office="Wirtschaftsförderung", contact_phone="+49 30 123"
    )
    session = await published_session(
        series_id=series.id,
        topic="Fachkräfte gewinnen",
        venue_room="Ratssaal",
        directions="Bus 5 bis Rathaus. Parkhaus am Markt.",
    )
    page = (await client.get(f"/termine/{session.id}")).text
    assert "<title>Wirtschaft trifft Verwaltung: Fachkräfte gewinnen – Agora</title>" in page
    assert '<span class="subtitle">Fachkräfte gewinnen</span>' in page
    assert 'href="#register-heading">Zur Anmeldung</a>' in page
    assert "https://www.openstreetmap.org/search?query=Marktplatz%201%2C%2012345%20Musterstadt" in page
    assert "Bus 5 bis Rathaus." in page and "Ratssaal" in page
    assert 'href="mailto:wifoe@example.org"' in page and 'href="tel:+4930123"' in page
    assert "Wirtschaftsförderung" in page and "Anmeldung bis" in page
    listing = (await client.get("/termine")).text
    assert "Wirtschaft trifft Verwaltung: Fachkräfte gewinnen</a>" in listing


async def test_mails_of_a_session_are_answered_by_its_contact(database) -> None:
    from notifications.compose import build
    from tests.events.helpers import mails, register
    from tests.notifications.smtp_sink import read_back

    session = await published_session(topic="Fachkräfte gewinnen")
    await register(database, session.id, 1)
    [mail] = await mails("registration_confirm_request")
    assert mail.context["session_title"] == "Wirtschaft trifft Verwaltung: Fachkräfte gewinnen"
    message = read_back(build(mail, database))
    assert message["Reply-To"] == "wifoe@example.org"
