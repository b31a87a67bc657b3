"""web app: users, sessions and the search index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

`search_terms` is clustered on (term, ad_id) (WITHOUT ROWID on SQLite) and its term column is
"C"-collated on PostgreSQL, so prefix ranges compare code points on both stores. The index of
ads already in the store is filled by `adtrace serve` at start
(adtrace.store.search_index.index_pending).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
TERM = sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("user_id", KEY, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("disabled_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", KEY, nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_hash", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"], unique=False)
    op.create_table(
        "search_terms",
        sa.Column("term", TERM, nullable=False),
        sa.Column("ad_id", KEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_id"], ["ads.ad_id"], name=op.f("fk_search_terms_ad_id_ads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("term", "ad_id", name=op.f("pk_search_terms")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_search_terms_ad_id"), "search_terms", ["ad_id"], unique=False)
    op.create_table(
        "search_docs",
        sa.Column("ad_id", KEY, autoincrement=False, nullable=False),
        sa.Column("version_id", KEY, nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("posted_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["ad_id"], ["ads.ad_id"], name=op.f("fk_search_docs_ad_id_ads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ad_id", name=op.f("pk_search_docs")),
    )
    op.create_index(op.f("ix_search_docs_posted_at"), "search_docs", ["posted_at"], unique=False)
    op.create_index(op.f("ix_search_docs_site"), "search_docs", ["site"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_search_docs_site"), table_name="search_docs")
    op.drop_index(op.f("ix_search_docs_posted_at"), table_name="search_docs")
    op.drop_table("search_docs")
    op.drop_index(op.f("ix_search_terms_ad_id"), table_name="search_terms")
    op.drop_table("search_terms")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("users")
