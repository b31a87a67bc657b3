from __future__ import annotations

import json
import re

import pytest

from adtrace.web.render.graph import GraphAd, GraphLink, GraphSelector, network_elements

from .checks import PAYLOADS

SAFE_ID = re.compile(r"^(ad|phone|email|handle)-\d+$|^e\d+$")


def _small() -> dict[str, object]:
    ads = [GraphAd("a1", "site · Amy"), GraphAd("a2", "site · Zoe"), GraphAd("a3")]
    selectors = [
        GraphSelector("a1", "phone", "+14165550123"),
        GraphSelector("a2", "phone", "+14165550123"),
        GraphSelector("a2", "email", "zoe@example.org"),
        GraphSelector("a3", "handle", "zoe_x", hub=True),
        GraphSelector("a3", "url", "example.org/x"),  # not a person selector: not drawn
        GraphSelector("zz", "phone", "+15145550000"),  # not in the cluster: ignored
    ]
    links = [
        GraphLink("a1", "a2", ("text", "phone"), 0.87654),
        GraphLink("a2", "zz", ("text",), 0.5),  # to an ad outside the cluster: ignored
    ]
    return network_elements(ads, selectors, links)


def _nodes(result: dict[str, object]) -> list[dict[str, object]]:
    return [n["data"] for n in result["elements"]["nodes"]]  # type: ignore[index]


def _edges(result: dict[str, object]) -> list[dict[str, object]]:
    return [e["data"] for e in result["elements"]["edges"]]  # type: ignore[index]


def test_nodes_and_edges_of_a_small_cluster() -> None:
    result = _small()
    nodes = {n["id"]: n for n in _nodes(result)}
    kinds = sorted(n["kind"] for n in nodes.values())
    assert kinds == ["ad", "ad", "ad", "email", "handle", "phone"]
    phone = next(n for n in nodes.values() if n["kind"] == "phone")
    assert phone["value"] == "+14165550123" and phone["hub"] is False
    assert next(n for n in nodes.values() if n["kind"] == "handle")["hub"] is True
    edges = _edges(result)
    links = [e for e in edges if e["kind"] == "link"]
    assert len(links) == 1 and links[0]["score"] == 0.8765
    assert links[0]["kinds"] == ["text", "phone"]
    has = [
        (nodes[e["source"]]["ad_id"], nodes[e["target"]]["kind"])
        for e in edges
        if e["kind"] == "has"
    ]
    assert sorted(has) == [("a1", "phone"), ("a2", "email"), ("a2", "phone"), ("a3", "handle")]
    assert result["truncated"] is False and result["note"] == ""
    assert result["counts"] == {"nodes": [6, 6], "edges": [5, 5]}
    for item in [*nodes.values(), *edges]:
        assert SAFE_ID.match(str(item["id"]))
    for e in edges:
        assert e["source"] in nodes and e["target"] in nodes
    json.dumps(result)  # plain JSON types only


def test_ad_labels_fall_back_to_the_id() -> None:
    labels = {n["ad_id"]: n["label"] for n in _nodes(_small()) if n["kind"] == "ad"}
    assert labels == {"a1": "site · Amy", "a2": "site · Zoe", "a3": "a3"}


def test_hostile_values_never_reach_ids() -> None:
    ads = [GraphAd(p, p) for p in PAYLOADS]
    selectors = [GraphSelector(p, "handle", p) for p in PAYLOADS]
    links = [GraphLink(PAYLOADS[0], p, ("text",), 0.9) for p in PAYLOADS[1:]]
    result = network_elements(ads, selectors, links)
    for item in [*_nodes(result), *_edges(result)]:
        assert SAFE_ID.match(str(item["id"]))
        for key in ("source", "target"):
            if key in item:
                assert SAFE_ID.match(str(item[key]))
    # Values stay raw (the client shows them with textContent or canvas labels only).
    assert {n["ad_id"] for n in _nodes(result) if n["kind"] == "ad"} == set(PAYLOADS)
    assert all(len(str(n["label"])) <= 40 for n in _nodes(result))


def test_large_clusters_are_capped_and_say_so() -> None:
    ads = [GraphAd(f"a{i}") for i in range(1000)]
    selectors = [GraphSelector(f"a{i}", "phone", f"+1416555{i % 50:04d}") for i in range(1000)]
    selectors.append(GraphSelector("a999", "email", "boss@example.org"))
    links = [GraphLink("a999", f"a{i}", ("text",), i / 1000) for i in range(999)]
    result = network_elements(ads, selectors, links, max_nodes=120, max_edges=300)
    nodes, edges = _nodes(result), _edges(result)
    assert len(nodes) <= 120 and len(edges) <= 300
    assert result["truncated"] is True
    assert result["counts"]["nodes"] == [len(nodes), 1051]
    assert result["note"].startswith(f"Showing {len(nodes)} of 1051 nodes")
    assert "a999" in {n.get("ad_id") for n in nodes}  # the most connected ad is kept
    scores = [e["score"] for e in edges if e["kind"] == "link"]
    assert scores == sorted(scores, reverse=True) and max(scores) == 0.998
    ids = {n["id"] for n in nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in edges)


def test_french_note() -> None:
    ads = [GraphAd(f"a{i}") for i in range(10)]
    result = network_elements(ads, [], [], max_nodes=3, lang="fr")
    assert result["note"].startswith("Affichage de 3 nœuds sur 10")


def test_empty_input() -> None:
    result = network_elements([], [], [])
    assert result["elements"] == {"nodes": [], "edges": []}
    assert result["truncated"] is False


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        network_elements([], [], [], lang="es")
