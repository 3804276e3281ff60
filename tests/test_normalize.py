"""The entrance: one normalisation of every text form a user can paste or upload (issue 8, 1-3)."""
import html
import json
import random
import unicodedata

import pytest

from summarizer import InputError, normalize_text, split_articles, summarize
from summarizer.clean import junk_reason
from summarizer.pipeline import read_text_file


def outline(briefing):
    """What a reader sees: event titles and bullet texts."""
    return [(e.title, [b.text for b in e.bullets]) for e in briefing.sections]


def assert_offsets_hold(briefing, texts):
    """Every source is a span of its article's normalised text."""
    for bullet in briefing.bullets:
        for s in bullet.sources:
            assert normalize_text(texts[s.article])[s.start : s.end] == s.text


@pytest.fixture(scope="module")
def seed_briefing(seed_articles):
    return summarize("\n---\n".join(seed_articles))


# --- normalize_text, rule by rule ------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("가\r\n나\r다\n라", "가\n나\n다\n라"),  # CR LF and lone CR
        ("가\x0b나\x0c다\u2028라\u2029마\x85바", "가\n나\n다\n라\n마\n바"),  # other line separators
        ("수\u200b정 기\u200c자\u200d \u2060삼성\ufeff전자", "수정 기자 삼성전자"),  # zero-width
        ("가\x00나\x07다\x1b[0m라\x7f마\x9f바\t사", "가나다[0m라마바\t사"),  # controls, TAB kept
        ("한&middot;미 &#54620;&#xAD6D; &lt;b&gt; R&amp;D", "한·미 한국 <b> R&D"),  # entities
        ("AT&T와 R&D, &copy 없는 경우", "AT&T와 R&D, &copy 없는 경우"),  # no ';': left as is
        ("가\ud800나\udfff다", "가나다"),  # lone surrogates removed
        ("웃음\ud83d\ude00 끝", "웃음\U0001F600 끝"),  # a pair of escapes is one emoji
        ("영화 <기생충> 개봉, 3<5", "영화 <기생충> 개봉, 3<5"),  # angle brackets that are not tags
        ("이미 정상인 기사 본문입니다.\n둘째 줄.", "이미 정상인 기사 본문입니다.\n둘째 줄."),
    ],
)
def test_each_rule(given, expected):
    assert normalize_text(given) == expected
    assert normalize_text(expected) == expected  # plain text passes unchanged


def test_double_escaped_entities_are_decoded_only_once():
    assert normalize_text("&amp;lt;p&amp;gt; &amp;middot;") == "&lt;p&gt; &middot;"


def test_a_page_without_end_of_head_keeps_its_body():
    page = "<html><head><title>제목<meta charset=utf-8><body><p>본문 첫 문장이다.</p><p>둘째 문장이다.</p></body>"
    assert normalize_text(page) == "본문 첫 문장이다.\n둘째 문장이다."


def test_an_article_that_mentions_a_tag_keeps_its_lines():
    text = "웹 페이지는 <html> 태그로 시작한다.\n둘째 줄이다.\n셋째 줄이다."
    assert normalize_text(text) == text


def test_nfd_hangul_is_composed():
    nfc = "삼성전자가 새 공장을 지었다."
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc and len(nfd) > len(nfc)
    assert normalize_text(nfd) == nfc


def test_html_page_becomes_its_visible_text():
    page = (
        '<!DOCTYPE html>\n<html><head><title>제목 | 신문</title><script>var x = "<p>";</script>'
        "<style>p { color: red }</style></head>\n<body><nav><a href='/'>홈</a> <a>정치</a></nav>"
        "<h1>요금 &middot; 인상</h1><p>서울시가 요금을\n    150원 올린다.</p><p>시는 &#54620;다고 밝혔다.</p>"
        "<button>좋아요</button></body></html>"
    )
    assert normalize_text(page) == "홈 정치\n요금 · 인상\n서울시가 요금을 150원 올린다.\n시는 한다고 밝혔다."


# --- finding 1: lone surrogates --------------------------------------------------------------


@pytest.mark.parametrize("where", ["start", "title", "body", "removed"])
def test_lone_surrogates_never_raise_and_the_briefing_encodes(seed_articles, seed_briefing, where):
    pages = list(seed_articles)
    first = pages[0].split("\n")
    if where == "start":
        pages[0] = "\ud800" + pages[0]
    elif where == "title":
        first[0] = first[0][:5] + "\udfff" + first[0][5:]
        pages[0] = "\n".join(first)
    elif where == "body":
        pages = [p.replace("회장", "회\ud800장") for p in pages]
    else:  # in a line that cleaning removes (the publication date line)
        pages[0] = pages[0].replace("입력 2025.02.04", "입력\udc80 2025.02.04")
    briefing = summarize(pages)
    json.dumps(briefing.to_dict(), ensure_ascii=False).encode("utf-8")  # no UnicodeEncodeError
    assert outline(briefing) == outline(seed_briefing)
    assert_offsets_hold(briefing, pages)


# --- finding 2: CRLF ------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_separator_lines_with_crlf_or_cr(newline):
    assert split_articles(f"가{newline}---{newline}나") == ["가", "나"]
    assert split_articles(f"가{newline}==={newline}{newline}---{newline}나{newline}") == ["가", f"나{newline}"]


def test_lf_separators_still_give_the_pieces_exactly():
    assert split_articles("가\n---\n나\n===\n다") == ["가", "나", "다"]
    assert split_articles("가---\n나") == ["가---\n나"]  # not a line of its own


# Characters of the seed pages that CP949 lacks, as a Windows editor would have to write them.
CP949_STAND_INS = str.maketrans({"\xa0": " ", "•": "·", "∙": "·", "©": "ⓒ"})


@pytest.mark.parametrize("encoding", ["utf-8", "cp949"])
def test_windows_file_of_the_seed_pages_briefs_like_the_lf_file(tmp_path, seed_articles, encoding):
    pages = [p.translate(CP949_STAND_INS) for p in seed_articles] if encoding == "cp949" else seed_articles
    lf = "\n---\n".join(pages)
    path = tmp_path / "seeds.txt"
    path.write_bytes(lf.replace("\n", "\r\n").encode(encoding))
    text = read_text_file(path)
    assert "\r\n---\r\n" in text and len(split_articles(text)) == 5
    briefing, expected = summarize(text), summarize(lf)
    assert len(briefing.sections) == 2 and len(briefing.bullets) >= 20  # two stories
    assert outline(briefing) == outline(expected)


# --- finding 3: forms that defeated cleaning or the Korean check -----------------------------


def test_nfd_pages_brief_like_nfc(seed_articles, seed_briefing):
    nfd = [unicodedata.normalize("NFD", p) for p in seed_articles]
    briefing = summarize(nfd)
    assert outline(briefing) == outline(seed_briefing)
    assert_offsets_hold(briefing, nfd)


def test_zero_width_characters_do_not_hide_junk_lines(seed_articles, seed_briefing):
    hidden = [p.replace("수정", "수\u200b정").replace("기자", "기\u200b자").replace("제보", "제\u200d보") for p in seed_articles]
    briefing = summarize(hidden)
    assert outline(briefing) == outline(seed_briefing)
    assert not any("\u200b" in b.text or "\u200d" in b.text for b in briefing.bullets)


def test_nul_and_controls_never_reach_titles_or_bullets(seed_articles, seed_briefing):
    dirty = ["\x00" + p.replace("\n", "\n\x00", 5).replace("다.", "다.\x07", 3) for p in seed_articles]
    briefing = summarize(dirty)
    assert outline(briefing) == outline(seed_briefing)


def test_entities_are_decoded_once(seed_articles, seed_briefing):
    escaped = [p.replace("·", "&middot;").replace("한", "&#54620;") for p in seed_articles]
    assert outline(summarize(escaped)) == outline(seed_briefing)


def test_binary_data_is_still_refused_though_controls_are_stripped():
    rng = random.Random(7)
    garbage = bytes(rng.randrange(256) for _ in range(6000)).decode("latin-1")
    with pytest.raises(InputError, match="바이너리"):
        summarize(garbage)
    with pytest.raises(InputError, match="2번 기사가 텍스트가 아닌 바이너리"):
        summarize(["정상적인 한국어 기사 본문입니다.", garbage])
    utf16_as_latin1 = "삼성전자가 새 반도체 공장을 지었다. ".encode("utf-16-le").decode("latin-1")
    with pytest.raises(InputError, match="바이너리"):
        summarize(utf16_as_latin1)


def seed_as_html_page(seed: str) -> str:
    """A seed page as a news site serves it: head, menu, paragraphs, reaction and share buttons."""
    title, *body = [line for line in seed.splitlines() if line.strip()]
    paragraphs = "".join(f'<p class="txt">{html.escape(line).replace("·", "&middot;")}</p>' for line in body)
    reactions = "".join(
        f'<li class="reaction"><a href="#" class="btn"><span class="ico"></span>{word}</a><em>0</em></li>\n'
        for word in ("좋아요", "응원해요", "후속 원해요")
    )
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        f'<html><head><meta charset="utf-8"><title>{html.escape(title)} - 뉴스</title>\n'
        "<script>window.dataLayer = [];</script></head><body>\n"
        '<div class="gnb"><a href="/">뉴스</a> <a href="/pol">정치</a> <a href="/eco">경제</a></div>\n'
        f'<h1 class="headline">{html.escape(title).replace("·", "&middot;")}</h1>\n'
        f'<div id="article-body">{paragraphs}</div>\n<ul class="reactions">\n{reactions}</ul>\n'
        '<div class="share"><a href="#">-</a></div></body></html>'
    )


def test_pasted_html_page_briefs_like_its_text(seed_articles):
    pages = [seed_as_html_page(p) for p in seed_articles]
    briefing = summarize(pages)
    plain = summarize(seed_articles)
    texts = [b.text for b in briefing.bullets]
    assert len(briefing.sections) == len(plain.sections) and len(texts) >= 20
    for title in [e.title or "" for e in briefing.sections] + texts:
        assert "<" not in title and "&" not in title and "DOCTYPE" not in title
    assert not {"좋아요", "응원해요", "-", "뉴스 정치 경제"} & set(texts)
    seed_text = " ".join(" ".join(seed_articles).split())  # HTML shows runs of spaces as one
    assert all(" ".join(t.rstrip("…").split()) in seed_text for t in texts)  # only article sentences
    assert_offsets_hold(briefing, pages)


@pytest.mark.parametrize(
    "line",
    [
        "좋아요 12 응원해요 3 후속 원해요 0 슬퍼요 0 화나요 1 추천해요 5",
        "감동이에요 0 놀랐어요 0 궁금해요 0 좋아요 0 싫어요 0 최고예요 0 후속기사 원해요 2",
        "좋아요",
        "응원해요",
        "-",
    ],
)
def test_reaction_rows_are_junk_however_long(line):
    assert junk_reason(line) in ("메뉴·공유·반응 버튼", "구분선·숫자")


def test_a_sentence_that_mentions_reactions_is_kept():
    assert junk_reason("시민들은 새 정책이 좋아요 반응을 가장 많이 받았다고 전했다.") is None


def test_one_string_with_html_pages_between_separators(seed_articles):
    pasted = "\n---\n".join(seed_as_html_page(p) for p in seed_articles[:2])
    briefing = summarize(pasted)
    assert len(briefing.articles) == 2 and briefing.bullets
    assert all("<" not in b.text for b in briefing.bullets)


@pytest.mark.parametrize("stray", ["\x00", "\ud800", "\x1b"])
def test_one_stray_character_in_a_short_paste_is_removed_not_taken_for_binary(stray):
    text = f"삼성전자가 새 반도체 공장을{stray} 착공했다. 투자 규모는 20조 원이다."
    briefing = summarize(text)
    assert [b.text for b in briefing.bullets] == ["삼성전자가 새 반도체 공장을 착공했다.", "투자 규모는 20조 원이다."]


@pytest.mark.parametrize(
    "invisible",
    ["\u00ad", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"],
)
def test_soft_hyphen_and_direction_marks_are_removed(invisible):
    """Soft hyphen, LRM/RLM, embeddings, overrides and isolates carry no text (issue 16)."""
    assert normalize_text(f"수{invisible}정 기{invisible}자 4{invisible}일") == "수정 기자 4일"


def test_direction_marks_do_not_change_the_briefing(seed_articles, seed_briefing):
    marked = [p.replace("수정", "수\u00ad정").replace("기자", "기\u200e자").replace("일 ", "\u202a일\u202c ") for p in seed_articles]
    assert outline(summarize(marked)) == outline(seed_briefing)


@pytest.mark.parametrize("size", [1_000, 100_000])
def test_random_bytes_are_called_binary(tmp_path, size):
    """Random bytes, uploaded or given, are binary data, not "not Korean" and never a briefing."""
    for seed in range(20):
        data = random.Random(seed).randbytes(size)
        with pytest.raises(InputError, match="바이너리"):
            summarize(data)
        path = tmp_path / "upload.txt"
        path.write_bytes(data)
        with pytest.raises(InputError, match="바이너리"):
            read_text_file(path)
