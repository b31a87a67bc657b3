"""Benchmark selector extraction: quality on the labelled sets, speed and memory on real and
synthetic ads. Prints tables; never prints ad text or phone numbers.

Usage::

    .venv/bin/python benchmarks/bench_extract.py [--synthetic 100000] [--seed 7] [--skip-real]

Sections:

1. the hand-written evaluation set (and the held-out set if present): per-kind precision, recall
   and F1;
2. the real ads (``/work/shared/data/chainbreaker_ads.csv``, read here at run time only):
   throughput as they are and repeated to 1,000 characters, peak RSS, and ads with at least one
   phone found against ads whose text holds a 555-01xx style number (a weak recall proxy: the
   data's numbers were replaced by such numbers);
3. generated ads of about 1,000 characters in English and French with a known phone number
   written in one of the obfuscations: throughput through ``extract_all`` and through
   ``extract_table``, and phone precision/recall on them.

Throughput is CPU time of this process (``time.process_time``), i.e. ads per second per core.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from adtrace.extract import extract_all, extract_table
from adtrace.extract.evaluation import evaluate

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "extract"
REAL = Path("/work/shared/data/chainbreaker_ads.csv")
PROXY_RE = re.compile(r"555\D{0,3}01\d\d")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}\n{line}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def quality(name: str) -> None:
    path = CASES / name
    if not path.exists():
        return
    cases = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    report = evaluate(cases)
    rows = [
        [k, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.tp), str(s.fp), str(s.fn)]
        for k, s in report.scores.items()
    ]
    rows.append(["language (accuracy)", f"{report.language_accuracy:.3f}", "", "", "", "", ""])
    header = ["kind", "precision", "recall", "F1", "tp", "fp", "fn"]
    table(f"Quality on {name} ({len(cases)} cases)", header, rows)


def timed(texts: list[str], run: Callable[[str], object]) -> float:
    start = time.process_time()
    for text in texts:
        run(text)
    return time.process_time() - start


def real_data() -> list[list[str]]:
    with REAL.open(encoding="utf-8", newline="") as f:
        texts = [row["text"] or "" for row in csv.DictReader(f)]
    found: list[bool] = []
    start = time.process_time()
    for text in texts:
        found.append(bool(extract_all(text).to_json()["phones"]))
    seconds = time.process_time() - start
    long_texts = [(t * (1000 // max(len(t), 1) + 1))[:1000] for t in texts]
    long_rate = len(long_texts) / timed(long_texts, extract_all)
    proxy = [bool(PROXY_RE.search(t)) for t in texts]
    both = sum(f and p for f, p in zip(found, proxy, strict=True))
    mean_chars = sum(map(len, texts)) / len(texts)
    return [
        ["real ads", f"{len(texts):,}", f"{mean_chars:.0f}", f"{len(texts) / seconds:,.0f}"],
        ["real ads repeated to 1,000 chars", f"{len(texts):,}", "1000", f"{long_rate:,.0f}"],
        ["  ads with >=1 phone found", f"{sum(found):,}", "", ""],
        ["  ads with a 555-01xx number in text", f"{sum(proxy):,}", "", ""],
        ["  ... of which a phone was found", f"{both:,}", f"{both / sum(proxy):.1%}", ""],
        ["  phones found where no 555-01xx", f"{sum(found) - both:,}", "", ""],
    ]


# --- synthetic ads -------------------------------------------------------------------------
AREAS = ["204", "250", "306", "403", "416", "418", "438", "450", "514", "587", "604", "613", "647"]
EN_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
FR_WORDS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]
KEYCAP = "\ufe0f\u20e3"
EN_FILLER = [
    "Hello gentlemen, I am new in town and looking forward to meeting you.",
    "Sweet and discreet companion, clean and private incall, easy parking.",
    "Text me with your name and the time you want, no blocked numbers please.",
    "Real pictures, recent and unedited, what you see is what you get.",
    "Only respectful clients, serious inquiries only, thank you for reading.",
    "I love good conversation, a glass of wine and taking my time with you.",
    "Available late nights and early mornings, just ask and I will reply.",
    "Petite brunette with green eyes, soft skin and a warm smile.",
]
FR_FILLER = [
    "Bonjour messieurs, je suis nouvelle en ville et j'ai hâte de vous rencontrer.",
    "Douce et discrète, appartement privé et propre, stationnement facile.",
    "Écris-moi avec ton prénom et l'heure voulue, pas de numéros masqués.",
    "Vraies photos, récentes et sans retouches, ce que tu vois est ce que tu auras.",
    "Clients respectueux seulement, personnes sérieuses, merci de ta lecture.",
    "J'adore les bonnes conversations, un verre de vin et prendre mon temps.",
    "Disponible tard le soir et tôt le matin, demande-moi et je réponds vite.",
    "Petite brune aux yeux verts, peau douce et sourire chaleureux.",
]
EN_EXTRA = [
    "Rates: {a}/hh {b}/h {c}/2h.", "I'm {name}, {age} yo.", "In {city} this week.",
    "snap: {handle}", "34C-24-36, 5'4, 120lbs.", "Open 10am-2am, 24/7.", "qv {q}, hh {a}, 1hr {b}",
]  # fmt: skip
FR_EXTRA = [
    "Tarifs : {a}$ la demi-heure, {b}$ l'heure.", "Je m'appelle {name}, j'ai {age} ans.",
    "À {city} cette semaine.", "insta : @{handle}", "Mensurations 90-60-90, 1m68, 55 kg.",
    "Dispo de 10h à 22h, 7j/7.", "1h : {b}$, 2h : {c}$",
]  # fmt: skip
NAMES = ["Hazel", "Sofia", "Jade", "Léa", "Ruby", "Océane", "Amber", "Camille", "Kayla"]
CITIES = ["Montréal", "Toronto", "Laval", "Québec", "Ottawa", "Gatineau", "Calgary", "Vancouver"]


def written_phone(rng: random.Random, digits: str, french: bool) -> str:
    """The ten digits written in one of the styles ads use."""
    words = FR_WORDS if french else EN_WORDS
    a, b, c = digits[:3], digits[3:6], digits[6:]
    style = rng.randrange(9)
    if style == 0:
        return f"{a}-{b}-{c}"
    if style == 1:
        return f"({a}) {b}.{c}"
    if style == 2:
        return " ".join(words[int(d)] for d in digits)
    if style == 3:
        return "".join(d + KEYCAP for d in digits)
    if style == 4:
        return "".join(chr(0xFF10 + int(d)) for d in digits)
    if style == 5:
        return f"{a}💋{b}💋{c}".replace("0", "O").replace("1", "l")
    if style == 6:
        return " ".join(digits)
    if style == 7:
        return f"{a} dot {b} dot {c}" if not french else f"{a} point {b} point {c}"
    mixed = [words[int(d)] if rng.random() < 0.5 else d for d in digits]
    return f"{''.join(mixed[:3])}-{''.join(mixed[3:6])}-{''.join(mixed[6:])}"


def synthetic_ad(rng: random.Random) -> tuple[str, str]:
    """An ad of about 1,000 characters and the E.164 number it carries."""
    french = rng.random() < 0.5
    digits = f"{rng.choice(AREAS)}5550{rng.randrange(100, 200)}"
    filler, extra = (FR_FILLER, FR_EXTRA) if french else (EN_FILLER, EN_EXTRA)
    values = {
        "a": rng.choice([120, 150, 160, 180]),
        "b": rng.choice([200, 250, 300]),
        "c": rng.choice([400, 450, 500]),
        "q": rng.choice([60, 80]),
        "age": rng.randrange(19, 40),
        "name": rng.choice(NAMES),
        "city": rng.choice(CITIES),
        "handle": f"test_{rng.randrange(999)}",
    }
    call = "Appelle au" if french else "Call"
    phone = f"{call} {written_phone(rng, digits, french)}."
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) + len(phone) < 1000:
        source = extra if rng.random() < 0.4 else filler
        parts.append(rng.choice(source).format(**values))
    parts.insert(rng.randrange(len(parts) + 1), phone)
    return " ".join(parts), f"+1{digits}"


def synthetic(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    ads = [synthetic_ad(rng) for _ in range(count)]
    texts = [text for text, _ in ads]
    tp = fp = fn = 0
    start = time.process_time()
    for text, phone in ads:
        found = set(extract_all(text).to_json()["phones"])
        tp += phone in found
        fp += len(found - {phone})
        fn += phone not in found
    seconds = time.process_time() - start
    ids = [str(i) for i in range(count)]
    batch_seconds = 0.0
    for lo in range(0, count, 10_000):
        chunk = pa.table({"id": ids[lo : lo + 10_000], "text": texts[lo : lo + 10_000]})
        begin = time.process_time()
        extract_table(chunk)
        batch_seconds += time.process_time() - begin
    mean_chars = sum(map(len, texts)) / count
    return [
        [
            "synthetic ads, extract_all",
            f"{count:,}",
            f"{mean_chars:.0f}",
            f"{count / seconds:,.0f}",
        ],
        [
            "synthetic ads, extract_table",
            f"{count:,}",
            f"{mean_chars:.0f}",
            f"{count / batch_seconds:,.0f}",
        ],
        ["  phone precision / recall", f"{tp / (tp + fp):.3f}", f"{tp / (tp + fn):.3f}", ""],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, default=100_000, help="generated ads (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args(argv)
    quality("cases.jsonl")
    quality("holdout.jsonl")
    rows: list[list[str]] = []
    if not args.skip_real and REAL.exists():
        rows += real_data()
        rows.append(["  peak RSS after real ads (MB)", f"{peak_rss_mb():.0f}", "", ""])
    if args.synthetic:
        rows += synthetic(args.synthetic, args.seed)
        rows.append(["  peak RSS after synthetic ads (MB)", f"{peak_rss_mb():.0f}", "", ""])
    table("Speed and memory (ads/s = ads per CPU second)", ["run", "n", "chars/ad", "ads/s"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
