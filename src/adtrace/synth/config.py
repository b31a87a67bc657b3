"""The difficulty knobs of the synthetic ad generator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from adtrace.synth.places import CITIES

MAX_SITES = 12


@dataclass(frozen=True)
class SynthConfig:
    """How hard the synthetic ads are to link, and what they cover.

    Every knob trades realism against how easy the ground truth is to recover; the defaults
    aim at what analysts see on Canadian sites.

    Attributes:
        edit_rate: share of a template's words changed in each copy (swaps, deletions, typos,
            punctuation and emoji); it also sets how often a copy moves a sentence (3x this,
            capped at 1). Higher makes near-duplicate detection harder: at 0 copies differ
            only in their slots, at 0.3 a third of the wording changes. Independents edit
            their own reposts at half this rate.
        no_selector_share: share of operators whose personas share no phone, e-mail or
            handle. Their ads can only be linked by text, time and place; higher makes
            selector-based linking miss more operations.
        french_share: share of ads written in French (Quebec usage). The French ads
            concentrate in Quebec, Ottawa-Gatineau and Moncton and in personas that prefer
            French; English-only linkers lose recall as it grows.
        independent_share: share of ads by independent advertisers who write their own text.
            They are the negatives a linker must not merge: higher means more chances of
            false links through shared stock phrases.
        stock_phrase_rate: mean number of the genre's stock phrases per ad ("100% real
            pics", "photos 100% réelles"), half fixed in the template, half added per copy.
            Higher makes unrelated ads look alike.
        n_sites: number of fictional sites ("site-a.example", ...), each adding its own
            boilerplate; more sites spread an operation thinner across sources.
        cities: city keys to use (see `adtrace.synth.places.CITIES`); empty means all.
            Fewer cities put more unrelated advertisers in the same place and time.
        start: first day of posting.
        days: length of the posting period in days.
        ads_per_operator: mean ads per operator (heavy-tailed). Larger operations are
            easier to find but dominate pair counts.
        ads_per_independent: mean ads per independent advertiser.
        repost_share: share of an ad's reposts that copy an earlier ad of the same persona
            exactly (new time, site or city); more reposts mean more trivial duplicates.
        phone_in_text_share: share of copies that write the phone in the text; the rest
            leave it to the site's phone field (or have none).
    """

    edit_rate: float = 0.10
    no_selector_share: float = 0.3
    french_share: float = 0.3
    independent_share: float = 0.4
    stock_phrase_rate: float = 2.0
    n_sites: int = 6
    cities: tuple[str, ...] = ()
    start: date = date(2024, 1, 1)
    days: int = 365
    ads_per_operator: float = 60.0
    ads_per_independent: float = 3.0
    repost_share: float = 0.3
    phone_in_text_share: float = 0.85

    def __post_init__(self) -> None:
        for name in (
            "edit_rate",
            "no_selector_share",
            "french_share",
            "independent_share",
            "repost_share",
            "phone_in_text_share",
        ):
            _check_share(name, getattr(self, name))
        if not 0.0 <= self.stock_phrase_rate <= 8.0:
            raise ValueError(
                f"stock_phrase_rate must be within [0, 8], got {self.stock_phrase_rate}"
            )
        if not 1 <= self.n_sites <= MAX_SITES:
            raise ValueError(f"n_sites must be within [1, {MAX_SITES}], got {self.n_sites}")
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        if self.ads_per_operator < 1 or self.ads_per_independent < 1:
            raise ValueError("ads_per_operator and ads_per_independent must be at least 1")
        unknown = sorted(set(self.cities) - {city.key for city in CITIES})
        if unknown:
            raise ValueError(f"unknown city keys: {', '.join(unknown)}")


def _check_share(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be within [0, 1], got {value}")
