"""Property-based fuzzing of every loader (issue 15): mutated real files are read or refused.

Hypothesis draws edits to small real PDF, Word, HTML, Markdown and text files; each mutated file
goes through `load_file`. The property: no exception but the loader's own refusal escapes, a
document that is read keeps the loaders' promises (text pages, blocks inside their pages, no
control characters), and no file takes more than 5 s. Derandomized, so CI runs the same examples
every time; `python -m benchmarks.fuzz_loaders` runs many more with fresh random edits.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import fuzzing

EDIT = st.tuples(
    st.sampled_from(fuzzing.KINDS), st.integers(0, 2**31 - 1), st.binary(min_size=1, max_size=24)
)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return fuzzing.seeds(tmp_path_factory.mktemp("seeds"))


@pytest.mark.parametrize("format", ["pdf", "docx", "html", "markdown", "text"])
def test_mutated_files_are_read_or_refused_never_crash(
    format: str, seeds: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp(f"fuzz-{format}")
    seed = seeds[format]
    assert fuzzing.trial(folder / f"seed.{format}", seed).outcome == "read"  # the seed is good

    @settings(
        max_examples=60,
        deadline=5000,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(edits=st.lists(EDIT, min_size=1, max_size=6))
    def check(edits: list[fuzzing.Edit]) -> None:
        data = fuzzing.mutate(format, seed, edits)
        result = fuzzing.trial(folder / f"fuzzed.{format}", data)
        assert result.outcome != "defect", result.detail

    check()
