"""`link_file`: read ads from CSV, JSON Lines or Parquet; write clusters.csv and links.jsonl."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from adtrace.link.evidence import write_links_jsonl
from adtrace.link.params import LinkParams, Signals
from adtrace.link.run import LinkResult, link_table

log = logging.getLogger(__name__)

_TEXT_COLUMNS = ("id", "text", "title", "site", "posted_at", "city", "persona", "name")


def read_ads(path: Path) -> pa.Table:
    """Read a CSV, JSON Lines (.jsonl, .ndjson, .json) or Parquet file of ads.

    Raises:
        ValueError: the file type is not one of these.
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pq.read_table(path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return pajson.read_json(path)
    if suffix in (".csv", ".tsv"):
        parse = pacsv.ParseOptions(
            delimiter="\t" if suffix == ".tsv" else ",", newlines_in_values=True
        )
        try:
            # The header alone gives the names; text columns are forced to strings.
            names = pacsv.open_csv(path, parse_options=parse).schema.names
            types = {name: pa.string() for name in names if name in _TEXT_COLUMNS}
            return pacsv.read_csv(
                path,
                parse_options=parse,
                convert_options=pacsv.ConvertOptions(column_types=types),
            )
        except pa.ArrowInvalid as err:
            # Arrow's message quotes the offending row: ad text must not reach the terminal.
            reason = str(err).split(":", 1)[0]
            raise ValueError(f"cannot be read as CSV ({reason})") from None
    raise ValueError(f"{path}: unknown file type {suffix!r} (use .csv, .jsonl or .parquet)")


def link_file(
    input: Path,
    output: Path,
    links_out: Path | None = None,
    signals: Signals = "all",
    *,
    params: LinkParams | None = None,
    seed: int = 0,
    run_dir: Path | None = None,
) -> LinkResult:
    """Link the ads of a file and write the results.

    Args:
        input: CSV, JSON Lines or Parquet with columns `id`, `text` (see `link_table`).
        output: clusters file, CSV with columns `id,cluster_id` (every input ad).
        links_out: where to write the evidence links as JSON Lines, if wanted.
        signals: "text", "selectors" or "all".
        params: link parameters (defaults when None).
        seed: seed of the run.
        run_dir: where to save the run record, model and LSH index (`LinkResult.save`).
    """
    result = link_table(read_ads(input), signals=signals, params=params, seed=seed)
    output.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(result.clusters_table(), output)
    if links_out is not None:
        links_out.parent.mkdir(parents=True, exist_ok=True)
        write_links_jsonl(result.links, links_out)
    if run_dir is not None:
        result.save(run_dir)
    log.info("linked %d ads into %d clusters", len(result.ids), len(set(result.cluster_ids)))
    return result
