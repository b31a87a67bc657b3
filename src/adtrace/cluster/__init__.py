"""Clusters from links: components, non-chaining core linkage, hubs and giants, profiles."""

from adtrace.cluster.components import cluster_ids, connected_components, union_find
from adtrace.cluster.hubs import HubStats, Split, hub_stats, split_giants
from adtrace.cluster.linkage import CoreParams, Linkage, Merge, core_linkage
from adtrace.cluster.profiles import cluster_profiles

__all__ = [
    "CoreParams",
    "HubStats",
    "Linkage",
    "Merge",
    "Split",
    "cluster_ids",
    "cluster_profiles",
    "connected_components",
    "core_linkage",
    "hub_stats",
    "split_giants",
    "union_find",
]
