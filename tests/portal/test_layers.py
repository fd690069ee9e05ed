"""Layers run one way (STYLE.md 13): the import-linter contracts in pyproject.toml hold for the
project, and the same contracts fail a tree where a lower layer imports a higher one."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=directory,
        env={"PYTHONPATH": str(directory), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_project_keeps_its_layers():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def contracts_toml() -> str:
    """The project's own [tool.importlinter] section, unchanged."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {value_toml(v)}" for k, v in config.items() if k != "contracts"]
    for contract in config["contracts"]:
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{k} = {value_toml(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"


def value_toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(value_toml(v) for v in value) + "]"
    return '"' + str(value) + '"'


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        ("portal/views.py", "from mediation.models import Dispute\n", True),
        ("mediation/services.py", "import referrals.models\n", True),
        # Inside a function counts too: hiding an import there does not dodge the rule.
        ("portal/jobs.py", "def run():\n    from referrals import tasks\n", True),
        # The control: the same tree with an import that goes down is kept.
        ("referrals/tasks.py", "import portal.views\n", False),
    ],
)
def test_a_back_import_breaks_the_contract(tmp_path, module, statement, broken):
    for package in ("portal", "mediation", "referrals"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "mediation" / "models.py").write_text("import portal.views\n")
    (tmp_path / "referrals" / "models.py").write_text("import mediation.models\n")
    (tmp_path / "referrals" / "tasks.py").write_text("")
    (tmp_path / "portal" / "views.py").write_text("")
    (tmp_path / module).write_text(statement)
    (tmp_path / "pyproject.toml").write_text(contracts_toml())
    result = lint(tmp_path)
    assert result.returncode == int(broken), result.stdout + result.stderr
    assert ("BROKEN" in result.stdout) is broken


def test_ready_run_twice_registers_nothing_twice():
    """The apps fill the lower layers' registries in ready(), which Django may call again."""
    from dataclasses import fields

    from django.apps import apps

    from mediation import hooks
    from portal import jobs
    from portal.api_router import router

    def sizes() -> list[int]:
        lists = [len(getattr(hooks.registry, f.name)) for f in fields(hooks.registry)]
        return [*lists, len(router.registry), len(jobs.registered())]

    before = sizes()
    for label in ("portal", "mediation", "referrals"):
        apps.get_app_config(label).ready()
    assert sizes() == before
    assert all(before), "every registry is filled"
