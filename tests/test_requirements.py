"""requirements.txt (the deploy lock) agrees with pyproject.toml's ranges."""
from __future__ import annotations

import re
import tomllib

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from knowledge.settings import PROJECT_ROOT

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _pins(environment: dict[str, str]) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (PROJECT_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        m = _PIN.match(line.strip())
        if m and (not m.group(3) or Marker(m.group(3)).evaluate(environment)):
            pins[canonicalize_name(m.group(1))] = Version(m.group(2))
    return pins


def test_every_runtime_dependency_is_pinned_within_its_range() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["llm"]]
    for python in ("3.11", "3.12", "3.13"):
        env = {"python_version": python, "python_full_version": f"{python}.0", "sys_platform": "linux",
               "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64",
               "implementation_name": "cpython", "platform_python_implementation": "CPython"}
        pins = _pins(env)
        for req in wanted:
            name = canonicalize_name(req.name)
            assert name in pins, f"{req.name} is not in requirements.txt: regenerate it (README, 'Installs')"
            assert req.specifier.contains(pins[name], prereleases=True), f"requirements.txt pins {req.name}=={pins[name]} outside {req.specifier}"


def test_every_pin_has_hashes() -> None:
    text = (PROJECT_ROOT / "requirements.txt").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = [b for b in blocks if "==" in b.split("\n", 1)[0]]
    assert len(pinned) > 50 and all("--hash=sha256:" in b for b in pinned)
