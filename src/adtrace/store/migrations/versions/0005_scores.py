"""score runs: ad and cluster review-priority scores with their reasons

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _key() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ad_scores",
        sa.Column("run_id", _key(), nullable=False),
        sa.Column("ad_id", _key(), nullable=False),
        sa.Column("version_id", _key(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_id"], ["ads.ad_id"], name=op.f("fk_ad_scores_ad_id_ads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_ad_scores_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["ad_versions.version_id"],
            name=op.f("fk_ad_scores_version_id_ad_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "ad_id", name=op.f("pk_ad_scores")),
    )
    with op.batch_alter_table("ad_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ad_scores_ad_id"), ["ad_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ad_scores_run_id_escalate"), ["run_id", "escalate"], unique=False
        )

    op.create_table(
        "cluster_scores",
        sa.Column("run_id", _key(), nullable=False),
        sa.Column("cluster_id", sa.String(length=40), nullable=False),
        sa.Column("link_run_id", _key(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("n_ads", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_run_id"],
            ["runs.run_id"],
            name=op.f("fk_cluster_scores_link_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_id"],
            name=op.f("fk_cluster_scores_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "cluster_id", name=op.f("pk_cluster_scores")),
    )
    with op.batch_alter_table("cluster_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_scores_run_id_score"), ["run_id", "score"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cluster_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_scores_run_id_score"))

    op.drop_table("cluster_scores")
    with op.batch_alter_table("ad_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_scores_run_id_escalate"))
        batch_op.drop_index(batch_op.f("ix_ad_scores_ad_id"))

    op.drop_table("ad_scores")
