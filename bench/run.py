#!/usr/bin/env python
"""Run the benchmarks: `python bench/run.py [name ...]` from the repository root (see bench/README.md).

Prints one `name: value (target <= X)` line per figure (other lines start with "# ") and exits
non-zero when a figure misses its target or a benchmark fails.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Each module has `run() -> list[bench.common.Figure]`; add new benchmarks here.
BENCHMARKS = ["bench.recompute", "bench.invoices"]


def _short(module: str) -> str:
    return module.rsplit(".", 1)[-1]


def _selected(argv: list[str]) -> list[str]:
    known = ", ".join(map(_short, BENCHMARKS))
    parser = argparse.ArgumentParser(description="Run the benchmarks and compare each figure with its target.")
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run (default: all of {known})")
    names = parser.parse_args(argv).names
    by_name = {_short(module): module for module in BENCHMARKS} | {module: module for module in BENCHMARKS}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        parser.error(f"unknown benchmark: {', '.join(unknown)} (known: {known})")
    return [by_name[name] for name in names] or list(BENCHMARKS)


def main(argv: list[str]) -> int:
    selected = _selected(argv)
    from bench import common

    common.setup_django(common.database_url())
    missed: list[str] = []
    failed: list[str] = []
    for module_name in selected:
        try:
            figures = importlib.import_module(module_name).run()
        except Exception:
            traceback.print_exc()
            failed.append(module_name)
            continue
        for figure in figures:
            print(figure.line(), flush=True)
            if not figure.met:
                missed.append(figure.name)
    if failed:
        common.info(f"failed: {', '.join(failed)}")
    if missed:
        common.info(f"missed target: {', '.join(missed)}")
    return 1 if missed or failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
