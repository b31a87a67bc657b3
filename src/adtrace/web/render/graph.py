"""The network of a cluster as cytoscape.js elements: ads, and the phones, e-mails and handles
that join them.

Nodes: one per ad, one per distinct selector (kind and value); only phones, e-mails and handles
are drawn (the selectors that identify a person or an operator). Edges: ad - selector ("has"),
and ad - ad for every written link, with its kinds and score.

Size cap: a browser stays responsive up to a few hundred nodes, so at most `max_nodes` nodes and
`max_edges` edges are returned. When the cluster is larger, the ads kept are the most connected
ones (sum of their link scores plus one per shared selector), the selectors kept are those
shared by the most kept ads, and the links kept are the highest-scoring; the result says so
(``truncated``, ``counts`` and a sentence in ``note``), and the page must show that sentence.

Safety: node and edge ids are generated (``ad-3``, ``phone-0``, ``e12``), never taken from the
data, so they are valid cytoscape selectors whatever the ads contain. Ad-supplied values (labels,
selector values) are raw, unescaped strings inside JSON: the client must only hand them to
cytoscape's ``label`` style (drawn on a canvas) or to ``textContent``, never to ``innerHTML``;
a page that embeds this JSON must do it through Jinja's ``tojson`` filter (or fetch it), which
escapes ``<``, ``>`` and ``&``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from adtrace.web.render.labels import check_lang, clean_text

SELECTOR_KINDS: Final = ("phone", "email", "handle")
_LABEL_LIMIT: Final = 40
_NOTE: Final = {
    "en": "Showing {nodes} of {all_nodes} nodes and {edges} of {all_edges} edges: the most "
    "connected ads, the selectors they share most and the strongest links.",
    "fr": "Affichage de {nodes} nœuds sur {all_nodes} et de {edges} liens sur {all_edges} : "
    "les annonces les plus reliées, les sélecteurs qu'elles partagent le plus et les liens "
    "les plus forts.",
}


@dataclass(frozen=True, slots=True)
class GraphAd:
    """An ad as a node: its id and a short label (e.g. the site and the persona)."""

    id: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class GraphSelector:
    """A selector found in an ad.

    Attributes:
        ad_id: the ad it was found in.
        kind: phone, email or handle (other kinds are ignored).
        value: the normalised value (E.164 phone, lower-case e-mail or handle).
        hub: the selector is shared by too many ads to count as evidence (a hub).
    """

    ad_id: str
    kind: str
    value: str
    hub: bool = False


@dataclass(frozen=True, slots=True)
class GraphLink:
    """A written link between two ads: its kinds (text, phone, ...) and score."""

    a: str
    b: str
    kinds: tuple[str, ...]
    score: float


def _label(value: object) -> str:
    text = clean_text(value)
    return text if len(text) <= _LABEL_LIMIT else text[: _LABEL_LIMIT - 1] + "…"


def _selector_ads(
    selectors: Sequence[GraphSelector], known: set[str]
) -> dict[tuple[str, str], list[str]]:
    """Distinct (kind, value) -> the known ads it appears in (each once, in first-seen order)."""
    out: dict[tuple[str, str], list[str]] = {}
    for s in selectors:
        if s.kind in SELECTOR_KINDS and s.ad_id in known:
            ads = out.setdefault((s.kind, s.value), [])
            if s.ad_id not in ads:
                ads.append(s.ad_id)
    return out


def _choose(
    ads: Sequence[GraphAd],
    by_selector: dict[tuple[str, str], list[str]],
    links: Sequence[GraphLink],
    max_nodes: int,
) -> tuple[list[GraphAd], list[tuple[str, str]]]:
    """The ads and selectors kept under the node cap (see the module docstring)."""
    # Weight: the scores of an ad's links plus one per selector it shares with another ad.
    degree: dict[str, float] = defaultdict(float)
    for link in links:
        degree[link.a] += link.score
        degree[link.b] += link.score
    for ad_ids in by_selector.values():
        if len(ad_ids) > 1:
            for ad_id in ad_ids:
                degree[ad_id] += 1.0
    ad_budget = max_nodes if not by_selector else max(1, (max_nodes * 2) // 3)
    ranked = sorted(ads, key=lambda a: (-degree[a.id], a.id))
    kept_ads = ranked[:ad_budget]
    kept_ids = {a.id for a in kept_ads}
    reach = {key: sum(a in kept_ids for a in ids) for key, ids in by_selector.items()}
    candidates = sorted((k for k in reach if reach[k] > 0), key=lambda k: (-reach[k], k))
    kept_selectors = candidates[: max_nodes - len(kept_ads)]
    return kept_ads, kept_selectors


def network_elements(
    ads: Sequence[GraphAd],
    selectors: Sequence[GraphSelector],
    links: Sequence[GraphLink],
    *,
    max_nodes: int = 400,
    max_edges: int = 1500,
    lang: str = "en",
) -> dict[str, Any]:
    """cytoscape.js elements for a cluster's network, capped in size.

    Args:
        ads: the cluster's ads (duplicates by id are ignored).
        selectors: selectors found in those ads; selectors of ads not in `ads` are ignored.
        links: links between the ads; links to ads not in `ads` are ignored.
        max_nodes: nodes returned at most (ads and selectors together, at least 1).
        max_edges: edges returned at most.
        lang: "en" or "fr" for the truncation note.

    Returns:
        ``{"elements": {"nodes": [...], "edges": [...]}, "truncated": bool,
        "counts": {"nodes": [shown, total], "edges": [shown, total]}, "note": str}``; node data
        has ``id``, ``kind`` (ad, phone, email, handle), ``label``, and ``ad_id`` or ``value``
        (and ``hub`` for selectors); edge data has ``id``, ``source``, ``target``, ``kind``
        ("has" or "link"), and for links ``kinds`` and ``score``. Plain JSON types only.
    """
    lang_ = check_lang(lang)
    unique = list({a.id: a for a in ads}.values())
    known = {a.id for a in unique}
    by_selector = _selector_ads(selectors, known)
    hubs = {(s.kind, s.value) for s in selectors if s.hub}
    own_links = [k for k in links if k.a in known and k.b in known and k.a != k.b]
    kept_ads, kept_selectors = _choose(unique, by_selector, own_links, max(1, max_nodes))
    ad_node = {a.id: f"ad-{i}" for i, a in enumerate(kept_ads)}
    nodes: list[dict[str, Any]] = [
        {
            "data": {
                "id": ad_node[a.id],
                "kind": "ad",
                "label": _label(a.label or a.id),
                "ad_id": a.id,
            }
        }
        for a in kept_ads
    ]
    edges: list[dict[str, Any]] = []
    selector_edges = []
    for j, key in enumerate(kept_selectors):
        node = f"{key[0]}-{j}"
        nodes.append(
            {
                "data": {
                    "id": node,
                    "kind": key[0],
                    "label": _label(key[1]),
                    "value": key[1],
                    "hub": key in hubs,
                }
            }
        )
        selector_edges += [(ad_node[a], node) for a in by_selector[key] if a in ad_node]
    kept_links = sorted(
        (k for k in own_links if k.a in ad_node and k.b in ad_node), key=lambda k: -k.score
    )
    link_room = max(max_edges // 2, max_edges - len(selector_edges))
    for k in kept_links[:link_room]:
        edges.append(
            {
                "data": {
                    "id": f"e{len(edges)}",
                    "source": ad_node[k.a],
                    "target": ad_node[k.b],
                    "kind": "link",
                    "kinds": list(k.kinds),
                    "score": round(float(k.score), 4),
                }
            }
        )
    for source, target in selector_edges[: max(0, max_edges - len(edges))]:
        edges.append(
            {"data": {"id": f"e{len(edges)}", "source": source, "target": target, "kind": "has"}}
        )
    total_nodes = len(unique) + len(by_selector)
    total_edges = len(own_links) + sum(len(v) for v in by_selector.values())
    truncated = len(nodes) < total_nodes or len(edges) < total_edges
    note = ""
    if truncated:
        note = _NOTE[lang_].format(
            nodes=len(nodes), all_nodes=total_nodes, edges=len(edges), all_edges=total_edges
        )
    return {
        "elements": {"nodes": nodes, "edges": edges},
        "truncated": truncated,
        "counts": {"nodes": [len(nodes), total_nodes], "edges": [len(edges), total_edges]},
        "note": note,
    }
