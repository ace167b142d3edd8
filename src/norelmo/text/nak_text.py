"""What an article of the Norwegian Newspaper Corpus says, in each of its three text forms, and how its bytes decode.

- XML, one article a file (1998-2011 section 3, 2012-2019): the `div`s of type title, caption and text, a paragraph
  per `p` (NorBERT preprocessing/process_xml_nak.py).
- Token per line (1998-2005, section 1): a `<U...>` line starts an article, other `<...>` lines are markup, `|`
  lines are skipped, `.` `!` `?` `¶` end a sentence (NorBERT preprocessing/detokenize.py).
- Running text (2005-2011, section 2): a `##U...>` line starts an article, other `##...>` lines are headers, `¶` is
  dropped, lines of one word are skipped, tags are stripped (NorBERT preprocessing/process_txt_nak.py).

Encodings: the files are documented as Latin-1 and the XML declares ISO-8859-1, but NbAiLab/notram's scripts
found "a mix of iso-8859-1 and utf-8". Norwegian Latin-1 text is never valid UTF-8 (æ, ø, å are lone bytes of
0xE0-0xFF), so bytes that are valid UTF-8 and not pure ASCII are UTF-8, whatever the declaration says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree

ARTICLE_DIVS = {"title", "caption", "text"}
SENTENCE_ENDS = {".", "!", "?", "¶"}
# Detokenizing the 1998-2005 token-per-line text only has to give UDPipe running text, which it tokenizes
# again: no space before closing punctuation, none after opening brackets and quotes.
NO_SPACE_BEFORE = {".", ",", ":", ";", "!", "?", ")", "]", "}", "»", "”", "%"}
NO_SPACE_AFTER = {"(", "[", "{", "«", "“"}
TAG = re.compile(r"<[^>]*>")
XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
TEXT_ENCODING = "latin-1"  # what the corpus's text files are documented to be


def decoded(data: bytes, declared: str) -> tuple[str, bool]:
    """The text of `data` and whether it was decoded against `declared`: as UTF-8 where the bytes are valid UTF-8
    holding non-ASCII letters, as Latin-1 where UTF-8 is declared but the bytes are not UTF-8, else as declared."""
    declared_utf8 = declared.lower().replace("_", "-") in ("utf-8", "utf8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return (data.decode("latin-1"), True) if declared_utf8 else (data.decode(declared), False)
    return text, not declared_utf8 and not text.isascii()


def xml_paragraphs(data: bytes) -> tuple[list[str], bool]:
    """Title, caption and body of an XML article, a paragraph per `p` (a div without any: its own text), and
    whether its bytes were decoded against its declaration. Raises ElementTree.ParseError where it is not XML."""
    head = XML_DECLARATION.match(data)
    declared = DECLARED_ENCODING.search(head.group(0)) if head else None
    body = data[head.end() :] if head else data
    try:
        text, against = decoded(body, declared.group(1).decode() if declared else "utf-8")
    except LookupError as exc:  # an encoding Python does not know: as unreadable as bad XML
        raise ElementTree.ParseError(str(exc)) from exc
    root = ElementTree.fromstring(text)
    paragraphs = []
    for div in root.iter("div"):
        if div.get("type") not in ARTICLE_DIVS:
            continue
        ps = list(div.iter("p"))
        for para in ("".join(p.itertext()) for p in ps) if ps else ["".join(div.itertext())]:
            para = " ".join(para.split())
            if para:
                paragraphs.append(para)
    return paragraphs, against


def detokenized(tokens: list[str]) -> str:
    out = ""
    for token in tokens:
        if out and token not in NO_SPACE_BEFORE and out[-1] not in NO_SPACE_AFTER:
            out += " "
        out += token
    return out


def is_token_text(head: bytes) -> bool:
    """Whether a file beginning with `head` is token-per-line text (its first line a `<U...>` header)."""
    return head.lstrip().startswith(b"<U")


def is_running_text(head: bytes) -> bool:
    """Whether a file beginning with `head` is `##`-headed running text."""
    return head.lstrip().startswith(b"##")


def token_articles(lines: Iterator[bytes]) -> Iterator[list[bytes]]:
    """The raw lines of each article of a token-per-line stream (`<U...>` starts one)."""
    article: list[bytes] = []
    for raw in lines:
        if raw.startswith(b"<U"):
            if article:
                yield article
            article = []
        else:
            article.append(raw)
    if article:
        yield article


def token_paragraphs(lines: list[bytes]) -> tuple[list[str], bool]:
    """An article of one token per line as sentences of running text, a sentence a paragraph, and whether it was
    decoded against the corpus's Latin-1."""
    text, against = decoded(b"".join(lines), TEXT_ENCODING)
    paragraphs, sentence = [], []
    for token in (line.strip() for line in text.split("\n")):
        if not token or token == "|" or (token.startswith("<") and token.endswith(">")):
            continue
        if token != "¶":
            sentence.append(token)
        if token in SENTENCE_ENDS and sentence:
            paragraphs.append(detokenized(sentence))
            sentence = []
    if sentence:
        paragraphs.append(detokenized(sentence))
    return paragraphs, against


def running_articles(lines: Iterator[bytes]) -> Iterator[list[bytes]]:
    """The raw lines of each article of 2005-2011 running text (`##U...>` starts one; other headers go)."""
    article: list[bytes] = []
    for raw in lines:
        line = raw.strip()
        if line.startswith(b"##") and line.endswith(b">"):
            if line.startswith(b"##U") and article:
                yield article
                article = []
            continue
        article.append(line)
    if article:
        yield article


def running_paragraphs(lines: list[bytes]) -> tuple[list[str], bool]:
    text, against = decoded(b"\n".join(lines), TEXT_ENCODING)
    paragraphs = []
    for line in text.split("\n"):
        line = " ".join(TAG.sub("", line.replace("¶", "")).split())
        if line != "|" and len(line.split()) > 1:
            paragraphs.append(line)
    return paragraphs, against
