"""Every route over HTTP: login required, CSRF, security headers, escaping, JSON twins."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from adtrace.store.schema import ad_versions, selectors
from adtrace.web.security import CSP
from tests.web.conftest import csrf_of, login
from tests.web.seed import HOSTILE_TEXT, Seeded, obfuscated


def routes(seeded: Seeded, client: TestClient) -> list[str]:
    """One URL of every page and API route, with real ids."""
    cluster = client.get(f"/api/clusters/{seeded.cluster_id}").json()
    link = cluster["links"][0]
    ad = cluster["ads"][0]["ad_id"]
    return [
        "/",
        "/api/dashboard",
        "/search?q=real",
        "/api/search?q=real",
        f"/ads/{ad}",
        f"/api/ads/{ad}",
        f"/clusters/{seeded.cluster_id}",
        f"/api/clusters/{seeded.cluster_id}",
        f"/api/clusters/{seeded.cluster_id}/graph",
        f"/compare?a={link['a']}&b={link['b']}",
        f"/api/compare?a={link['a']}&b={link['b']}",
        "/docs",
        "/openapi.json",
    ]


def test_every_route_answers_when_signed_in_and_has_the_security_headers(
    client: TestClient, seeded: Seeded
) -> None:
    for url in [*routes(seeded, client), "/healthz", "/login", "/static/app.js"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:200])
        assert response.headers["content-security-policy"].startswith(CSP), url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_csp_is_exactly_the_strict_policy() -> None:
    assert CSP.startswith(
        "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


def test_logged_out_client_gets_only_the_login_page(
    anonymous: TestClient, client: TestClient, seeded: Seeded
) -> None:
    for url in routes(seeded, client):
        response = anonymous.get(url, follow_redirects=False)
        if url.startswith(("/api/", "/openapi.json")):
            assert response.status_code == 401, url
            assert "sign in" in response.json()["detail"]
        else:
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/login?next="), url
    assert anonymous.get("/healthz").json() == {"status": "ok"}


def test_htmx_request_without_session_is_sent_to_login(anonymous: TestClient) -> None:
    response = anonymous.get("/search?q=x", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["hx-redirect"] == "/login"


def test_wrong_password_is_refused(anonymous: TestClient, seeded: Seeded) -> None:
    form = anonymous.get("/login")
    response = anonymous.post(
        "/login",
        data={"username": seeded.analyst[0], "password": "wrong", "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 401 and "Wrong user name or password" in response.text
    assert "adtrace_session" not in anonymous.cookies


def test_session_cookie_is_httponly_and_samesite_lax(anonymous: TestClient, seeded: Seeded) -> None:
    form = anonymous.get("/login")
    response = anonymous.post(
        "/login",
        data={
            "username": seeded.admin[0],
            "password": seeded.admin[1],
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "adtrace_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_login_without_csrf_token_is_rejected(anonymous: TestClient, seeded: Seeded) -> None:
    anonymous.get("/login")
    response = anonymous.post(
        "/login", data={"username": seeded.admin[0], "password": seeded.admin[1]}
    )
    assert response.status_code == 403
    response = anonymous.post(
        "/login",
        data={"username": seeded.admin[0], "password": seeded.admin[1], "csrf_token": "forged"},
    )
    assert response.status_code == 403


def test_state_change_needs_the_session_csrf_token(client: TestClient) -> None:
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    wrong = client.post("/logout", data={"csrf_token": "x" * 43}, follow_redirects=False)
    assert wrong.status_code == 403
    by_header = client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert by_header.status_code == 303


def test_logout_ends_the_session_on_the_server(app: object, seeded: Seeded) -> None:
    with TestClient(app, base_url="http://127.0.0.1") as client:  # type: ignore[arg-type]
        login(client, *seeded.analyst)
        stolen = client.cookies.get("adtrace_session")
        token = csrf_of(client.get("/").text)
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    with TestClient(app, base_url="http://127.0.0.1") as other:  # type: ignore[arg-type]
        other.cookies.set("adtrace_session", str(stolen))
        assert other.get("/api/dashboard").status_code == 401


def test_login_never_redirects_off_site(anonymous: TestClient, seeded: Seeded) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        anonymous.cookies.clear()
        form = anonymous.get("/login", params={"next": target})
        response = anonymous.post(
            "/login",
            data={
                "username": seeded.analyst[0],
                "password": seeded.analyst[1],
                "csrf_token": csrf_of(form.text),
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_hostile_ad_text_is_escaped_everywhere(client: TestClient, seeded: Seeded) -> None:
    pages = [
        client.get(f"/ads/{seeded.hostile_ad}").text,
        client.get("/search", params={"q": "onload"}).text,
        client.get("/search", params={"phone": "613 555 0199"}).text,
    ]
    for html in pages:
        assert "<script>alert" not in html and "<svg onload" not in html
        assert "<b onmouseover" not in html and 'href="javascript:' not in html
        assert "<style>body" not in html
    ad_page = pages[0]
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in ad_page
    assert "{{ 7*7 }}" in ad_page and "49" not in ad_page.split("{{ 7*7 }}")[0][-5:]
    assert client.get(f"/api/ads/{seeded.hostile_ad}").json()["ad"]["text"] == HOSTILE_TEXT


def test_ad_page_and_its_json_twin_agree(client: TestClient, seeded: Seeded) -> None:
    ad_id = client.get(f"/api/clusters/{seeded.cluster_id}").json()["ads"][0]["ad_id"]
    data = client.get(f"/api/ads/{ad_id}").json()
    html = client.get(f"/ads/{ad_id}").text
    assert data["ad"]["ad_id"] == ad_id and data["cluster"]["cluster_id"] == seeded.cluster_id
    assert data["selectors"], "synthetic ads have selectors"
    for found in data["selectors"]:
        assert f'class="hl hl-{found["kind"]}"' in html or found["kind"] not in (
            "phone",
            "email",
            "handle",
        )
    assert len(data["versions"]) >= 1 and len(data["sightings"]) >= 1


def test_cluster_page_shows_links_with_their_evidence(client: TestClient, seeded: Seeded) -> None:
    data = client.get(f"/api/clusters/{seeded.cluster_id}").json()
    assert data["n_ads"] >= 2 and data["links"]
    html = client.get(f"/clusters/{seeded.cluster_id}").text
    first = data["links"][0]
    assert f"/compare?a={first['a']}&amp;b={first['b']}" in html
    assert "<svg" in html and 'data-graph-url="/api/clusters/' in html
    graph = client.get(f"/api/clusters/{seeded.cluster_id}/graph").json()
    kinds = {node["data"]["kind"] for node in graph["elements"]["nodes"]}
    assert "ad" in kinds and "phone" in kinds


def test_compare_shows_shared_passages_in_both_ads(client: TestClient, seeded: Seeded) -> None:
    link = client.get(f"/api/clusters/{seeded.cluster_id}").json()["links"][0]
    data = client.get("/api/compare", params={"a": link["a"], "b": link["b"]}).json()
    assert data["link"]["score"] == pytest.approx(link["score"])
    fragment = client.get(
        "/compare", params={"a": link["a"], "b": link["b"]}, headers={"HX-Request": "true"}
    ).text
    assert fragment.lstrip().startswith('<section class="compare"')
    text = next(f for f in data["fields"] if f["field"] == "text")
    assert text["passages"], "linked synthetic ads share wording"
    assert fragment.count('data-pair="p1"') >= 2  # passage 1 marked in both ads


def test_missing_ad_and_cluster_are_404(client: TestClient) -> None:
    assert client.get("/ads/999999").status_code == 404
    assert client.get("/api/ads/999999").json()["detail"] == "there is no ad 999999"
    assert client.get("/clusters/nope").status_code == 404
    assert client.get("/api/compare", params={"a": 1, "b": 999999}).status_code == 404


def test_search_by_obfuscated_phone_finds_every_ad_with_it(
    client: TestClient, seeded: Seeded
) -> None:
    with seeded.engine.connect() as conn:
        expected = set(
            conn.execute(
                select(ad_versions.c.ad_id)
                .join(selectors, selectors.c.version_id == ad_versions.c.version_id)
                .where(selectors.c.kind == "phone", selectors.c.value == seeded.phone)
            ).scalars()
        )
    found: set[int] = set()
    page = 1
    while True:
        data = client.get(
            "/api/search", params={"phone": obfuscated(seeded.phone), "page": page}
        ).json()
        assert data["phones"] == [seeded.phone]
        found |= {hit["ad_id"] for hit in data["hits"]}
        if page >= data["paging"]["total"] / data["paging"]["per_page"]:
            break
        page += 1
    assert found == expected and len(found) >= 2


def test_search_sorts_pages_and_reports_problems(client: TestClient) -> None:
    oldest = client.get("/api/search", params={"q": "real", "sort": "oldest"}).json()
    dates = [hit["posted_at"] for hit in oldest["hits"]]
    assert len(dates) == 20 and dates == sorted(dates)
    second = client.get("/api/search", params={"q": "real", "sort": "oldest", "page": 2}).json()
    assert not {h["ad_id"] for h in second["hits"]} & {h["ad_id"] for h in oldest["hits"]}
    bad = client.get("/api/search", params={"phone": "call me"}).json()
    assert bad["problem"] == "no phone number could be read in 'call me'" and bad["hits"] == []
    assert (
        "the from date"
        in client.get("/api/search", params={"from": "2024-13-01"}).json()["problem"]
    )
    assert client.get("/api/search", params={"sort": "bogus"}).json()["problem"]


def test_docs_are_served_from_the_app(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/ads/{ad_id}", "/api/clusters/{cluster_id}", "/api/compare"} <= set(
        paths
    )


def test_dashboard_puts_escalations_first(client: TestClient, seeded: Seeded) -> None:
    data = client.get("/api/dashboard").json()
    assert [e["ad_id"] for e in data["escalations"]] == [seeded.escalated_ad]
    assert data["escalations"][0]["reasons"][0]["indicator"] == "A04"
    assert data["ranked_by"] == "score" and data["counts"]["ads"] == 302
    html = client.get("/").text
    assert html.index(f'href="/ads/{seeded.escalated_ad}"') < html.index("Clusters by review")


def test_ad_page_highlights_indicator_matches_with_reasons(
    client: TestClient, seeded: Seeded
) -> None:
    html = client.get(f"/ads/{seeded.escalated_ad}").text
    assert '<mark class="hl hl-indicator" data-reason="A04 ' in html
    assert ">not yet 18</mark>" in html and "A04 escalate" in html


def test_an_unhandled_error_is_a_plain_500_with_the_security_headers(seeded: Seeded) -> None:
    from adtrace.web.app import create_app

    app = create_app(seeded.engine)

    def boom() -> None:
        raise RuntimeError("secret detail <script>")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert "secret" not in response.text and response.text == "Internal server error"
