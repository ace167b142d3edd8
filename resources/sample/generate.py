"""Write the bundled sample: a Bokmål multistream dump, a plain-text corpus, CoNLL-U files, sentiment splits and
fine-grained sentiment splits.

The sentences come from a small hand-written Bokmål lexicon and a set of sentence patterns, so
every token's lemma and part of speech is known and the CoNLL-U file is exact. The wikitext
around them exercises what real nowiki articles contain. Run from the repository root:

    python resources/sample/generate.py

Output is deterministic (fixed seed), so rerunning it reproduces the committed files byte for byte.
"""

from __future__ import annotations

import bz2
import random
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
DUMP = HERE / "nowiki-sample-pages-articles-multistream.xml.bz2"
INDEX = HERE / "nowiki-sample-pages-articles-multistream-index.txt.bz2"
NEWS = HERE / "news"
CONLLU = HERE / "bokmaal-sample.conllu"
CONLLU_TEST = HERE / "bokmaal-sample-test.conllu"
SENTIMENT = HERE / "sentiment"
FINE = HERE / "fine"
PAGES_PER_STREAM = 10


@dataclass(frozen=True)
class Tok:
    form: str
    lemma: str
    upos: str
    space_after: bool = True


# Nouns: lemma, gender, indefinite singular, definite singular, indefinite plural, definite plural.
NOUNS = [
    ("kontor", "n", "kontor", "kontoret", "kontorer", "kontorene"),
    ("by", "m", "by", "byen", "byer", "byene"),
    ("land", "n", "land", "landet", "land", "landene"),
    ("elv", "f", "elv", "elva", "elver", "elvene"),
    ("fjell", "n", "fjell", "fjellet", "fjell", "fjellene"),
    ("skole", "m", "skole", "skolen", "skoler", "skolene"),
    ("bok", "f", "bok", "boka", "bøker", "bøkene"),
    ("hus", "n", "hus", "huset", "hus", "husene"),
    ("kirke", "m", "kirke", "kirken", "kirker", "kirkene"),
    ("vei", "m", "vei", "veien", "veier", "veiene"),
    ("kommune", "m", "kommune", "kommunen", "kommuner", "kommunene"),
    ("øy", "f", "øy", "øya", "øyer", "øyene"),
    ("innsjø", "m", "innsjø", "innsjøen", "innsjøer", "innsjøene"),
    ("dal", "m", "dal", "dalen", "daler", "dalene"),
    ("båt", "m", "båt", "båten", "båter", "båtene"),
    ("stasjon", "m", "stasjon", "stasjonen", "stasjoner", "stasjonene"),
    ("universitet", "n", "universitet", "universitetet", "universiteter", "universitetene"),
    ("student", "m", "student", "studenten", "studenter", "studentene"),
    ("lærer", "m", "lærer", "læreren", "lærere", "lærerne"),
    ("forfatter", "m", "forfatter", "forfatteren", "forfattere", "forfatterne"),
    ("maler", "m", "maler", "maleren", "malere", "malerne"),
    ("maleri", "n", "maleri", "maleriet", "malerier", "maleriene"),
    ("roman", "m", "roman", "romanen", "romaner", "romanene"),
    ("skuespill", "n", "skuespill", "skuespillet", "skuespill", "skuespillene"),
    ("kyst", "m", "kyst", "kysten", "kyster", "kystene"),
    ("skog", "m", "skog", "skogen", "skoger", "skogene"),
    ("gård", "m", "gård", "gården", "gårder", "gårdene"),
    ("havn", "f", "havn", "havna", "havner", "havnene"),
    ("fabrikk", "m", "fabrikk", "fabrikken", "fabrikker", "fabrikkene"),
    ("museum", "n", "museum", "museet", "museer", "museene"),
    ("avis", "f", "avis", "avisa", "aviser", "avisene"),
    ("klubb", "m", "klubb", "klubben", "klubber", "klubbene"),
    ("kamp", "m", "kamp", "kampen", "kamper", "kampene"),
    ("bru", "f", "bru", "brua", "bruer", "bruene"),
    ("tunnel", "m", "tunnel", "tunnelen", "tunneler", "tunnelene"),
    ("innbygger", "m", "innbygger", "innbyggeren", "innbyggere", "innbyggerne"),
    ("turist", "m", "turist", "turisten", "turister", "turistene"),
    ("sang", "m", "sang", "sangen", "sanger", "sangene"),
    ("album", "n", "album", "albumet", "album", "albumene"),
    ("regjering", "f", "regjering", "regjeringa", "regjeringer", "regjeringene"),
]

# Verbs: lemma, present, past, perfect participle.
VERBS = [
    ("ligge", "ligger", "lå", "ligget"),
    ("bygge", "bygger", "bygde", "bygd"),
    ("skrive", "skriver", "skrev", "skrevet"),
    ("grunnlegge", "grunnlegger", "grunnla", "grunnlagt"),
    ("bo", "bor", "bodde", "bodd"),
    ("arbeide", "arbeider", "arbeidet", "arbeidet"),
    ("åpne", "åpner", "åpnet", "åpnet"),
    ("spille", "spiller", "spilte", "spilt"),
    ("vinne", "vinner", "vant", "vunnet"),
    ("flytte", "flytter", "flyttet", "flyttet"),
    ("besøke", "besøker", "besøkte", "besøkt"),
    ("male", "maler", "malte", "malt"),
    ("studere", "studerer", "studerte", "studert"),
    ("kjøpe", "kjøper", "kjøpte", "kjøpt"),
    ("utgi", "utgir", "utga", "utgitt"),
]

# Adjectives: lemma, masculine/feminine, neuter, plural/definite.
ADJECTIVES = [
    ("gammel", "gammel", "gammelt", "gamle"),
    ("ny", "ny", "nytt", "nye"),
    ("kjent", "kjent", "kjent", "kjente"),
    ("norsk", "norsk", "norsk", "norske"),
    ("viktig", "viktig", "viktig", "viktige"),
    ("lang", "lang", "langt", "lange"),
    ("høy", "høy", "høyt", "høye"),
    ("vakker", "vakker", "vakkert", "vakre"),
    ("stor", "stor", "stort", "store"),
    ("liten", "liten", "lite", "små"),
    ("populær", "populær", "populært", "populære"),
    ("berømt", "berømt", "berømt", "berømte"),
]

PLACES = [
    "Oslo",
    "Bergen",
    "Trondheim",
    "Tromsø",
    "Stavanger",
    "Bodø",
    "Ålesund",
    "Drammen",
    "Kristiansand",
    "Hamar",
    "Lillehammer",
    "Molde",
    "Narvik",
    "Alta",
    "Røros",
    "Voss",
    "Nordland",
    "Finnmark",
    "Telemark",
    "Vestland",
    "Innlandet",
    "Agder",
    "Troms",
    "Viken",
]
PEOPLE = [
    ("Henrik", "Ibsen"),
    ("Edvard", "Munch"),
    ("Sigrid", "Undset"),
    ("Knut", "Hamsun"),
    ("Kirsten", "Flagstad"),
    ("Fridtjof", "Nansen"),
    ("Roald", "Amundsen"),
    ("Camilla", "Collett"),
    ("Harriet", "Backer"),
    ("Ole", "Bull"),
    ("Edvard", "Grieg"),
    ("Amalie", "Skram"),
    ("Bjørnstjerne", "Bjørnson"),
    ("Tarjei", "Vesaas"),
    ("Sonja", "Henie"),
    ("Johan", "Borgen"),
]
NATURE = ["Glomma", "Mjøsa", "Galdhøpiggen", "Hardangervidda", "Jostedalsbreen", "Lofoten"]

DET_INDEF = {"m": "en", "f": "ei", "n": "et"}
DET_DEF = {"m": "den", "f": "den", "n": "det"}


def det(form: str) -> Tok:
    lemma = {"ei": "en", "et": "en", "den": "den", "det": "den", "de": "den"}.get(form, form)
    return Tok(form, lemma, "DET")


def punct(form: str, space_after: bool = True) -> Tok:
    return Tok(form, form, "PUNCT", space_after)


class SentenceMaker:
    """Random Bokmål sentences as annotated tokens."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def noun(self, number: str = "sg", definite: bool = False) -> tuple[Tok, str]:
        lemma, gender, isg, dsg, ipl, dpl = self.rng.choice(NOUNS)
        form = {("sg", False): isg, ("sg", True): dsg, ("pl", False): ipl, ("pl", True): dpl}
        return Tok(form[(number, definite)], lemma, "NOUN"), gender

    def adj(self, slot: int) -> Tok:
        entry = self.rng.choice(ADJECTIVES)
        return Tok(entry[slot], entry[0], "ADJ")

    def verb(self, tense: str) -> Tok:
        lemma, pres, past, part = self.rng.choice(VERBS)
        return Tok({"pres": pres, "past": past, "part": part}[tense], lemma, "VERB")

    def place(self) -> list[Tok]:
        return [Tok(self.rng.choice(PLACES + NATURE), "", "PROPN")]

    def person(self) -> list[Tok]:
        first, last = self.rng.choice(PEOPLE)
        return [Tok(first, first, "PROPN"), Tok(last, last, "PROPN")]

    def year(self) -> Tok:
        y = str(self.rng.randint(1200, 2020))
        return Tok(y, y, "NUM")

    def indefinite_np(self) -> list[Tok]:
        noun, gender = self.noun()
        if self.rng.random() < 0.5:
            slot = 2 if gender == "n" else 1
            return [det(DET_INDEF[gender]), self.adj(slot), noun]
        return [det(DET_INDEF[gender]), noun]

    def definite_np(self) -> list[Tok]:
        noun, gender = self.noun(definite=True)
        if self.rng.random() < 0.5:
            return [det(DET_DEF[gender]), self.adj(3), noun]
        return [noun]

    def plural_np(self) -> list[Tok]:
        noun, _ = self.noun("pl")
        if self.rng.random() < 0.4:
            return [Tok("mange", "mange", "ADJ"), noun]
        if self.rng.random() < 0.5:
            return [self.adj(3), noun]
        return [noun]

    def sentence(self, subject: list[Tok] | None = None) -> list[Tok]:
        s = subject or self.rng.choice([self.place, self.person, self.definite_np])()
        pattern = self.rng.randrange(9)
        if pattern == 0:
            body = [Tok("er", "være", "AUX"), *self.indefinite_np(), Tok("i", "i", "ADP"), *self.place()]
            toks = s + body
        elif pattern == 1:
            toks = [*self.definite_np(), Tok("ble", "bli", "AUX"), self.verb("part"), Tok("i", "i", "ADP"), self.year()]
        elif pattern == 2:
            a, b, c = self.plural_np(), self.plural_np(), self.plural_np()
            toks = s + [Tok("har", "ha", "VERB"), *a, punct(","), *b, Tok("og", "og", "CCONJ"), *c]
        elif pattern == 3:
            toks = [Tok("i", "i", "ADP"), self.year(), self.verb("past"), *s, Tok("til", "til", "ADP"), *self.place()]
        elif pattern == 4:
            toks = s + [
                self.verb("past"),
                Tok("flere", "flere", "ADJ"),
                *self.plural_np()[-1:],
                Tok("om", "om", "ADP"),
                *self.definite_np(),
            ]
        elif pattern == 5:
            year = self.year()
            toks = s + [
                Tok("har", "ha", "AUX"),
                self.verb("part"),
                *self.indefinite_np(),
                punct("(", False),
                Tok(year.form, year.lemma, "NUM", False),
                punct(")"),
            ]
        elif pattern == 6:
            toks = [
                *self.definite_np(),
                Tok("som", "som", "PRON"),
                self.verb("past"),
                *s,
                punct(","),
                Tok("er", "være", "AUX"),
                Tok("ikke", "ikke", "PART"),
                self.adj(1),
            ]
        elif pattern == 7:
            toks = [
                Tok("Det", "det", "PRON"),
                Tok("finnes", "finnes", "VERB"),
                Tok("også", "også", "ADV"),
                *self.plural_np(),
                Tok("på", "på", "ADP"),
                *self.place(),
            ]
        else:
            noun, gender = self.noun()
            toks = s + [
                Tok("var", "være", "AUX"),
                det(DET_INDEF[gender]),
                self.adj(2 if gender == "n" else 1),
                noun,
                Tok("fra", "fra", "ADP"),
                *self.place(),
            ]
        toks = [t if t.lemma or t.upos != "PROPN" else Tok(t.form, t.form, "PROPN") for t in toks]
        first = toks[0]
        toks[0] = Tok(first.form[:1].upper() + first.form[1:], first.lemma, first.upos, first.space_after)
        end = toks[-1]
        toks[-1] = Tok(end.form, end.lemma, end.upos, False)
        return toks + [punct(".", True)]


def render(tokens: list[Tok]) -> str:
    out = []
    for i, tok in enumerate(tokens):
        out.append(tok.form)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and tok.space_after and not (nxt.upos == "PUNCT" and nxt.form in ",.)"):
            out.append(" ")
    return "".join(out)


def conllu_sentence(tokens: list[Tok], sent_id: int) -> str:
    text = render(tokens)
    lines = [f"# sent_id = {sent_id}", f"# text = {text}"]
    for i, tok in enumerate(tokens, start=1):
        nxt = tokens[i] if i < len(tokens) else None
        glued = nxt is not None and (not tok.space_after or (nxt.upos == "PUNCT" and nxt.form in ",.)"))
        misc = "SpaceAfter=No" if glued else "_"
        lines.append(f"{i}\t{tok.form}\t{tok.lemma}\t{tok.upos}\t_\t_\t_\t_\t_\t{misc}")
    return "\n".join(lines) + "\n"


NAMESPACES = [
    (-2, "Medium"),
    (-1, "Spesial"),
    (0, ""),
    (1, "Diskusjon"),
    (2, "Bruker"),
    (3, "Brukerdiskusjon"),
    (4, "Wikipedia"),
    (5, "Wikipedia-diskusjon"),
    (6, "Fil"),
    (7, "Fildiskusjon"),
    (8, "MediaWiki"),
    (10, "Mal"),
    (11, "Maldiskusjon"),
    (12, "Hjelp"),
    (14, "Kategori"),
    (15, "Kategoridiskusjon"),
    (100, "Portal"),
    (828, "Modul"),
]


def siteinfo_xml() -> str:
    ns = "\n".join(
        f'      <namespace key="{k}" case="first-letter"{" /" if not n else ""}>{"" if not n else n + "</namespace>"}'
        for k, n in NAMESPACES
    )
    return (
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="0.11" xml:lang="nb">\n'
        "  <siteinfo>\n    <sitename>Wikipedia</sitename>\n    <dbname>nowiki</dbname>\n"
        "    <base>https://no.wikipedia.org/wiki/Forside</base>\n"
        "    <generator>MediaWiki 1.45.0-wmf.1</generator>\n    <case>first-letter</case>\n"
        f"    <namespaces>\n{ns}\n    </namespaces>\n  </siteinfo>\n"
    )


def page_xml(page_id: int, title: str, ns: int, text: str, redirect: str | None = None) -> str:
    red = f'    <redirect title="{escape(redirect)}" />\n' if redirect else ""
    return (
        f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{ns}</ns>\n    <id>{page_id}</id>\n{red}"
        f"    <revision>\n      <id>{page_id * 10 + 1}</id>\n      <parentid>{page_id * 10}</parentid>\n"
        "      <timestamp>2020-09-01T12:00:00Z</timestamp>\n"
        "      <contributor>\n        <username>Eksempel</username>\n        <id>42</id>\n      </contributor>\n"
        "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
        f'      <text bytes="{len(text.encode())}" xml:space="preserve">{escape(text)}</text>\n'
        "      <sha1>0000000000000000000000000000000</sha1>\n    </revision>\n  </page>\n"
    )


class ArticleWriter:
    """Wikitext articles whose prose comes from SentenceMaker, wrapped in real-world markup."""

    def __init__(self, rng: random.Random, maker: SentenceMaker):
        self.rng, self.mk = rng, maker

    def linked(self, tokens: list[Tok]) -> str:
        """Render a sentence, turning some proper names into plain or piped wikilinks."""
        words = []
        for tok in tokens:
            if tok.upos == "PROPN" and self.rng.random() < 0.6:
                if tok.form not in PLACES or self.rng.random() < 0.5:
                    words.append(Tok(f"[[{tok.form}]]", tok.lemma, tok.upos, tok.space_after))
                else:
                    words.append(Tok(f"[[{tok.form} kommune|{tok.form}]]", tok.lemma, tok.upos, tok.space_after))
            elif tok.upos == "NOUN" and self.rng.random() < 0.15:
                words.append(Tok(f"[[{tok.lemma}|{tok.form}]]", tok.lemma, tok.upos, tok.space_after))
            else:
                words.append(tok)
        return render(words)

    def paragraph(self, n: int, subject: list[Tok] | None = None) -> str:
        sents = []
        for i in range(n):
            s = self.linked(self.mk.sentence(subject if i == 0 else None))
            roll = self.rng.random()
            if roll < 0.15:
                s = s[:-1] + f"<ref>{{{{Kilde www|url=https://example.no/{i}|tittel=Kilde {i}}}}}</ref>."
            elif roll < 0.22:
                s += '<ref name="snl" />'
            elif roll < 0.28:
                s += " <!-- må sjekkes -->"
            sents.append(s)
        return " ".join(sents)

    def article(self, title: str, subject: list[Tok]) -> str:
        rng = self.rng
        parts = []
        if rng.random() < 0.6:
            parts.append(
                "{{Infoboks sted\n| navn = "
                + title
                + "\n| bilde = "
                + title.replace(" ", "_")
                + ".jpg"
                + "\n| innbyggere = {{formatnum:"
                + str(rng.randint(1000, 700000))
                + "}}"
                + "\n| areal = {{Enhet|"
                + str(rng.randint(10, 900))
                + "|km2}}\n}}"
            )
        if rng.random() < 0.3:
            parts.append("{{Fotnoteboks|{{Trenger referanse|dato=2020}}}}")
        lead = self.paragraph(rng.randint(2, 4), subject)
        lead = lead.replace(title, f"'''{title}'''", 1)
        parts.append(lead)
        if rng.random() < 0.5:
            parts.append(
                f"[[Fil:{title.replace(' ', '_')}.jpg|mini|{rng.randint(150, 300)}px|"
                f"Utsikt over [[{rng.choice(PLACES)}]] om vinteren]]"
            )
        parts.append("== Historie ==")
        parts.append(self.paragraph(rng.randint(2, 4)))
        if rng.random() < 0.4:
            prefix = rng.choice(["Bilde", "File"])
            parts.append(f"[[{prefix}:Kart over {rng.choice(PLACES)}.png|thumb|left|Kart]]")
        parts.append(self.paragraph(rng.randint(1, 3)) + "&nbsp;" + self.paragraph(1))
        if rng.random() < 0.5:
            rows = "\n".join(f"|-\n| {1900 + 10 * k} || {{{{formatnum:{rng.randint(1000, 90000)}}}}}" for k in range(3))
            parts.append('{| class="wikitable"\n|+ Folketall\n! År !! Innbyggere\n' + rows + "\n|}")
        parts.append("=== Kultur ===")
        items = [f"* {self.linked(self.mk.sentence())}" for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.5:
            items += [f"# {render(self.mk.sentence())}" for _ in range(2)]
        parts.append("\n".join(items))
        if rng.random() < 0.3:
            parts.append("Formelen <math>x^2 + y^2 = r^2</math> beskriver en sirkel.")
        if rng.random() < 0.3:
            parts.append("Koden <nowiki>[[ikke en lenke]]</nowiki> vises som tekst.")
        if rng.random() < 0.3:
            parts.append(f"{{{{Sitat|{render(self.mk.sentence())}|{{{{Forfatter|{' '.join(rng.choice(PEOPLE))}}}}}}}}}")
        parts.append("== Referanser ==\n<references />")
        parts.append(
            "== Eksterne lenker ==\n* [https://snl.no/"
            + title.replace(" ", "_")
            + " Store norske leksikon]\n* {{Offisielt nettsted}}"
        )
        parts.append("{{Autoritetsdata}}\n{{Norske byer}}")
        parts.append(
            f"[[Kategori:{rng.choice(['Byer i Norge', 'Personer', 'Geografi'])}]]\n"
            f"[[Kategori:Artikler fra {rng.choice(PLACES)}|{title}]]"
        )
        parts.append(f"[[en:{title}]]\n[[sv:{title}]]\n[[nn:{title}]]")
        return "\n\n".join(parts)


def build_pages(rng: random.Random) -> list[tuple[int, str, int, str, str | None]]:
    maker = SentenceMaker(rng)
    writer = ArticleWriter(rng, maker)
    subjects = [([Tok(p, p, "PROPN")], p) for p in PLACES + NATURE]
    subjects += [([Tok(f, f, "PROPN"), Tok(s, s, "PROPN")], f"{f} {s}") for f, s in PEOPLE]
    for lemma, _, isg, *_ in NOUNS[:40]:
        subjects.append(([Tok(isg.capitalize(), lemma, "NOUN")], isg.capitalize()))
    pages = []
    page_id = 100
    for subject, title in subjects:
        page_id += rng.randint(1, 7)
        pages.append((page_id, title, 0, writer.article(title, subject), None))
        if rng.random() < 0.25:
            page_id += 1
            target = title
            pages.append((page_id, title + " (omdirigering)", 0, f"#OMDIRIGERING [[{target}]]", target))
    extra = [
        (10, "Mal:Infoboks sted", '{| class="infobox"\n! {{{navn}}}\n|}<noinclude>[[Kategori:Maler]]</noinclude>'),
        (14, "Kategori:Byer i Norge", "Denne kategorien samler artikler om byer i Norge.\n[[Kategori:Geografi]]"),
        (2, "Bruker:Eksempel", "Hei! Jeg skriver om norske byer."),
        (4, "Wikipedia:Sandkasse", "Prøv deg fram her."),
        (6, "Fil:Oslo.jpg", "== Beskrivelse ==\nEt bilde av Oslo.\n{{Lisens|CC-BY-SA}}"),
        (1, "Diskusjon:Oslo", "Er tallene riktige? ~~~~"),
        (828, "Modul:Enhet", "local p = {}\nreturn p"),
    ]
    for ns, title, text in extra:
        page_id += 3
        pages.append((page_id, title, ns, text, None))
    rng.shuffle(pages)
    return sorted(pages, key=lambda p: p[0])


def write_dump(pages) -> None:
    """Multistream layout: header stream, one stream per PAGES_PER_STREAM pages, footer stream."""
    blob = bytearray(bz2.compress(siteinfo_xml().encode()))
    index_lines = []
    for start in range(0, len(pages), PAGES_PER_STREAM):
        offset = len(blob)
        chunk = pages[start : start + PAGES_PER_STREAM]
        blob += bz2.compress("".join(page_xml(*p) for p in chunk).encode())
        index_lines += [f"{offset}:{p[0]}:{p[1]}" for p in chunk]
    blob += bz2.compress(b"</mediawiki>\n")
    DUMP.write_bytes(bytes(blob))
    INDEX.write_bytes(bz2.compress(("\n".join(index_lines) + "\n").encode()))


def write_news(rng: random.Random) -> None:
    """A plain-text 'newspaper' corpus: one paragraph per line, a blank line between articles."""
    maker = SentenceMaker(rng)
    NEWS.mkdir(exist_ok=True)
    for f in range(2):
        docs = []
        for _ in range(20):
            paras = [
                " ".join(render(maker.sentence()) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(1, 4))
            ]
            docs.append("\n".join(paras))
        (NEWS / f"avis-{f + 1}.txt").write_text("\n\n".join(docs) + "\n", encoding="utf-8")


def write_conllu(rng: random.Random, n: int = 400, path: Path = CONLLU) -> None:
    maker = SentenceMaker(rng)
    out = ["# newdoc id = sample\n"]
    for i in range(n):
        if i % 5 == 0:
            out.append("# newpar\n")
        out.append(conllu_sentence(maker.sentence(), i + 1) + "\n")
    path.write_text("".join(out), encoding="utf-8")


# Verdicts that decide a sample sentence's sentiment label, as NoReC_sentence labels review sentences.
POSITIVE = ["god", "flott", "fin", "strålende", "morsom", "spennende"]
NEGATIVE = ["dårlig", "kjedelig", "svak", "elendig", "trist", "slitsom"]


def write_sentiment(rng: random.Random, sizes: dict[str, int]) -> None:
    """NoReC_sentence-shaped splits: a JSON list of {sent_id, text, label}, text tokenized (split on spaces)."""
    import json

    maker = SentenceMaker(rng)
    SENTIMENT.mkdir(exist_ok=True)
    for split, n in sizes.items():
        items = []
        for i in range(n):
            label = rng.choice(["Positive", "Negative"])
            verdict = rng.choice(POSITIVE if label == "Positive" else NEGATIVE)
            tokens = [t.form for t in maker.sentence()[:-1]] + [",", "og", "det", "var", verdict, "."]
            items.append({"sent_id": f"sample-{split}-{i:03d}", "text": " ".join(tokens), "label": label})
        (SENTIMENT / f"{split}.json").write_text(
            json.dumps(items, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
        )


def _span(tokens: list[str], part: tuple[int, int] | None) -> list[list[str]]:
    """NoReC_fine's [[string], ["start:end"]] of tokens[part[0]:part[1]] in the text they make joined by spaces."""
    if part is None:
        return [[], []]
    b = sum(len(t) + 1 for t in tokens[: part[0]])
    text = " ".join(tokens[part[0] : part[1]])
    return [[text], [f"{b}:{b + len(text)}"]]


def write_fine(rng: random.Random, sizes: dict[str, int]) -> None:
    """NoReC_fine-shaped splits: sentences whose closing clause holds 0 to 2 opinions, each a polar expression (a
    verdict, sometimes with `svært`), the target it is about and sometimes a holder, as character offsets."""
    import json

    maker = SentenceMaker(rng)
    FINE.mkdir(exist_ok=True)
    for split, n in sizes.items():
        items = []
        for i in range(n):
            tokens = [t.form for t in maker.sentence()[:-1]]
            spans = []  # per opinion: (holder, target, expression) token ranges, polarity
            for _ in range(rng.choice([0, 1, 1, 2])):
                tokens += [",", rng.choice(["og", "men"])]
                holder = None
                if rng.random() < 0.4:
                    holder = (len(tokens), len(tokens) + 1)
                    tokens += [maker.person()[0].form, "synes"]
                target = (len(tokens), len(tokens) + 1)
                tokens += [maker.noun(definite=True)[0].form, rng.choice(["er", "var"])]
                polarity = rng.choice(["Positive", "Negative"])
                start = len(tokens)
                if rng.random() < 0.3:
                    tokens.append("svært")
                tokens.append(rng.choice(POSITIVE if polarity == "Positive" else NEGATIVE))
                spans.append((holder, target, (start, len(tokens)), polarity))
            tokens.append(".")
            opinions = [
                {"Source": _span(tokens, h), "Target": _span(tokens, t), "Polar_expression": _span(tokens, x),
                 "Polarity": p}
                for h, t, x, p in spans
            ]  # fmt: skip
            items.append({"sent_id": f"sample-fine-{split}-{i:03d}", "text": " ".join(tokens), "opinions": opinions})
        (FINE / f"{split}.json").write_text(json.dumps(items, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def main() -> None:
    write_dump(build_pages(random.Random(2020)))
    write_news(random.Random(1814))
    write_conllu(random.Random(1905))
    # Unseen sentences of the same grammar: what the sample's part-of-speech task is scored on.
    write_conllu(random.Random(1906), 100, CONLLU_TEST)
    write_sentiment(random.Random(1945), {"train": 200, "dev": 60, "test": 60})
    write_fine(random.Random(2021), {"train": 200, "dev": 60, "test": 60})


if __name__ == "__main__":
    main()
