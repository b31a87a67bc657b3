"""The background runner of browser imports: one worker thread per app, one job at a time.

A job reads the uploaded file with `ingest_file` (one transaction: a failure or a stop leaves the
store as it was), then extracts the selectors of the new versions and indexes the batch's ads so
they are searchable at once. Progress (rows read, phase) is kept in memory; the job's row in
`import_jobs` changes only at start and end, in short transactions.

The uploaded file sits in a private folder (mode 0700) under a name made from the job id and an
allowed extension; the name the browser sent is stored for display only, and error messages
name it instead of the temporary path. The file is deleted when the job ends.

SQLite: the import holds the store's write lock until it commits. Readers (every page) go on
reading thanks to WAL; other writes wait up to `sqlite_busy_timeout_ms`. One server process per
store is assumed: at start, jobs left queued or running are marked failed.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import Engine, select

from adtrace.ingest.records import InputError
from adtrace.pipeline.extract import extract_store
from adtrace.pipeline.ingest import IngestOptions, IngestResult, Progress, ingest_file
from adtrace.store import import_jobs
from adtrace.store.schema import sightings
from adtrace.store.search_index import index_ads
from adtrace.web.i18n import noop as N_

log = logging.getLogger(__name__)

EXTENSIONS: Final = (".csv", ".tsv", ".jsonl", ".json", ".parquet")
MAX_UPLOAD_BYTES: Final = 512 * 1024 * 1024
INDEX_CHUNK: Final = 5_000


STOPPED: Final = N_("The server stopped during the import; nothing was imported.")
INTERNAL: Final = N_("The import failed because of an internal error; nothing was imported.")
JOB_ERROR: Final = N_("The import job failed because of an internal error; see the server log.")
NOT_SEARCHABLE: Final = N_("The ads were imported but not made searchable: run adtrace extract.")
"""Sentences the runner stores as a job's error, in English (pages show them translated)."""


class JobStopped(Exception):
    """The server is stopping: the running import gives up (its transaction rolls back)."""


@dataclass(frozen=True, slots=True)
class JobRequest:
    """What a job needs: its id, the private file, the name as uploaded and the options."""

    job_id: int
    path: Path
    display_name: str
    options: IngestOptions


@dataclass(slots=True)
class JobProgress:
    """Where a job of this process is: phase (queued, reading, extracting, indexing) and rows."""

    phase: str = "queued"
    rows: int = 0


def allowed_extension(filename: str) -> str | None:
    """The extension of `filename` if it is one the importer takes (lower case), else None."""
    lowered = filename.lower()
    return next((ext for ext in EXTENSIONS if lowered.endswith(ext)), None)


class ImportRunner:
    """Runs browser imports one at a time in a worker thread of the app."""

    def __init__(
        self,
        engine: Engine,
        *,
        region: str = "CA",
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
    ) -> None:
        self.engine = engine
        self.region = region
        self.max_upload_bytes = max_upload_bytes
        self._folder: Path | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._progress: dict[int, JobProgress] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self) -> None:
        """At app start: mark failed the jobs a stopped server left queued or running (not this
        runner's own), and get the worker ready."""
        with self._lock:
            own = list(self._progress)
        with self.engine.begin() as conn:
            abandoned = import_jobs.fail_abandoned(conn, STOPPED, keep=own)
        if abandoned:
            log.warning("import jobs %s were cut short by a server stop: marked failed", abandoned)
        self._ready()

    def _ready(self) -> tuple[Path, ThreadPoolExecutor]:
        """The private folder and the worker, made on first use (again after a shutdown)."""
        with self._lock:
            if self._executor is None or self._folder is None:
                self._stopping.clear()
                self._folder = Path(tempfile.mkdtemp(prefix="adtrace-imports-"))  # mode 0700
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="adtrace-import")
            return self._folder, self._executor

    def upload_path(self, job_id: int, extension: str) -> Path:
        """Where the upload of `job_id` goes: never derived from the name the browser sent."""
        if extension not in EXTENSIONS:
            raise ValueError(f"extension {extension!r} is not one of {', '.join(EXTENSIONS)}")
        folder, _worker = self._ready()
        return folder / f"job-{int(job_id)}{extension}"

    def submit(self, request: JobRequest) -> Future[None]:
        """Queue a job; it runs after the ones before it."""
        _folder, worker = self._ready()
        with self._lock:
            self._progress[request.job_id] = JobProgress()
        try:
            return worker.submit(self._run, request)
        except RuntimeError:  # the app is stopping: the job will not run
            with self._lock:
                self._progress.pop(request.job_id, None)
            request.path.unlink(missing_ok=True)
            self._fail(request.job_id, STOPPED)
            stopped: Future[None] = Future()
            stopped.set_exception(JobStopped())
            return stopped

    def progress(self, job_id: int) -> JobProgress | None:
        """The job's progress if this process runs it (a copy), else None."""
        with self._lock:
            found = self._progress.get(job_id)
            return None if found is None else JobProgress(found.phase, found.rows)

    def busy(self) -> bool:
        """Whether a job is queued or running in this process."""
        with self._lock:
            return bool(self._progress)

    def shutdown(self) -> None:
        """Stop: the running import rolls back, queued ones are dropped; both are marked failed.
        A later `start` (or `submit`) starts afresh."""
        with self._lock:
            executor, folder = self._executor, self._folder
            self._executor = self._folder = None
        if executor is None:
            return
        self._stopping.set()
        executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            left = list(self._progress)
            self._progress.clear()
        if left:  # queued jobs the worker never started
            with self.engine.begin() as conn:
                for job_id in left:
                    import_jobs.fail_job(conn, job_id, STOPPED)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def _run(self, request: JobRequest) -> None:
        try:
            self._import(request)
        except Exception:  # the store failed around the import itself: record it
            log.exception("import job %s failed", request.job_id)
            with suppress(Exception):
                self._fail(request.job_id, JOB_ERROR)
        finally:
            request.path.unlink(missing_ok=True)
            with self._lock:
                self._progress.pop(request.job_id, None)

    def _import(self, request: JobRequest) -> None:
        job_id = request.job_id
        with self.engine.begin() as conn:
            import_jobs.start_job(conn, job_id)
        self._phase(job_id, "reading")
        try:
            result = ingest_file(self.engine, request.path, request.options, self._counter(job_id))
        except InputError as err:
            self._fail(job_id, _user_sentence(err, request))
            return
        except JobStopped:
            self._fail(job_id, STOPPED)
            return
        except Exception:
            log.exception("import job %s failed", job_id)
            self._fail(job_id, INTERNAL)
            return
        note = None
        if not result.already_imported:
            with self.engine.begin() as conn:  # at once: listings show the uploaded name
                import_jobs.name_batch(conn, result.batch_id, request.display_name)
            note = self._make_searchable(job_id, result)
        with self.engine.begin() as conn:
            import_jobs.finish_job(
                conn,
                job_id,
                result.batch_id,
                result.counts,
                already_imported=result.already_imported,
                note=note,
            )

    def _make_searchable(self, job_id: int, result: IngestResult) -> str | None:
        """Extract the new versions' selectors and index the batch's ads; a sentence if not."""
        try:
            self._phase(job_id, "extracting")
            extract_store(self.engine, region=self.region, workers=1, progress=self._check)
            self._phase(job_id, "indexing")
            _index_batch(self.engine, result.batch_id, self._stopping)
        except Exception as err:
            if not isinstance(err, JobStopped):
                log.exception("import job %s: extraction or indexing failed", job_id)
            return NOT_SEARCHABLE
        return None

    def _counter(self, job_id: int) -> Progress:
        def count(rows: int) -> None:
            self._check(rows)
            with self._lock:
                self._progress[job_id].rows += rows

        return count

    def _check(self, _rows: int) -> None:
        if self._stopping.is_set():
            raise JobStopped()

    def _phase(self, job_id: int, phase: str) -> None:
        with self._lock:
            self._progress[job_id].phase = phase

    def _fail(self, job_id: int, error: str) -> None:
        with self.engine.begin() as conn:
            import_jobs.fail_job(conn, job_id, error)


def _index_batch(engine: Engine, batch_id: int, stopping: threading.Event) -> None:
    with engine.connect() as conn:
        query = select(sightings.c.ad_id).where(sightings.c.batch_id == batch_id).distinct()
        ad_ids = sorted(int(ad_id) for ad_id in conn.execute(query).scalars())
    for start in range(0, len(ad_ids), INDEX_CHUNK):
        if stopping.is_set():
            raise JobStopped()
        with engine.begin() as conn:
            index_ads(conn, ad_ids[start : start + INDEX_CHUNK])


def _user_sentence(err: InputError, request: JobRequest) -> str:
    """The error with the name as uploaded where ingest named the temporary file."""
    named = InputError(
        request.display_name, err.message, line=err.line, field_name=err.field_name
    ).sentence()
    for hidden in (str(request.path), request.path.name):
        named = named.replace(hidden, request.display_name)
    return named
