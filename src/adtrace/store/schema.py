"""The store's tables (SQLAlchemy Core); the migrations under `migrations/` build exactly these."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit keys.
Key = BigInteger().with_variant(Integer(), "sqlite")
When = DateTime(timezone=True)

batches = Table(
    "batches",
    metadata,
    Column("batch_id", Key, primary_key=True, autoincrement=True),
    Column("dataset", String(200), nullable=False),
    Column("source", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("format", String(20), nullable=False),
    Column("params", JSON, nullable=False),
    Column("code_version", String(40), nullable=False),
    Column("started_at", When, nullable=False),
    Column("finished_at", When),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_new", Integer, nullable=False, default=0),
    Column("rows_updated", Integer, nullable=False, default=0),
    Column("rows_unchanged", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False),
    Column("undone_at", When),
    Column("undone_by", String(100)),  # added in 0008
    Index(None, "file_sha256"),
)

ads = Table(
    "ads",
    metadata,
    Column("ad_id", Key, primary_key=True, autoincrement=True),
    Column("site", String(200), nullable=False),
    Column("site_ad_id", String(500), nullable=False),
    Column("current_version_id", Key),
    Column("first_seen", When, nullable=False),
    Column("last_seen", When, nullable=False),
    Column("sightings", Integer, nullable=False),
    UniqueConstraint("site", "site_ad_id"),
)

ad_versions = Table(
    "ad_versions",
    metadata,
    Column("version_id", Key, primary_key=True, autoincrement=True),
    Column("ad_id", Key, ForeignKey("ads.ad_id", ondelete="CASCADE"), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("batch_id", Key, ForeignKey("batches.batch_id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("text", Text),
    Column("posted_at", When),
    Column("posted_at_raw", Text),
    Column("posted_at_tz", String(80)),
    Column("city", Text),
    Column("region", Text),
    Column("country", Text),
    Column("age", Integer),
    Column("age_raw", Text),
    Column("price_raw", Text),
    Column("phone_raw", Text),
    Column("email_raw", Text),
    Column("extra", JSON, nullable=False),
    UniqueConstraint("ad_id", "content_sha256"),
)

sightings = Table(
    "sightings",
    metadata,
    Column("sighting_id", Key, primary_key=True, autoincrement=True),
    Column("ad_id", Key, ForeignKey("ads.ad_id", ondelete="CASCADE"), nullable=False),
    Column(
        "version_id", Key, ForeignKey("ad_versions.version_id", ondelete="CASCADE"), nullable=False
    ),
    Column("batch_id", Key, ForeignKey("batches.batch_id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("seen_at", When, nullable=False),
    Index(None, "batch_id"),
    Index(None, "ad_id"),
    Index(None, "version_id"),
)

rejects = Table(
    "rejects",
    metadata,
    Column("reject_id", Key, primary_key=True, autoincrement=True),
    Column("batch_id", Key, ForeignKey("batches.batch_id"), nullable=False),
    Column("source", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("field", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Index(None, "batch_id"),
)

# Stage runs after ingest (extract, link, score): the code version and parameters behind results.
runs = Table(
    "runs",
    metadata,
    Column("run_id", Key, primary_key=True, autoincrement=True),
    Column("stage", String(20), nullable=False),
    Column("code_version", String(40), nullable=False),
    Column("params", JSON, nullable=False),
    Column("started_at", When, nullable=False),
    Column("finished_at", When),
    Column("status", String(20), nullable=False),
    Column("counts", JSON, nullable=False),
    Index(None, "stage", "run_id"),
)

# One row per ad version extracted: which run did it, with which extractor, and the ad's language.
extractions = Table(
    "extractions",
    metadata,
    Column(
        "version_id",
        Key,
        ForeignKey("ad_versions.version_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("run_id", Key, ForeignKey("runs.run_id"), nullable=False),
    Column("extractor_version", String(40), nullable=False),
    Column("language", String(10)),
)

# Every selector found in an ad version, with its exact span in the field (for highlighting).
selectors = Table(
    "selectors",
    metadata,
    Column("selector_id", Key, primary_key=True, autoincrement=True),
    Column(
        "version_id", Key, ForeignKey("ad_versions.version_id", ondelete="CASCADE"), nullable=False
    ),
    Column("kind", String(20), nullable=False),
    Column("value", Text, nullable=False),
    Column("number", Float),
    Column("field", String(20), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("platform", String(40)),
    Column("currency", String(10)),
    Column("minutes", Integer),
    Column("region", String(10)),
    Column("obfuscated", Boolean, nullable=False),
    Index(None, "kind", "value"),
    Index(None, "version_id"),
)

# The current evidence: one row per written link of the current clusters (kinds, score, the rest
# as JSON); `run_id` is the run that last rebuilt the link's cluster.
ad_links = Table(
    "ad_links",
    metadata,
    Column("link_id", Key, primary_key=True, autoincrement=True),
    Column("run_id", Key, ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("ad_a", Key, ForeignKey("ads.ad_id", ondelete="CASCADE"), nullable=False),
    Column("ad_b", Key, ForeignKey("ads.ad_id", ondelete="CASCADE"), nullable=False),
    Column("cluster_id", String(40), nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence", JSON, nullable=False),
    Index(None, "run_id", "cluster_id"),
    Index(None, "cluster_id"),
    Index(None, "ad_a"),
    Index(None, "ad_b"),
)

# Files a run saved (the link model, the LSH index), kept in the store so PostgreSQL needs no disk.
run_artifacts = Table(
    "run_artifacts",
    metadata,
    Column("run_id", Key, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

# --- Incremental linking (0004) ---------------------------------------------------------------
# Current cluster of every linked ad. No foreign key to ads: when an ad is deleted its row stays
# until the next link run records that it left its cluster.
cluster_members = Table(
    "cluster_members",
    metadata,
    Column("ad_id", Key, primary_key=True, autoincrement=False),
    Column("cluster_id", String(40), nullable=False),
    Column("run_id", Key, ForeignKey("runs.run_id"), nullable=False),
    Index(None, "cluster_id"),
)

# Every ad that entered or left a cluster in a run (old or new cluster None: new or deleted ad).
cluster_changes = Table(
    "cluster_changes",
    metadata,
    Column("run_id", Key, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("ad_id", Key, primary_key=True, autoincrement=False),
    Column("old_cluster", String(40)),
    Column("new_cluster", String(40)),
    Index(None, "run_id", "new_cluster"),
    Index(None, "run_id", "old_cluster"),
    Index(None, "ad_id"),
)

# What happened to clusters in a run: created, grew, shrank, merged, split, dissolved.
cluster_events = Table(
    "cluster_events",
    metadata,
    Column("event_id", Key, primary_key=True, autoincrement=True),
    Column("run_id", Key, ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("cluster_id", String(40), nullable=False),
    Column("sources", JSON, nullable=False),
    Column("targets", JSON, nullable=False),
    Column("ads_in", Integer, nullable=False),
    Column("ads_out", Integer, nullable=False),
    Index(None, "run_id", "cluster_id"),
)

# The MinHash signature of each linked ad's current version under the frozen model (the
# persisted LSH index: band keys are computed from it).
ad_signatures = Table(
    "ad_signatures",
    metadata,
    Column("ad_id", Key, ForeignKey("ads.ad_id", ondelete="CASCADE"), primary_key=True),
    Column("version_id", Key, nullable=False),
    Column("run_id", Key, ForeignKey("runs.run_id"), nullable=False),
    Column("signature", LargeBinary, nullable=False),
)

# Digests of the selectors (phone, e-mail, handle) each linked ad had, to find the ads a new ad
# shares one with (digests, not values: a purge of the ad's rows leaves no selector behind).
ad_selector_keys = Table(
    "ad_selector_keys",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("ad_id", Key, ForeignKey("ads.ad_id", ondelete="CASCADE"), primary_key=True),
    Index(None, "ad_id"),
)

# --- Scoring (0005) ----------------------------------------------------------------------------
# Review-priority scores of ads and clusters, one set per score run, with the reasons (indicator,
# tier, span or figure) behind every score. A score is a priority, not a finding. A score run scores
# the current clusters of the newest link run (`link_run_id`).
ad_scores = Table(
    "ad_scores",
    metadata,
    Column("run_id", Key, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("ad_id", Key, ForeignKey("ads.ad_id", ondelete="CASCADE"), primary_key=True),
    Column(
        "version_id", Key, ForeignKey("ad_versions.version_id", ondelete="CASCADE"), nullable=False
    ),
    Column("score", Float, nullable=False),
    Column("escalate", Boolean, nullable=False),
    Column("reasons", JSON, nullable=False),
    Index(None, "ad_id"),
    Index(None, "run_id", "escalate"),
)

cluster_scores = Table(
    "cluster_scores",
    metadata,
    Column("run_id", Key, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("cluster_id", String(40), primary_key=True),
    Column("link_run_id", Key, ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("score", Float, nullable=False),
    Column("escalate", Boolean, nullable=False),
    Column("n_ads", Integer, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("profile", JSON, nullable=False),
    Index(None, "run_id", "score"),
)

# --- Web app (0006) ----------------------------------------------------------------------------
# Users and server-side sessions (the cookie holds a random token; only its SHA-256 is stored),
# and the search index: one row per distinct folded term of each ad's current version, and what
# results are filtered and sorted by. Filled by adtrace.store.search_index.
# Search terms compare by code point on both stores (see docs/web.md).
Term = String(80).with_variant(String(80, collation="C"), "postgresql")

users = Table(
    "users",
    metadata,
    Column("user_id", Key, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("created_at", When, nullable=False),
    Column("disabled_at", When),
    Column("locale", String(10)),  # interface language (en | fr), added in 0007
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("user_id", Key, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", When, nullable=False),
    Column("expires_at", When, nullable=False),
    Index(None, "user_id"),
)

search_terms = Table(
    "search_terms",
    metadata,
    Column("term", Term, primary_key=True),
    Column("ad_id", Key, ForeignKey("ads.ad_id", ondelete="CASCADE"), primary_key=True),
    Index(None, "ad_id"),
    sqlite_with_rowid=False,
)

search_docs = Table(
    "search_docs",
    metadata,
    Column("ad_id", Key, ForeignKey("ads.ad_id", ondelete="CASCADE"), primary_key=True),
    Column("version_id", Key, nullable=False),
    Column("site", String(200), nullable=False),
    Column("city", Text),
    Column("posted_at", When),
    Index(None, "posted_at"),
    Index(None, "site"),
)

# --- Case work, escalations, exports, browser imports (0007) ------------------------------------
# Judgements attach to sets of ads, not to cluster ids: a label, note, tag or case item points at
# an `ad_sets` row (the ads as they were when the analyst acted), so it survives re-linking, and a
# cluster whose current ads differ from a labelled set can be flagged for review with the change.
# No foreign key to ads: a set keeps the ids it was judged on even when an import is undone.
# Who acted is kept as the username (users may be removed later; the record stays).
Who = String(100)

ad_sets = Table(
    "ad_sets",
    metadata,
    Column("set_id", Key, primary_key=True, autoincrement=True),
    Column("cluster_id", String(40)),  # the cluster the set was taken from, if any
    Column("link_run", Key),  # the link run that cluster belonged to
    Column("n_ads", Integer, nullable=False),
    Column("created_by", Who, nullable=False),
    Column("created_at", When, nullable=False),
    Index(None, "cluster_id"),
)

ad_set_members = Table(
    "ad_set_members",
    metadata,
    Column("set_id", Key, ForeignKey("ad_sets.set_id", ondelete="CASCADE"), primary_key=True),
    Column("ad_id", Key, primary_key=True, autoincrement=False),
    Index(None, "ad_id"),
    sqlite_with_rowid=False,
)

# Labels, notes and tags on a set of ads (`kind` label | note | tag). Removing one keeps the row
# with who removed it and when.
set_annotations = Table(
    "set_annotations",
    metadata,
    Column("annotation_id", Key, primary_key=True, autoincrement=True),
    Column("set_id", Key, ForeignKey("ad_sets.set_id"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("value", Text, nullable=False),
    Column("created_by", Who, nullable=False),
    Column("created_at", When, nullable=False),
    Column("removed_by", Who),
    Column("removed_at", When),
    Index(None, "set_id"),
    Index(None, "kind", "value"),
)

cases = Table(
    "cases",
    metadata,
    Column("case_id", Key, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("status", String(20), nullable=False),  # open | closed
    Column("created_by", Who, nullable=False),
    Column("created_at", When, nullable=False),
    Column("updated_at", When, nullable=False),
)

# What a case gathers: sets of ads (a cluster as it was, or single ads).
case_items = Table(
    "case_items",
    metadata,
    Column("item_id", Key, primary_key=True, autoincrement=True),
    Column("case_id", Key, ForeignKey("cases.case_id", ondelete="CASCADE"), nullable=False),
    Column("set_id", Key, ForeignKey("ad_sets.set_id"), nullable=False),
    Column("kind", String(10), nullable=False),  # cluster | ad
    Column("added_by", Who, nullable=False),
    Column("added_at", When, nullable=False),
    Column("removed_by", Who),
    Column("removed_at", When),
    Index(None, "case_id"),
)

# A04 escalations: one per escalated ad, with an owner, a status (new, in_review, referred,
# closed) and a history of every change.
escalations = Table(
    "escalations",
    metadata,
    Column("escalation_id", Key, primary_key=True, autoincrement=True),
    Column("ad_id", Key, nullable=False, unique=True),
    Column("cluster_id", String(40)),
    Column("score_run", Key),
    Column("reason", Text, nullable=False),
    Column("owner", Who),
    Column("status", String(20), nullable=False),
    Column("created_at", When, nullable=False),
    Column("updated_at", When, nullable=False),
    Index(None, "status"),
)

escalation_events = Table(
    "escalation_events",
    metadata,
    Column("event_id", Key, primary_key=True, autoincrement=True),
    Column(
        "escalation_id",
        Key,
        ForeignKey("escalations.escalation_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("at", When, nullable=False),
    Column("by", Who, nullable=False),
    Column("action", String(20), nullable=False),  # opened | owner | status | comment
    Column("old", Text),
    Column("new", Text),
    Column("comment", Text),
    Index(None, "escalation_id"),
)

# Every export: what (case or cluster), in which format, redacted or not, by whom, from which
# link run, and the SHA-256 of the bytes handed out.
exports = Table(
    "exports",
    metadata,
    Column("export_id", Key, primary_key=True, autoincrement=True),
    Column("subject", String(10), nullable=False),  # case | cluster
    Column("subject_id", String(40), nullable=False),
    Column("format", String(10), nullable=False),  # csv | json | pdf
    Column("redacted", Boolean, nullable=False),
    Column("link_run", Key),
    Column("n_ads", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_by", Who, nullable=False),
    Column("created_at", When, nullable=False),
)

# Imports started from the browser and run as background jobs (status queued, running,
# complete, failed); the batch they produced is `batch_id`.
import_jobs = Table(
    "import_jobs",
    metadata,
    Column("job_id", Key, primary_key=True, autoincrement=True),
    Column("filename", String(255), nullable=False),  # as uploaded: shown, never used as a path
    Column("site", String(200)),
    Column("dataset", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("batch_id", Key, ForeignKey("batches.batch_id")),
    Column("counts", JSON),
    Column("error", Text),
    Column("created_by", Who, nullable=False),
    Column("created_at", When, nullable=False),
    Column("started_at", When),
    Column("finished_at", When),
)

# --- Security, audit, retention (0008) ----------------------------------------------------------
# The audit log: who searched, viewed, exported and changed what. Append-only: triggers on both
# stores refuse UPDATE and DELETE (migration 0008). Search terms and selector values are never
# stored as such in `details`: they are keyed hashes (HMAC-SHA-256 with the store's secret), so a
# purge leaves no phone number behind in the log.
audit_log = Table(
    "audit_log",
    metadata,
    Column("event_id", Key, primary_key=True, autoincrement=True),
    Column("at", When, nullable=False),
    Column("username", Who),  # None: not signed in (failed logins) or the system
    Column("action", String(40), nullable=False),  # search, view_ad, export, label, ...
    Column("target", String(200)),  # "cluster:r2-62", "ad:17", "case:3", "user:bob"
    Column("details", JSON, nullable=False),
    Column("address", String(64)),  # the client's IP address as the server saw it
    Index(None, "at"),
    Index(None, "username", "at"),
    Index(None, "action", "at"),
)

# Failed sign-ins, for throttling by user name and by address (kept a day, then pruned).
login_failures = Table(
    "login_failures",
    metadata,
    Column("failure_id", Key, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", When, nullable=False),
    Index(None, "username", "at"),
    Index(None, "address", "at"),
)

# Settings an admin changes from the web app (retention age, ...): key → JSON value.
app_settings = Table(
    "app_settings",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_by", Who, nullable=False),
    Column("updated_at", When, nullable=False),
)

# Every purge: by age or of a selector (named by its keyed hash, never its value), what it removed.
purges = Table(
    "purges",
    metadata,
    Column("purge_id", Key, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),  # age | selector
    Column("criteria", JSON, nullable=False),  # {"older_than_days": 365} or {"digest": "..."}
    Column("counts", JSON, nullable=False),
    Column("by", Who, nullable=False),
    Column("at", When, nullable=False),
)
