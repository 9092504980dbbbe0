from tests.conftest import login, make_user


async def test_home_renders_german_by_default(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="de">' in response.text
    assert "Anstehende Termine" in response.text or "Upcoming sessions" in response.text


async def test_login_and_dashboard(client):
    await make_user("a@example.org", ["organizer"])
    response = await login(client, "a@example.org")
    assert response.status_code == 303
    dash = await client.get("/staff")
    assert dash.status_code == 200
