"""The package as installed, not as checked out: where the models folder is, and the built wheel
installed into a fresh virtual environment outside the checkout and run from a temporary folder.

The venv has no system site-packages and no pip of its own; the wheel goes in with ``--no-deps``
and the dependencies come from this interpreter's site-packages through a ``.pth`` line. A folder
named in a ``.pth`` line is added to ``sys.path`` without its own ``.pth`` files being run, so the
editable install's import hook (a ``.pth`` there) stays off: only the wheel's code can be imported.
Offline and fast (no index, no dependency resolution).
"""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from demo.inputs import seed_text
from summarizer import checkpoints, summarize

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "seeds"
NOT_SHIPPED = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                     "test-output", ".venv", "*.safetensors", "*.bin")


def test_models_folder_is_the_variable_else_the_clone_else_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(checkpoints.MODELS_ENV, str(tmp_path / "weights"))
    assert checkpoints.default_models_dir() == tmp_path / "weights"
    monkeypatch.setenv(checkpoints.MODELS_ENV, "~/kobart")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert checkpoints.default_models_dir() == tmp_path / "kobart"
    monkeypatch.delenv(checkpoints.MODELS_ENV)
    assert checkpoints.default_models_dir() == REPO / "models"  # running from this clone


def test_registry_is_package_data():
    assert checkpoints.REGISTRY_FILE.is_file()
    assert Path(str(checkpoints.REGISTRY_FILE)).parent == Path(checkpoints.__file__).parent
    assert checkpoints.default_name() in checkpoints.registry()


# ---------------------------------------------------------------- the wheel in a fresh venv


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of this checkout (the checkout itself is left untouched)."""
    src = tmp_path_factory.mktemp("wheel-src") / "src"
    shutil.copytree(REPO, src, ignore=NOT_SHIPPED)
    for extra in (src / "models").iterdir():  # downloaded checkpoints are not part of the source
        if extra.is_dir():
            shutil.rmtree(extra)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (path,) = out.glob("*.whl")
    return path


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh venv outside the checkout with only the wheel installed; deps visible via a .pth."""
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    python = root / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    Path(purelib, "system-deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    return root


@pytest.fixture
def run_installed(venv, tmp_path):
    """Run a command of the venv from a temporary folder (not the checkout), with a fresh HOME."""
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    keep = {"PATH", "LANG", "LC_ALL", "TMPDIR", "HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "GRADIO_ANALYTICS_ENABLED"}
    env = {k: v for k, v in os.environ.items() if k in keep} | {"HOME": str(home), "HF_HUB_OFFLINE": "1"}

    def run(command: str, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / command), *args], cwd=work, env=env | (extra_env or {}),
                              capture_output=True, text=True, timeout=300)

    run.home, run.work = home, work
    return run


@pytest.mark.slow
def test_wheel_ships_the_registry_and_no_top_level_demo(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "summarizer/registry.json" in names
    assert "ko_brief_demo/app.py" in names and "ko_brief_demo/seeds/000_9d2a51bb601e0f96.txt" in names
    assert not any(n.split("/")[0] in {"demo", "models", "examples", "tests"} for n in names)
    top_level = next(n for n in names if n.endswith("top_level.txt"))
    assert set(zipfile.ZipFile(wheel).read(top_level).decode().split()) == {"summarizer", "ko_brief_demo"}


@pytest.mark.slow
def test_installed_code_is_the_wheel_and_demo_is_not_a_top_level_package(run_installed, venv):
    probe = ("import importlib.util, summarizer, ko_brief_demo.inputs as inputs;"
             "print(summarizer.__file__); print(importlib.util.find_spec('demo')); print(len(inputs.seed_text()))")
    result = run_installed("python", "-c", probe)
    assert result.returncode == 0, result.stderr
    location, demo_spec, seed_chars = result.stdout.split("\n")[:3]
    assert Path(location).is_relative_to(venv) and demo_spec == "None"
    assert int(seed_chars) == len(seed_text())  # the demo's example button has the five seed pages


@pytest.mark.slow
def test_installed_ko_brief_summarizes_a_folder(run_installed, seed_articles):
    seeds = shutil.copytree(SEEDS, run_installed.work / "pages")
    result = run_installed("ko-brief", "summarize", str(seeds))
    assert result.returncode == 0, result.stderr
    expected = summarize(seed_articles)
    assert expected.bullets and all(b.text in result.stdout for b in expected.bullets)


@pytest.mark.slow
def test_installed_fetch_list_shows_the_registry_and_the_user_models_folder(run_installed):
    result = run_installed("ko-brief", "fetch", "--list")
    assert result.returncode == 0, result.stderr
    assert all(entry.hub_id in result.stdout for entry in checkpoints.registry().values())
    user_models = run_installed.home / ".local" / "share" / "ko-brief" / "models"
    assert f"모델 폴더: {user_models}" in result.stdout
    named = run_installed("ko-brief", "fetch", "--list", extra_env={"KO_BRIEF_MODELS": str(run_installed.work / "w")})
    assert f"모델 폴더: {run_installed.work / 'w'}" in named.stdout


MISSING = """
from summarizer import ModelUnavailableError, summarize
try:
    summarize(open({seed!r}, encoding="utf-8").read(), method="kobart")
except ModelUnavailableError as exc:
    print(exc)
"""


@pytest.mark.slow
def test_installed_kobart_without_weights_names_the_fetch_command_and_folder(run_installed):
    seed = str(sorted(SEEDS.glob("*.txt"))[0])
    user_models = run_installed.home / ".local" / "share" / "ko-brief" / "models"
    result = run_installed("python", "-c", MISSING.format(seed=seed))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "`ko-brief fetch kobart-summarization`" in result.stdout
    assert str(user_models / "kobart-summarization") in result.stdout
    cli = run_installed("ko-brief", "summarize", seed, "--method", "kobart")
    assert cli.returncode != 0 and "Traceback" not in cli.stderr
    assert "ko-brief fetch kobart-summarization" in cli.stderr


@pytest.mark.slow
def test_installed_demo_command_starts_its_argument_parser(run_installed):
    result = run_installed("ko-brief-demo", "--help")
    assert result.returncode == 0, result.stderr
    assert "--auth-file" in result.stdout and "ko-brief-demo" in result.stdout
