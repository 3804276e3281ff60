"""Articles as summarize() takes them: pasted text, or text with what a feed or crawl knows."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime

from .errors import InputError

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")
# A crawl calls the outlet "press"; either name is accepted.
_ALIASES = {"press": "outlet"}


@dataclass(frozen=True)
class Article:
    """One article with the metadata its source knows; everything but ``text`` is optional.

    Known metadata is used before anything guessed from the text: ``headline`` is the article's
    title (event titles, source list), ``date`` (ISO ``YYYY-MM-DD`` or a ``datetime.date``) its
    publication date for resolving "4일", ``outlet`` and ``url`` are shown in the source list.
    """

    text: str
    headline: str | None = None
    outlet: str | None = None
    date: str | date | None = None
    url: str | None = None


_FIELDS = tuple(f.name for f in fields(Article))


def to_article(item: object, number: int) -> Article:
    """An :class:`Article` from a string, an Article or a mapping with its fields (``press`` is
    taken for ``outlet``; other keys are ignored); the date becomes an ISO string.

    Raises InputError (Korean, naming the article by its 1-based ``number``) for wrong types.
    """
    if isinstance(item, str):
        return Article(item)
    if isinstance(item, Article):
        data = {name: getattr(item, name) for name in _FIELDS}
    elif isinstance(item, Mapping):
        data = {}
        for key, value in item.items():
            name = _ALIASES.get(key, key)
            if name not in _FIELDS:
                continue
            if name in data and value != data[name]:
                raise InputError(f"{number}번 기사에 outlet과 press가 서로 다르게 들어 있습니다.")
            data[name] = value
    else:
        raise InputError(
            f"{number}번 기사는 문자열, 딕셔너리 또는 Article이어야 합니다 (받은 형식: {type(item).__name__})."
        )
    if not isinstance(data.get("text"), str):
        raise InputError(f"{number}번 기사에 본문 text(문자열)가 없습니다.")
    for name in ("headline", "outlet", "url"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{number}번 기사의 {name}은(는) 문자열이어야 합니다 (받은 형식: {type(value).__name__}).")
        data[name] = (value.strip() or None) if isinstance(value, str) else None
    data["date"] = _iso_date(data.get("date"), number)
    return Article(**data)


def _iso_date(value: object, number: int) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and (m := _ISO_DATE.match(value.strip())):
        try:
            return date(*map(int, m.groups())).isoformat()
        except ValueError:
            pass
    raise InputError(f"{number}번 기사의 date는 ISO 날짜(YYYY-MM-DD) 문자열이나 datetime.date여야 합니다: {value!r}")
