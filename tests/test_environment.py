"""environment.yml (conda) and requirements.txt / requirements-lock.txt (pip) stay in sync."""

from __future__ import annotations

import re

import yaml

from analysis import config


def _pip_pins(path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def _conda_pins() -> dict[str, str]:
    environment = yaml.safe_load((config.ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for item in environment["dependencies"]:
        if isinstance(item, str) and "=" in item and not item.startswith("python="):
            name, version = item.split("=", 1)
            pins[name.lower()] = version
    return pins


def test_environment_yml_lists_the_same_packages_and_versions_as_requirements():
    assert _conda_pins() == _pip_pins(config.ROOT / "requirements.txt")


def test_environment_yml_uses_python_311_and_installs_the_package():
    environment = yaml.safe_load((config.ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in environment["dependencies"]
    pip_section = [item for item in environment["dependencies"] if isinstance(item, dict)][0]["pip"]
    assert "-e ." in pip_section


def test_lock_file_pins_every_direct_dependency_at_the_same_version():
    lock = _pip_pins(config.ROOT / "requirements-lock.txt")
    for name, version in _pip_pins(config.ROOT / "requirements.txt").items():
        assert lock.get(name) == version, name


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in _pip_pins(config.ROOT / "requirements.txt").items():
        assert version(name) == pinned, name
