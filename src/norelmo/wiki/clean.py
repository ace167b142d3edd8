"""Wikitext -> clean paragraphs: templates, tables, refs, files, categories and interwiki go.

Fast path first: spans.drop_spans cuts the dropped markup out and inline.render_line renders each line
that holds only inline markup. mwparserfromhell parses what those cannot vouch for: a line with other
markup, or the whole page when its spans are unbalanced. Its reading is the reference both are tested against.
"""

from __future__ import annotations

import re
import unicodedata

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, Tag, Template, Text, Wikilink

from .inline import HTML_TAG, render_line
from .namespaces import LinkRules
from .spans import CUT, DROPPED_TAGS, closing_brackets, decode_literals, drop_spans, has_nowiki

REF_SELF = re.compile(r"<ref[^>]*/>", re.IGNORECASE)
REF_PAIR = re.compile(r"<ref[^>]*>.*?</ref\s*>", re.IGNORECASE)
# Rows of a table that mwparserfromhell could not parse as one (a stray quote is enough) stay text.
TABLE_LINE = re.compile(r"^(\{\||\|\}|\|[-+]?|!)")
REDIRECT = re.compile(r"^\s*#\s*(redirect|omdirigering)\b", re.IGNORECASE)


def is_redirect_text(wikitext: str) -> bool:
    """True for '#REDIRECT [[...]]' pages, in English or Norwegian ('#OMDIRIGERING')."""
    return bool(REDIRECT.match(wikitext))


def _prune(code, rules: LinkRules) -> None:
    """Remove non-prose nodes from `code` in place, descending into what is kept."""
    kept = []
    for node in code.nodes:
        if isinstance(node, (Template, Comment)):
            continue
        if isinstance(node, Tag):
            if str(node.tag).strip().lower() in DROPPED_TAGS:
                continue
            if node.contents is not None:
                _prune(node.contents, rules)
        elif isinstance(node, Wikilink):
            if rules.drops(str(node.title)):
                continue
            if node.text is not None:
                _prune(node.text, rules)
        elif isinstance(node, Heading):
            _prune(node.title, rules)
        elif isinstance(node, ExternalLink):
            if node.title is None:
                continue  # a bare URL is not prose
            _prune(node.title, rules)
        kept.append(node)
    code.nodes = kept


def _normalize_line(line: str) -> str:
    line = line.replace(CUT, "")
    if not line.isascii():
        line = unicodedata.normalize("NFC", line)
    return " ".join(line.split())  # str.split's whitespace is the same as the regex \s


def clean_wikitext(wikitext: str, rules: LinkRules) -> list[str]:
    """The article's paragraphs, headings and list items, one clean line each."""
    wikitext = wikitext.replace(CUT, "")  # never in XML; the parser would stop reading at it
    text = drop_spans(wikitext, rules)
    if text is None:
        return parsed_lines(wikitext, rules)
    literals = has_nowiki(wikitext)
    lines = []
    for line in text.split("\n"):
        if not line.strip(CUT):
            continue
        rendered = render_line(line, literals)
        if rendered is None:  # the C tokenizer would stop reading at a CUT
            lines.extend(parsed_lines(line.replace(CUT, ""), rules))
        elif kept := _finished(rendered, rules, scrub="<" in rendered or "[[" in rendered):
            lines.append(kept)
    return lines


def _finished(line: str, rules: LinkRules, scrub: bool = True) -> str:
    """A line scrubbed (where it may hold what _scrub removes) and normalized, or '' when nothing of it is prose."""
    if scrub:
        line = _scrub(decode_literals(line), rules)
    line = _normalize_line(line)
    return line if line and any(ch.isalnum() for ch in line) and not TABLE_LINE.match(line) else ""


def parsed_lines(wikitext: str, rules: LinkRules) -> list[str]:
    """The clean lines by mwparserfromhell's reading of the wikitext (the reference)."""
    code = mwparserfromhell.parse(wikitext)
    _prune(code, rules)
    # Headings become lines of their own even where the wikitext glues them to the next line.
    for heading in code.filter_headings(recursive=False):
        code.replace(heading, Text("\n" + heading.title.strip_code().strip() + "\n"))
    text = code.strip_code(normalize=True, collapse=True)
    return [kept for line in text.split("\n") if (kept := _finished(line, rules))]


def _scrub(line: str, rules: LinkRules) -> str:
    """Remove refs and file/category links that survived as text.

    mwparserfromhell leaves the rest of a page as plain text after markup it cannot parse (an
    unclosed tag, say), so the same rules are applied once more to the text itself.
    """
    line = REF_PAIR.sub("", REF_SELF.sub("", line))
    cut = line.find("<ref")
    if cut >= 0:
        line = line[:cut]
    line = HTML_TAG.sub("", line)
    start = line.find("[[")
    while start >= 0:
        end = closing_brackets(line, start)
        end = len(line) if end < 0 else end
        if rules.drops(line[start + 2 : end].split("|", 1)[0]):
            line = line[:start] + line[end + 2 :]
            start = line.find("[[", start)
        else:
            start = line.find("[[", start + 2)
    return line
