"""stage runs, extractions and selectors

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column(
            "run_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("code_version", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runs_stage_run_id"), ["stage", "run_id"], unique=False)

    op.create_table(
        "extractions",
        sa.Column(
            "version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("extractor_version", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_extractions_run_id_runs")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["ad_versions.version_id"],
            name=op.f("fk_extractions_version_id_ad_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_extractions")),
    )
    op.create_table(
        "selectors",
        sa.Column(
            "selector_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=10), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column("obfuscated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["ad_versions.version_id"],
            name=op.f("fk_selectors_version_id_ad_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("selector_id", name=op.f("pk_selectors")),
    )
    with op.batch_alter_table("selectors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selectors_kind_value"), ["kind", "value"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_selectors_version_id"), ["version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("selectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selectors_version_id"))
        batch_op.drop_index(batch_op.f("ix_selectors_kind_value"))

    op.drop_table("selectors")
    op.drop_table("extractions")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_stage_run_id"))

    op.drop_table("runs")
