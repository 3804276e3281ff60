"""Pasted web text to clean article text, recording what was removed and why.

Cleaning never rewrites kept text: every kept block is a span of the original input (after
length-preserving normalisation), so sentence offsets point into what the user pasted.
Rules are about the *kinds* of junk Korean news pages carry (weather widgets, menus, bylines,
tip-off and copyright blocks, captions, reaction counters, repeated bodies, teasers of other
stories after the article), not about particular sites.

Every pattern reads a bounded window ({m,n} repeats, not * or +), and a run of MAX_TOKEN_CHARS
characters without a space is junk by its length: cleaning costs at most a constant per character,
whatever the line (tests/test_bounded.py counts it).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby

from .briefing import Removed
from .korean import hangul_ratio_below

# Length-preserving normalisation: odd spaces become plain spaces so offsets survive.
# (A regular expression: str.translate with a table goes character by character through Python's
# mapping, ten times slower on Korean text.)
_ODD_SPACE = re.compile("[\xa0\u2002\u2003\u2009\u200a\u200b\u202f\u3000\ufeff\t]")
# Script, style and noscript blocks: an opening tag, then its closing tag found by a forward scan
# (a lazy ".*?" would rescan the rest of the text for every opening tag left unclosed).
_HTML_BLOCK_OPEN = re.compile(r"<(script|style|noscript)\b", re.I)
_HTML_BLOCK_CLOSE = {name: re.compile(rf"</{name}\s{{0,20}}>", re.I) for name in ("script", "style", "noscript")}
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,300}>")
_HTML_BREAKS = re.compile(r"</?(p|div|br|li|ul|ol|h[1-6]|tr|table|section|article)\b", re.I)
_HTML_ENTITY = re.compile(r"&(nbsp|amp|lt|gt|quot|#39|#x27);")
_ENTITY_CHAR = {"nbsp": " ", "amp": "&", "lt": "<", "gt": ">", "quot": '"', "#39": "'", "#x27": "'"}

_DATE = r"(20\d\d|19\d\d)\s{0,3}[.\-/년]\s{0,3}(\d{1,2})\s{0,3}[.\-/월]\s{0,3}(\d{1,2})"
_DATED_LINE = re.compile(r"^[-•·\s]{0,10}(입력|등록|수정|승인|게재|발행|기사입력|최종수정|업데이트|송고)\s{0,3}(?::\s{0,3})?" + _DATE)
_DATE_ONLY_LINE = re.compile(r"^[-•·\s]{0,10}" + _DATE + r"(?:\s{0,3}일)?(?:\s{0,3}\(?[월화수목금토일]\)?(?:요일)?)?[\s\d:()]{0,40}$")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{1,63}")
_BYLINE_PREFIX = re.compile(
    r"^\s{0,10}(?:[\[(【][^\]\)】\n]{1,30}(?:기자|특파원|통신원|에디터|리포터)[^\]\)】\n]{0,20}[\])】]"
    r"|\([^()\n]{1,15}=[^()\n]{1,15}\)\s{0,10}[^=\n]{0,25}(?:기자|특파원)?\s{0,10}=)\s{0,10}"
)
_WEATHER = re.compile(r"-?\d{1,6}(\.\d{1,3})?\s{0,3}(℃|°C)|기상청\s{0,3}제공|미세먼지\s{0,3}(좋음|보통|나쁨)")
_CAPTION = re.compile(
    r"사진\s{0,3}[=:]|사진\s{0,3}출처|\[사진|\(사진|(왼쪽|오른쪽)(부터|에서|\s{0,3}두?\s{0,3}번째)|\((왼쪽|오른쪽|가운데)"
    r"|/\s{0,3}(연합뉴스|뉴시스|뉴스1)\s{0,3}$|ⓒ|\bⓒ|제공\s{0,3}[\])]"
)
_COPYRIGHT = re.compile(r"저작권자|무단\s{0,3}전재|재배포\s{0,3}금지|Copyright|All rights reserved", re.I)
_TIPOFF = re.compile(r"제보하기|제보\s{0,3}[:)]|^\s{0,3}[▷▶☞]\s{0,3}(카카오톡|전화|이메일|유튜브|홈페이지|메일)|구독해\s{0,3}주세요|채널\s{0,3}추가")
# Interface words of news sites: a short line made of them is menu, sharing or reaction UI.
_UI_WORDS = re.compile(
    r"메뉴|더보기|바로가기|관련\s{0,3}기사|많이\s{0,3}본|인기\s{0,3}기사|HOT|TOP\s{0,3}\d|배너|광고|구독|공유|스크랩|인쇄|"
    r"글자\s{0,3}크기|읽어\s{0,3}주기|브라우저|좋아요|싫어요|응원해요|후속\s{0,3}(기사\s{0,3})?원해요|슬퍼요|화나요|놀랐어요|"
    r"감동이에요|궁금해요|최고예요|추천(해요)?|댓글|의견을\s{0,3}남겨|"
    r"기사\s{0,3}모음|기자\s{0,3}페이지|이전\s{0,3}기사|다음\s{0,3}기사|로그인|회원가입|전체\s{0,3}메뉴|검색|"
    r"(사용|이용)하실\s{0,3}수\s{0,3}있습니다"
)
# Markers after which a page shows other stories, not this article.
_TAIL_MARKER = re.compile(
    r"관련\s{0,3}기사|더보기|많이\s{0,3}본|인기\s{0,3}기사|HOT\s{0,3}클릭|추천\s{0,3}기사|오늘의\s{0,3}주요|이\s{0,3}시각|기사\s{0,3}모음|"
    r"기사가\s{0,3}좋으셨다면|의견을\s{0,3}남겨"
)
# ---- junk glued inside a line: raw crawls run paragraphs, bylines and page script together.
# Page script or CSS begins with one of these; its extent is found by bracket matching.
_SCRIPT_START = re.compile(
    r"\b(?:window|document|googletag|jQuery)\s{0,9}\.|\$\s{0,9}\(|\bvar\s{1,9}[\w$]{1,60}\s{0,9}=|\bfunction\s{0,9}\(|\balert\s{0,9}\("
    r"|[.#]?[A-Za-z_][\w-]{0,60}(?::(?:before|after|hover))?\s{0,9}\{\s{0,20}[\w-]{1,40}\s{0,9}:"
)
# After a statement, more code follows when the next token looks like code, not like prose.
_CODE_GOES_ON = re.compile(
    r"\s{0,20}(?:(?:var|let|const|if|else|return)\b|[A-Za-z_$][\w$]{0,60}\s{0,9}(?:[.(=\[{]|\|\|)|\$\(|[.#][\w-]{1,60}\s{0,9}[:{]"
    r"|[})\];]|/[/*])"
)
# An e-mail address: ASCII only (a glued "기자kim@..." keeps 기자 out), lower-case domain (a glued
# "donga.comCopyright" ends at .com); a wire service's "/2019-07-04 19:54:09/" stamp goes with it;
# a crawl may cut the address after "@".
_INLINE_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]{1,64}@(?:[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}(?:/[\d\-: .]{8,25}/)?|(?=[\s,/]|$))"
)
# Names, titles and datelines just before a byline's e-mail: "도쿄=김청중 특파원", "성연철 정유경 기자",
# "권중혁 기자, 베이징=노석철 특파원".
_BYLINE_BEFORE_EMAIL = re.compile(r"(?:[가-힣]{1,10}[ ·ㆍ‧・,/=]{0,9}){1,8}$")
_PARTICLE_AFTER_EMAIL = re.compile(r"(?:으로|로|에게|에서|에|을|를|은|는|이|가|과|와|도)(?=[\s.,)]|$)")
# A byline without e-mail that ends the text: "김진아 기자", "워싱턴=김석 특파원", "이지훈 기자Copyright".
_BYLINE_AT_END = re.compile(
    r"(?:(?<=[.!?”\"’'\])])|^)\s{0,9}(?:[가-힣]{1,10}\s{0,3}[=/]\s{0,3})?(?:[가-힣]{2,8}[ ·,]{0,9}){1,4}"
    r"(?:선임|전문|객원|수습|인턴|온라인\s?뉴스\s?|동아닷컴\s?)?(?:기자|특파원)(?=\s{0,1000}(?:$|Copyright|\[?ⓒ|사진\s{0,3}=))"
)
_INLINE_COPYRIGHT = re.compile(
    r"(?:\[\s{0,9})?ⓒ[^\]\n]{0,80}\]?|Copyright\b[^가-힣\n]{0,80}?(?:reserved\.?|$)|[\[(][^\[\]()\n]{0,40}무단\s{0,3}전재[^\[\]()\n]{0,40}[\])]"
)
_AGENCY = r"(?:연합뉴스|뉴시스|뉴스1|로이터|AFP|AP|EPA|UPI|신화)"
# Photo credits glued to a sentence: "사진=AP뉴시스미국 정부가", "AP/연합뉴스미국 하원이", "(사진=페이스북 캡처)".
_INLINE_CREDIT = re.compile(
    r"\(사진\s{0,3}=[^()\n]{1,30}\)|사진\s{0,3}=\s{0,3}(?:[A-Z]{2,5}\s{0,3})?" + _AGENCY
    + r"|(?:[가-힣]{2,8}\s{0,3}=\s{0,3})?(?:[A-Z]{2,5}|[가-힣]{2,6}DB|로이터|신화)\s{0,3}/\s{0,3}(?:연합뉴스|뉴시스|뉴스1)"
)
# An agency's photo credit after a caption, glued to the next sentence: "…걸려 있다.뉴시스서울 도심에서",
# "AP뉴시스백악관은" (but not "연합뉴스가 보도했다", "뉴시스에 따르면", "연합뉴스와의 인터뷰").
_GLUED_AGENCY = re.compile(
    r"(?:(?<=[.!?”\"’'\])])|^)\s{0,9}(?:[A-Z]{2,5}\s{0,3})?(?:연합뉴스|뉴시스|뉴스1)(?=[가-힣])"
    r"(?!(?:가|는|은|에|의|와|과|를|을|도|로|이|측|보도|에서|에게|와의|기자|통신)(?![가-힣]))"
)
# A screenshot credit after a sentence, glued to the next one: "YTN 화면캡처김현아 의원이",
# "노동신문 캡처 합동참모본부는" (but not "화면을 캡처했다", "지난달 캡처한 영상").
_CAPTURE_CREDIT = re.compile(
    r"(?:(?<=[.!?”\"’'\])])(?<![A-Za-z0-9]\.)|^)\s{0,9}(?:[^\s.!?”\"]{1,15}\s?){0,3}(?:화면\s?)?캡처(?:\s{0,3}/\s{0,3}" + _AGENCY + r")?\.?"
    r"(?!\s{0,3}(?:했|한|해|하|된|돼|되|를|을|는|가|도)|[이와과로에](?![가-힣]))"
)
# Links to other stories glued after the body: "…말했다.[관련기사] 검사와 통화까지…".
_INLINE_TAIL = re.compile(r"[\[【]\s{0,3}(?:관련\s{0,3}기사|관련\s{0,3}영상|추천\s{0,3}기사|많이\s{0,3}본\s{0,3}기사)\s{0,3}[\]】]")
# Literals one of which every match of these patterns contains: a line with none of them is not
# searched (a substring test is far cheaper than trying a pattern at every position).
_NEEDS = {
    _SCRIPT_START: ("{", "$", "var", "function", "alert", "window", "document", "googletag", "jQuery"),
    _INLINE_COPYRIGHT: ("ⓒ", "Copyright", "전재"),
    _INLINE_CREDIT: ("사진", "/"),
    _GLUED_AGENCY: ("뉴스", "뉴시스"),
    _CAPTURE_CREDIT: ("캡처",),
    _INLINE_EMAIL: ("@",),
    _BYLINE_AT_END: ("기자", "특파원"),
    _CAPTION: ("사진", "왼쪽", "오른쪽", "가운데", "/", "ⓒ", "제공"),
    _INLINE_TAIL: ("[", "【"),
    _EMAIL: ("@",),
    # Case-insensitive: "h" and "H" are the only characters that match "h" (Copyright, All rights).
    _COPYRIGHT: ("저작권자", "무단", "재배포", "h", "H"),
}
# Every literal one of the glued-junk patterns needs: a line with none of them (and too short for
# a run of MAX_TOKEN_CHARS) holds no glued junk, as one search tells.
_INLINE_PATTERNS = (_SCRIPT_START, _INLINE_COPYRIGHT, _INLINE_CREDIT, _GLUED_AGENCY, _CAPTURE_CREDIT, _INLINE_TAIL, _INLINE_EMAIL,
                    _BYLINE_AT_END)
_ANY_INLINE_LITERAL = re.compile("|".join(dict.fromkeys(re.escape(word) for p in _INLINE_PATTERNS for word in _NEEDS[p])))
_PREDICATE_WORD = re.compile(r"[다요까죠][.!?]?$")
_AFTER_SENTENCE = re.compile(r"(?:[다요][.!?]|[.!?][”\"’'])\s{0,20}$")
_TITLE_WORD = re.compile(r"(?:기자|특파원|통신원|위원|에디터|PD|국장|부장|팀장)$")
_SENTENCE_ENDS = re.compile(r"[다요][.!?]|[다요][”\"’']")
# (Written so that each run of spaces is matched by one repeat: no backtracking between two.)
_SENTENCE_END = re.compile(
    r"(?:(?:다|요|까|죠|음|함|됨|임)(?:\s{0,9}(?:[.!?…][\"'”’)\]]{0,9}|[\"'”’)\]]{1,9}))?|[.!?](?:\s{0,9}[\"'”’)\]]{1,9})?)"
    r"\s{0,20}$"
)
_NOT_WORD = re.compile(r"[\W_]+")  # removed for the repeat test (single class: linear)
_NO_WORDS = re.compile(r"[\W\d_]*")  # a line of marks and digits (fullmatch, single class: linear)
_LETTER = re.compile(r"[^\W\d_]")
_BYLINE_ONLY = re.compile(r"\S{1,30}\s{0,29}기자$")  # a short line that is only a byline
_BYLINE_WORD = re.compile(r"[^\s·ㆍ‧・,]{1,60}")
_AFTER_BYLINE = re.compile(r"Copyright|\[?ⓒ|사진\s{0,3}=")
_NON_SPACE = re.compile(r"\S")
# A run of this many characters without a space is no prose (a no-space paste, a data URL, base64): it
# is junk by its length, and no other rule looks at it.
MAX_TOKEN_CHARS = 300
_LONG_TOKEN = re.compile(r"(?<!\S)\S{%d}" % MAX_TOKEN_CHARS)  # tried at run starts only
_SPACE = re.compile(r"\s")
_MIN_BODY_CHARS_BEFORE_TAIL = 150


@dataclass
class CleanArticle:
    """One article after cleaning: kept blocks are spans of ``original``."""

    index: int
    original: str
    title: str | None = None
    date: str | None = None  # ISO date of publication, when the page states it
    blocks: list[tuple[int, int]] = field(default_factory=list)  # kept (start, end) spans
    removed: list[Removed] = field(default_factory=list)

    @cached_property
    def normalized(self) -> str:
        """``original`` with odd spaces and HTML tags blanked out, same length and offsets."""
        return _normalize(self.original)

    @property
    def kept_chars(self) -> int:
        return sum(end - start for start, end in self.blocks)


def _spaced(text: str) -> str:
    """``text`` with odd spaces as plain spaces."""
    return _ODD_SPACE.sub(" ", text)


def _normalize(text: str) -> str:
    text = _spaced(text)
    if "<" in text and _HTML_TAG.search(text):
        text = _blank_blocks(text)
        text = _HTML_TAG.sub(lambda m: _blank(m.group(0), newline=bool(_HTML_BREAKS.match(m.group(0)))), text)
    if "&" in text:
        text = _HTML_ENTITY.sub(lambda m: _ENTITY_CHAR[m.group(1)].ljust(len(m.group(0))), text)
    return text


def _blank_blocks(text: str) -> str:
    """Script, style and noscript blocks blanked out; one left open stays (as the tags around it).
    Each closing tag is searched once from its opening tag, so the work is linear in the text."""
    out, pos, unclosed = [], 0, set()
    while opening := _HTML_BLOCK_OPEN.search(text, pos):
        name = opening.group(1).lower()
        closing = None if name in unclosed else _HTML_BLOCK_CLOSE[name].search(text, opening.end())
        if closing is None:
            unclosed.add(name)  # no closing tag after this one: none after a later one either
            out.append(text[pos:opening.end()])
            pos = opening.end()
            continue
        out += [text[pos:opening.start()], _blank(text[opening.start():closing.end()])]
        pos = closing.end()
    return "".join(out) + text[pos:]


def _blank(chunk: str, newline: bool = False) -> str:
    """Same-length replacement of markup; keeps line breaks so line spans stay meaningful."""
    out = "".join("\n" if c == "\n" else " " for c in chunk)
    return ("\n" + out[1:]) if newline and out else out


def _iso(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def _line_spans(text: str):
    """(start, end) of each line's non-blank content."""
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos += len(line)


def _dedup_key(line: str) -> str:
    """``line`` without what is no letter or digit; whitespace goes first, by str.split (cheaper than
    the pattern's one match per gap between words)."""
    return _NOT_WORD.sub("", "".join(line.split()))


def junk_reason(line: str) -> str | None:
    """Why a single line is page furniture rather than article text (None when it is text)."""
    length = len(line)  # tested first: the patterns then read short lines only
    if length < 40 and _WEATHER.search(line):
        return "날씨 위젯"
    if length < 80 and _TIPOFF.search(line):
        return "제보·구독 안내"
    if length < 120 and _may_match(_COPYRIGHT, line) and _COPYRIGHT.search(line):
        return "저작권 고지"
    if _DATED_LINE.match(line) or _DATE_ONLY_LINE.match(line):
        return "날짜 표기"
    if length < 80 and _may_match(_EMAIL, line) and _EMAIL.search(line) and not _mentions_address(line):
        return "기자 정보·이메일"
    if _NO_WORDS.fullmatch(line):
        return "구분선·숫자"
    caption = length < 300 and _may_match(_CAPTION, line) and _CAPTION.search(line)
    if caption and not _SENTENCE_END.search(line):
        return "사진 설명"
    if length < 60 and caption:
        return "사진 설명"
    if length < 40 and _UI_WORDS.search(line) and (length < 25 or not _SENTENCE_END.search(line)):
        return "메뉴·공유·반응 버튼"
    # Every UI word starts with a letter: in a line of only such words, counts and marks, the
    # first letter starts one (a cheap test before the whole line is searched).
    first_letter = _LETTER.search(line)  # there is one: _NO_WORDS did not match the line
    if _UI_WORDS.match(line, first_letter.start()) and _NO_WORDS.fullmatch(_UI_WORDS.sub("", line)):
        return "메뉴·공유·반응 버튼"  # only button words, counts and marks, however long the row
    if length < 30 and _BYLINE_ONLY.search(line):
        return "기자 정보·이메일"
    if length < 12 and not _SENTENCE_END.search(line) and len(line.split()) <= 2:
        return "메뉴·분류 이름"
    if length < 60 and hangul_ratio_below(line, 0.2):
        return "한국어가 아닌 짧은 줄"
    return None


def _may_match(pattern: re.Pattern, line: str) -> bool:
    """Whether ``line`` holds one of the literals a match of ``pattern`` needs (_NEEDS)."""
    for word in _NEEDS[pattern]:
        if word in line:
            return True
    return False


def _finditer(pattern: re.Pattern, line: str):
    """``pattern.finditer(line)``, skipped where ``line`` holds none of the literals a match needs."""
    return pattern.finditer(line) if _may_match(pattern, line) else ()


def _mentions_address(line: str) -> bool:
    """An e-mail address the text talks about ("help@x.com으로 문의"), not a byline's."""
    return any(_PARTICLE_AFTER_EMAIL.match(line, m.end()) for m in _finditer(_INLINE_EMAIL, line))


def _code_end(text: str, start: int) -> int:
    """End of the page script or CSS that begins at ``start``: statements are followed, with
    brackets and quotes matched, while the next token still looks like code."""
    depth, quote, j = 0, None, start
    while j < len(text):
        c = text[j]
        if quote:
            if c == "\\":
                j += 1
            elif c == quote:
                quote = None
        elif c in "'\"`":
            quote = c
        elif c in "({[":
            depth += 1
        elif c in ")]}" or c == ";":
            depth = max(depth - (c != ";"), 0)
            if depth == 0 and c in "};" and not _CODE_GOES_ON.match(text, j + 1):
                return j + 1
        j += 1
    return len(text)


def _byline_start(line: str, at: int) -> int:
    """Where the byline before the e-mail at ``at`` begins, word by word from the right: titles
    ("기자", "특파원"), datelines ("워싱턴=김석", "도쿄/"), and names: one without a title, else
    the name next to each title and further three-syllable names ("성연철 정유경 기자"). A deck
    before a byline at the top of a page ("작물별 차등 지원 이성훈 …@") stays text."""
    match = _BYLINE_BEFORE_EMAIL.search(line, max(0, at - 60), at)
    if not match:
        return at
    start, names, titled = at, 0, False
    for token in reversed(list(_BYLINE_WORD.finditer(line[match.start():at]))):
        word = token.group(0)
        begin = match.start() + token.start()
        if _PREDICATE_WORD.search(word):
            break
        if _TITLE_WORD.search(word):
            titled, names = True, 0
        elif "=" not in word and "/" not in word:
            first = names == 0 and (titled or start == at)
            right_after_sentence = bool(_AFTER_SENTENCE.search(line, max(0, begin - 30), begin))
            if not (first and len(word) <= (6 if titled else 4) or titled and len(word) == 3 or right_after_sentence):
                break  # a dateline or desk right after the previous sentence ("…했다.도쿄") goes too
            names += 1
        start = begin
    return start


def inline_junk(line: str) -> list[tuple[int, int, str]]:
    """Junk glued inside one line, as raw crawls run paragraphs together: page script or CSS,
    a byline (with or without e-mail) and whatever follows it at the end, copyright notes and
    photo credits, and runs of MAX_TOKEN_CHARS or more characters without a space (the other rules
    read the line with those blanked out). Returns sorted, non-overlapping ``(start, end, reason)``
    spans of ``line``."""
    if len(line) < MAX_TOKEN_CHARS and not _ANY_INLINE_LITERAL.search(line):
        return []  # no rule below can match
    cut: list[str | None] = [None] * len(line)  # reason per character, None where kept
    marked = False

    def mark(s: int, e: int, reason: str) -> None:
        nonlocal marked
        cut[s:e] = [reason if r is None else r for r in cut[s:e]]
        marked = marked or e > s

    runs = [(m.start(), space.start() if (space := _SPACE.search(line, m.end())) else len(line))
            for m in _LONG_TOKEN.finditer(line)]
    pieces, pos = [], 0
    for s, e in runs:
        mark(s, e, "공백 없는 긴 문자열")
        pieces += [line[pos:s], " " * (e - s)]
        pos = e
    line = "".join(pieces) + line[pos:] if runs else line

    for m in _finditer(_SCRIPT_START, line):
        if cut[m.start()] is None:
            end = _code_end(line, m.start())
            if hangul_ratio_below(line[m.start():end], 0.3) or end - m.start() > 200:
                mark(m.start(), end, "스크립트·CSS")
    for pattern, reason in ((_INLINE_COPYRIGHT, "저작권 고지"), (_INLINE_CREDIT, "사진 설명"), (_GLUED_AGENCY, "사진 설명"),
                            (_CAPTURE_CREDIT, "사진 설명")):
        for m in _finditer(pattern, line):
            mark(m.start() + len(m.group(0)) - len(m.group(0).lstrip()), m.end(), reason)
    tail = _may_match(_INLINE_TAIL, line) and _INLINE_TAIL.search(line)
    if tail and tail.start() >= _MIN_BODY_CHARS_BEFORE_TAIL:
        mark(tail.start(), len(line), "기사 뒤 다른 기사·메뉴")
    ends = None  # where sentences end in what the rules above left (found once, for every e-mail)
    for m in _finditer(_INLINE_EMAIL, line):
        if _PARTICLE_AFTER_EMAIL.match(line, m.end()):
            continue  # an address the article talks about
        start = _byline_start(line, m.start())
        mark(start, m.end(), "기자 정보·이메일")
        if start >= _MIN_BODY_CHARS_BEFORE_TAIL and start < m.start():
            ends = _sentence_ends(line, cut) if ends is None else ends
            if len(ends) - bisect_left(ends, m.end()) < 2:
                mark(m.end(), len(line), "기사 뒤 다른 기사·메뉴")  # what follows a closing byline
                break  # later e-mails are in it
    kept = ("".join(c if r is None else " " for c, r in zip(line, cut)) if marked else line).rstrip()
    for m in _finditer(_BYLINE_AT_END, kept):
        after = _NON_SPACE.search(kept, m.end())
        if after is None or _AFTER_BYLINE.match(kept, after.start()):
            mark(m.start() + len(m.group(0)) - len(m.group(0).lstrip()), m.end(), "기자 정보·이메일")
            mark(m.end(), len(line), "기사 뒤 다른 기사·메뉴")
            break  # later bylines are in it
    spans: list[tuple[int, int, str]] = []
    k = 0
    for reason, run in groupby(cut) if marked else ():
        length = sum(1 for _ in run)
        if reason is not None:
            spans.append((k, k + length, reason))
        k += length
    return spans


def _sentence_ends(line: str, cut: list[str | None]) -> list[int]:
    """Positions in ``line`` of the sentence ends ("다.", "요”") in its characters not ``cut``."""
    kept = [k for k, reason in enumerate(cut) if reason is None]
    text = "".join(line[k] for k in kept)
    return [kept[m.start()] for m in _SENTENCE_ENDS.finditer(text)]


def _kept_pieces(line: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """The parts of ``line`` between junk spans, without surrounding whitespace."""
    pieces, pos = [], 0
    for s, e, _ in [*spans, (len(line), len(line), "")]:
        chunk = line[pos:s]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            pieces.append((pos + lead, pos + len(chunk.rstrip())))
        pos = e
    return pieces


def clean_article(text: str, index: int = 0) -> CleanArticle:
    """Clean one pasted page: title, date, kept blocks, and every removal with its reason."""
    article = CleanArticle(index=index, original=text)
    norm = article.normalized = _normalize(text)  # cached: sentences and dates read it again
    if norm != _spaced(text):
        article.removed.append(Removed(index, 0, len(text), "", "HTML 태그"))
    seen: dict[str, int] = {}
    body_chars = 0
    saw_byline_prefix = False
    spans = list(_line_spans(norm))
    for i, (start, end) in enumerate(spans):
        line = norm[start:end]

        def drop(reason: str, s: int = start, e: int = end) -> None:
            article.removed.append(Removed(index, s, e, text[s:e], reason))

        dated = _DATED_LINE.match(line)
        if dated and article.date is None:
            article.date = _iso(*dated.group(2, 3, 4))
        ends_article = len(line) < 40 and _TAIL_MARKER.search(line)
        if body_chars >= _MIN_BODY_CHARS_BEFORE_TAIL and ends_article:
            last = spans[-1][1]
            article.removed.append(Removed(index, start, last, text[start:last], "기사 뒤 다른 기사·메뉴"))
            break
        glued = inline_junk(line)
        if glued:
            pieces = _kept_pieces(line, glued)
            kept = " ".join(line[s:e] for s, e in pieces)
        else:  # a line of _line_spans has no whitespace around it
            pieces, kept = [(0, len(line))], line
        reason = junk_reason(kept) if kept else None
        if reason or not kept:
            for s, e, why in [(0, len(line), reason)] if reason else glued:
                drop(why, start + s, start + e)
            continue
        key = _dedup_key(line.lstrip("-•· "))
        if key in seen and len(key) >= 8:
            drop("반복된 문단")
            continue
        seen[key] = start
        prefix = _BYLINE_PREFIX.match(line)
        if prefix:
            if saw_byline_prefix and body_chars >= _MIN_BODY_CHARS_BEFORE_TAIL:
                # A second "[매체=이름 기자]" opening after the body: teasers of other stories follow.
                last = spans[-1][1]
                article.removed.append(Removed(index, start, last, text[start:last], "기사 뒤 다른 기사·메뉴"))
                break
            saw_byline_prefix = True
            drop("기자 표기", start, start + prefix.end())
            glued = [(s - prefix.end(), e - prefix.end(), why) for s, e, why in glued if s >= prefix.end()]
            start += prefix.end()
            line = norm[start:end]
            pieces = _kept_pieces(line, glued)
        for s, e, why in glued:
            if line[s:e].strip():
                drop(why, start + s, start + e)
        for s, e in pieces:
            piece = line[s:e]
            if article.title is None and body_chars == 0 and not _SENTENCE_END.search(piece) and 8 <= len(piece) <= 120:
                article.title = piece.lstrip("-•· ").strip()
                continue
            article.blocks.append((start + s, start + e))
            body_chars += e - s
    article.removed = _merge_adjacent(article.removed, text)
    return article


def keep_all_lines(article: CleanArticle) -> CleanArticle:
    """Fallback when the rules removed everything: keep every non-blank line as it is."""
    article.blocks = list(_line_spans(article.normalized))
    article.removed = []
    return article


def _merge_adjacent(removed: list[Removed], text: str) -> list[Removed]:
    """Join removals of the same reason separated only by whitespace (a block, not its lines)."""
    merged: list[Removed] = []
    for r in removed:
        prev = merged[-1] if merged else None
        if prev and prev.reason == r.reason and r.start >= prev.end and not text[prev.end:r.start].strip():
            merged[-1] = Removed(r.article, prev.start, r.end, text[prev.start:r.end], r.reason)
        else:
            merged.append(r)
    return merged
