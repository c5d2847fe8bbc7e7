"""A non-editable install (the wheel `pip install .` builds) runs from any folder.

The wheel is built offline from this checkout and installed with `--target`
into a temporary folder that is put first on PYTHONPATH, so the processes below
import the installed copy, not the source tree; the dependencies come from the
test environment.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("install")
    wheels, site = root / "wheels", root / "site"
    build = root / "src"  # a copy, so the build leaves no build/ or egg-info in the checkout
    shutil.copytree(PROJECT_ROOT, build, ignore=shutil.ignore_patterns(
        ".git", ".venv*", ".chroma", "__pycache__", "*.egg-info", "build", "dist", ".vectors"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), str(build)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("*.whl")
    subprocess.run([*pip, "install", "-q", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    return site


def _env(site: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LLM_", "CHROMA_", "SEEDS_", "VECTOR_"))}
    env.update({"PYTHONPATH": str(site), "LOG_LEVEL": "WARNING", **extra})
    return env


def test_the_wheel_ships_every_package_and_the_console_script(installed: Path) -> None:
    shipped = {p.parent.relative_to(installed).as_posix() for p in installed.rglob("__init__.py")}
    wanted = {p.parent.relative_to(PROJECT_ROOT).as_posix() for d in ("bot", "knowledge") for p in (PROJECT_ROOT / d).rglob("__init__.py")}
    assert wanted <= shipped
    assert not (installed / "tests").exists() and not (installed / "seeds").exists()
    assert (installed / "bin" / "lg-ai").is_file()


def test_ask_from_another_folder_uses_its_seeds(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(PROJECT_ROOT / "seeds", elsewhere / "seeds", ignore=shutil.ignore_patterns(".vectors"))
    probe = "import knowledge, sys; print(knowledge.__file__, file=sys.stderr); from bot.__main__ import main; sys.exit(main())"
    done = subprocess.run([sys.executable, "-c", probe, "ask", "--json", "엑사원 딥의 수능 수학 점수는?"], cwd=elsewhere,
                          env=_env(installed), capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.splitlines()[0].startswith(str(installed))  # the installed copy, not the checkout
    answer = json.loads(done.stdout)
    assert "94.5" in answer["answer"] and answer["quotes"]
    assert (elsewhere / ".chroma").is_dir()  # the index lands in the working directory
    assert not (installed / ".chroma").exists() and not (installed / "seeds").exists()


def test_seeds_dir_setting_and_missing_seeds(installed: Path, tmp_path: Path) -> None:
    script = installed / "bin" / "lg-ai"
    done = subprocess.run([sys.executable, str(script), "ask", "--json", "What is EXAONE Deep?"], cwd=tmp_path,
                          env=_env(installed, SEEDS_DIR=str(PROJECT_ROOT / "seeds"), CHROMA_PATH=str(tmp_path / "index")),
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert answer["question"] == "What is EXAONE Deep?" and answer["answer"] and (tmp_path / "index").is_dir()

    empty = tmp_path / "empty"
    empty.mkdir()
    missing = subprocess.run([sys.executable, str(script), "ask", "hello?"], cwd=empty, env=_env(installed),
                             capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"lg-ai ask: error: seeds folder not found: {empty / 'seeds'} (set SEEDS_DIR, or run where ./seeds exists)"
    ]
