"""STARTTLS, implicit TLS and authentication against a real aiosmtpd server with a self-signed certificate."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from agora import db
from agora.settings import Settings
from notifications import api, delivery
from notifications.checks import check_smtp
from notifications.models import SENT, OutboxMessage
from tests.notifications.smtp_sink import FaultyHandler, free_port

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is needed to make a test certificate")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def trust(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    # The client verifies certificates as in production; here it trusts the test certificate through the
    # standard OpenSSL variable instead of a switch that could turn verification off.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"agora",
        b"s3cret:pw",
    )
    return AuthResult(success=ok)


def _server(certificate: tuple[Path, Path], implicit: bool) -> tuple[Controller, FaultyHandler, int]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    handler, port = FaultyHandler(), free_port()
    # aiosmtpd cannot tell that an implicit-TLS connection is encrypted: it must not demand STARTTLS for AUTH.
    options = (
        {"ssl_context": context, "auth_require_tls": False}
        if implicit
        else {"tls_context": context, "require_starttls": True}
    )
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=authenticate, auth_required=True, **options
    )
    if implicit:
        # The controller's readiness probe speaks plain SMTP; with implicit TLS it must speak TLS.
        controller.ssl_context = context
    return controller, handler, port


@pytest.fixture(params=["starttls", "implicit"])
def tls_server(
    request: pytest.FixtureRequest, certificate: tuple[Path, Path], trust: None
) -> Iterator[tuple[str, FaultyHandler]]:
    implicit = request.param == "implicit"
    controller, handler, port = _server(certificate, implicit)
    controller.start()
    scheme = "smtps" if implicit else "smtp+starttls"
    try:
        yield f"{scheme}://agora:s3cret%3Apw@127.0.0.1:{port}", handler
    finally:
        controller.stop()


async def test_tls_and_login(database: Settings, tls_server: tuple[str, FaultyHandler]) -> None:
    url, handler = tls_server
    settings = Settings(**{**database.__dict__, "smtp_url": url, "mail_claim_timeout": 30})
    api.configure(settings)
    async with db.transaction():
        row_id = await api.enqueue("test_message", to="tls@example.org")
    transport = delivery.transport_for(settings)
    try:
        outcome = await delivery.deliver(row_id, settings, transport)
    finally:
        await transport.close()
    assert outcome.status == "sent", outcome.error
    assert (await OutboxMessage.get(id=row_id)).status == SENT
    assert [r.recipients for r in handler.received] == [["tls@example.org"]]
    [(_, status, detail)] = await check_smtp(settings)
    assert status == "OK" and "TLS" in detail and "login" in detail

    wrong = Settings(**{**settings.__dict__, "smtp_url": url.replace("s3cret", "wrong")})
    [(_, status, detail)] = await check_smtp(wrong)
    assert status == "FAIL"
