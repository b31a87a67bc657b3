"""Hub selectors and giant clusters.

A hub is a selector shared by many ads that otherwise have nothing in common: an agency
switchboard, a phone-sex line, a booking e-mail. Its ads fall into many different text clusters.
Hubs are kept as evidence but do not merge clusters; otherwise one switchboard would join every
operation that ever used it.

A cluster that still grows past a size no single operation plausibly reaches (through chains
of legitimate-looking selectors) is split by Louvain community detection on its own link graph,
seeded, and the split is recorded so an analyst can see what was cut.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from adtrace.cluster.components import connected_components

IntArray = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HubStats:
    """Per selector code: ads carrying it, text clusters they fall in, and the verdict."""

    n_ads: IntArray
    n_groups: IntArray
    is_hub: BoolArray


def hub_stats(
    ad: IntArray,
    code: IntArray,
    n_codes: int,
    text_clusters: IntArray,
    *,
    min_ads: int,
    min_groups: int,
    group_share: float,
) -> HubStats:
    """Find hub selectors.

    Args:
        ad: ad row of each (ad, selector) incidence.
        code: selector code of each incidence.
        n_codes: number of selector codes.
        text_clusters: text-only cluster label of every ad.
        min_ads: a selector in fewer ads is never a hub. Lower catches smaller switchboards
            but risks calling a busy independent's number a hub.
        min_groups: least number of distinct text clusters among its ads.
        group_share: least share of distinct text clusters per ad (1.0 means every ad is
            unrelated text). Lower flags more selectors as hubs.
    """
    n_ads = np.bincount(code, minlength=n_codes).astype(np.int64)
    pairs = np.unique(
        code * (int(text_clusters.max()) + 1 if len(text_clusters) else 1) + text_clusters[ad]
    )
    width = int(text_clusters.max()) + 1 if len(text_clusters) else 1
    n_groups = np.bincount(pairs // width, minlength=n_codes).astype(np.int64)
    is_hub = (
        (n_ads >= min_ads)
        & (n_groups >= min_groups)
        & (n_groups >= group_share * np.maximum(n_ads, 1))
    )
    if is_hub.any():
        log.info(
            "%d hub selectors (largest in %d ads)", int(is_hub.sum()), int(n_ads[is_hub].max())
        )
    return HubStats(n_ads, n_groups, is_hub)


def star_edges(ad: IntArray, code: IntArray, use: BoolArray) -> tuple[IntArray, IntArray, IntArray]:
    """Per selector code in `use`, every ad carrying it linked to the code's first ad.

    Returns:
        (first ad, other ad, selector code) per edge.
    """
    keep = use[code]
    ad, code = ad[keep], code[keep]
    order = np.lexsort((ad, code))
    ad, code = ad[order], code[order]
    first = np.concatenate([[True], code[1:] != code[:-1]]) if len(code) else np.zeros(0, bool)
    anchor = np.maximum.accumulate(np.where(first, np.arange(len(ad)), 0)) if len(ad) else ad
    other = ~first
    return ad[anchor[other]], ad[other], code[other]


@dataclass(frozen=True, slots=True)
class Split:
    """A giant cluster cut by community detection.

    Attributes:
        root: smallest ad row of the giant cluster before the split.
        n_ads: its size.
        parts: communities it was cut into.
        modularity: modularity of the partition (higher is a cleaner cut).
        links_cut: links between different communities.
        weight_cut: their total score.
    """

    root: int
    n_ads: int
    parts: int
    modularity: float
    links_cut: int
    weight_cut: float


def _split_one(
    members: BoolArray,
    a: IntArray,
    b: IntArray,
    w: F64Array,
    new: IntArray,
    resolution: float,
    seed: int,
    root: int,
) -> Split:
    """Louvain on one giant's links; writes each part's smallest ad into `new`."""
    import networkx as nx  # type: ignore[import-untyped]

    inside = members[a] & members[b]
    graph = nx.Graph()
    graph.add_nodes_from(np.flatnonzero(members).tolist())
    graph.add_weighted_edges_from(
        zip(a[inside].tolist(), b[inside].tolist(), w[inside].tolist(), strict=True)
    )
    parts = nx.community.louvain_communities(graph, resolution=resolution, seed=seed)
    part_of = {node: i for i, nodes in enumerate(parts) for node in nodes}
    pa = np.asarray([part_of[x] for x in a[inside].tolist()], dtype=np.int64)
    pb = np.asarray([part_of[x] for x in b[inside].tolist()], dtype=np.int64)
    for nodes in parts:
        rows = np.asarray(sorted(nodes), dtype=np.int64)
        new[rows] = rows[0]
    cut = pa != pb
    size = int(members.sum())
    log.info("split a cluster of %d ads into %d parts", size, len(parts))
    return Split(
        root,
        size,
        len(parts),
        float(nx.community.modularity(graph, parts)),
        int(cut.sum()),
        float(w[inside][cut].sum()),
    )


def split_giants(
    labels: IntArray,
    a: IntArray,
    b: IntArray,
    w: F64Array,
    *,
    limit: int,
    resolution: float,
    seed: int,
    max_ads: int = 200_000,
) -> tuple[IntArray, list[Split]]:
    """Split clusters larger than `limit` with Louvain (networkx), seeded.

    Args:
        labels: cluster label (smallest member) of every ad.
        a: first ad of each link.
        b: second ad of each link.
        w: link score.
        limit: clusters with more ads than this are split.
        resolution: Louvain resolution; higher gives smaller communities.
        seed: Louvain's seed.
        max_ads: clusters larger than this are left whole (with a warning): networkx Louvain
            is pure Python and would take minutes.

    Returns:
        New labels (smallest member of each part) and one record per split.
    """
    sizes = np.bincount(labels, minlength=len(labels))
    giants = np.flatnonzero(sizes > limit)
    if (sizes[giants] > max_ads).any():
        log.warning(
            "%d clusters exceed %d ads and are not split",
            int((sizes[giants] > max_ads).sum()),
            max_ads,
        )
        giants = giants[sizes[giants] <= max_ads]
    if len(giants) == 0:
        return labels, []
    if importlib.util.find_spec("networkx") is None:
        log.warning("networkx is not installed: %d giant clusters left whole", len(giants))
        return labels, []
    new = labels.copy()
    splits = [
        _split_one(labels == root, a, b, w, new, resolution, seed, root) for root in giants.tolist()
    ]
    return connected_components(len(labels), np.arange(len(labels)), new), splits
