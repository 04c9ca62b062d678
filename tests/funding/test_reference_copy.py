"""The reference cases under tests/data are a verbatim copy of the shared ones, so they never drift apart."""

from pathlib import Path

import pytest

COPY = Path(__file__).parents[1] / "data" / "reference" / "contributions"
# The repository lives at /work/main and the shared folder beside it at /work/shared.
SHARED = Path(__file__).parents[3] / "shared" / "reference" / "contributions"


def files_under(folder: Path) -> list[Path]:
    """Every file below the folder, relative to it."""
    return sorted(path.relative_to(folder) for path in folder.rglob("*") if path.is_file())


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is not there to compare with")
def test_copy_matches_the_shared_reference_byte_for_byte():
    shared_files = files_under(SHARED)

    assert shared_files, f"{SHARED} has no files"
    for relative in shared_files:
        copy = COPY / relative
        assert copy.is_file(), f"{relative} is in {SHARED} but not in {COPY}"
        assert copy.read_bytes() == (SHARED / relative).read_bytes(), f"{relative} differs from {SHARED / relative}"


def test_copy_has_the_reference_cases():
    assert (COPY / "README.md").is_file()
    for case in ("digivestland-2021", "digiviken-2022"):
        assert {path.name for path in (COPY / case).iterdir()} >= {"model.json", "members.csv", "expected.csv"}
