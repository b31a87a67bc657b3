"""The learned model of a link run: boilerplate shingles and hub selectors, saved with the run.

The model is what a later, incremental run freezes: the same shingles count as boilerplate and
the same selectors as hubs, so new ads are compared on the same terms. It is stored as one JSON
file (parameters, counts, hubs) and one ``.npz`` file (the boilerplate hashes). Hub selectors
are stored as keyed hashes, never as plain phone numbers or addresses.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from adtrace.text.shingle import members
from adtrace.text.tokens import HASH_VERSION

U64Array = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]

_BITMAP_BITS: Final = 20  # 1 MB: stays in cache; a few thousand hashes fill 0.3% of it
MODEL_FORMAT: Final = 1


def selector_digest(kind: str, value: str) -> str:
    """A stable keyed hash of a selector (what the model stores instead of the value)."""
    digest = hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=12, key=b"adtrace-hub")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class BoilerplateModel:
    """Shingles that carry no evidence: site headers and footers, the genre's stock phrases.

    Attributes:
        hashes: sorted shingle hashes, shifted right by `shift` bits.
        shift: bits dropped from 48-bit shingle hashes before comparing with `hashes`.
        overall: how many of `hashes` were found by overall frequency.
        per_site: how many were found per site, by site.
        n_ads: ads the model was learned from.
        n_groups: near-duplicate groups among them.
        shingle_size: shingle size the hashes were made with.
        hash_version: `adtrace.text.tokens.HASH_VERSION` at learning time.
    """

    hashes: U64Array
    shift: int = 0
    overall: int = 0
    per_site: dict[str, int] = field(default_factory=dict)
    n_ads: int = 0
    n_groups: int = 0
    shingle_size: int = 3
    hash_version: int = HASH_VERSION

    def contains(self, values: U64Array) -> BoolArray:
        """Which shingle hashes are boilerplate."""
        return members(values >> np.uint64(self.shift), self.hashes, bitmap_bits=_BITMAP_BITS)

    def summary(self) -> dict[str, Any]:
        """Counts for the run record (no hashes)."""
        return {
            "shingles": len(self.hashes),
            "overall": self.overall,
            "per_site": dict(self.per_site),
            "n_ads": self.n_ads,
            "n_groups": self.n_groups,
            "shingle_size": self.shingle_size,
            "hash_version": self.hash_version,
        }


@dataclass(frozen=True, slots=True)
class Hub:
    """A selector shared by many unrelated ads: kept as evidence, never used to merge.

    Attributes:
        kind: phone, email or handle.
        digest: `selector_digest` of the value.
        n_ads: ads carrying it.
        n_groups: text clusters those ads fall in.
    """

    kind: str
    digest: str
    n_ads: int
    n_groups: int


@dataclass(frozen=True, slots=True)
class LinkModel:
    """Everything a run learned from its data."""

    boilerplate: BoilerplateModel
    hubs: tuple[Hub, ...] = ()

    def hub_digests(self) -> set[str]:
        """Digests of the hub selectors."""
        return {hub.digest for hub in self.hubs}

    def to_json(self) -> dict[str, Any]:
        """The JSON part of the model (boilerplate hashes go to the ``.npz`` file)."""
        return {
            "format": MODEL_FORMAT,
            "boilerplate": self.boilerplate.summary(),
            "boilerplate_shift": self.boilerplate.shift,
            "hubs": [asdict(h) for h in self.hubs],
        }

    def save(self, directory: Path) -> list[Path]:
        """Write ``model.json`` and ``boilerplate.npz`` into `directory` (created if needed)."""
        directory.mkdir(parents=True, exist_ok=True)
        json_path = directory / "model.json"
        npz_path = directory / "boilerplate.npz"
        json_path.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n")
        np.savez_compressed(npz_path, hashes=self.boilerplate.hashes)
        return [json_path, npz_path]

    @classmethod
    def load(cls, directory: Path) -> LinkModel:
        """Read a model written by `save`."""
        meta = json.loads((directory / "model.json").read_text())
        if meta.get("format") != MODEL_FORMAT:
            raise ValueError(f"{directory / 'model.json'}: unknown model format")
        with np.load(directory / "boilerplate.npz", allow_pickle=False) as data:
            hashes = data["hashes"].astype(np.uint64)
        bp = meta["boilerplate"]
        boilerplate = BoilerplateModel(
            hashes=hashes,
            shift=int(meta["boilerplate_shift"]),
            overall=int(bp["overall"]),
            per_site={str(k): int(v) for k, v in bp["per_site"].items()},
            n_ads=int(bp["n_ads"]),
            n_groups=int(bp["n_groups"]),
            shingle_size=int(bp["shingle_size"]),
            hash_version=int(bp["hash_version"]),
        )
        hubs = tuple(Hub(**h) for h in meta["hubs"])
        return cls(boilerplate, hubs)
