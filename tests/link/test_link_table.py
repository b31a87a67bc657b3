from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from adtrace.link import LinkModel, LinkParams, link_file, link_table
from tests.link.conftest import edited, table, unrelated_site_ads
from tests.text.words import random_text

NO_PHONES = pa.array([[] for _ in range(0)], pa.list_(pa.string()))


def _no_selectors(n: int) -> dict[str, list[object]]:
    return {"phones": [[] for _ in range(n)]}


def _copies(
    vocab: list[str], seed: int, n_templates: int = 3, copies: int = 4, rate: float = 0.1
) -> tuple[list[str], list[int]]:
    rng = np.random.default_rng(seed)
    texts, truth = [], []
    for t in range(n_templates):
        template = random_text(rng, 50, vocab)
        for _ in range(copies):
            texts.append(edited(template, rng, vocab, rate))
            truth.append(t)
    return texts, truth


def test_every_ad_gets_a_cluster_and_copies_link(vocab: list[str]) -> None:
    texts, truth = _copies(vocab, 1)
    rng = np.random.default_rng(9)
    texts += [random_text(rng, 40, vocab) for _ in range(5)]
    truth += [100 + i for i in range(5)]
    ids = [f"ad{i}" for i in range(len(texts))]
    result = link_table(table(ids, texts, **_no_selectors(len(texts))))
    assert set(result.clusters) == set(ids)
    labels = [result.clusters[i] for i in ids]
    for i in range(len(ids)):
        for j in range(len(ids)):
            assert (labels[i] == labels[j]) == (truth[i] == truth[j]), (i, j)
    assert labels[0] == "c000000" and labels[-1] == "c000007"
    assert result.profiles.num_rows == 8


def test_boilerplate_does_not_link_unrelated_ads(vocab: list[str]) -> None:
    texts = unrelated_site_ads(60, vocab)
    ids = [f"s{i}" for i in range(60)]
    ads = table(ids, texts, site=["site-x.example"] * 60, **_no_selectors(60))
    result = link_table(ads)
    assert len(set(result.cluster_ids)) == 60
    assert len(result.model.boilerplate.hashes) > 0
    # the same ads with boilerplate suppression switched off do link: the test has teeth
    off = LinkParams(boilerplate_min_groups=10**6)
    assert len(set(link_table(ads, params=off).cluster_ids)) < 60


def test_a_short_ad_copied_inside_a_long_one_links(vocab: list[str]) -> None:
    rng = np.random.default_rng(5)
    long_ad = random_text(rng, 150, vocab)
    words = long_ad.split()
    short_ad = " ".join(words[60:85])
    others = [random_text(rng, 60, vocab) for _ in range(10)]
    ids = ["long", "short", *[f"o{i}" for i in range(10)]]
    result = link_table(table(ids, [long_ad, short_ad, *others], **_no_selectors(12)))
    assert result.clusters["long"] == result.clusters["short"]
    link = result.links.filter(pa.compute.equal(result.links.column("b"), "short")).to_pylist()
    assert link and link[0]["text_containment"] >= 0.8 and link[0]["text_jaccard"] < 0.3


def test_hub_phone_is_evidence_but_does_not_merge(vocab: list[str]) -> None:
    rng = np.random.default_rng(6)
    n = 60
    texts = [random_text(rng, 40, vocab) for _ in range(n)]
    phones = [["+15145550100", f"+1514555{i:04d}"] for i in range(n)]
    texts += [random_text(rng, 40, vocab) for _ in range(3)]
    phones += [["+14165550111"]] * 3  # a real operation: three ads, one number
    ids = [f"ad{i}" for i in range(len(texts))]
    result = link_table(table(ids, texts, phones=phones), params=LinkParams(hub_min_ads=30))
    assert len(set(result.cluster_ids[:n])) == n
    assert len(set(result.cluster_ids[n:])) == 1
    (hub,) = result.model.hubs
    assert (hub.kind, hub.n_ads) == ("phone", n)
    assert "5145550100" not in json.dumps(result.model.to_json())


def test_selectors_link_and_text_only_ignores_them(vocab: list[str]) -> None:
    rng = np.random.default_rng(8)
    texts = [random_text(rng, 30, vocab) for _ in range(4)]
    ads = table(
        ["a", "b", "c", "d"],
        texts,
        phones=[["+15145550101"], ["+15145550101"], [], []],
        emails=[[], ["Ann@Example.org"], ["ann@example.org"], []],
    )
    both = link_table(ads)
    assert both.clusters["a"] == both.clusters["b"] == both.clusters["c"] != both.clusters["d"]
    kinds = {tuple(r["kinds"]) for r in both.links.to_pylist()}
    assert kinds == {("phone",), ("email",)}
    text_only = link_table(ads, signals="text")
    assert len(set(text_only.cluster_ids)) == 4


def test_same_input_and_seed_give_same_clusters(vocab: list[str]) -> None:
    texts, _ = _copies(vocab, 2, n_templates=5, copies=5, rate=0.2)
    ads = table([f"x{i}" for i in range(len(texts))], texts, **_no_selectors(len(texts)))
    first = link_table(ads, seed=3)
    second = link_table(ads, seed=3)
    assert first.cluster_ids == second.cluster_ids
    assert first.links.equals(second.links)


def test_links_carry_evidence_and_explain_gives_spans(vocab: list[str]) -> None:
    rng = np.random.default_rng(10)
    base = random_text(rng, 60, vocab)
    ads = table(
        ["a", "b"],
        [base, edited(base, rng, vocab, 0.1)],
        title=["Sweet Mia new in town", "Sweet Mia new in town"],
        phones=[["+15145550102"], []],
    )
    result = link_table(ads)
    (link,) = result.links.to_pylist()
    assert link["kinds"] == ["text"]
    assert 0.3 <= link["text_jaccard"] <= 1.0 and link["text_estimate"] is not None
    assert link["title_jaccard"] == 1.0
    evidence = result.explain("a", "b")
    assert evidence.jaccard == pytest.approx(link["text_jaccard"], abs=1e-3)
    texts = {"text": (base, ads.column("text")[1].as_py()), "title": ("Sweet Mia new in town",) * 2}
    for field in evidence.passages:
        a_text, b_text = texts[field.field]
        for p in field.passages:
            assert (
                a_text[p.a_start : p.a_end].lower().split()[:1]
                == b_text[p.b_start : p.b_end].lower().split()[:1]
            )
    assert result.template(result.clusters["a"]).n_texts == 2


def test_profiles_and_weakest_link(vocab: list[str]) -> None:
    texts, _ = _copies(vocab, 11, n_templates=1, copies=4, rate=0.05)
    ads = table(
        ["a", "b", "c", "d"],
        texts,
        site=["s1", "s2", "s1", "s1"],
        city=["Laval", "Laval", "Hull", None],
        posted_at=["2024-01-05T11:17:00-05:00", "2024-02-01T00:00:00Z", None, "2024-01-01"],
        **_no_selectors(4),
    )
    result = link_table(ads)
    (profile,) = result.profiles.to_pylist()
    assert profile["n_ads"] == 4
    assert sorted(profile["sites"]) == ["s1", "s2"]
    assert profile["first_seen"].isoformat().startswith("2024-01-01")
    assert profile["weakest_score"] is not None and len(profile["weakest_link"]) == 2


def test_model_round_trip(tmp_path: Path, vocab: list[str]) -> None:
    ads = table(
        [f"s{i}" for i in range(40)],
        unrelated_site_ads(40, vocab),
        site=["x"] * 40,
        **_no_selectors(40),
    )
    model = link_table(ads).model
    model.save(tmp_path)
    loaded = LinkModel.load(tmp_path)
    assert np.array_equal(loaded.boilerplate.hashes, model.boilerplate.hashes)
    assert loaded.to_json() == model.to_json()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_link_file_writes_clusters_and_links(tmp_path: Path, suffix: str, vocab: list[str]) -> None:
    texts, _ = _copies(vocab, 12, n_templates=2, copies=3)
    ads = pa.table({"id": [f"{i}" for i in range(6)], "text": texts})
    path = tmp_path / f"ads{suffix}"
    if suffix == ".csv":
        pacsv.write_csv(ads, path)
    elif suffix == ".parquet":
        pq.write_table(ads, path)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in ads.to_pylist()))
    out, links = tmp_path / "clusters.csv", tmp_path / "links.jsonl"
    link_file(path, out, links, "text")
    clusters = pacsv.read_csv(
        out, convert_options=pacsv.ConvertOptions(column_types={"id": pa.string()})
    )
    assert clusters.column_names == ["id", "cluster_id"]
    assert clusters.column("id").to_pylist() == [str(i) for i in range(6)]
    records = [json.loads(line) for line in links.read_text().splitlines()]
    assert len(records) == 4 and {"a", "b", "kinds", "shared", "text"} <= set(records[0])


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="no 'text' column"):
        link_table(pa.table({"id": ["a"]}))
    with pytest.raises(ValueError, match="repeats ad ids"):
        link_table(pa.table({"id": ["a", "a"], "text": ["x", "y"]}))
    empty = link_table(
        pa.table({"id": pa.array([], pa.string()), "text": pa.array([], pa.string())})
    )
    assert empty.cluster_ids == []


def test_run_is_saved_with_model_and_index(tmp_path: Path, vocab: list[str]) -> None:
    texts, _ = _copies(vocab, 13, n_templates=2, copies=3)
    result = link_table(table([f"r{i}" for i in range(6)], texts, **_no_selectors(6)), seed=4)
    files = {p.name for p in result.save(tmp_path)}
    assert files == {"run.json", "model.json", "boilerplate.npz", "lsh_index.npz"}
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["seed"] == 4 and run["code_version"] and run["params"]["num_perm"] == 128
    assert LinkParams.from_dict(run["params"]) == result.params
    index = result.lsh_index()
    assert index is not None and index.ids == [f"r{i}" for i in range(6)]


def test_all_links_and_selector_only_signals(vocab: list[str]) -> None:
    texts, _ = _copies(vocab, 14, n_templates=1, copies=4, rate=0.03)
    ads = table(list("abcd"), texts, phones=[["+15145550103"], [], [], ["+15145550103"]])
    every = link_table(ads, params=LinkParams(links_output="all"))
    spanning = link_table(ads)
    assert every.links.num_rows > spanning.links.num_rows == 3
    only = link_table(ads, signals="selectors")
    assert only.clusters["a"] == only.clusters["d"]
    assert len(set(only.cluster_ids)) == 3


def test_giant_cluster_is_split_and_the_split_recorded(vocab: list[str]) -> None:
    rng = np.random.default_rng(15)
    n = 12
    texts = [random_text(rng, 30, vocab) for _ in range(2 * n + 1)]
    phones = [["+15145550104"]] * n + [["+15145550105"]] * n
    phones.append(["+15145550104", "+15145550105"])  # one ad bridges the two numbers
    ids = [f"g{i}" for i in range(2 * n + 1)]
    params = LinkParams(giant_min_ads=20, giant_share=0.0)
    result = link_table(table(ids, texts, phones=phones), params=params)
    assert result.clusters["g0"] != result.clusters[f"g{n}"]
    (split,) = result.run["splits"]
    assert split["n_ads"] == 2 * n + 1 and split["parts"] == 2 and split["root"] == "g0"
    assert result.profiles.column("split_from").to_pylist() == ["g0", "g0"]


def test_a_saved_model_can_be_frozen(tmp_path: Path, vocab: list[str]) -> None:
    ads = table(
        [f"s{i}" for i in range(60)],
        unrelated_site_ads(60, vocab),
        site=["site-x.example"] * 60,
        **_no_selectors(60),
    )
    first = link_table(ads)
    first.model.save(tmp_path)
    few = ads.slice(0, 4)  # too few ads to learn the site's boilerplate on their own
    learned = link_table(few)
    frozen = link_table(few, model=LinkModel.load(tmp_path))
    assert len(learned.model.boilerplate.hashes) == 0
    assert len(set(learned.cluster_ids)) < 4  # the shared header and footer link them
    assert np.array_equal(frozen.model.boilerplate.hashes, first.model.boilerplate.hashes)
    assert len(set(frozen.cluster_ids)) == 4
