"""incremental linking: current cluster members, changes, events, signatures

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The per-run snapshot table `ad_clusters` becomes `cluster_members` (the current clusters) plus
`cluster_changes` (which ads entered or left which cluster in each run); the newest complete link
run's clusters are carried over.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cluster_members",
        sa.Column("ad_id", KEY, autoincrement=False, nullable=False),
        sa.Column("cluster_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", KEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_cluster_members_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("ad_id", name=op.f("pk_cluster_members")),
    )
    with op.batch_alter_table("cluster_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_members_cluster_id"), ["cluster_id"], unique=False
        )
    op.create_table(
        "cluster_changes",
        sa.Column("run_id", KEY, nullable=False),
        sa.Column("ad_id", KEY, autoincrement=False, nullable=False),
        sa.Column("old_cluster", sa.String(length=40), nullable=True),
        sa.Column("new_cluster", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_id"],
            name=op.f("fk_cluster_changes_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "ad_id", name=op.f("pk_cluster_changes")),
    )
    with op.batch_alter_table("cluster_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cluster_changes_ad_id"), ["ad_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cluster_changes_run_id_new_cluster"),
            ["run_id", "new_cluster"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_cluster_changes_run_id_old_cluster"),
            ["run_id", "old_cluster"],
            unique=False,
        )
    op.create_table(
        "cluster_events",
        sa.Column("event_id", KEY, autoincrement=True, nullable=False),
        sa.Column("run_id", KEY, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cluster_id", sa.String(length=40), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("ads_in", sa.Integer(), nullable=False),
        sa.Column("ads_out", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_id"],
            name=op.f("fk_cluster_events_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_cluster_events")),
    )
    with op.batch_alter_table("cluster_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_events_run_id_cluster_id"),
            ["run_id", "cluster_id"],
            unique=False,
        )
    op.create_table(
        "ad_signatures",
        sa.Column("ad_id", KEY, nullable=False),
        sa.Column("version_id", KEY, nullable=False),
        sa.Column("run_id", KEY, nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_id"], ["ads.ad_id"], name=op.f("fk_ad_signatures_ad_id_ads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_ad_signatures_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("ad_id", name=op.f("pk_ad_signatures")),
    )
    op.create_table(
        "ad_selector_keys",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("ad_id", KEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_id"], ["ads.ad_id"], name=op.f("fk_ad_selector_keys_ad_id_ads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("digest", "ad_id", name=op.f("pk_ad_selector_keys")),
    )
    with op.batch_alter_table("ad_selector_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ad_selector_keys_ad_id"), ["ad_id"], unique=False)
    with op.batch_alter_table("ad_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ad_links_cluster_id"), ["cluster_id"], unique=False)
    op.execute(
        "INSERT INTO cluster_members (ad_id, cluster_id, run_id) "
        "SELECT ad_id, cluster_id, run_id FROM ad_clusters WHERE run_id = ("
        "SELECT max(run_id) FROM runs WHERE stage = 'link' AND status = 'complete')"
    )
    with op.batch_alter_table("ad_clusters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_clusters_run_id_cluster_id"))
        batch_op.drop_index(batch_op.f("ix_ad_clusters_ad_id"))
    op.drop_table("ad_clusters")


def downgrade() -> None:
    op.create_table(
        "ad_clusters",
        sa.Column("run_id", KEY, nullable=False),
        sa.Column("ad_id", KEY, nullable=False),
        sa.Column("cluster_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_id"], ["ads.ad_id"], name=op.f("fk_ad_clusters_ad_id_ads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_ad_clusters_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "ad_id", name=op.f("pk_ad_clusters")),
    )
    with op.batch_alter_table("ad_clusters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ad_clusters_ad_id"), ["ad_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ad_clusters_run_id_cluster_id"), ["run_id", "cluster_id"], unique=False
        )
    op.execute(
        "INSERT INTO ad_clusters (run_id, ad_id, cluster_id) "
        "SELECT (SELECT max(run_id) FROM runs WHERE stage = 'link' AND status = 'complete'), "
        "m.ad_id, m.cluster_id FROM cluster_members m JOIN ads ON ads.ad_id = m.ad_id "
        "WHERE EXISTS (SELECT 1 FROM runs WHERE stage = 'link' AND status = 'complete')"
    )
    with op.batch_alter_table("ad_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_links_cluster_id"))
    op.drop_table("ad_signatures")
    with op.batch_alter_table("ad_selector_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_selector_keys_ad_id"))
    op.drop_table("ad_selector_keys")
    with op.batch_alter_table("cluster_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_events_run_id_cluster_id"))
    op.drop_table("cluster_events")
    with op.batch_alter_table("cluster_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_changes_run_id_old_cluster"))
        batch_op.drop_index(batch_op.f("ix_cluster_changes_run_id_new_cluster"))
        batch_op.drop_index(batch_op.f("ix_cluster_changes_ad_id"))
    op.drop_table("cluster_changes")
    with op.batch_alter_table("cluster_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_members_cluster_id"))
    op.drop_table("cluster_members")
