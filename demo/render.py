"""Briefings, stories and messages as HTML for the demo page. Every piece of user text is escaped."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape
from pathlib import Path

from summarizer.briefing import ArticleInfo, Briefing, Bullet, Event, section_heading
from summarizer.digest import Story
from summarizer.feed import BadLine

_SNIPPET_CHARS = 160
TOP_STORIES = 10  # stories drawn in the days picture
MAX_DAY_COLUMNS = 62  # a longer span is drawn by month
_TITLE_CHARS = 40  # a story's title in the picture is cut to this (the whole one on hover)
_WEEKDAYS = "월화수목금토일"

# Styles for the HTML below; passed to launch() (Gradio 6 takes css there).
CSS = """
.brief { font-size: 15px; line-height: 1.6; }
.brief-meta { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 10px; }
.brief-meta .chip { border: 1px solid var(--border-color-primary); border-radius: 999px;
  padding: 1px 10px; font-size: 13px; }
.brief-event { margin: 0 0 14px; }
.brief-event h3 { font-size: 16px; margin: 6px 0; }
.brief-event h4.brief-day { font-size: 14px; margin: 8px 0 4px; opacity: 0.85; }
.brief-event ul { margin: 0; padding-left: 18px; }
.bullet { margin: 0 0 8px; }
.bullet-text { margin: 0; }
.bullet-meta { font-size: 13px; opacity: 0.85; display: flex; flex-wrap: wrap; gap: 8px; }
.bullet-meta .tags { font-weight: 600; color: #2563eb; }
.bullet.flagged { border-left: 3px solid #dc2626; padding-left: 6px; }
mark.flag { background: #fde68a; color: #7f1d1d; border-bottom: 2px solid #dc2626; padding: 0 2px; }
.flag-note { color: #b91c1c; font-weight: 600; }
.forecast-tag { border: 1px solid #d97706; color: #92400e; background: #fffbeb; border-radius: 4px;
  padding: 0 4px; margin-right: 4px; font-size: 12px; font-weight: 600; }
details.evidence summary, details.removed-article summary { cursor: pointer; font-size: 13px; }
details.evidence ol { font-size: 13px; margin: 4px 0; }
.brief-sources, .brief-note { font-size: 13px; opacity: 0.85; }
.notice { border-radius: 8px; padding: 10px 14px; border: 1px solid; }
.notice p { margin: 4px 0 0; white-space: pre-wrap; }
.notice-error { border-color: #dc2626; background: #fef2f2; color: #7f1d1d; }
.notice-unavailable { border-color: #d97706; background: #fffbeb; color: #78350f; }
.notice-pending, .notice-info { border-color: var(--border-color-primary); }
.notice code { display: block; margin-top: 6px; padding: 6px 8px; background: #1f2937; color: #f9fafb;
  border-radius: 6px; white-space: pre-wrap; }
table.removed { width: 100%; font-size: 13px; border-collapse: collapse; }
table.removed td, table.removed th { border-bottom: 1px solid var(--border-color-primary);
  padding: 2px 6px; text-align: left; vertical-align: top; }
.stories-summary { font-size: 14px; margin: 0 0 8px; }
.coverage-wrap { overflow-x: auto; margin: 6px 0 12px; }
table.coverage { border-collapse: separate; border-spacing: 2px; font-size: 13px; }
/* Gradio's page styles box every table cell; the picture keeps only its day cells' outline. */
table.coverage, table.coverage th, table.coverage td.total { border: none !important; background: none; }
table.coverage th { font-weight: 600; padding: 0 4px; white-space: nowrap; }
table.coverage th.story-name { text-align: left; max-width: 24em; overflow: hidden; text-overflow: ellipsis; }
table.coverage th.story-name a { color: inherit; text-decoration: none; }
table.coverage td.cell { min-width: 30px; height: 24px; text-align: center; border-radius: 3px;
  border: 1px solid var(--border-color-primary) !important; }
table.coverage td.total { padding: 0 6px; white-space: nowrap; opacity: 0.85; }
.coverage-caption { font-size: 13px; opacity: 0.85; margin: 2px 0 0; }
.story { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 14px; margin: 0 0 10px; }
.story h3 { font-size: 17px; margin: 0 0 6px; }
.story .rank { display: inline-block; min-width: 1.6em; margin-right: 6px; border-radius: 6px; text-align: center;
  background: #2563eb; color: #fff; font-size: 14px; }
.story-outlets { font-size: 13px; opacity: 0.85; margin: 0 0 6px; }
details.story-brief > summary { cursor: pointer; font-weight: 600; margin: 4px 0; }
"""


def briefing_html(briefing: Briefing, elapsed: float | None = None) -> str:
    """One column of the page: meta line, events with bullets, source list.

    ``elapsed`` is the wall-clock seconds the request took (model loading included); the
    per-stage timings of the briefing go into the tooltip of the time chip (none without it).
    """
    stages = ", ".join(f"{name} {sec:.2f}초" for name, sec in briefing.timings.items())
    bullets = briefing.bullets
    time_chip = "" if elapsed is None else f'<span class="chip time" title="{escape(stages)}">시간 {elapsed:.2f}초</span>'
    parts = [
        f'<div class="brief" data-method="{escape(briefing.method)}">',
        '<div class="brief-meta">',
        f'<span class="chip length">길이 {briefing.length:,} / {briefing.max_chars:,}자</span>',
        time_chip,
        (
            f'<span class="chip count">이야기 {len(briefing.sections)}개 · 문장 {len(bullets)}개 · '
            f"기사 {len(briefing.articles)}건</span>"
        ),
        "</div>",
    ]
    parts += [f'<p class="brief-note">{escape(note)}</p>' for note in briefing.notes]
    if not bullets:
        parts.append(message_html("요약할 만한 문장을 찾지 못했습니다.", "info"))
    titles = {a.index: a.title for a in briefing.articles}
    parts += [_event_html(section, titles) for section in briefing.sections if section.bullets]
    parts += [_sources_html(briefing.articles), "</div>"]
    return "".join(parts)


def _event_html(section: Event, titles: dict[int, str | None]) -> str:
    """A story: its heading, then its bullets, under a date heading per day when it spans days."""
    parts = [f'<section class="brief-event"><h3>{escape(section_heading(section))}</h3>']
    for heading, bullets in section.parts:
        if heading:
            parts.append(f'<h4 class="brief-day">{escape(heading)}</h4>')
        parts.append(f"<ul>{''.join(_bullet_html(b, titles) for b in bullets)}</ul>")
    return "".join(parts) + "</section>"


def _bullet_html(bullet: Bullet, titles: dict[int, str | None]) -> str:
    tags = "".join(_tag_html(a, titles) for a in bullet.articles)
    meta = [f'<span class="tags">{tags}</span>', f'<span class="support">기사 {bullet.support}건 보도</span>']
    if bullet.flags:
        meta.append(f'<span class="flag-note">⚠ 원문에서 확인되지 않음: {escape(", ".join(bullet.flags))}</span>')
    evidence = "".join(
        f'<li>{_tag_html(s.article, titles)} <span class="source-text">{escape(s.text)}</span></li>'
        for s in bullet.sources
    )
    css = "bullet flagged" if bullet.flags else "bullet"
    if bullet.is_forecast:
        css += " forecast"
        meta.append('<span class="forecast-note">다른 기사에서 실제로 일어났다고 확인되지 않은 예정·전망입니다</span>')
    tag = '<span class="forecast-tag" title="예정·전망 (보도로 확인되지 않음)">전망</span>' if bullet.is_forecast else ""
    return (
        f'<li class="{css}"><p class="bullet-text">{tag}{highlight_flags(bullet.text, bullet.flags)}</p>'
        f'<div class="bullet-meta">{"".join(meta)}</div>'
        f'<details class="evidence"><summary>근거 문장 {len(bullet.sources)}개 보기</summary>'
        f"<ol>{evidence}</ol></details></li>"
    )


def _tag_html(article: int, titles: dict[int, str | None]) -> str:
    title = titles.get(article) or "(제목 없음)"
    return f'<span class="tag" title="{escape(title)}">[{article + 1}]</span>'


def highlight_flags(text: str, flags: Sequence[str]) -> str:
    """Escaped ``text`` with each flagged fact that occurs in it wrapped in ``<mark class="flag">``."""
    present = sorted({f for f in flags if f and f in text}, key=len, reverse=True)
    if not present:
        return escape(text)
    out, pos = [], 0
    for match in re.finditer("|".join(map(re.escape, present)), text):
        out += [escape(text[pos : match.start()]), f'<mark class="flag">{escape(match.group())}</mark>']
        pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _sources_html(articles: Sequence[ArticleInfo]) -> str:
    items = " · ".join(
        f"[{a.index + 1}] {escape(a.title or '(제목 없음)')}" + (f" ({escape(a.date)})" if a.date else "")
        for a in articles
    )
    return f'<p class="brief-sources">출처: {items}</p>'


def removed_html(briefing: Briefing) -> str:
    """What cleaning dropped from each article, one collapsible table per article."""
    if not briefing.removed:
        return "<p>정리 과정에서 제거된 부분이 없습니다.</p>"
    parts = []
    for info in briefing.articles:
        items = [r for r in briefing.removed if r.article == info.index]
        title = escape(info.title or "(제목 없음)")
        removed_chars = sum(len(r.text) for r in items)
        rows = "".join(f"<tr><td>{escape(r.reason)}</td><td>{escape(_snippet(r.text))}</td></tr>" for r in items)
        parts.append(
            f'<details class="removed-article"><summary>[{info.index + 1}] {title} — '
            f"{len(items)}곳, {removed_chars:,}자 제거 (원문 {info.chars_in:,}자 중 {info.chars_kept:,}자 사용)"
            f'</summary><table class="removed"><thead><tr><th>이유</th><th>제거된 내용</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></details>"
        )
    return "".join(parts)


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SNIPPET_CHARS else flat[: _SNIPPET_CHARS - 1] + "…"


def message_html(text: str, kind: str = "error", title: str | None = None, command: str | None = None) -> str:
    """A notice box: ``kind`` is error, unavailable, pending or info; ``command`` shows as code."""
    role = "alert" if kind in ("error", "unavailable") else "status"
    head = f"<strong>{escape(title)}</strong>" if title else ""
    code = f"<code>{escape(command)}</code>" if command else ""
    return f'<div class="notice notice-{kind}" role="{role}">{head}<p>{escape(text)}</p>{code}</div>'


# --- the stories tab -----------------------------------------------------------------------------


def story_days(story: Story) -> list[str | None]:
    """The ISO date of each distinct article of ``story``: the one given with it, else the one its
    page states (found by the briefing), else None."""
    stated = {info.index: info.date for info in story.briefing.articles} if story.briefing else {}
    return [str(a.date) if a.date else stated.get(i) for i, a in enumerate(story.articles)]


def story_title(story: Story) -> str:
    """The story's title: its representative headline, else the first title its briefing found."""
    found = [info.title for info in story.briefing.articles if info.title] if story.briefing else []
    return story.title or (found[0] if found else "(제목 없음)")


def stories_overview_html(stories: Sequence[Story], bad: Sequence[BadLine], bad_count: int, elapsed: float) -> str:
    """Above the stories: how many articles made how many stories, the unreadable lines, and the
    picture of the top stories over days."""
    articles = sum(len(s.article_ids) for s in stories)
    distinct = sum(s.article_count for s in stories)
    repeated = f" (같은 기사 {articles - distinct}건은 한 번만 셈)" if articles > distinct else ""
    parts = [
        f'<p class="stories-summary">기사 {articles:,}건{repeated} → 스토리 {len(stories):,}개 · '
        f"시간 {elapsed:.2f}초 · 보도가 많은 스토리부터</p>"
    ]
    if bad_count:
        parts.append(bad_lines_html(bad, bad_count))
    if stories:
        parts.append(coverage_html(stories))
    else:
        parts.append(message_html("읽을 수 있는 기사가 없어 스토리를 만들지 못했습니다.", "error", title="스토리가 없습니다"))
    return "".join(parts)


def bad_lines_html(bad: Sequence[BadLine], bad_count: int) -> str:
    """A short note: the lines that could not be read, by file name and line number."""
    lines = [f"{_place(line.where)}: {line.message}" for line in bad]
    if bad_count > len(bad):
        lines.append(f"외 {bad_count - len(bad):,}줄")
    return message_html("\n".join(lines), "unavailable", title=f"읽지 못한 줄 {bad_count:,}개는 건너뛰었습니다")


def _place(where: str) -> str:
    """"/tmp/…/feed.jsonl:3" as "feed.jsonl 3번째 줄" (an upload's folder means nothing to the user)."""
    path, _, line = where.rpartition(":")
    return f"{Path(path).name} {line}번째 줄" if path and line.isdigit() else Path(where).name


def coverage_html(stories: Sequence[Story], top: int = TOP_STORIES) -> str:
    """The top stories over days: a row per story, a column per day (per month past
    MAX_DAY_COLUMNS days), each cell shaded by how many of its articles are of that day.

    Written by hand: a table of shaded cells that needs no plotting library or script in the page.
    """
    rows = [(rank, story, story_days(story)) for rank, story in enumerate(stories[:top], 1)]
    dated = sorted({day for *_, days in rows for day in days if day})
    if not dated:
        return message_html("날짜가 있는 기사가 없어 날짜별 보도량을 그리지 못했습니다. 피드에 date(YYYY-MM-DD)를 넣어 주세요.", "info")
    first, last = date.fromisoformat(dated[0]), date.fromisoformat(dated[-1])
    by_day = (last - first).days < MAX_DAY_COLUMNS
    if by_day:
        columns = [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)]
        heads = [f"{d.month}/{d.day} {_WEEKDAYS[d.weekday()]}" for d in map(date.fromisoformat, columns)]
    else:
        months = (f"{year:04d}-{month:02d}" for year in range(first.year, last.year + 1) for month in range(1, 13))
        columns = heads = [m for m in months if dated[0][:7] <= m <= dated[-1][:7]]
    key = (lambda day: day) if by_day else (lambda day: day[:7])
    counts = [Counter(key(day) for day in days if day) for *_, days in rows]
    most = max(max(c.values(), default=0) for c in counts)
    body = []
    for (rank, story, days), count in zip(rows, counts):
        title = story_title(story)
        short = title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1] + "…"
        cells = "".join(_cell(count[column], most, head, title) for column, head in zip(columns, heads))
        body.append(
            f'<tr data-story="{escape(story.id)}"><th class="story-name" title="{escape(title)}">'
            f'<a href="#story-{rank}">{rank}. {escape(short)}</a></th>{cells}'
            f'<td class="total">{sum(count.values())}건</td></tr>'
        )
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    undated = sum(day is None for *_, days in rows for day in days)
    caption = (
        f"{dated[0]} ~ {dated[-1]}, {'하루' if by_day else '한 달'} 단위 · 칸의 숫자는 그{'날' if by_day else '달'}의 기사 수"
        + (f" · 날짜를 모르는 기사 {undated}건은 빠짐" if undated else "")
    )
    shown = f"상위 {len(rows)}개 스토리" if len(stories) > len(rows) else f"스토리 {len(rows)}개"
    return (
        f'<div class="coverage-wrap" role="figure" aria-label="날짜별 보도량">'
        f'<table class="coverage"><thead><tr><th class="story-name">{shown}</th>{head}<th>합계</th></tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table><p class="coverage-caption">{escape(caption)}</p></div>'
    )


def _cell(count: int, most: int, head: str, title: str) -> str:
    if not count:
        return f'<td class="cell" title="{escape(head)} · 보도 없음"></td>'
    alpha = 0.2 + 0.8 * count / most
    colour = "#fff" if alpha > 0.55 else "inherit"
    return (
        f'<td class="cell" data-count="{count}" title="{escape(head)} · {escape(title)}: 기사 {count}건" '
        f'style="background: rgba(37, 99, 235, {alpha:.2f}); color: {colour}">{count}</td>'
    )


def stories_html(stories: Sequence[Story]) -> str:
    """The ranked stories: title, dates, outlets, article count, and the briefing to open."""
    return "".join(_story_html(rank, story) for rank, story in enumerate(stories, 1))


def _story_html(rank: int, story: Story) -> str:
    days = sorted(day for day in story_days(story) if day)
    when = "날짜 모름" if not days else days[0] if days[0] == days[-1] else f"{days[0]} ~ {days[-1]}"
    repeated = len(story.article_ids) - story.article_count
    chips = [
        f'<span class="chip dates">{escape(when)}</span>',
        f'<span class="chip count">기사 {story.article_count}건'
        + (f" (중복 {repeated}건 제외)" if repeated else "") + "</span>",
        f'<span class="chip outlets-count">언론사 {len(story.outlets)}곳</span>',
    ]
    outlets = " · ".join(map(escape, story.outlets)) or "(언론사 정보 없음)"
    if story.briefing is not None:
        inner = briefing_html(story.briefing)
        label = f"브리핑 보기 (문장 {len(story.briefing.bullets)}개)"
    else:
        inner = message_html(story.error or "브리핑을 만들지 못했습니다.", "error", title="요약할 수 없습니다")
        label = "브리핑을 만들지 못한 이유"
    return (
        f'<article class="story" id="story-{rank}" data-story="{escape(story.id)}">'
        f'<h3 class="story-title"><span class="rank">{rank}</span>{escape(story_title(story))}</h3>'
        f'<div class="brief-meta">{"".join(chips)}</div>'
        f'<p class="story-outlets">언론사: {outlets}</p>'
        f'<details class="story-brief"><summary>{escape(label)}</summary>{inner}</details></article>'
    )
