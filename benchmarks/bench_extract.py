"""Benchmark selector extraction: quality on the labelled sets, then speed (per core and on all
cores), peak memory and the share of ads that take the slow de-obfuscating path, on synthetic and
real ads. Prints tables; never prints ad text, phone numbers or any other selector.

Usage::

    .venv/bin/python benchmarks/bench_extract.py [--ads 20000] [--seed 7] [--workers N]
                                                 [--repeat 3] [--skip-real]

Corpora (each ad is at least ``--min-chars`` long, 600 by default, so the median is too):

* ``synthetic``: ads from :func:`adtrace.synth.generate_ads` (English and French, with titles,
  emoji, obfuscated phones, prices, handles, places; about 490 characters each), consecutive
  texts joined until the ad reaches ``--min-chars``, then cut at the next line or sentence end;
* ``synthetic, obfuscated phone``: this script's own generator (:func:`synthetic_ad`), about
  1,000 characters, every ad with one phone in one of nine obfuscations; also scores phone
  precision and recall, since the true number of each ad is known;
* ``real``: ``/work/shared/data/chainbreaker_ads.csv`` (read here at run time only, aggregate
  figures only), as the ads are (median about 500 characters) and joined like the synthetic
  ones (median above 600).

Columns: ``per core`` is ads per CPU second of this process running :func:`extract_rows` (one
core's throughput; best of ``--repeat`` passes); ``1 worker`` and ``N workers`` are ads per
wall-clock second on one and on ``--workers`` processes (default: every core; their ratio is the
parallel speed-up under the machine's current load, printed with the table), the synthetic
corpora through the real file mode (:func:`extract_file`,
JSONL in and out, in a fresh process), the real ads through the same worker function on
in-memory batches (they are never written to disk); ``slow path`` is the share of ads in which
at least one digit region needed the de-obfuscating token scan
(:func:`adtrace.extract.normalise.needs_token_scan`), ``rewritten`` the share whose digits were
actually rewritten. Peak RSS: for the synthetic corpora, the file-mode process and its largest
worker (what a user's run costs); for the real ads, this benchmark process (which holds the
corpora) and its largest worker.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from adtrace.extract import extract_all
from adtrace.extract.evaluation import evaluate
from adtrace.extract.files import BATCH_ROWS, Batch, extract_batch
from adtrace.extract.normalise import needs_token_scan, normalise_digits
from adtrace.extract.table import extract_rows
from adtrace.synth import generate_ads

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "extract"
REAL = Path("/work/shared/data/chainbreaker_ads.csv")
PROXY_RE = re.compile(r"555\D{0,3}01\d\d")
CUT_RE = re.compile(r"\n|[.!?](?=\s)")

Ads = list[tuple[str | None, str]]
"""(title, text) pairs."""


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


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


# --- corpora --------------------------------------------------------------------------------
def joined(texts: list[str], titles: list[str | None], min_chars: int) -> Ads:
    """Consecutive texts joined (a blank line between) until each ad has ``min_chars``, then cut
    at the first line or sentence end past ``min_chars``: every ad is at least that long, and
    the median stays close to it rather than at twice the length of one ad."""
    ads: Ads = []
    i = 0
    while i < len(texts):
        title, text = titles[i], texts[i]
        i += 1
        while len(text) < min_chars and i < len(texts):
            text = f"{text}\n\n{texts[i]}"
            i += 1
        cut = CUT_RE.search(text, min_chars)
        ads.append((title, text[: cut.end()] if cut else text))
    return ads


def synth_corpus(count: int, seed: int, min_chars: int) -> Ads:
    generated = generate_ads(count * 3, seed)
    texts = [t or "" for t in generated.column("text").to_pylist()]
    ads = joined(texts, generated.column("title").to_pylist(), min_chars)
    return ads[:count]


def real_texts() -> list[str]:
    with REAL.open(encoding="utf-8", newline="") as f:
        return [row["text"] or "" for row in csv.DictReader(f)]


# --- measurements ---------------------------------------------------------------------------
def batches(ads: Ads, size: int = BATCH_ROWS) -> Iterator[Batch]:
    for lo in range(0, len(ads), size):
        part = ads[lo : lo + size]
        ids = [str(lo + k) for k in range(len(part))]
        yield ids, [text for _, text in part], [title for title, _ in part]


def per_core(ads: Ads, repeat: int) -> float:
    """Ads per CPU second of this process through the batch function file mode uses, best of
    ``repeat`` passes (other jobs on the machine slow a pass down, never speed it up)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for ids, texts, titles in batches(ads):
            extract_rows(ids, texts, titles)
        best = min(best, time.process_time() - start)
    return len(ads) / best


def all_cores_in_memory(ads: Ads, workers: int) -> tuple[float, str]:
    """Ads per wall-clock second on ``workers`` processes (batches kept in memory)."""
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        # Small batches: the real corpus is only a few thousand ads, to be shared evenly.
        futures = [pool.submit(extract_batch, b, "CA", ".jsonl") for b in batches(ads, 200)]
        for future in futures:
            future.result()
    seconds = time.perf_counter() - start
    return len(ads) / seconds, f"{peak_rss_mb():.0f} / {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f}"


# The peak RSS of the file-mode process comes from /proc (VmHWM): Linux keeps ru_maxrss across
# exec, so it would report this benchmark's own size at the time of the fork.
FILE_MODE = """
import re, resource, sys, time
from pathlib import Path
from adtrace.extract import extract_file
start = time.perf_counter()
extract_file(Path(sys.argv[1]), Path(sys.argv[2]), workers=int(sys.argv[3]))
seconds = time.perf_counter() - start
try:
    with open("/proc/self/status") as status:
        own = int(re.search(r"VmHWM:\\s*(\\d+)", status.read())[1]) / 1024
except OSError:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(seconds, own, workers)
"""


def all_cores_file(ads: Ads, workers: int) -> tuple[float, str]:
    """Ads per wall-clock second of ``extract_file`` (JSONL in, JSONL out) on ``workers``, run
    in a fresh process so its peak RSS is that of file mode alone, not of this benchmark."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "ads.jsonl", Path(tmp) / "out.jsonl"
        with source.open("w", encoding="utf-8") as f:
            for i, (title, text) in enumerate(ads):
                f.write(json.dumps({"id": i, "title": title, "text": text}) + "\n")
        command = [sys.executable, "-c", FILE_MODE, str(source), str(target), str(workers)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds, own, largest_worker = map(float, done.stdout.split())
    return len(ads) / seconds, f"{own:.0f} / {largest_worker:.0f} (file mode)"


def slow_share(ads: Ads) -> tuple[float, float]:
    """Shares of ads with a region sent to the token scan, and with digits rewritten."""
    slow = rewritten = 0
    for title, text in ads:
        fields = [text, title] if title else [text]
        slow += any(needs_token_scan(f) for f in fields)
        rewritten += any(normalise_digits(f).positions for f in fields)
    return slow / len(ads), rewritten / len(ads)


def speed_row(name: str, ads: Ads, workers: int, *, in_memory: bool, repeat: int) -> list[str]:
    median = statistics.median(len(text) + len(title or "") for title, text in ads)
    core = per_core(ads, repeat)
    run = all_cores_in_memory if in_memory else all_cores_file
    one, _ = run(ads, 1)
    wall, rss = run(ads, workers)
    slow, rewritten = slow_share(ads)
    return [
        name,
        f"{len(ads):,}",
        f"{median:,.0f}",
        f"{core:,.0f}",
        f"{one:,.0f}",
        f"{wall:,.0f}",
        f"{slow:.0%}",
        f"{rewritten:.0%}",
        rss,
    ]


# --- the obfuscated-phone generator (phone precision/recall on synthetic text) ---------------
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


def obfuscated_corpus(count: int, seed: int) -> tuple[Ads, list[str]]:
    rng = random.Random(seed)
    made = [synthetic_ad(rng) for _ in range(count)]
    return [(None, text) for text, _ in made], [phone for _, phone in made]


def phone_scores(ads: Ads, phones: list[str]) -> list[str]:
    tp = fp = fn = 0
    for (_, text), phone in zip(ads, phones, strict=True):
        found = set(extract_all(text).to_json()["phones"])
        tp += phone in found
        fp += len(found - {phone})
        fn += phone not in found
    return [f"{tp / (tp + fp):.3f}", f"{tp / (tp + fn):.3f}"]


def real_phone_rows(texts: list[str]) -> list[list[str]]:
    """Ads with a phone found, against the data's 555-01xx replacement numbers (weak proxy)."""
    found = [bool(extract_all(text).to_json()["phones"]) for text in texts]
    proxy = [bool(PROXY_RE.search(t)) for t in texts]
    both = sum(f and p for f, p in zip(found, proxy, strict=True))
    return [
        ["real ads with >= 1 phone found", f"{sum(found):,} of {len(texts):,}"],
        ["real ads with a 555-01xx number in the text", f"{sum(proxy):,}"],
        ["  ... of which a phone was found", f"{both:,} ({both / sum(proxy):.1%})"],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ads", type=int, default=20_000, help="synthetic ads per corpus")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--min-chars", type=int, default=600, help="shortest synthetic ad")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3, help="per-core passes (best kept)")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args(argv)
    quality("cases.jsonl")
    quality("holdout.jsonl")
    rows: list[list[str]] = []
    extra: list[list[str]] = []
    ads = synth_corpus(args.ads, args.seed, args.min_chars)
    rows.append(
        speed_row(
            "synthetic (adtrace.synth, joined)",
            ads,
            args.workers,
            in_memory=False,
            repeat=args.repeat,
        )
    )
    del ads
    obfuscated, phones = obfuscated_corpus(args.ads, args.seed)
    name = "synthetic, obfuscated phone"
    rows.append(speed_row(name, obfuscated, args.workers, in_memory=False, repeat=args.repeat))
    extra.append(
        [f"{name}: phone precision / recall", " / ".join(phone_scores(obfuscated, phones))]
    )
    del obfuscated
    if not args.skip_real and REAL.exists():
        texts = real_texts()
        rows.append(
            speed_row(
                "real", [(None, t) for t in texts], args.workers, in_memory=True, repeat=args.repeat
            )
        )
        pairs = joined(texts, [None] * len(texts), args.min_chars)
        name = f"real, joined to >= {args.min_chars} chars"
        rows.append(speed_row(name, pairs, args.workers, in_memory=True, repeat=args.repeat))
        extra += real_phone_rows(texts)
    header = ["corpus", "ads", "median chars", "per core ads/s", "1 worker ads/s (wall)"]
    header += [f"{args.workers} workers ads/s (wall)"]
    header += ["slow path", "rewritten", "peak RSS MB (main / largest worker)"]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    table(
        f"Speed and memory ({os.cpu_count()} cores, load average at the end: {load})", header, rows
    )
    table("Phones on unlabelled corpora", ["measure", "value"], extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
