"""Cut the markup whose every character is dropped (comments, refs and other non-prose tags, templates,
tables) out of wikitext before anything parses it.

mwparserfromhell builds a node for every piece of such a span, in Python, only for the cleaner to throw it
away; on real articles that was most of the extraction's time. Here each span is found with a few C-level
regex searches and cut whole. Anything this scanner cannot match with certainty (an unclosed comment, tag,
template, table or nowiki) makes `drop_spans` return None, and the caller parses the page as before: the
result is never less clean than the parser's.
"""

from __future__ import annotations

import re

from .namespaces import LinkRules

# Tags whose content is never prose. Everything else (b, i, span, small, nowiki, ...) keeps its text.
DROPPED_TAGS = frozenset(
    {
        "ref",
        "references",
        "math",
        "chem",
        "gallery",
        "table",
        "timeline",
        "score",
        "graph",
        "templatedata",
        "templatestyles",
        "imagemap",
        "syntaxhighlight",
        "source",
        "code",
        "pre",
        "mapframe",
        "maplink",
        "hiero",
        "inputbox",
        "categorytree",
        "poem",
        "noinclude",
        "includeonly",
    }
)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NAMES = "|".join(sorted(DROPPED_TAGS, key=len, reverse=True))
DROPPED_OPEN = re.compile(rf"<({_NAMES})(?=[\s/>])[^<>]*?(/?)>", re.IGNORECASE)
NOWIKI = re.compile(r"<nowiki\s*>(.*?)</nowiki\s*>|<nowiki\s*/>", re.IGNORECASE | re.DOTALL)
# nowiki content must reach the output as it is: it travels as characters of a private-use plane that
# no markup pattern matches (a BMP code point c as LITERAL_BASE + c) and is decoded from there at the end.
LITERAL_BASE = 0xF0000
LITERAL_CHARS = re.compile("[\U000f0000-\U000ffffd]+")
BRACES = re.compile(r"\{\{+|\}\}+")
LINK_TITLE = re.compile(r"\[\[([^\[\]|\n]*:[^\[\]|\n]*)(?=[|\]])")
TABLE_EDGE = re.compile(r"^[ \t]*(\{\||\|\})", re.MULTILINE)
# What a cut span leaves: it keeps the markup on its two sides apart (''{{lang|..}}'' stays two italic
# marks, not four apostrophes) and is removed with the rest of the markup. XML cannot hold a NUL.
CUT = "\x00"


def drop_spans(text: str, rules: LinkRules) -> str | None:
    """`text` with comments, non-prose tags (with their content), templates, tables and the links `rules`
    drop (a file's caption may span lines) cut to CUT; None when some of that markup is unbalanced or
    a nowiki tag is left open, so that only a parser can tell."""
    if LITERAL_CHARS.search(text):
        return None  # the page itself holds characters of that plane
    if has_nowiki(text):
        text = NOWIKI.sub(_literal, text)
        if re.search("<nowiki", text, re.IGNORECASE):
            return None  # unclosed
    if "<!--" in text:
        text = COMMENT.sub(CUT, text)
        if "<!--" in text:
            return None  # unclosed
    if "<" in text:
        text = _drop_tags(text)
        if text is None:
            return None
    if "{{" in text:
        text = _drop_balanced_braces(text)
        if text is None:
            return None
    if "{|" in text:
        text = _drop_tables(text)
        if text is None:
            return None
    if "[[" in text:
        text = _drop_links(text, rules)
    return text


def has_nowiki(text: str) -> bool:
    """Whether drop_spans encodes nowiki content in `text` (so that it is to be decoded)."""
    return "<nowiki" in text or "<NOWIKI" in text


def _literal(m: re.Match) -> str:
    content = m.group(1) or ""
    if any(ord(ch) >= 0xFFFE for ch in content):
        return content  # beyond the plane's room: left to the markup patterns (very rare)
    return "".join(chr(LITERAL_BASE + ord(ch)) for ch in content)


def decode_literals(line: str) -> str:
    """nowiki content back to the characters it was."""
    return LITERAL_CHARS.sub(lambda m: "".join(chr(ord(ch) - LITERAL_BASE) for ch in m.group()), line)


def _drop_tags(text: str) -> str | None:
    pieces, pos = [], 0
    while (m := DROPPED_OPEN.search(text, pos)) is not None:
        pieces += (text[pos : m.start()], CUT)
        if m.group(2):  # self-closing: <ref name="a" />
            pos = m.end()
            continue
        close = re.compile(rf"</{m.group(1)}\s*>", re.IGNORECASE).search(text, m.end())
        if close is None:
            return None
        pos = close.end()
    pieces.append(text[pos:])
    return "".join(pieces)


def _drop_balanced_braces(text: str) -> str | None:
    """Templates ({{...}}) and arguments ({{{...}}}) out, nesting counted in braces."""
    return _cut_nested(
        text, ((m, len(m.group()) if m.group()[0] == "{" else -len(m.group())) for m in BRACES.finditer(text))
    )


def _drop_tables(text: str) -> str | None:
    """Tables ({| at a line's start to the matching |}), nested ones included; None for an unclosed one."""
    return _cut_nested(text, ((m, 1 if m.group(1) == "{|" else -1) for m in TABLE_EDGE.finditer(text)))


def _cut_nested(text: str, edges) -> str | None:
    """`text` with each outermost span between nested edges cut to CUT. `edges` yields (match, change):
    an opening edge raises the depth by change > 0, a closing one lowers it; a span ends where the depth
    reaches 0 or below (extra closing braces end it with it, as the parser's longest match does), and a
    closing edge outside any span stays text. None when a span is left open."""
    pieces, depth, start, pos = [], 0, 0, 0
    for m, change in edges:
        if change > 0:
            if depth == 0:
                start = m.start()
            depth += change
        elif depth:
            depth += change
            if depth <= 0:
                pieces += (text[pos:start], CUT)
                pos, depth = m.end(), 0
    if depth:
        return None
    pieces.append(text[pos:])
    return "".join(pieces)


def _drop_links(text: str, rules: LinkRules) -> str | None:
    pieces, pos = [], 0
    for m in LINK_TITLE.finditer(text):
        if m.start() < pos or not rules.drops(m.group(1)):
            continue  # inside a link already cut, or a link whose text is kept
        end = closing_brackets(text, m.start())
        if end < 0:
            return None
        pieces += (text[pos : m.start()], CUT)
        pos = end + 2
    pieces.append(text[pos:])
    return "".join(pieces)


def closing_brackets(text: str, start: int) -> int:
    """Index of the ']]' closing the '[[' at `start` (nested links counted), or -1."""
    depth, pos = 0, start
    while True:
        opening, closing = text.find("[[", pos), text.find("]]", pos)
        if closing < 0:
            return -1
        if 0 <= opening < closing:
            depth, pos = depth + 1, opening + 2
            continue
        depth, pos = depth - 1, closing + 2
        if depth == 0:
            return closing
