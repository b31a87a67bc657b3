"""Fictional e-mail addresses and social handles, and the ways ads write them."""

from __future__ import annotations

import unicodedata

import numpy as np

DOMAINS = (
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "yahoo.ca",
    "icloud.com",
    "protonmail.com",
    "hotmail.ca",
)
_WORDS = (
    "sweet",
    "miss",
    "baby",
    "vip",
    "real",
    "xo",
    "luv",
    "queen",
    "bby",
    "honey",
    "the",
    "its",
    "only",
    "dolls",
    "angel",
    "kitty",
)
PLATFORMS = ("snap", "insta", "telegram", "kik")
_HANDLE_FORMS: tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]] = (
    (
        ("snap: {h}", "SC: {h}", "add me on snap {h}", "sc {h}"),
        ("insta @{h}", "IG: @{h}", "ig {h}"),
        ("telegram t.me/{h}", "tg: @{h}", "t.me/{h}"),
        ("kik: {h}", "kik me {h}"),
    ),
    (
        ("snap : {h}", "ajoute-moi sur snap {h}", "sc {h}", "SC: {h}"),
        ("insta @{h}", "IG : @{h}", "ig {h}"),
        ("telegram t.me/{h}", "tg : @{h}", "t.me/{h}"),
        ("kik : {h}", "kik {h}"),
    ),
)


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return folded.lower()


def make_users(names: list[str], rng: np.random.Generator) -> list[str]:
    """One distinct user name per owner, built from the owner's persona name.

    Args:
        names: a persona name per owner.
        rng: the generator (draws are vectorised; the loop only joins strings).
    """
    n = len(names)
    words = rng.integers(0, len(_WORDS), size=n).tolist()
    digits = rng.integers(1, 10_000, size=n).tolist()
    shapes = rng.integers(0, 5, size=n).tolist()
    seen: set[str] = set()
    users: list[str] = []
    for name, word, number, shape in zip(names, words, digits, shapes, strict=True):
        user = _user(_ascii(name), _WORDS[word], number, shape)
        while user in seen:
            number += 7919
            user = _user(_ascii(name), _WORDS[word], number, shape)
        seen.add(user)
        users.append(user)
    return users


def _user(name: str, word: str, number: int, shape: int) -> str:
    if shape == 0:
        return f"{name}{number}"
    if shape == 1:
        return f"{word}{name}{number % 100:02d}"
    if shape == 2:
        return f"{name}.{word}{number}"
    if shape == 3:
        return f"{name}_{word}_{number % 1000}"
    return f"{word}.{name}.{number}"


def write_email(user: str, domain: str, bits: int, lang: int) -> str:
    """The address as an ad writes it: plain about half the time, else spelled out."""
    host, _, tld = domain.rpartition(".")
    form = bits % 8
    if form < 4:
        return f"{user}@{domain}"
    if form == 4:
        return f"{user} AT {host} DOT {tld}"
    if form == 5:
        return f"{user} (at) {host} (dot) {tld}"
    if form == 6:
        return f"{user} @ {host} . {tld}"
    word = ("at", "arobase")[lang]
    dot = ("dot", "point")[lang]
    return f"{user} [{word}] {host} [{dot}] {tld}"


def write_handle(handle: str, platform: int, bits: int, lang: int) -> str:
    """A social handle as an ad writes it (snap, insta, telegram, kik)."""
    forms = _HANDLE_FORMS[lang][platform]
    return forms[bits % len(forms)].format(h=handle)
