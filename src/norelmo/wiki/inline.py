"""A line of wikitext with only inline markup -> its plain text, without building a parse tree.

After spans.drop_spans, an article's lines hold little but links, bold and italics, external links,
entities and inline HTML tags. Rendering those with regexes gives what mwparserfromhell's strip_code
gives for them, at a small fraction of the cost (bench/extract.py). A line with anything else (leftover
braces, a definition list, a link inside a kept link, a heading this reading is unsure of) gets None,
and the caller parses it.
"""

from __future__ import annotations

import html
import re

from .spans import CUT, decode_literals

# A cut span (spans.CUT) around a heading or before a list marker leaves them what they are.
HEADING = re.compile(rf"^{CUT}*(=+)(.*?)(=+)[ \t{CUT}]*$")
LIST_MARKERS = re.compile(rf"^{CUT}*(?:[*#:;]+|-{{4,}})")
LIST_STARTS = frozenset("*#:;-" + CUT)
# The schemes mwparserfromhell takes as external links, bracketed or bare.
SCHEMES = r"(?:https?|ftps?|sftp|mailto|news|irc|ircs|gopher|nntp|telnet|svn|git|mms|ssh|xmpp|sip|sips|tel|geo|urn)"
# A URL runs to a space, tab or newline (not to other whitespace) or one of []<>", as the parser reads it.
EXTERNAL = re.compile(rf"\[(?:(?:{SCHEMES}:|//)[^ \t\n\[\]<>\"]*)(?:[ \t]+([^\]]*))?\]", re.IGNORECASE)
BARE_URL = re.compile(rf"(?<![\w/]){SCHEMES}://[^ \t\n\[\]<>\"]+", re.IGNORECASE)
URL_TRAILING = ",;.:!?"
QUOTES = re.compile(r"''+")
ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
# [[title]] or [[title|label]]: a title without brackets, braces, angle brackets or pipes, a label
# without brackets (bold and italic marks in it go later with the rest of the line's).
WIKILINK = re.compile(r"\[\[([^\[\]{}<>|\n]+)(?:\|([^\[\]]*))?\]\]")


def render_line(line: str, literals: bool = False) -> str | None:
    """The text a reader sees of `line` (a heading's title for a heading), or None if it needs the parser.
    `literals`: the page had nowiki content (spans.drop_spans), decoded here."""
    if "{" in line or "}" in line or (line.startswith(";") and ":" in line):  # ;term:definition
        return None
    if line.lstrip(CUT).startswith("="):
        m = HEADING.match(line)
        if m is None:
            return None
        n = min(len(m.group(1)), len(m.group(3)))
        line = "=" * (len(m.group(1)) - n) + m.group(2) + "=" * (len(m.group(3)) - n)
        if not line.strip():
            return None
    elif line[0] in LIST_STARTS:
        line = LIST_MARKERS.sub("", line, count=1)
    if "[[" in line:
        # Links that rules drop went with spans.drop_spans; a link left inside another, or one this
        # pattern does not take, leaves '[[' behind, and the parser reads the line.
        line = WIKILINK.sub(_link_text, line)
        if "[[" in line:
            return None
    if "[" in line:
        line = EXTERNAL.sub(lambda m: m.group(1) or "", line)
    if "://" in line:
        line = BARE_URL.sub(_url_tail, line)
    if "<" in line:
        line = HTML_TAG.sub("", line)
    if "''" in line:
        line = _without_quotes(line)
    if literals:
        line = decode_literals(line)  # nowiki content is text from here on, as the parser's reading has it
    if "&" in line:
        line = ENTITY.sub(lambda m: html.unescape(m.group()), line)
    return line


def _link_text(m: re.Match) -> str:
    title, label = m.group(1), m.group(2)
    if not title.strip():
        return m.group()  # left as it is: the line goes to the parser
    return label if label is not None else title


def _url_tail(m: re.Match) -> str:
    """A bare URL goes; the punctuation after it (and a closing parenthesis it did not open) stays."""
    url = m.group()
    kept = len(url.rstrip(URL_TRAILING))
    if url[kept - 1 : kept] == ")" and "(" not in url:
        kept -= 1
    return url[kept:]


def _without_quotes(line: str) -> str:
    """Bold and italic marks removed and the apostrophes that are text kept, as MediaWiki reads them: four
    are one plus bold, more than five keep the extra, and where bold and italic marks are both odd in number
    one bold mark is an apostrophe plus italics (two, Iliad, three, s -> Iliad's)."""
    runs = list(QUOTES.finditer(line))
    kept = ["'" if len(m.group()) == 4 else "'" * (len(m.group()) - 5) for m in runs]
    marks = [len(m.group()) - len(k) for m, k in zip(runs, kept, strict=True)]
    italics, bold = sum(n in (2, 5) for n in marks), sum(n in (3, 5) for n in marks)
    threes = [i for i, n in enumerate(marks) if n == 3]
    if italics % 2 and bold % 2 and threes:
        before = [line[max(runs[i].start() - 2, 0) : runs[i].start()] for i in threes]
        single = [i for i, b in zip(threes, before, strict=True) if len(b) == 2 and b[0] == " " and b[1] != " "]
        word = [i for i, b in zip(threes, before, strict=True) if b[-1:] not in ("", " ")]
        kept[(single or word or threes)[0]] += "'"
    pieces, pos = [], 0
    for m, k in zip(runs, kept, strict=True):
        pieces += (line[pos : m.start()], k)
        pos = m.end()
    pieces.append(line[pos:])
    return "".join(pieces)
