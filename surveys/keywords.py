"""Keyword frequencies of German free texts: words lower-cased, stop words dropped, stemmed (Snowball, offline).

Each stem is shown as the word form that occurred most often for it, so "Genehmigungen" and "Genehmigung" count
together and read as a word.
"""

from __future__ import annotations

import re
from collections import Counter

import snowballstemmer

WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
STOP_WORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderen anderer anderes auch auf aus bei beim
    bin bis bist da dabei damit dann das dass dem den denn der des deshalb die dies diese diesem diesen dieser
    dieses doch dort du durch ein eine einem einen einer eines einige er es etwas euch für gab gibt ganz gar gegen
    gewesen habe haben hat hatte hätte hier hin ich ihm ihn ihnen ihr ihre ihrem ihren ihrer im immer in ist ja
    jede jedem jeden jeder jetzt kann kein keine keinen können könnte man manche mehr mein meine mit muss müssen
    nach nicht nichts noch nun nur ob oder ohne schon sehr sein seine sich sie sind so solche soll sollte sondern
    sowie über um und uns unser unsere unter viel vom von vor war waren warum was weil weiter welche wenn wer
    werden wie wieder will wir wird wo wurde würde zu zum zur zwar zwischen gut gute guten etwa bitte einfach
    """.split()
)
_stemmer = snowballstemmer.stemmer("german")


def frequencies(texts: list[str], limit: int = 30) -> list[tuple[str, int]]:
    """The most frequent stems as (word, count), most frequent first."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for word in WORD.findall(text.lower()):
            if word in STOP_WORDS:
                continue
            stem = _stemmer.stemWord(word)
            counts[stem] += 1
            forms.setdefault(stem, Counter())[word] += 1
    return [(forms[stem].most_common(1)[0][0], n) for stem, n in counts.most_common(limit)]
