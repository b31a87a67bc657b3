# The README's two commands: `make demo` and `make test`. Both install what they need.
.PHONY: demo test venv lint bench clean

venv:
	@bash scripts/venv.sh

demo: venv
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh

lint: venv
	.venv/bin/ruff check src tests benchmarks && .venv/bin/ruff format --check src tests benchmarks && .venv/bin/mypy

bench: venv
	.venv/bin/python benchmarks/bench_ingest.py

clean:
	rm -rf .venv demo .pytest_cache .mypy_cache .ruff_cache
