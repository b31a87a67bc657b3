"""Every knob of a link run, with its trade-off. A run stores them with its results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

Signals = Literal["text", "selectors", "all"]
LinkOutput = Literal["spanning", "all"]


@dataclass(frozen=True, slots=True)
class LinkParams:
    """Parameters of batch linking. Defaults are tuned on synthetic and real Canadian ads.

    Text representation:
        shingle_size: words per shingle. 3 tolerates one changed word in three; larger is more
            specific (fewer chance matches on common phrases) but an edit rate e keeps only
            about (1 - e)**k of the shingles.
        num_perm: MinHash permutations. Estimate error falls as 1/sqrt(num_perm) and more
            bands become possible; time and memory grow linearly (4 bytes per ad each).

    Candidate generation (LSH):
        lsh_rows: rows per band, or None to choose per batch: the fewest rows (from
            `lsh_min_rows`) whose candidate count stays under `max_candidates_per_ad`. Fewer
            rows find pairs of lower similarity; more rows keep large batches tractable.
        lsh_min_rows: fewest rows tried. 2 rows x 64 bands finds pairs down to Jaccard 0.2
            almost surely; small batches use it.
        max_candidates_per_ad: candidate budget per ad for choosing rows. Higher raises recall
            on moderately similar pairs in large batches, at verification cost.
        max_bucket: LSH buckets above this size give a star and a chain rather than all
            pairs (linear instead of quadratic; the cluster is still connected).

    Boilerplate model:
        boilerplate_share: a shingle found in at least this share of near-duplicate groups
            (overall) is boilerplate and ignored when comparing texts. Lower removes more
            stock phrases but starts to eat large operations' own templates.
        boilerplate_min_groups: ... and in at least this many groups (protects small batches,
            where a share means very few ads).
        site_boilerplate_share: per site, a shingle in at least this share of the site's groups
            (sites with at least `site_min_groups` groups) is that site's header or footer.
        site_min_groups: sites with fewer groups than this are not modelled per site.
        group_jaccard: estimated Jaccard at or above which ads count as one near-duplicate
            group when counting document frequency (so a template posted 500 times counts
            once). Lower merges more copies but risks counting unrelated ads as one.
        model_sample: learn the model from at most this many ads (seeded sample). Boilerplate
            is common by definition, so a sample finds it; rare site footers may be missed.

    Text links:
        jaccard_threshold: exact Jaccard (boilerplate removed) at or above which two ads link.
            Lower links more edited copies but lets generic wording link strangers.
        containment_threshold: share of the smaller ad's shingles found in the larger one at
            or above which they link (a short ad copied inside a long one).
        min_containment_shingles: containment counts only when the smaller ad has at least
            this many shingles; tiny ads are contained in many others by chance.
        containment_max_shingles: ads with at most this many shingles are looked up as
            possibly contained in larger ads (see `adtrace.link.candidates`). Higher finds
            longer partial copies at more look-up cost.
        containment_anchors: anchors (bottom-k shingles) looked up per short ad; a copy
            keeping a share c of the short ad is found with probability 1 - (1 - c)**k.
        containment_ratio: a container must have at least this many times the short ad's
            shingles (pairs of similar size are LSH's job).
        containment_max_postings: an anchor found in more ads than this is generic wording
            and is not looked up (bounds the look-up cost).
        strong_threshold: text links at or above this score merge clusters directly; weaker
            links merge only by average linkage (no chaining through weak links).

    Selectors and hubs:
        hub_min_ads: a selector in fewer ads is never a hub.
        hub_min_groups: a selector is a hub when its ads fall in at least this many text
            clusters...
        hub_group_share: ... making up at least this share of its ads (unrelated ads, e.g. an
            agency switchboard or a phone-sex line). Hubs give evidence but never merge.
        giant_min_ads: a cluster larger than this (and than `giant_share` of the batch) is
            split by Louvain community detection on its link graph.
        giant_share: see `giant_min_ads`.
        louvain_resolution: higher gives smaller communities when splitting a giant cluster.

    Clustering:
        average_threshold: two clusters joined by weak links merge while the mean link score
            over all their pairs (missing links count 0) is at least this. Higher keeps
            clusters tighter; lower recovers more edited copies.
        links_output: "spanning" writes, per cluster, the links of its strongest spanning tree
            (one fewer than its ads, each explained); "all" writes every verified link.

    Incremental runs (on the store):
        partner_rows: rows per band when looking up the stored ads a new ad could link to
            (their clusters are linked again); never more than the linking bands' rows.
            Fewer rows reach less similar ads, which template merges can still join (3 rows x
            42 bands finds pairs of Jaccard 0.35 with probability 0.84, 0.5 almost surely):
            closer to a full run's clusters, at the cost of linking more of the store again.
        partner_jaccard: ... and, when above 0, only stored ads whose MinHash estimate of
            Jaccard similarity with a new ad is at least this. Loose bands on a large store
            match many ads through common wording: on 1M synthetic ads + 20k new, 3 rows
            relink 74% of the store at 0 and 6% at 0.2. But template merges join ads of
            Jaccard 0.13-0.15 whose templates are alike (the 10-day test then differs from a
            full run), so the default 0 keeps the result closest to a full run.
    """

    shingle_size: int = 3
    num_perm: int = 128
    lsh_rows: int | None = None
    lsh_min_rows: int = 2
    max_candidates_per_ad: float = 10.0
    max_bucket: int = 200
    boilerplate_share: float = 0.02
    boilerplate_min_groups: int = 5
    site_boilerplate_share: float = 0.2
    site_min_groups: int = 20
    group_jaccard: float = 0.5
    model_sample: int = 50_000
    jaccard_threshold: float = 0.3
    containment_threshold: float = 0.8
    min_containment_shingles: int = 8
    containment_max_shingles: int = 40
    containment_anchors: int = 3
    containment_ratio: float = 1.5
    containment_max_postings: int = 50
    strong_threshold: float = 0.5
    hub_min_ads: int = 50
    hub_min_groups: int = 10
    hub_group_share: float = 0.5
    giant_min_ads: int = 2_000
    giant_share: float = 0.01
    louvain_resolution: float = 1.0
    template_threshold: float = 0.25
    core_share: float = 0.6
    max_rounds: int = 8
    links_output: LinkOutput = "spanning"
    partner_rows: int = 3
    partner_jaccard: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "boilerplate_share",
            "site_boilerplate_share",
            "group_jaccard",
            "jaccard_threshold",
            "containment_threshold",
            "strong_threshold",
            "hub_group_share",
            "giant_share",
            "template_threshold",
            "core_share",
            "partner_jaccard",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")
        if self.num_perm < 8:
            raise ValueError(f"num_perm must be at least 8, got {self.num_perm}")
        if not 1 <= self.partner_rows <= self.num_perm:
            raise ValueError(f"partner_rows must be within [1, num_perm], got {self.partner_rows}")
        if self.lsh_rows is not None and not 1 <= self.lsh_rows <= self.num_perm:
            raise ValueError(f"lsh_rows must be within [1, num_perm], got {self.lsh_rows}")

    def to_dict(self) -> dict[str, Any]:
        """The parameters as JSON-able values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LinkParams:
        """Parameters from `to_dict` output (unknown keys are an error)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown link parameters: {', '.join(unknown)}")
        return cls(**values)
