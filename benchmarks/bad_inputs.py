"""Print the bad-input table: each malformed file, exit code, message, ads stored, rows rejected.

.venv/bin/python benchmarks/bad_inputs.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.badinput import CASES
from tests.pipeline.test_bad_input import run_case


def main() -> None:
    print("| input | exit | message, or the first reject | ads stored | rows rejected |")
    print("|---|---|---|---|---|")
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            code, output, stored, rejected = run_case(case, Path(tmp))
        lines = [line for line in output.splitlines() if line.strip()]
        first = next((line for line in lines if line.startswith(("error:", "reject:"))), "ok")
        first = first.replace(tmp, "…").replace("|", "\\|")
        print(f"| {case.name} | {code} | {first[:110]} | {stored} | {rejected} |")


if __name__ == "__main__":
    main()
