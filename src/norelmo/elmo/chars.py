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
