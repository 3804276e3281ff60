"""One normalisation of every accepted article text, before any other step sees it.

Pasted text arrives in many forms: Windows or old-Mac line endings, decomposed Hangul (macOS),
zero-width characters and direction marks, control bytes, broken surrogates from JSON escapes,
HTML entities, or a whole HTML page. :func:`normalize_text` turns each into the plain text the rest of the pipeline
expects. Source offsets in a Briefing index this normalised text, so
``normalize_text(page)[s.start:s.end] == s.text``; for text that is already plain LF, NFC text
without entities or markup it is the identity.
"""
from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser

# Line separators other than LF (CR LF, lone CR, VT, FF, NEL, U+2028/U+2029) each become one LF.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Invisible characters carry no text; inside a word they hide it from every rule ("수\u200b정" is
# not "수정"), so they are removed: zero-width ones (ZWSP, ZWNJ, ZWJ, word joiner, BOM used as
# ZWNBSP), the soft hyphen, and direction marks (LRM, RLM, embeddings, overrides, isolates).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# Control characters other than LF and TAB (C0, DEL, C1: NUL and the like) are removed.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Unpaired UTF-16 surrogates (what a JSON "\ud800" escape yields) cannot be encoded as UTF-8.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Character references that end with ';' (&middot; &#54620; &#xD55C;): "AT&T" stays as it is.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Markup of real HTML elements ("<기생충>" is a film title, not a tag). Text with a few of them is
# an HTML page or fragment; fewer are left to cleaning, which blanks them in place (an article
# that mentions "<html>" once keeps its lines).
_TAG = re.compile(
    r"<(?:!doctype\s{1,9}html|/?(?:html|head|body|title|p|div|br|span|a|img|h[1-6]|li|ul|ol|table|tr|td|th|"
    r"section|article|header|footer|nav|aside|main|figure|figcaption|blockquote|strong|em|b|i|script|style|"
    r"meta|link|iframe|button|form|input)\b[^<>]{0,300})>",
    re.I,
)
_MIN_TAGS = 3
# A "<" that opens no tag closed within MAX_TAG_CHARS is text: the HTML parser would otherwise look
# for the end of each such tag in the rest of the page (quadratic work on "<a <a <a ..."). Comments
# are left to the parser where a "-->" follows them.
MAX_TAG_CHARS = 1000
_STRAY_BRACKET = re.compile(r"<(?!!--|[a-zA-Z/!?][^<>]{0,%d}>)|<(?=!--)" % MAX_TAG_CHARS)
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """The plain-text form of one pasted article (see the module docstring for what changes)."""
    if LONE_SURROGATE.search(text):
        # Pairs written as two escapes join into one character; a lone half is removed (a U+FFFD
        # in its place would glue onto the word or date beside it and defeat cleaning).
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    text = _LINE_BREAKS.sub("\n", text)
    if "<" in text and len(_TAG.findall(text, 0, 200_000)) >= _MIN_TAGS:
        text = html_to_text(text)  # entities are decoded by the parser, once
    elif "&" in text:
        text = _ENTITY.sub(lambda m: unescape(m.group(0)), text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub("", text)
    # NFC: decomposed Hangul jamo (U+1100..) compose into syllables (U+AC00..).
    return unicodedata.normalize("NFC", text)


# Elements whose content is not article text.
_SKIP = frozenset({"script", "style", "head", "noscript", "template", "svg", "iframe", "button", "select"})
# Elements that start a new line when rendered.
_BLOCK = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody thead tr ul".split()
)


class _TextOfPage(HTMLParser):
    """Collects what a browser would show: text of visible elements, a line per block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body":  # whatever was left open before it (HTML may omit </head>) has ended
            self.skipping.clear()
        elif tag in _SKIP:
            self.skipping.append(tag)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
        elif tag in _SKIP and tag in self.skipping:  # unbalanced markup: close up to it
            del self.skipping[self.skipping.index(tag):]
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(_SPACES.sub(" ", data))  # source line breaks are spaces in HTML


def html_to_text(page: str) -> str:
    """The visible text of an HTML page or fragment: a line per block, scripts and head dropped."""
    parser = _TextOfPage()
    parser.feed(_escape_stray_brackets(page))
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _escape_stray_brackets(page: str) -> str:
    """``page`` with each "<" that opens no tag (or comment) closed soon after it written as "&lt;"."""
    last_close = page.rfind("-->")

    def escape(m: re.Match) -> str:
        return "<" if page.startswith("<!--", m.start()) and m.start() < last_close else "&lt;"

    return _STRAY_BRACKET.sub(escape, page)


def one_line(text: str | None) -> str | None:
    """Metadata (a headline, outlet or URL) as one normalised line, or None when nothing is left."""
    return " ".join(normalize_text(text).split()) or None if text else None
