"""Character ids of tokens, as bilm-tf defines them: UTF-8 bytes plus five special ids.

Training and this project's model use ids 0..260 (261 rows of char_embed). The exported
options.json says 262 because bilm-tf-style loaders add 1 to every id and keep 0 for padding.
"""

from __future__ import annotations

import numpy as np

BOS_CHAR, EOS_CHAR, BOW_CHAR, EOW_CHAR, PAD_CHAR = 256, 257, 258, 259, 260
N_CHARACTERS = 261
BOS, EOS = "<S>", "</S>"


def token_char_ids(token: str, max_chars: int) -> np.ndarray:
    """[begin-word, UTF-8 bytes cut to max_chars - 2, end-word, pad...] for one token."""
    ids = np.full(max_chars, PAD_CHAR, dtype=np.int32)
    ids[0] = BOW_CHAR
    if token == BOS:
        ids[1], end = BOS_CHAR, 2
    elif token == EOS:
        ids[1], end = EOS_CHAR, 2
    else:
        # bilm-tf cuts bytes, not characters, so a multi-byte letter can be split at the end.
        raw = token.encode("utf-8", "ignore")[: max_chars - 2]
        ids[1 : 1 + len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        end = 1 + len(raw)
    ids[end] = EOW_CHAR
    return ids


def needed_width(lengths: np.ndarray, widest_filter: int, max_chars: int, multiple: int = 8) -> int:
    """Fewest leading columns of token_char_ids rows that give the character CNN's exact output.

    Past a token's end-of-word every window of a filter is all padding, so all those windows give
    one and the same value: keeping one of them (widest_filter columns after the longest token)
    leaves every max over positions as it was, and the cut columns are work saved. `lengths`
    count each row's ids before the padding. Rounded up to a `multiple`, so few shapes occur.
    """
    longest = int(lengths.max()) if len(lengths) else 0
    return min(max_chars, -(-(longest + widest_filter) // multiple) * multiple)


def split_short_long(chars: np.ndarray, widest_filter: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Rows of short tokens and rows of long ones, each group with its own needed_width.

    Most distinct tokens of a batch are short, so cutting them apart from the few long ones saves
    half or more of the character CNN's work (bench/train.py's corpus: 57% at the NorELMo config).
    The short width is fixed per filter size (tokens up to about 10 bytes), so a run sees few
    distinct shapes. Returns (short rows, long rows, short width, long width).
    """
    max_chars = chars.shape[1]
    lengths = (chars != PAD_CHAR).sum(axis=1)
    short_width = needed_width(np.array([12]), widest_filter, max_chars)
    is_short = lengths + widest_filter <= short_width
    short, long = np.flatnonzero(is_short), np.flatnonzero(~is_short)
    return short, long, short_width, needed_width(lengths[long], widest_filter, max_chars)


class CharIds:
    """Caches the character ids of tokens seen so far (a corpus repeats its tokens a lot)."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, token: str) -> np.ndarray:
        ids = self._cache.get(token)
        if ids is None:
            ids = self._cache[token] = token_char_ids(token, self.max_chars)
        return ids

    def sentence(self, tokens: list[str]) -> np.ndarray:
        """(len + 2, max_chars) ids for <S> tokens </S>."""
        return np.stack([self(t) for t in (BOS, *tokens, EOS)])
