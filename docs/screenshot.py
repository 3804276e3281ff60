"""Re-make docs/demo.png, the README's picture: the demo page with both columns after pasting the
five seed pages (Debian chromium through Playwright, the demo on 127.0.0.1).

The KoBART column comes from the tiny random-weight checkpoint the demo tests build, so it shows
the layout, not a real summary. Run from anywhere: ``python docs/screenshot.py [OUT.png]``.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from test_demo import served, tiny_kobart  # noqa: E402  the demo tests' server helper and tiny KoBART
from test_demo_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from demo.app import build_app  # noqa: E402
from demo.inputs import seed_text  # noqa: E402
from summarizer.abstractive import KobartOptions  # noqa: E402

MAX_CHARS = 600  # a short briefing, so both columns fit one screen
WIDTH, HEIGHT = 1280, 1500
COLOURS = 64  # a palette PNG keeps the file small (Pillow's quantize)


def main(out: Path) -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        options = KobartOptions(model=str(tiny_kobart(Path(tmp) / "tiny-kobart")), num_beams=1)
        with served(build_app(options)) as client, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="ko-KR", viewport={"width": WIDTH, "height": HEIGHT})
            page.set_default_timeout(120_000)
            page.goto(client.src)
            page.locator("#articles textarea").fill(seed_text())
            length = page.get_by_label("요약 길이 (글자 수)").locator("visible=true").first
            length.fill(str(MAX_CHARS))
            length.press("Enter")
            page.locator("#run").click()
            page.locator("#kobart-output .brief").wait_for()
            page.locator("#textrank-output .brief").wait_for()
            page.locator("#articles textarea").evaluate("box => box.scrollTop = 0")  # the pages' start
            shot = Path(tmp) / "page.png"
            page.screenshot(path=str(shot), full_page=False)
            browser.close()
        Image.open(shot).convert("RGB").quantize(COLOURS).save(out, optimize=True)
    print(f"{out}: {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "demo.png")
