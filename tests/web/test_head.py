"""HEAD requests get the GET's status and headers with no body."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_head_of_a_page_is_its_get_without_body(client: TestClient) -> None:
    got = client.get("/search")
    head = client.head("/search")
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-security-policy"] == got.headers["content-security-policy"]


def test_head_of_health_and_missing_pages(anonymous: TestClient) -> None:
    assert anonymous.head("/healthz").status_code == 200
    assert anonymous.head("/healthz").content == b""
    assert anonymous.head("/no-such-page").status_code == 404
    assert anonymous.head("/search", follow_redirects=False).status_code == 303
