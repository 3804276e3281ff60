"""The briefing data model shared by both engines, and its renderings (markdown, dict/JSON)."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit


FORECAST_TAG = "[전망]"
# Characters that make markup in CommonMark or GitHub markdown (emphasis, links, HTML, code,
# strike-through, tables, headings) when text is inserted: each is escaped with a backslash.
_MARKUP = re.compile(r"([\\`*_\[\]<>~|#])")
# Line breaks and control characters: inserted text stays on its one line.
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
UNDATED = "날짜 미상"  # the date heading of bullets whose day the articles do not tell
LEDE_HEADING = "핵심"  # the heading of a story's lede above its dated timeline


@dataclass(frozen=True)
class Source:
    """One source sentence behind a bullet: which article, and where in that article's input text."""

    article: int  # 0-based index into the list of articles given to summarize()
    start: int  # character offsets into that article's text, normalised but uncleaned (normalize_text)
    end: int
    text: str


@dataclass(frozen=True)
class Removed:
    """A piece of pasted text that cleaning dropped, and why (reason in Korean, for the reader)."""

    article: int
    start: int
    end: int
    text: str
    reason: str


@dataclass
class Bullet:
    """One statement of the briefing.

    ``support`` counts the distinct articles that report it; ``flags`` lists the numbers, dates or
    names of a generated bullet that its sources do not support (always empty for TextRank).
    ``modality`` is ``"reported"`` (done, happening, said) or ``"forecast"`` (planned or predicted,
    and no article reports it as done): shown with a "전망" tag. ``date`` is the day the bullet
    belongs to on its story's timeline (ISO, YYYY-MM-DD), where the articles let us tell.
    """

    text: str
    sources: list[Source]
    support: int
    score: float
    flags: list[str] = field(default_factory=list)
    modality: str = "reported"
    date: str | None = None

    @property
    def is_forecast(self) -> bool:
        return self.modality == "forecast"

    @property
    def articles(self) -> list[int]:
        """Sorted distinct article indices this bullet cites."""
        return sorted({s.article for s in self.sources})


@dataclass
class Event:
    """A section of the briefing: one story, reported by one or more articles. Its first ``lede``
    bullets say what most outlets lead with, whichever day it happened; the others are its
    timeline: by ``Bullet.date``, oldest first (undated ones last), each day in reading order."""

    title: str | None
    date: str | None  # ISO date (YYYY-MM-DD) of its first day, where the articles let us resolve it
    bullets: list[Bullet]
    lede: int = 0

    @property
    def days(self) -> list[tuple[str | None, list[Bullet]]]:
        """The timeline's bullets by day, in order: one entry per run of bullets with the same date."""
        out: list[tuple[str | None, list[Bullet]]] = []
        for bullet in self.bullets[self.lede:]:
            if out and out[-1][0] == bullet.date:
                out[-1][1].append(bullet)
            else:
                out.append((bullet.date, [bullet]))
        return out

    @property
    def is_timeline(self) -> bool:
        """Whether the section's bullets fall on several days (shown under date headings)."""
        return len({b.date for b in self.bullets}) > 1

    @property
    def parts(self) -> list[tuple[str | None, list[Bullet]]]:
        """The bullets as shown, under their headings: for a story over several days the lede
        (LEDE_HEADING), then a heading per day; else one part without a heading."""
        if not self.is_timeline:
            return [(None, self.bullets)] if self.bullets else []
        lede = [(LEDE_HEADING, self.bullets[: self.lede])] if self.lede else []
        return lede + [(day or UNDATED, bullets) for day, bullets in self.days]


@dataclass
class ArticleInfo:
    """What the briefing knows about one input article after cleaning."""

    index: int
    title: str | None  # the given headline, else the one found in the page
    date: str | None  # the given date, else the one the page states
    chars_in: int
    chars_kept: int
    outlet: str | None = None  # given with the article (summarize() takes no guess)
    url: str | None = None


@dataclass
class Briefing:
    """The result of :func:`summarizer.summarize`, identical in shape for every method."""

    method: str
    sections: list[Event]
    articles: list[ArticleInfo]
    removed: list[Removed]
    timings: dict[str, float]
    max_chars: int
    notes: list[str] = field(default_factory=list)

    @property
    def bullets(self) -> list[Bullet]:
        """All bullets, in reading order."""
        return [b for section in self.sections for b in section.bullets]

    @property
    def length(self) -> int:
        """Characters of bullet text: the quantity ``max_chars`` bounds."""
        return sum(len(b.text) for b in self.bullets)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (stable keys; the schema: docs/usage.md, "Output")."""
        data = asdict(self)
        for section in data["sections"]:
            for bullet in section["bullets"]:
                bullet["articles"] = sorted({s["article"] for s in bullet["sources"]})
        data["length"] = self.length
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Briefing:
        """Inverse of :meth:`to_dict` (extra keys such as ``length`` are ignored)."""
        sections = [
            Event(
                title=s["title"],
                date=s["date"],
                bullets=[
                    Bullet(
                        text=b["text"],
                        sources=[Source(**src) for src in b["sources"]],
                        support=b["support"],
                        score=b["score"],
                        flags=list(b.get("flags", [])),
                        modality=b.get("modality", "reported"),
                        date=b.get("date"),
                    )
                    for b in s["bullets"]
                ],
                lede=s.get("lede", 0),
            )
            for s in data["sections"]
        ]
        return cls(
            method=data["method"],
            sections=sections,
            articles=[ArticleInfo(**a) for a in data["articles"]],
            removed=[Removed(**r) for r in data["removed"]],
            timings=dict(data["timings"]),
            max_chars=data["max_chars"],
            notes=list(data.get("notes", [])),
        )

    def to_markdown(self, show_removed: bool = False) -> str:
        """Readable markdown: one heading per story, bullets with source tags like ``[1][3]``; a
        story told over several days has its lede under ``#### 핵심``, then a date heading for each day
        (``#### 2025-02-04``).

        Article numbers in tags are 1-based, as a reader counts them. A forecast no article reports
        as done starts with ``[전망]``; unsupported facts of a generated bullet are marked with
        ``⚠ 확인 필요``. What comes from the input (text, titles, outlets) is escaped and kept on its
        line; only http and https URLs become links.
        """
        lines: list[str] = []
        for section in self.sections:
            lines.append(f"### {_md(section_heading(section))}")
            for heading, bullets in section.parts:
                if heading:
                    lines.append(f"#### {heading}")
                for bullet in bullets:
                    lines.append(_bullet_line(bullet))
            lines.append("")
        lines.append(self._footer())
        if show_removed and self.removed:
            lines += ["", f"<details><summary>정리 과정에서 제거된 부분 {len(self.removed)}건</summary>", ""]
            for r in self.removed:
                lines.append(f"- [{r.article + 1}] {r.reason}: {_md(r.text[:80])}")
            lines.append("</details>")
        return "\n".join(lines).strip() + "\n"

    def _footer(self) -> str:
        total = sum(self.timings.values())
        sources = ", ".join(_source_line(a) for a in self.articles)
        return (
            f"_{self.method} · {self.length}/{self.max_chars}자 · {total:.2f}초 · "
            f"기사 {len(self.articles)}건_\n\n출처: {sources}"
        )


def section_heading(section: Event) -> str:
    """A section's heading: its date (unless it has date headings of its own) and title."""
    day = None if section.is_timeline else section.date
    return " · ".join(x for x in (day, section.title) if x) or "주요 내용"


def _bullet_line(bullet: Bullet) -> str:
    tags = "".join(f"[{a + 1}]" for a in bullet.articles)
    line = f"- {FORECAST_TAG + ' ' if bullet.is_forecast else ''}{_md(bullet.text)} {tags}"
    if bullet.support > 1:
        line += f" ({bullet.support}개 기사)"
    if bullet.flags:
        line += f" ⚠ 확인 필요: {', '.join(map(_md, bullet.flags))}"
    return line


def _source_line(info: ArticleInfo) -> str:
    """``[1] 제목 (매체, 날짜)``, the title linked to the article's URL when it is an http(s) one."""
    title = _md(info.title or "(제목 없음)")
    target = _link_target(info.url)
    if target:
        title = f"[{title}]({target})"
    about = ", ".join(_md(x) for x in (info.outlet, info.date) if x)
    return f"[{info.index + 1}] {title}" + (f" ({about})" if about else "")


def _md(text: str) -> str:
    """``text`` as literal markdown on one line: breaks and controls become a space, markup is escaped."""
    return _MARKUP.sub(r"\\\1", _BREAKS.sub(" ", text))


def _link_target(url: str | None) -> str | None:
    """An http or https URL with everything that could end or break a markdown link
    percent-encoded; None for any other URL (javascript:, data:, relative ...)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#@!$&*+,;=%")
