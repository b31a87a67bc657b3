"""link runs: clusters, links and artifacts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ad_clusters",
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ad_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
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

    op.create_table(
        "ad_links",
        sa.Column(
            "link_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ad_a", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ad_b", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("cluster_id", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_a"], ["ads.ad_id"], name=op.f("fk_ad_links_ad_a_ads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ad_b"], ["ads.ad_id"], name=op.f("fk_ad_links_ad_b_ads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_ad_links_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_ad_links")),
    )
    with op.batch_alter_table("ad_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ad_links_ad_a"), ["ad_a"], unique=False)
        batch_op.create_index(batch_op.f("ix_ad_links_ad_b"), ["ad_b"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ad_links_run_id_cluster_id"), ["run_id", "cluster_id"], unique=False
        )

    op.create_table(
        "run_artifacts",
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_id"],
            name=op.f("fk_run_artifacts_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "name", name=op.f("pk_run_artifacts")),
    )


def downgrade() -> None:
    op.drop_table("run_artifacts")
    with op.batch_alter_table("ad_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_links_run_id_cluster_id"))
        batch_op.drop_index(batch_op.f("ix_ad_links_ad_b"))
        batch_op.drop_index(batch_op.f("ix_ad_links_ad_a"))

    op.drop_table("ad_links")
    with op.batch_alter_table("ad_clusters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_clusters_run_id_cluster_id"))
        batch_op.drop_index(batch_op.f("ix_ad_clusters_ad_id"))

    op.drop_table("ad_clusters")
