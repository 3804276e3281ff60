"""Shared fixtures: offline environment, the bundled seed pages, the shared assets beside the repo."""
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS_DIR = REPO / "examples" / "seeds"


@pytest.fixture(scope="session")
def seed_articles() -> list[str]:
    """The five pasted pages bundled as the example input, in file order."""
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]


@pytest.fixture(scope="session")
def dev_set_path() -> Path:
    path = SHARED / "data" / "ko-news-dev.jsonl"
    if not path.exists():
        pytest.skip("../shared/data/ko-news-dev.jsonl is not present")
    return path


@pytest.fixture(scope="session")
def kobart_assets() -> Path:
    path = SHARED / "kobart"
    if not (path / "tokenizer.json").exists():
        pytest.skip("../shared/kobart is not present")
    return path
