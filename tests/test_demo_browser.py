"""The demo page in a real headless Chromium (Debian's chromium, driven by Playwright).

Screenshots go to test-output/ (git-ignored) so a person can look at what the test saw.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from test_demo import kobart_options, made_up_feed, served, write_feed  # noqa: F401  the same fixtures and helpers

from demo.inputs import collect_articles, collect_feed, seed_text
from summarizer import Limits, summarize, summarize_feed

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 120_000  # an upper bound on a hang; the page normally answers in seconds

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A Korean-locale page that may only talk to 127.0.0.1; other requests are blocked and recorded."""
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 1000})
    context.blocked = []

    def local_only(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            context.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


@pytest.fixture(scope="module")
def url(kobart_options):
    from demo.app import build_app

    with served(build_app(kobart_options)) as client:
        yield client.src


MISSING_MODEL = "example/kobart-not-fetched"  # a hub id with no local weights


@pytest.fixture(scope="module")
def url_without_weights():
    from demo.app import build_app
    from summarizer.abstractive import KobartOptions

    with served(build_app(KobartOptions(model=MISSING_MODEL))) as client:
        yield client.src


def _summarize(page) -> None:
    page.locator("#run").click()
    page.locator("#textrank-output .brief, #textrank-output .notice").first.wait_for()


def test_paste_seed_articles_and_compare_both_columns(page, url, kobart_options):
    page.goto(url)
    page.locator("#articles textarea").fill(seed_text())
    _summarize(page)

    textrank = page.locator("#textrank-output")
    kobart = page.locator("#kobart-output")
    # TextRank shows first, while KoBART is still generating
    assert kobart.locator(".brief").count() == 0
    kobart.locator(".brief").wait_for()

    articles = collect_articles(seed_text(), None, 100_000)
    # the page starts with the library's defaults and the options' beam count
    extractive = summarize(articles, "textrank")
    generated = summarize(articles, "kobart", kobart=kobart_options)
    bullets = textrank.locator("li.bullet")
    assert bullets.count() == len(extractive.bullets) >= 5
    assert bullets.first.locator(".bullet-text").inner_text() == extractive.bullets[0].text
    first_tags = "".join(f"[{a + 1}]" for a in extractive.bullets[0].articles)
    assert bullets.first.locator(".tags").inner_text() == first_tags
    assert bullets.first.locator(".support").inner_text() == f"기사 {extractive.bullets[0].support}건 보도"
    assert "기사 5건" in textrank.locator(".brief-meta").inner_text()

    # the source sentences behind a bullet open on click
    evidence = bullets.first.locator("details.evidence")
    assert not evidence.locator("ol").is_visible()
    evidence.locator("summary").click()
    assert evidence.locator("ol li").first.is_visible()
    assert evidence.locator("ol li").count() == len(extractive.bullets[0].sources)

    # KoBART: same structure, fact-check flags highlighted
    assert kobart.locator("li.bullet").count() == len(generated.bullets) >= 1
    assert kobart.locator(".tags").first.inner_text().startswith("[")
    flagged = [b for b in generated.bullets if b.flags]
    assert kobart.locator("li.bullet.flagged").count() == len(flagged)
    if flagged:
        assert kobart.locator("mark.flag").first.is_visible()
        assert "원문에서 확인되지 않음" in kobart.locator(".flag-note").first.inner_text()

    # what cleaning removed, per article, in a closed accordion
    page.get_by_text("정리 과정에서 제거된 부분 (기사별)").click()
    removed = page.locator("#removed-output details.removed-article")
    removed.first.wait_for(state="visible")
    assert removed.count() == 5

    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error" not in body
    assert page.locator("#run").is_enabled()  # the button comes back after both columns
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "demo-seeds-tiny-kobart.png"), full_page=True)
    assert page.context.blocked == []


def test_seed_button_and_missing_kobart_weights(page, url_without_weights):
    page.goto(url_without_weights)
    page.locator("#load-seeds").click()
    textarea = page.locator("#articles textarea")
    page.wait_for_function("document.querySelector('#articles textarea').value.length > 1000")
    assert textarea.input_value().count("\n---\n") == 4  # five pages, four separator lines
    _summarize(page)

    notice = page.locator("#kobart-output .notice-unavailable")
    notice.wait_for()
    assert "KoBART 모델을 쓸 수 없습니다" in notice.inner_text()
    assert notice.locator("code").inner_text() == f"ko-brief fetch {MISSING_MODEL}"
    assert page.locator("#textrank-output li.bullet").count() >= 5  # TextRank works as usual
    assert page.locator("#textrank-output .tags").first.inner_text().startswith("[")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "demo-missing-weights.png"), full_page=True)


def test_empty_input_shows_a_korean_message(page, url_without_weights):
    page.goto(url_without_weights)
    _summarize(page)
    message = page.locator("#textrank-output .notice-error")
    message.wait_for()
    assert "입력이 비어 있습니다" in message.inner_text()
    page.locator("#kobart-output .notice-error").wait_for()
    assert "Traceback" not in page.locator("body").inner_text()


def test_stories_tab_upload_a_feed_see_ranked_stories_open_a_briefing_and_the_picture(page, url, tmp_path):
    feed = write_feed(tmp_path / "피드.jsonl", made_up_feed(), {3: "{깨진 줄"})
    expected = summarize_feed(collect_feed("", [feed], Limits()).entries)  # the page's default length
    page.goto(url)
    page.get_by_role("tab", name="스토리 (피드)").click()
    page.locator("#feed-uploads input[type=file]").set_input_files(str(feed))
    page.locator("#feed-uploads").get_by_text("피드.jsonl").wait_for()  # uploaded
    page.locator("#run-stories").click()
    cards = page.locator("#stories-output article.story")
    cards.first.wait_for()

    # ranked stories with title, dates, outlets and article count
    assert cards.count() == len(expected) == 3
    assert [cards.nth(i).locator("h3.story-title").inner_text() for i in range(3)] == [
        f"{rank}{story.title}" for rank, story in enumerate(expected, 1)
    ]
    meta = cards.first.locator(".brief-meta").first.inner_text()
    assert "2026-07-20 ~ 2026-07-22" in meta and "기사 4건 (중복 1건 제외)" in meta and "언론사 3곳" in meta
    # a briefing opens on click
    briefing = cards.first.locator("details.story-brief")
    assert not briefing.locator("li.bullet").first.is_visible()
    briefing.locator("summary").first.click()
    bullets = briefing.locator("li.bullet")
    bullets.first.wait_for(state="visible")
    assert bullets.count() == len(expected[0].briefing.bullets) >= 2
    assert bullets.first.locator(".bullet-text").inner_text() == expected[0].briefing.bullets[0].text

    # the picture: a row per story, shaded cells on the days it was covered; the unreadable line
    overview = page.locator("#stories-overview")
    assert overview.locator("table.coverage").is_visible()
    rows = overview.locator("table.coverage tbody tr")
    assert rows.count() == 3
    assert rows.first.locator("td[data-count]").all_inner_texts() == ["1", "1", "2"]
    assert "피드.jsonl 3번째 줄" in overview.locator(".notice").inner_text()

    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error" not in body
    assert page.locator("#run-stories").is_enabled()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "demo-stories.png"), full_page=True)
    assert page.context.blocked == []
