"""Bad input: a clear InputError or a sensible briefing, never a traceback from deep inside."""
import random

import pytest

from summarizer import InputError, Limits, summarize

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
