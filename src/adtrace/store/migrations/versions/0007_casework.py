"""case work, escalations, exports, browser imports

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

Labels, notes, tags and case items attach to `ad_sets` (the ads as they were when the analyst
acted), so they survive re-linking. A04 escalations get an owner, a status and a history; exports
and imports started from the browser are recorded; users get an interface language.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ad_sets",
        sa.Column(
            "set_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("cluster_id", sa.String(length=40), nullable=True),
        sa.Column("link_run", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("n_ads", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("set_id", name=op.f("pk_ad_sets")),
    )
    with op.batch_alter_table("ad_sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ad_sets_cluster_id"), ["cluster_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column(
            "case_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases")),
    )
    op.create_table(
        "escalations",
        sa.Column(
            "escalation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ad_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("cluster_id", sa.String(length=40), nullable=True),
        sa.Column("score_run", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("escalation_id", name=op.f("pk_escalations")),
        sa.UniqueConstraint("ad_id", name=op.f("uq_escalations_ad_id")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalations_status"), ["status"], unique=False)

    op.create_table(
        "exports",
        sa.Column(
            "export_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.Column("link_run", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("n_ads", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("export_id", name=op.f("pk_exports")),
    )
    op.create_table(
        "ad_set_members",
        sa.Column("set_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "ad_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["ad_sets.set_id"],
            name=op.f("fk_ad_set_members_set_id_ad_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("set_id", "ad_id", name=op.f("pk_ad_set_members")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ad_set_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ad_set_members_ad_id"), ["ad_id"], unique=False)

    op.create_table(
        "set_annotations",
        sa.Column(
            "annotation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("set_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=100), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_id"], ["ad_sets.set_id"], name=op.f("fk_set_annotations_set_id_ad_sets")
        ),
        sa.PrimaryKeyConstraint("annotation_id", name=op.f("pk_set_annotations")),
    )
    with op.batch_alter_table("set_annotations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_set_annotations_kind_value"), ["kind", "value"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_set_annotations_set_id"), ["set_id"], unique=False)

    op.create_table(
        "case_items",
        sa.Column(
            "item_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("set_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=100), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
            name=op.f("fk_case_items_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_id"], ["ad_sets.set_id"], name=op.f("fk_case_items_set_id_ad_sets")
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_case_items")),
    )
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_items_case_id"), ["case_id"], unique=False)

    op.create_table(
        "escalation_events",
        sa.Column(
            "event_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "escalation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.escalation_id"],
            name=op.f("fk_escalation_events_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_escalation_events")),
    )
    with op.batch_alter_table("escalation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_events_escalation_id"), ["escalation_id"], unique=False
        )

    op.create_table(
        "import_jobs",
        sa.Column(
            "job_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=True),
        sa.Column("dataset", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.batch_id"], name=op.f("fk_import_jobs_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_import_jobs")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locale")

    op.drop_table("import_jobs")
    with op.batch_alter_table("escalation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_events_escalation_id"))

    op.drop_table("escalation_events")
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_items_case_id"))

    op.drop_table("case_items")
    with op.batch_alter_table("set_annotations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_set_annotations_set_id"))
        batch_op.drop_index(batch_op.f("ix_set_annotations_kind_value"))

    op.drop_table("set_annotations")
    with op.batch_alter_table("ad_set_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_set_members_ad_id"))

    op.drop_table("ad_set_members")
    op.drop_table("exports")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalations_status"))

    op.drop_table("escalations")
    op.drop_table("cases")
    with op.batch_alter_table("ad_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_sets_cluster_id"))

    op.drop_table("ad_sets")
