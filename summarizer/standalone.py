"""Whether a bullet stands alone: the leaning-bullet rule shared by the engine and the evaluation.

A bullet **leans** on what is not in front of the reader when

1. it opens with a connective (:data:`CONNECTIVES`: 그러나, 하지만, 또, 이어, 이에, 한편, 다만, 그러면서,
   반면, ...) or a word that points outside it (:data:`REFERENCES`: 해당, 이 중, 그는, 이들은, 양사는,
   ...), unless it comes right after the bullet it leans on (the sentence before it in the same
   article); or
2. it names a person by surname and role ("김 의원은", "조 부장판사는", "최 전 사장은": a surname of
   :data:`SURNAMES`, a space, "전 " (former) or nothing, a role of :data:`ROLES`) before any
   bullet, itself included, has introduced someone of that surname and role by full name, the
   role following within three words or just before ("김가나 의원", "김가나 한빛당 의원",
   "반가나 전 유엔 사무총장", "의원 김가나").

The lists are written here by hand: no library lists Korean discourse connectives or titles.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

# Openers that link a sentence to the one before it. The first group can be dropped from a bullet
# when the rest stands as a sentence (DROPPABLE); the others carry meaning the rest needs.
DROPPABLE = (
    "그러나", "하지만", "그런데", "또한", "또", "이어서", "이어", "한편", "다만", "그러면서", "반면에", "반면",
    "아울러", "게다가", "그리고", "특히", "이에 따라", "따라서", "그래서", "이밖에도", "이밖에", "이 밖에도",
    "이와 함께", "이를 위해", "이후", "앞서",
)
CONNECTIVES = DROPPABLE + ("이에 대해", "이에", "이를", "이처럼", "이 같은", "이같은", "당시")
# Words that stand for someone or something named elsewhere.
REFERENCES = (
    "해당", "이 중", "이중", "이 가운데", "그는", "그가", "그의", "그를", "그에게", "그녀는", "그녀가", "이들은",
    "이들이", "이들의", "그들은", "그들이", "양사는", "양사가", "양사의", "양측은", "양측이", "양국은", "양국이",
)
_OPENER = re.compile(
    r"^\W*(?:" + "|".join(re.escape(w) for w in sorted(CONNECTIVES + REFERENCES, key=len, reverse=True)) + r")(?=[\s,]|$)"
)
_DROPPABLE = re.compile(r"^(?:" + "|".join(re.escape(w) for w in sorted(DROPPABLE, key=len, reverse=True)) + r")[\s,]+")

SURNAMES = frozenset(
    "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 백 허 남 심 노 하 곽 성 차 주 우 "
    "구 민 진 나 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 석 선 설 마 길 연 위 표 명 기 반 왕 금 옥 육 인 맹 제 모 "
    "탁 국 어 은 편 용 예 경 봉 사 부 태 가 복 상 형 피 두 감 음 빈 동 온 호 범 좌 팽 승 간 갈 시 견 당 화 창".split()
)
ROLES = (
    "대통령", "총리", "장관", "차관", "의원", "대표", "원내대표", "최고위원", "위원장", "부위원장", "위원", "대변인",
    "의장", "부의장", "지사", "시장", "구청장", "군수", "교육감", "청장", "차장", "총장", "원장", "처장", "실장", "국장",
    "본부장", "부장판사", "판사", "대법원장", "검사", "검사장", "지검장", "검찰총장", "회장", "부회장", "사장",
    "부사장", "이사장", "전무", "상무", "교수", "감독", "코치", "선수", "대사", "총재", "비서관", "수석", "특보",
    "후보", "사무총장", "소장", "센터장", "씨",
)
_ROLE = "|".join(sorted(ROLES, key=len, reverse=True))
_SURNAME = "[" + "".join(sorted(SURNAMES)) + "]"
_PARTICLE = r"(?:은|는|이|가|의|을|를|과|와|도|에게|께서|측은|측|으로|로|과의|와의|이나|만)?"
# "김 의원은", "최 전 사장은" (전 = former), "황 청장의".
SHORT_REFERENCE = re.compile(rf"(?<![가-힣A-Za-z0-9])({_SURNAME}) (?:전 )?({_ROLE}){_PARTICLE}(?![가-힣])")


# A full name with a given surname and role, written once for all: the text is searched behind
# "surname\0role\0", which backreferences 1 and 2 read (a pattern per surname and role cost a
# millisecond or two to compile, its Hangul ranges built anew, on every pair not in re's cache).
_NAME = r"(?<![가-힣])\1[가-힣]{1,2}"
_INTRODUCES = re.compile(
    rf"^(.)\0([^\0]+)\0[\s\S]*?(?:{_NAME}(?:\s*\([^)]{{0,20}}\))?\s+(?:\S+\s+){{0,3}}?\S*?\2(?![가-힣]{{2}})"
    rf"|\2\s+{_NAME}(?![가-힣]))"
)


def introduces(text: str, surname: str, role: str) -> bool:
    """Whether ``text`` names someone of that surname by full name with that role (after the name,
    within a few words, or just before it)."""
    return bool(_INTRODUCES.match(f"{surname}\0{role}\0{text}"))


def short_references(text: str) -> list[tuple[int, str, str]]:
    """(offset, surname, role) of each surname-and-role mention ("김 의원은"); "전 대통령" alone is
    "the former president", not the surname 전 (that is "전 전 대통령")."""
    return [
        (m.start(), m.group(1), m.group(2))
        for m in SHORT_REFERENCE.finditer(text)
        if m.group(1) != "전" or text.startswith("전 전 ", m.start())
    ]


def opens_leaning(text: str) -> bool:
    """Rule 1 of the module docstring, without the adjacency exception."""
    return bool(_OPENER.match(text))


def droppable_opener(text: str) -> int:
    """Characters of a leading connective (and the blank or comma after it) that may be dropped,
    or 0. Whether the rest stands as a sentence is the caller's judgement (it has the morphemes)."""
    m = _DROPPABLE.match(text)
    return m.end() if m and m.end() < len(text) else 0


def unintroduced(text: str, before: Sequence[str]) -> list[tuple[str, str]]:
    """The (surname, role) mentions of ``text`` that neither the ``before`` texts nor ``text`` up
    to the mention introduce by full name (rule 2)."""
    out = []
    for start, surname, role in short_references(text):
        if not any(introduces(t, surname, role) for t in (*before, text[:start])):
            out.append((surname, role))
    return out


def leaning(texts: Sequence[str], follows: Sequence[bool] | None = None) -> list[bool]:
    """For bullets in reading order, whether each leans (the rule of the module docstring);
    ``follows[k]`` says bullet k comes right after the bullet it leans on (exempt from rule 1)."""
    follows = follows or [False] * len(texts)
    return [
        (opens_leaning(t) and not follows[k]) or bool(unintroduced(t, texts[:k]))
        for k, t in enumerate(texts)
    ]
