"""Bad input: a clear InputError or a sensible briefing, never a traceback from deep inside."""
import json
import os
import random
import re
import subprocess
import sys
import unicodedata
from html import unescape
from pathlib import Path

import pytest

from summarizer import InputError, Limits, SummarizerError, summarize
from test_normalize import seed_as_html_page

ARTICLE = (
    "서울시가 내년부터 대중교통 요금을 150원 인상한다고 5일 밝혔다. "
    "시는 적자 누적으로 요금 조정이 불가피하다고 설명했다. "
    "시민단체는 물가 부담을 이유로 반대 입장을 냈다."
)


@pytest.mark.parametrize("text", ["", "   \n\t  ", [], ["", "  "], "\n---\n---\n"])
def test_empty_input(text):
    with pytest.raises(InputError, match="비어"):
        summarize(text)


def test_text_with_no_korean():
    with pytest.raises(InputError, match="한국어"):
        summarize("The central bank raised rates by 25 basis points on Tuesday. " * 20)


def test_binary_garbage():
    rng = random.Random(0)
    garbage = bytes(rng.randrange(256) for _ in range(4000)).decode("latin-1")
    with pytest.raises(InputError, match="바이너리"):
        summarize(garbage)
    with pytest.raises(InputError, match="UTF-8"):
        summarize(b"\xff\xfe\x00\x01" * 100)


def test_wrong_types():
    with pytest.raises(InputError):
        summarize([ARTICLE, 3])


def test_one_sentence():
    b = summarize("삼성전자가 새 반도체 공장을 착공했다.")
    assert [x.text for x in b.bullets] == ["삼성전자가 새 반도체 공장을 착공했다."]


def test_very_short_korean_is_never_empty():
    b = summarize("주가 급등")
    assert b.bullets and b.bullets[0].text == "주가 급등"
    assert b.notes  # says that the cleaning rules were bypassed


def test_html_markup_pasted_as_text():
    page = "<div class='article'><h1>요금 인상</h1><p>" + ARTICLE + "</p><script>var x = 1;</script></div>"
    b = summarize(page)
    text = " ".join(x.text for x in b.bullets)
    assert "150원" in text and "<" not in text and "var x" not in text


def test_huge_paste_is_refused_before_work():
    with pytest.raises(InputError, match="너무 깁니다"):
        summarize("가" * 5_000_000)


def test_limits_are_configurable():
    with pytest.raises(InputError, match="max_total_chars"):
        summarize(ARTICLE, limits=Limits(max_total_chars=50))
    with pytest.raises(InputError, match="max_articles"):
        summarize([ARTICLE] * 3, limits=Limits(max_articles=2))


def test_twenty_thousand_chars_without_punctuation():
    rng = random.Random(1)
    words = ["정부", "정책", "발표", "시장", "반응", "기업", "투자", "확대", "지역", "경제"]
    text = " ".join(rng.choice(words) for _ in range(7000))[:20_000]
    b = summarize(text, max_chars=600)
    assert 0 < b.length <= 600
    assert all(len(x.text) <= 300 for x in b.bullets)


def test_two_hundred_articles():
    articles = [f"{i}번째 기사입니다. " + ARTICLE.replace("150원", f"{i * 10}원") for i in range(200)]
    b = summarize(articles)
    assert 0 < b.length <= 1500
    assert len(b.articles) == 200
    assert max(x.support for x in b.bullets) > 1  # the same story from many articles is merged


# --- the bad-input matrix: the same inputs through summarize(), `ko-brief summarize` and the demo
# API. Each gives a briefing that makes sense or a Korean message, never a traceback.

REPO = Path(__file__).resolve().parents[1]
SEPARATOR = "\n---\n"
ONE_SENTENCE = "삼성전자가 새 반도체 공장을 착공했다."


def _random_bytes(n: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


def _no_punctuation(n: int = 20_000) -> str:
    rng = random.Random(1)
    words = ["정부", "정책", "발표", "시장", "반응", "기업", "투자", "확대", "지역", "경제"]
    return " ".join(rng.choice(words) for _ in range(n // 2))[:n]


def _every_nth_line(text: str, n: int, change) -> str:
    return "\n".join(change(line) if i % n == 0 and line.strip() not in ("---", "") else line
                     for i, line in enumerate(text.split("\n")))


# name: how to build the pasted text from the seed pages (one string, articles between `---` lines)
INPUTS = {
    "empty": lambda seeds: "",
    "whitespace": lambda seeds: " \n\t \r\n\u3000 ",
    "binary": lambda seeds: _random_bytes(4000),
    "non-korean": lambda seeds: "The central bank raised rates by 25 basis points on Tuesday. " * 20,
    "one-sentence": lambda seeds: ONE_SENTENCE,
    "html-page": lambda seeds: SEPARATOR.join(seed_as_html_page(p) for p in seeds),
    "5mb": lambda seeds: "삼성전자가 새 반도체를 발표했다. " * 290_000,
    "no-punctuation": lambda seeds: _no_punctuation(),
    "200-articles": lambda seeds: SEPARATOR.join(
        f"{i}번째 기사입니다. " + ARTICLE.replace("150원", f"{i * 10}원") for i in range(200)
    ),
    "301-articles": lambda seeds: SEPARATOR.join([ONE_SENTENCE] * 301),
    "nul": lambda seeds: _every_nth_line(SEPARATOR.join(seeds), 9, lambda line: "\x00" + line),
    "crlf": lambda seeds: SEPARATOR.join(seeds).replace("\n", "\r\n"),
    "nfd": lambda seeds: unicodedata.normalize("NFD", SEPARATOR.join(seeds)),
    "zero-width": lambda seeds: (
        SEPARATOR.join(seeds).replace("수정", "수\u200b정").replace("기자", "기\u200b자").replace(" ", " \u200b", 50)
    ),
    "lone-surrogates": lambda seeds: _every_nth_line(
        SEPARATOR.join(seeds), 7, lambda line: line[:3] + "\ud800" + line[3:]
    ),
    "emoji": lambda seeds: _every_nth_line(  # after sentences of the body, as in quoted social posts
        SEPARATOR.join(seeds), 2, lambda line: line + " 👍😀" if line.endswith("다.") else line
    ),
    "duplicated-lines": lambda seeds: "\n".join(f"{line}\n{line}" for line in SEPARATOR.join(seeds).split("\n")),
}


def same_as_seeds(outcome, reference):
    assert outcome.bullets == reference.bullets and outcome.titles == reference.titles


def html_is_text(outcome, reference):
    assert len(outcome.titles) == len(reference.titles) and len(outcome.bullets) >= 20
    for text in [t or "" for t in outcome.titles] + outcome.bullets:
        assert "<" not in text and "&" not in text and "DOCTYPE" not in text
    assert not {"좋아요", "응원해요", "-"} & set(outcome.bullets)


def within_budget(outcome, reference):
    assert outcome.bullets and sum(len(b) for b in outcome.bullets) <= 1500
    assert all(len(b) <= 300 for b in outcome.bullets)  # cut at spaces, not one 20,000-char bullet


def two_hundred(outcome, reference):
    assert outcome.articles == 200 and outcome.bullets
    assert len(set(outcome.bullets)) == len(outcome.bullets)


# name: a check of the briefing, or the regex its Korean error message must match
EXPECTED = {
    "empty": "입력이 비어 있습니다",
    "whitespace": "입력이 비어 있습니다",
    "binary": "바이너리|텍스트로 읽을 수 없습니다",
    "non-korean": "한국어 기사가 아닙니다",
    "one-sentence": lambda outcome, reference: outcome.bullets == [ONE_SENTENCE] or pytest.fail(outcome),
    "html-page": html_is_text,
    "5mb": "입력이 너무 깁니다",
    "no-punctuation": within_budget,
    "200-articles": two_hundred,
    "301-articles": "기사가 너무 많습니다: 301건",
    "nul": same_as_seeds,
    "crlf": same_as_seeds,
    "nfd": same_as_seeds,
    "zero-width": same_as_seeds,
    "lone-surrogates": same_as_seeds,
    "emoji": same_as_seeds,  # emoji after a sentence do not split the events it belongs to
    "duplicated-lines": same_as_seeds,
}
# The demo allows fewer articles per request (demo.app.DEMO_LIMITS: 30).
DEMO_EXPECTED = {**EXPECTED, "200-articles": "기사가 너무 많습니다: 200건"}
SLOW = {"200-articles", "5mb"}
CASES = [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in INPUTS]


class Outcome:
    """What a reader gets: bullet texts, event titles and the article count, or a message."""

    def __init__(self, bullets=(), titles=(), articles=0, error=None):
        self.bullets, self.titles, self.articles, self.error = list(bullets), list(titles), articles, error

    @classmethod
    def of_dict(cls, briefing: dict) -> "Outcome":
        sections = briefing["sections"]
        return cls([b["text"] for e in sections for b in e["bullets"]], [e["title"] for e in sections],
                   len(briefing["articles"]))

    def __repr__(self):
        return f"Outcome(error={self.error!r}, titles={self.titles!r}, bullets={self.bullets[:3]!r}…)"


def check(outcome: Outcome, expected, reference: Outcome) -> None:
    if isinstance(expected, str):
        assert outcome.error is not None and re.search(expected, outcome.error), outcome
        assert re.search("[가-힣]", outcome.error) and "Traceback" not in outcome.error
    else:
        assert outcome.error is None, outcome
        expected(outcome, reference)


def pasted(name: str, seeds: list[str]) -> str:
    text = INPUTS[name](seeds)
    return text.decode("latin-1") if isinstance(text, bytes) else text


@pytest.fixture(scope="module")
def reference(seed_articles) -> Outcome:
    return Outcome.of_dict(summarize(SEPARATOR.join(seed_articles)).to_dict())


# summarize()


@pytest.mark.parametrize("name", CASES)
def test_summarize(name, seed_articles, reference):
    text = pasted(name, seed_articles)
    try:
        briefing = summarize(text)
    except SummarizerError as exc:
        outcome = Outcome(error=str(exc))
    else:
        data = briefing.to_dict()
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # always writable as UTF-8
        outcome = Outcome.of_dict(data)
    check(outcome, EXPECTED[name], reference)


@pytest.mark.parametrize(
    "articles",
    [3, 3.5, None, {"기사": ARTICLE}, [ARTICLE, 3], [[ARTICLE]], (ARTICLE, None), b"\xff\xfe\xfa" * 50],
    ids=["int", "float", "none", "dict", "list-with-int", "nested-list", "tuple-with-none", "bytes-not-utf8"],
)
def test_summarize_wrong_types(articles):
    with pytest.raises(InputError, match="문자열|UTF-8"):
        summarize(articles)


def test_summarize_bytes_and_tuples_are_accepted():
    assert summarize(ARTICLE.encode("utf-8")).bullets
    assert summarize((ARTICLE, ARTICLE.replace("서울시", "부산시"))).bullets


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_chars", 0), ("max_chars", 19), ("max_chars", -1500), ("max_chars", "1500"), ("max_chars", 1500.0),
        ("max_chars", True), ("max_chars", None),
        ("redundancy", -0.1), ("redundancy", 1.5), ("redundancy", "high"), ("redundancy", float("nan")),
        ("redundancy", None),
        ("method", "lexrank"), ("method", ""), ("method", None), ("method", "TEXTRANK"),
    ],
)
def test_summarize_bad_options(option, value):
    with pytest.raises(InputError, match="max_chars|redundancy|방법") as caught:
        summarize(ARTICLE, **{option: value})
    assert re.search("[가-힣]", str(caught.value))


# `ko-brief summarize`: every case as a .txt file in one folder, one real process, --per-file;
# text with lone surrogates can only arrive through JSON escapes, so it comes as a JSONL item.

CLI_ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    "HF_HUB_OFFLINE": "1",
}


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "summarizer", *args], cwd=cwd, env=CLI_ENV,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def cli_records(tmp_path_factory, seed_articles):
    folder = tmp_path_factory.mktemp("bad-inputs")
    cases = folder / "cases"
    cases.mkdir()
    items = []
    for name in INPUTS:
        text = INPUTS[name](seed_articles)
        if isinstance(text, bytes):
            (cases / f"{name}.txt").write_bytes(text)
        elif re.search("[\ud800-\udfff]", text):
            items.append({"id": name, "articles": text})
        else:  # newline="" keeps CR LF and lone CR as they are
            (cases / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
    items += [{"id": "wrong-type-int", "articles": 3}, {"id": "wrong-type-list", "articles": [ARTICLE, 3]}]
    jsonl = folder / "items.jsonl"
    jsonl.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")  # \ud800 escapes
    result = run_cli("summarize", "cases", "items.jsonl", "--per-file", "--format", "json", cwd=folder)
    assert result.returncode == 1  # some items fail, by design
    assert "Traceback" not in result.stderr, result.stderr
    records = {}
    for line in result.stdout.splitlines():
        record = json.loads(line)
        records[Path(str(record["id"])).stem] = record
    return records


@pytest.mark.parametrize("name", INPUTS)
def test_cli(name, cli_records, reference):
    record = cli_records[name]
    if record["ok"]:
        outcome = Outcome.of_dict(record["briefing"])
    else:
        assert record["error"]["type"] == "InputError"
        outcome = Outcome(error=record["error"]["message"])
    check(outcome, EXPECTED[name], reference)


def test_cli_wrong_types_are_error_records(cli_records):
    assert cli_records["wrong-type-int"]["error"] == {
        "type": "InputError", "message": "articles는 문자열, 또는 문자열·딕셔너리·Article의 목록이어야 합니다."
    }
    assert cli_records["wrong-type-list"]["error"] == {
        "type": "InputError", "message": "2번 기사는 문자열, 딕셔너리 또는 Article이어야 합니다 (받은 형식: int)."
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-chars", "5"], "max_chars는 20 이상의 정수여야 합니다"),
        (["--max-chars", "-100"], "max_chars는 20 이상의 정수여야 합니다"),
        (["--max-chars", "many"], "invalid int value"),  # argparse's own usage error
        (["--method", "lexrank"], "invalid choice"),
    ],
)
def test_cli_bad_options(args, message, capsys):
    from summarizer.cli import main

    try:
        code = main(["summarize", str(REPO / "examples" / "seeds"), *args])
    except SystemExit as exc:  # argparse exits after printing usage
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


# The demo's API (/textrank), served on 127.0.0.1 and called through gradio_client.


@pytest.fixture(scope="module")
def demo_client():
    from demo.app import build_app
    from test_demo import served

    with served(build_app()) as client:
        yield client


def demo_outcome(html: str) -> Outcome:
    if "notice-error" in html:
        return Outcome(error=unescape(re.sub(r"<[^>]+>", " ", html)))
    bullets = [unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r'<p class="bullet-text">(.*?)</p>', html)]
    titles = [unescape(t) for t in re.findall(r"<h3>(.*?)</h3>", html)]
    articles = re.search(r"기사 (\d+)건</", html) or re.search(r"· 기사 (\d+)건", html)
    return Outcome(bullets, titles, int(articles.group(1)) if articles else 0)


def textrank_call(client, text: str) -> str:
    """The /textrank HTML for ``text``. gradio_client cannot send lone surrogates (it encodes its
    JSON as UTF-8), but a browser can (JSON.stringify writes them as \\ud800 escapes): such text
    goes as that JSON, through Gradio's HTTP API."""
    if not re.search("[\ud800-\udfff]", text):
        return client.predict(text, [], 1500, 0.5, api_name="/textrank")[0]
    import httpx

    call = f"{client.src.rstrip('/')}/gradio_api/call/textrank"
    body = json.dumps({"data": [text, None, 1500, 0.5]})  # ASCII, with \\ud800 escapes
    event = httpx.post(call, content=body, headers={"content-type": "application/json"}, timeout=60).json()
    stream = httpx.get(f"{call}/{event['event_id']}", timeout=120).text
    assert "event: complete" in stream, stream
    return json.loads(stream.split("data:", 1)[1])[0]


@pytest.mark.parametrize("name", CASES)
def test_demo(name, seed_articles, reference, demo_client):
    reference_html = textrank_call(demo_client, SEPARATOR.join(seed_articles))
    html = textrank_call(demo_client, pasted(name, seed_articles))
    assert "Traceback" not in html
    check(demo_outcome(html), DEMO_EXPECTED[name], demo_outcome(reference_html))


@pytest.mark.parametrize(
    ("max_chars", "redundancy", "refusal"),
    [
        (5, 0.5, "less than minimum value 300"),
        (1500, 7, "greater than maximum value 1"),
        ("many", 0.5, "exception"),
    ],
)
def test_demo_bad_options_are_refused_by_gradio_and_the_server_goes_on(demo_client, max_chars, redundancy, refusal):
    """Sliders bound both values: Gradio refuses others before the handler runs (its own English
    message; the page's sliders cannot send them). The next request is served as usual."""
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=refusal):
        demo_client.predict(ARTICLE, [], max_chars, redundancy, api_name="/textrank")
    html, _, _ = demo_client.predict(ARTICLE, [], 1500, 0.5, api_name="/textrank")
    assert demo_outcome(html).bullets
