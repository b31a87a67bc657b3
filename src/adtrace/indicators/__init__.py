"""Risk indicators, cluster profiles and review-priority scores, with their evidence.

The 40 indicators of indicators.csv (:func:`catalogue`), English and French; lexicons and weights
as data files an analyst can edit (``data/lexicon.csv``, ``data/weights.toml``), validated at load
(:class:`DataFileError` names file, line and field). A score is a review priority with its
reasons, never a finding: see docs/indicators.md.

Stages: :func:`score_ads` (extract, prices, ad indicators, ad scores), then
:func:`score_clusters` (profiles, cluster indicators, cluster scores).
"""

from adtrace.indicators.ad import AdFields, Match, ad_matches
from adtrace.indicators.batch import AdBatchScores, ClusterResult, score_ads, score_clusters
from adtrace.indicators.catalogue import Indicator, catalogue, indicator
from adtrace.indicators.cluster import cluster_matches
from adtrace.indicators.errors import DataFileError
from adtrace.indicators.evidence import Evidence, render
from adtrace.indicators.lexicon import Lexicon, default_lexicon, load_lexicon
from adtrace.indicators.profile import ProfileAd, cluster_profile
from adtrace.indicators.scoring import Reason, Scored, score_ad, score_cluster
from adtrace.indicators.weights import Weights, load_weights

__all__ = [
    "AdBatchScores",
    "AdFields",
    "ClusterResult",
    "DataFileError",
    "Evidence",
    "Indicator",
    "Lexicon",
    "Match",
    "ProfileAd",
    "Reason",
    "Scored",
    "Weights",
    "ad_matches",
    "catalogue",
    "cluster_matches",
    "cluster_profile",
    "default_lexicon",
    "indicator",
    "load_lexicon",
    "load_weights",
    "render",
    "score_ad",
    "score_ads",
    "score_cluster",
    "score_clusters",
]
