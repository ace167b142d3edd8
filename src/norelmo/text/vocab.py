"""Token counts per shard, merged into the ELMo vocabulary: <S>, </S>, <UNK>, then by frequency."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..atomic import atomic_json, atomic_path, atomic_text
from ..errors import NorelmoError

SPECIALS = ("<S>", "</S>", "<UNK>")


def count_tokens(paths: Iterable[Path]) -> tuple[Counter, int]:
    """Token counts and sentence count of tokenized files, read line by line (never whole)."""
    counts, sentences = Counter(), 0
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                tokens = line.split()
                if tokens:
                    counts.update(tokens)
                    sentences += 1
    return counts, sentences


def write_counts(counts: Counter, sentences: int, out: Path) -> None:
    """A counts TSV: a `#sentences` header line, then `token<TAB>count` lines."""
    with atomic_text(out) as fh:
        fh.write(f"#sentences\t{sentences}\n")
        for token, n in counts.items():
            fh.write(f"{token}\t{n}\n")


def read_counts(path: Path) -> tuple[Counter, int]:
    counts, sentences = Counter(), 0
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            token, sep, n = line.rstrip("\n").rpartition("\t")
            if not sep or not n.isdigit():
                raise NorelmoError(f"{path}:{lineno}: expected 'token<TAB>count'")
            if lineno == 1 and token == "#sentences":
                sentences = int(n)
            else:
                counts[token] += int(n)
    return counts, sentences


def ranked(counts: Counter) -> list[tuple[str, int]]:
    """Tokens by descending count, ties broken by the token itself so the order is reproducible."""
    return sorted(((t, n) for t, n in counts.items() if t not in SPECIALS), key=lambda tn: (-tn[1], tn[0]))


def build_vocabulary(count_files: Iterable[Path], size: int, out_dir: Path) -> dict:
    """Merge shard counts; write vocab.txt (specials + top `size`), vocab.tsv, stats.json, rank-frequency.png."""
    total, sentences = Counter(), 0
    for path in count_files:
        c, s = read_counts(path)
        total.update(c)
        sentences += s
    order = ranked(total)
    if not order:
        raise NorelmoError("the tokenized corpus is empty: no tokens to build a vocabulary from")
    kept = order[:size]
    n_tokens = sum(total.values())
    stats = {
        "tokens": n_tokens,
        "sentences": sentences,
        "types": len(order),
        "vocab_size": len(SPECIALS) + len(kept),
        "coverage": sum(n for _, n in kept) / n_tokens,
        "n_train_tokens": n_tokens,
    }
    out_dir = Path(out_dir)
    with atomic_text(out_dir / "vocab.txt") as fh:
        fh.write("\n".join([*SPECIALS, *(t for t, _ in kept)]) + "\n")
    with atomic_text(out_dir / "vocab.tsv") as fh:
        fh.writelines(f"{t}\t{n}\n" for t, n in order)
    atomic_json(out_dir / "stats.json", stats)
    plot_rank_frequency([n for _, n in order], size, out_dir / "rank-frequency.png")
    return stats


def plot_rank_frequency(freqs: list[int], cut: int, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(range(1, len(freqs) + 1), freqs, lw=1)
    if cut < len(freqs):
        ax.axvline(cut, color="tab:red", ls="--", label=f"vocabulary cut ({cut:,})")
        ax.legend()
    ax.set_xlabel("rank")
    ax.set_ylabel("count")
    ax.set_title("Token rank-frequency")
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)


def read_vocabulary(path: Path) -> list[str]:
    """vocab.txt as a list; it must hold the three special tokens."""
    words = Path(path).read_text(encoding="utf-8").split("\n")
    words = [w for w in words if w]
    missing = [s for s in SPECIALS if s not in words]
    if missing:
        raise NorelmoError(f"{path}: vocabulary lacks {', '.join(missing)}")
    seen: set[str] = set()
    for lineno, word in enumerate(words, start=1):
        if word in seen:
            raise NorelmoError(f"{path}:{lineno}: {word!r} is listed twice")
        seen.add(word)
    return words
