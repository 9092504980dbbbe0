"""Offline suggestions of similar contributions: normalised, stemmed German text compared with rapidfuzz.

Nothing leaves the server. Each text becomes its sorted set of stems (lower case, umlauts folded, stop words
dropped, Snowball's German stemmer); rapidfuzz compares each text with every later one, and pairs above the
threshold are joined into clusters (union-find). 2,000 contributions take well under a few seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import snowballstemmer
from rapidfuzz import fuzz, process

THRESHOLD = 70
_WORD = re.compile(r"[a-zäöüß]+")
_STOP = frozenset(
    "der die das und oder ein eine einer eines einem einen ist sind war wird werden wurde nicht auch auf aus bei"
    " mit nach von vor zu zum zur im in am an als wie so dass da den dem des es er sie wir ihr ich man sich für"
    " über unter um noch nur sehr mehr bitte hier dort diese dieser dieses bei kein keine sollte sollten soll"
    " kann können muss müssen the and of to a in is".split()
)
_stemmer = snowballstemmer.stemmer("german")


def normalise(text: str) -> str:
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2]
    return " ".join(sorted(set(_stemmer.stemWords(words))))


def clusters(items: Sequence[tuple[int, str]], threshold: int = THRESHOLD) -> list[list[int]]:
    """Groups (of at least two ids) of texts similar to each other, largest first."""
    if len(items) < 2:
        return []
    ids = [i for i, _ in items]
    texts = [normalise(t) for _, t in items]
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in range(len(ids) - 1):
        if not texts[a]:
            continue
        later = texts[a + 1 :]
        for _text, _score, offset in process.extract(
            texts[a], later, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        ):
            if later[offset]:
                parent[root(a)] = root(a + 1 + offset)
    groups: dict[int, list[int]] = {}
    for index, item_id in enumerate(ids):
        groups.setdefault(root(index), []).append(item_id)
    found = [sorted(g) for g in groups.values() if len(g) > 1]
    return sorted(found, key=lambda g: (-len(g), g[0]))
