import pytest

from guestbook.entries import Invalid, validate


def test_an_empty_guestbook_says_so(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "0 entries" in page.text


def test_signing_redirects_and_lists_the_entry(client):
    signed = client.post("/", data={"name": " Ada ", "message": "first!"})
    assert signed.status_code == 303
    assert signed.headers["Location"] == "/"
    client.post("/", data={"name": "Grace", "message": "second"})
    page = client.get("/").text
    assert "2 entries" in page
    assert page.index("Grace") < page.index("<b>Ada</b>: first!"), "newest first, trimmed"


def test_visitors_text_is_escaped(client):
    client.post("/", data={"name": "<script>", "message": "a & b"})
    page = client.get("/").text
    assert "&lt;script&gt;" in page and "a &amp; b" in page
    assert "<script>" not in page


def test_an_invalid_signature_is_refused_and_the_form_kept(client):
    refused = client.post("/", data={"name": "", "message": "hello"})
    assert refused.status_code == 422
    assert "The name is required." in refused.text
    assert ">hello</textarea>" in refused.text
    assert "0 entries" in refused.text


@pytest.mark.parametrize("name, message, error", [
    ("", "", "The name is required."),
    ("x" * 101, "m", "The name has at most 100 characters."),
    ("n", "   ", "The message is required."),
    ("n", "m" * 1001, "The message has at most 1000 characters."),
])
def test_validation(name, message, error):
    with pytest.raises(Invalid) as invalid:
        validate(name, message)
    assert error in invalid.value.errors


def test_health_checks_postgresql(client):
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json == {"status": "ok", "postgres": "ok"}


def test_health_fails_without_postgresql(client, monkeypatch):
    monkeypatch.setenv("PGPORT", "1")
    health = client.get("/health")
    assert health.status_code == 503
    assert health.json["postgres"].startswith("error: ")
