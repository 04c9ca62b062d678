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
from typing import TYPE_CHECKING

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

if TYPE_CHECKING:
    from bench.common import Figure

# Each module has `run() -> list[bench.common.Figure]`; add new benchmarks here.
BENCHMARKS = ["bench.recompute", "bench.invoices", "bench.load"]


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


def finish(figures: list[Figure], failed: list[str]) -> int:
    """Say which benchmarks failed and which figures missed their targets (as `# ` lines); the exit status: 1 when
    a figure missed its target or a benchmark failed, else 0."""
    from bench.common import info

    missed = [figure.name for figure in figures if not figure.met]
    if failed:
        info(f"failed: {', '.join(failed)}")
    if missed:
        info(f"missed target: {', '.join(missed)}")
    return 1 if missed or failed else 0


def main(argv: list[str]) -> int:
    selected = _selected(argv)
    from bench import common

    common.setup_django(common.database_url())
    figures: list[Figure] = []
    failed: list[str] = []
    for module_name in selected:
        try:
            figures_of_module = importlib.import_module(module_name).run()
        except Exception:
            traceback.print_exc()
            failed.append(module_name)
            continue
        for figure in figures_of_module:
            print(figure.line(), flush=True)
        figures.extend(figures_of_module)
    return finish(figures, failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
