"""An admin uploads the town's coat of arms on the staff page, and the (cached) home page shows it at once."""

from __future__ import annotations

import struct
import zlib

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOTP
from tests.e2e.test_consultation_flow import _staff_sign_in
from tests.e2e.test_events_flow import _submit

pytestmark = pytest.mark.e2e


def _png() -> bytes:
    """A valid one-pixel PNG, so the browser really decodes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xc0\x10\x20\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_an_admin_uploads_the_logo_and_home_shows_it(server, browser, tmp_path) -> None:  # noqa: ANN001
    base = server.base_url
    reader = browser.new_context().new_page()
    reader.goto(f"{base}/")
    assert reader.locator("img.brand-logo").count() == 0

    logo = tmp_path / "wappen.png"
    logo.write_bytes(_png())
    admin = browser.new_context().new_page()
    _staff_sign_in(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOTP)
    admin.click("a[href='/staff/town']")
    admin.fill("#town_name", "Musterstadt")
    admin.set_input_files("#logo", str(logo))
    response = _submit(admin, "main form[action='/staff/town'] button[type=submit]")
    assert response.status == 200 and admin.url == f"{base}/staff/town", admin.locator("main").inner_text()

    try:
        reader.goto(f"{base}/")
        image = reader.locator("header img.brand-logo")
        # The name stands beside it in the same link: the picture itself is not read out a second time.
        assert image.get_attribute("alt") == ""
        assert "Musterstadt" in reader.locator("header a.brand").inner_text()
        # The browser really loaded the picture (a broken image has no natural width).
        assert image.evaluate("img => img.complete && img.naturalWidth") == 1
        assert "Musterstadt" in reader.locator("header .brand-text").inner_text()
    finally:
        # The other browser tests expect the demo's face: put it back.
        admin.goto(f"{base}/staff/town")
        admin.fill("#town_name", "")
        admin.check("#remove_logo")
        _submit(admin, "main form[action='/staff/town'] button[type=submit]")
    reader.goto(f"{base}/")
    assert reader.locator("img.brand-logo").count() == 0
