"""One paginator for the HTML lists and the JSON API; page numbers are ASCII digits only."""

from __future__ import annotations

import pytest

from agora.web import MAX_PAGE, fetch_page, whole_number
from events import services
from events.models import Series


@pytest.mark.parametrize("value", ["²", "٣", "１", "-1", "0", "1.5", "", " 2", "99999999999", "1e3"])
def test_only_ascii_digits_in_range_are_page_numbers(value):
    assert whole_number(value, MAX_PAGE) is None


def test_plain_numbers_are_read():
    assert whole_number("1", MAX_PAGE) == 1
    assert whole_number(str(MAX_PAGE), MAX_PAGE) == MAX_PAGE
    assert whole_number(str(MAX_PAGE + 1), MAX_PAGE) is None


async def test_the_html_lists_and_the_api_page_alike(database):
    for n in range(5):
        await services.create_series(title=f"Reihe {n}", office="Wirtschaftsförderung")
    query = Series.all().order_by("id")
    html = await fetch_page(query, 9, 2, clamp=True)
    assert (html.number, html.pages, html.total, len(html.items)) == (3, 3, 5, 1)
    api = await fetch_page(query, 9, 2)
    assert api.items == [] and api.meta() == {"page": 9, "per_page": 2, "total": 5, "pages": 3}


@pytest.mark.parametrize("path", ["/staff/events/sessions", "/staff/mail"])
async def test_odd_page_numbers_on_staff_lists_show_the_first_page(admin_client, path):
    for value in ("²", "%00", "-3", "99999999999999999999"):
        response = await admin_client.get(f"{path}?page={value}")
        assert response.status_code == 200, (path, value)


async def test_odd_page_numbers_in_the_api_are_refused_with_a_message(client):
    for value in ("²", "0", "abc"):
        response = await client.get(f"/api/v1/series?page={value}", headers={"Accept-Language": "de"})
        # Read by the endpoint's declared query model (agora.api.PageQuery): a refused field is a 422, as for bodies.
        assert response.status_code == 422
        assert "page" in response.json()["errors"]
    response = await client.get("/api/v1/series?per_page=²")
    assert response.status_code == 422 and "per_page" in response.json()["errors"]
    assert (await client.get("/api/v1/series?page=1&per_page=100")).status_code == 200
