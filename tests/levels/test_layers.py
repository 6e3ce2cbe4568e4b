"""The layers contract (``.importlinter``) holds, and it would catch a wrong-way import, even one
inside a function."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        check=False,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A copy of the package and the contract, to break on purpose."""
    where = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "ops_skills", where / "ops_skills", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", where / ".importlinter")
    return where


def test_the_layers_contract_is_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_function_local_import_from_a_higher_layer_breaks_it(tree):
    models = tree / "ops_skills" / "people" / "models.py"
    original = models.read_text()
    models.write_text(
        original + "\n\ndef _wrong_way():\n    from ops_skills import flows  # noqa\n\n    return flows\n"
    )
    try:
        result = _lint(tree)
    finally:
        models.write_text(original)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "ops_skills.people.models -> ops_skills.flows" in result.stdout
