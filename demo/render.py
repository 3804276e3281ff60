"""Briefings and messages as HTML for the demo page. Every piece of user text is escaped."""
from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from summarizer.briefing import UNDATED, ArticleInfo, Briefing, Bullet, Event, section_heading

_SNIPPET_CHARS = 160

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
"""


def briefing_html(briefing: Briefing, elapsed: float) -> str:
    """One column of the page: meta line, events with bullets, source list.

    ``elapsed`` is the wall-clock seconds the request took (model loading included); the
    per-stage timings of the briefing go into the tooltip of the time chip.
    """
    stages = ", ".join(f"{name} {sec:.2f}초" for name, sec in briefing.timings.items())
    bullets = briefing.bullets
    parts = [
        f'<div class="brief" data-method="{escape(briefing.method)}">',
        '<div class="brief-meta">',
        f'<span class="chip length">길이 {briefing.length:,} / {briefing.max_chars:,}자</span>',
        f'<span class="chip time" title="{escape(stages)}">시간 {elapsed:.2f}초</span>',
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
    for day, bullets in section.days:
        if section.is_timeline:
            parts.append(f'<h4 class="brief-day">{escape(day or UNDATED)}</h4>')
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
