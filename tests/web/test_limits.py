"""Request bodies are capped before the CSRF check or a route reads them."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient

from adtrace.web.limits import FORM_BYTES


def test_an_oversized_form_is_refused_before_parsing(anonymous: TestClient) -> None:
    response = anonymous.post("/login", data={"username": "x" * (FORM_BYTES + 10)})
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_an_oversized_body_without_length_is_cut_off(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b"a" * (FORM_BYTES // 2)

    response = client.post(
        "/language", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


def test_a_normal_form_still_works(client: TestClient) -> None:
    page = client.get("/cases")
    assert page.status_code == 200
    assert client.head("/cases").status_code == 200
