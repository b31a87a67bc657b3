"""The data every stage passes around: frozen dataclasses with typed ids.

An ad is identified by (site, site_ad_id). Each distinct content of an ad is a version; each time a
row with that content is read, a sighting. Ingest turns input rows into `AdRecord` or `Rejection`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NewType

AdId = NewType("AdId", int)
BatchId = NewType("BatchId", int)
VersionId = NewType("VersionId", int)


@dataclass(frozen=True, slots=True)
class AdRecord:
    """A validated input row, ready to store: text verbatim, typed values beside raw ones.

    Attributes:
        site: the site the ad was posted on.
        site_ad_id: the id the site gave the ad (or one derived from its URL or content).
        line: the line of the input file the row started on.
        content_sha256: hash of the ad's content (every field but sighting time), to spot repeats.
        posted_at: posting time in UTC, or None; `posted_at_raw` is the string as read and
            `posted_at_tz` says where its zone came from ("offset", "option:Z", "city:Z",
            "default:Z").
        seen_at: when the row was scraped, in UTC, if the file says; else the import time is used.
        age: the stated age when the age field is a plain number, else None (`age_raw` keeps it).
        extra: every input column not mapped to a field, verbatim.
    """

    site: str
    site_ad_id: str
    line: int
    content_sha256: str
    url: str | None = None
    title: str | None = None
    text: str | None = None
    posted_at: datetime | None = None
    posted_at_raw: str | None = None
    posted_at_tz: str | None = None
    seen_at: datetime | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    age: int | None = None
    age_raw: str | None = None
    price_raw: str | None = None
    phone_raw: str | None = None
    email_raw: str | None = None
    extra: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input row that cannot be used, kept whole with the reason.

    Attributes:
        source: the input file as the user named it.
        line: the line the row started on.
        field: the field (or column) at fault, or "row" for the row as a whole.
        reason: one sentence saying what is wrong.
        raw: the row verbatim: its fields as JSON text, or its raw text when it could not be parsed.
    """

    source: str
    line: int
    field: str
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """What an import did: rows read, and how each was taken."""

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def __add__(self, other: ImportCounts) -> ImportCounts:
        return ImportCounts(
            self.read + other.read,
            self.new + other.new,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.rejected + other.rejected,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
