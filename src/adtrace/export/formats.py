"""A dossier as CSV (one row per ad), JSON (one object) or PDF (the report), as bytes.

CSV follows RFC 4180 (the csv module, CRLF line ends, UTF-8 without BOM). A cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so that a
spreadsheet shows it as text instead of running it as a formula (CSV injection): ad text is
hostile input.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from adtrace.export.dossier import (
    PERSONAL_KINDS,
    AdEntry,
    CaseworkEntry,
    Dossier,
    LinkEntry,
    NoteEntry,
    TemplateEntry,
)

FORMATS: Final = ("csv", "json", "pdf")
MEDIA_TYPES: Final = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}
CSV_COLUMNS: Final = (
    "cluster_id",
    "ad_id",
    "site",
    "site_ad_id",
    "url",
    "posted_at",
    "first_seen",
    "city",
    "title",
    "text",
    "phones",
    "emails",
    "handles",
    "names",
    "score",
)
JOINER: Final = " | "
"""Between the values of one selector kind in a CSV cell."""
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
JSON_FORMAT: Final = "adtrace-export"
JSON_VERSION: Final = 1


def export_bytes(dossier: Dossier, fmt: str, *, lang: str = "en") -> bytes:
    """The dossier in one of `FORMATS` (`lang` is the PDF's language).

    Raises:
        ValueError: an unknown format.
    """
    if fmt == "csv":
        return to_csv(dossier)
    if fmt == "json":
        return to_json(dossier)
    if fmt == "pdf":
        from adtrace.export.pdf import report_pdf  # weasyprint loads Pango: only when needed

        return report_pdf(dossier, lang=lang)
    raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")


def safe_cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def to_csv(dossier: Dossier) -> bytes:
    """One row per ad with its cluster and its selectors joined by `JOINER`; a header row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for ad in dossier.ads:
        writer.writerow([safe_cell(cell) for cell in _csv_row(ad)])
    return buffer.getvalue().encode("utf-8")


def _csv_row(ad: AdEntry) -> list[str]:
    return [
        ad.cluster_id or "",
        str(ad.ad_id),
        ad.site,
        ad.site_ad_id,
        ad.url or "",
        _iso(ad.posted_at),
        _iso(ad.first_seen),
        ad.city or "",
        ad.title,
        ad.text,
        *(JOINER.join(ad.values(kind)) for kind in PERSONAL_KINDS),
        "" if ad.score is None else f"{ad.score:.4f}",
    ]


def to_json(dossier: Dossier) -> bytes:
    """The whole dossier as one JSON object (UTF-8, keys in a fixed order)."""
    return json.dumps(json_object(dossier), ensure_ascii=False, indent=1).encode("utf-8")


def json_object(dossier: Dossier) -> dict[str, Any]:
    """The JSON export as a dict (see docs/exports.md for the keys)."""
    run = dossier.link_run
    subject = dossier.subject
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "subject": {
            "kind": subject.kind,
            "id": subject.id,
            "title": subject.title,
            "status": subject.status,
            "summary": subject.summary,
        },
        "link_run": None
        if run is None
        else {"run_id": run.run_id, "finished_at": _json_time(run.finished_at), "mode": run.mode},
        "exported_at": _json_time(dossier.exported_at),
        "exported_by": dossier.exported_by,
        "redacted": dossier.redacted,
        "n_ads": len(dossier.ads),
        "clusters": dossier.clusters(),
        "ads": [_ad_json(ad) for ad in dossier.ads],
        "links": [_link_json(link) for link in dossier.links],
        "templates": [_template_json(t) for t in dossier.templates],
        "scores": [
            {
                "cluster_id": s.cluster_id,
                "n_ads": s.n_ads,
                "score": s.score,
                "escalate": s.escalate,
                "reasons": list(s.reasons),
                "profile": s.profile,
            }
            for s in dossier.scores
        ],
        "casework": _casework_json(dossier.casework),
    }


def _ad_json(ad: AdEntry) -> dict[str, Any]:
    return {
        "ad_id": ad.ad_id,
        "cluster_id": ad.cluster_id,
        "site": ad.site,
        "site_ad_id": ad.site_ad_id,
        "url": ad.url,
        "posted_at": _json_time(ad.posted_at),
        "first_seen": _json_time(ad.first_seen),
        "city": ad.city,
        "title": ad.title,
        "text": ad.text,
        "score": ad.score,
        **{f"{kind}s": ad.values(kind) for kind in PERSONAL_KINDS},
    }


def _link_json(link: LinkEntry) -> dict[str, Any]:
    return {
        "a": link.a,
        "b": link.b,
        "cluster_id": link.cluster_id,
        "score": link.score,
        "kinds": list(link.kinds),
        "shared": {k: list(v) for k, v in link.shared.items()},
        "similarity": link.similarity,
    }


def _template_json(template: TemplateEntry) -> dict[str, Any]:
    return {
        "cluster_id": template.cluster_id,
        "text": template.text,
        "slots": [
            {"index": s.index, "values": list(s.values), "distinct": s.distinct}
            for s in template.slots
        ],
        "n_texts": template.n_texts,
        "support": template.support,
    }


def _casework_json(work: CaseworkEntry) -> dict[str, Any]:
    return {
        "label": None if work.label is None else _note_json(work.label),
        "needs_review": work.needs_review,
        "review_added": list(work.review_added),
        "review_removed": list(work.review_removed),
        "notes": _notes_json(work.notes),
        "tags": list(work.tags),
        "cases": [{"case_id": c, "title": t} for c, t in work.cases],
    }


def _notes_json(notes: Sequence[NoteEntry]) -> list[dict[str, Any]]:
    return [_note_json(n) for n in notes]


def _note_json(note: NoteEntry) -> dict[str, Any]:
    return {"value": note.value, "by": note.by, "at": _json_time(note.at)}


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _json_time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
