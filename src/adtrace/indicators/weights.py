"""Score weights: the package's ``data/weights.toml``, with an analyst's file on top.

An analyst's file (setting ``score_weights``) holds only the keys it changes. Rules checked at
load, each failing with the file, line and field: numbers are non-negative; tier X stays 0 and
so does every tier-X indicator (DOMAIN.md: never score them up); A04 has no weight (it escalates);
unknown sections, keys, tiers or indicator ids are refused.

An analyst's file may also add lexicon files (same columns as ``data/lexicon.csv``), relative to
itself::

    [lexicon]
    files = ["our_terms.csv"]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from adtrace.indicators.catalogue import catalogue
from adtrace.indicators.errors import DataFileError

SECTIONS: Final = {
    "tiers": ("V", "S", "O", "H", "X"),
    "ad": ("repeat_share", "repeat_cap", "youth_combination"),
    "cluster": ("agreement", "ad_share", "ad_family_share"),
}


@dataclass(frozen=True, slots=True)
class Weights:
    """Validated weights (see ``data/weights.toml`` for what each one does)."""

    tiers: dict[str, float]
    indicators: dict[str, float]
    repeat_share: float
    repeat_cap: int
    youth_combination: float
    agreement: float
    ad_share: float
    ad_family_share: float
    lexicon_files: tuple[Path, ...] = ()

    def of(self, indicator_id: str) -> float:
        """The weight of one indicator: its own, else its tier's (A04 and tier X: 0)."""
        if indicator_id in self.indicators:
            return self.indicators[indicator_id]
        return self.tiers.get(catalogue()[indicator_id].tier, 0.0)


def load_weights(override: Path | None = None) -> Weights:
    """The package's weights, with ``override`` (an analyst's TOML file) on top.

    Raises:
        DataFileError: a bad value or key, naming file, line and field.
        OSError: the override file cannot be read.
    """
    path = resources.files("adtrace.indicators").joinpath("data/weights.toml")
    merged = _parsed(path.read_text(encoding="utf-8"), "weights.toml")
    lexicon_files: tuple[Path, ...] = ()
    if override is not None:
        text = override.read_text(encoding="utf-8")
        extra = _parsed(text, str(override))
        lexicon_files = _lexicon_files(extra.pop("lexicon", {}), override, text)
        for section, values in extra.items():
            merged.setdefault(section, {}).update(values)
    return Weights(
        tiers={k: float(v) for k, v in merged["tiers"].items()},
        indicators={k: float(v) for k, v in merged.get("indicators", {}).items()},
        repeat_share=float(merged["ad"]["repeat_share"]),
        repeat_cap=int(merged["ad"]["repeat_cap"]),
        youth_combination=float(merged["ad"]["youth_combination"]),
        agreement=float(merged["cluster"]["agreement"]),
        ad_share=float(merged["cluster"]["ad_share"]),
        ad_family_share=float(merged["cluster"]["ad_family_share"]),
        lexicon_files=lexicon_files,
    )


def _lexicon_files(section: dict[str, Any], override: Path, text: str) -> tuple[Path, ...]:
    files = section.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        line = _line(text, "files", "lexicon")
        raise DataFileError(str(override), line, "lexicon.files", "must be a list of file names")
    return tuple(override.parent / f for f in files)


def _parsed(text: str, source: str) -> dict[str, dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        line = re.search(r"line (\d+)", str(problem))
        raise DataFileError(
            source, int(line.group(1)) if line else None, "toml", str(problem)
        ) from None
    for section, values in data.items():
        if section not in (*SECTIONS, "indicators", "lexicon") or not isinstance(values, dict):
            raise DataFileError(source, _line(text, section), section, "unknown section")
        if section == "lexicon":
            if set(values) - {"files"}:
                raise DataFileError(source, _line(text, section), section, "only files = [...]")
            continue
        for key, value in values.items():
            _check(section, key, value, source, _line(text, key, section))
    return data


def _check(section: str, key: str, value: object, source: str, line: int | None) -> None:
    name = f"{section}.{key}"
    if section == "indicators":
        known = catalogue().get(key)
        if known is None:
            raise DataFileError(source, line, name, f"unknown indicator {key!r}")
        if known.tier in ("X", "escalate") and value != 0:
            raise DataFileError(
                source, line, name, f"{key} is tier {known.tier}: it is never scored"
            )
    elif key not in SECTIONS[section]:
        raise DataFileError(source, line, name, "unknown key")
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise DataFileError(source, line, name, "must be a number, 0 or more")
    if name == "tiers.X" and value != 0:
        raise DataFileError(source, line, name, "tier X is not predictive: its weight stays 0")


def _line(text: str, key: str, section: str | None = None) -> int | None:
    """The line of ``key`` (inside ``[section]`` when given), for error messages."""
    current = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        header = re.fullmatch(r"\[\s*([\w.-]+)\s*\]", stripped.split("#")[0].strip())
        if header:
            current = header.group(1)
            if section is None and current == key:
                return number
            continue
        if section == current and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None
