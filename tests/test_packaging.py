"""newsmill installs as one import package, `newsmill`, and nothing generic beside it.

Airflow puts the DAGs and plugins folders on sys.path, where folders named `pipeline` or
`storage` are common; a wheel that shipped those names would shadow, or be shadowed by, a user's.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PARTS = {"newsmill": "newsmill", "pipeline": "newsmill.pipeline", "spiders": "newsmill.spiders",
         "storage": "newsmill.storage"}


def _source_packages() -> set[str]:
    found = set()
    for folder, name in PARTS.items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder)
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    return found


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(config["packages"]) == _source_packages()
    assert {config["package-dir"][name] for name in PARTS.values()} == set(PARTS)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # --no-build-isolation: the dev venv already has setuptools, and a test must not download.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(out), str(REPO)],
                   check=True, capture_output=True, timeout=300, cwd=out)
    (built,) = out.glob("newsmill-*.whl")
    return built


def test_wheel_holds_only_the_newsmill_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"newsmill"}
    shipped = {n for n in names if n.endswith(".py")}
    for folder, name in PARTS.items():
        for source in (REPO / folder).rglob("*.py"):
            rel = source.relative_to(REPO / folder)
            assert "/".join([*name.split("."), *rel.parts]) in shipped, source
    assert any(n.startswith("newsmill/pipeline/demo/content/") for n in names), "demo data"


def _python_with(site: Path, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The unpacked wheel goes first on sys.path, so it wins over the editable install of the repo.
    prelude = f"import sys; sys.path.insert(0, {str(site)!r}); "
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_installed_wheel_imports_newsmill_and_nothing_generic(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    ok = _python_with(site, "import newsmill, newsmill.pipeline.app.cli as c; "
                            "print(newsmill.__file__); print(c.__file__)", outside)
    assert ok.returncode == 0, ok.stderr
    assert all(line.startswith(str(site)) for line in ok.stdout.split())
    for generic in ("pipeline", "spiders", "storage"):
        gone = _python_with(site, f"import {generic}", outside)
        assert gone.returncode != 0
        assert "ModuleNotFoundError" in gone.stderr
    helped = _python_with(site, "import sys; sys.argv = ['newsmill', '--help']; "
                                "import runpy; runpy.run_module('newsmill', run_name='__main__')",
                          outside)
    assert helped.returncode == 0, helped.stderr
    assert "crawl" in helped.stdout and "dump" in helped.stdout


@pytest.mark.parametrize("dag_file", sorted((REPO / "dags").glob("newsmill_*.py")),
                         ids=lambda p: p.name)
def test_dag_files_import_from_the_installed_wheel(wheel: Path, tmp_path: Path,
                                                   dag_file: Path) -> None:
    pytest.importorskip("airflow", reason="the DAG files need the airflow extra")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import runpy, newsmill; "
            f"assert newsmill.__file__.startswith({str(site)!r}); "
            f"runpy.run_path({str(dag_file)!r})")
    done = _python_with(site, code, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]


def test_no_import_cycle_between_the_parts() -> None:
    """`spiders` may use pipeline modules, but none that import `spiders` in turn."""
    code = ("import sys, newsmill.spiders.runner.crawl, newsmill.spiders.news; "
            "import newsmill.spiders.archive.middleware; "
            "mods = [m for m in sys.modules if m.startswith('newsmill.pipeline')]; "
            "import importlib, ast, inspect; bad = []\n"
            "for m in mods:\n"
            "    src = inspect.getsource(sys.modules[m]) if sys.modules[m].__file__ else ''\n"
            "    for node in ast.walk(ast.parse(src)):\n"
            "        names = [a.name for a in node.names] if isinstance(node, ast.Import) else "
            "[node.module or ''] if isinstance(node, ast.ImportFrom) else []\n"
            "        bad += [f'{m} -> {n}' for n in names if n.startswith('newsmill.spiders')]\n"
            "print('\\n'.join(bad)); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
