"""Words for full-text search, the same on every database: pure functions, no Flask, no session.

A practice's texts are cut into words, accents folded (``è`` → ``e``, ``ø`` → ``o``), and each
word stemmed with the Snowball stemmer of the text's language (Italian "fiera" and "fiere" both
become ``fier``). The stored ``Practice.search_document`` holds these stems; SQLite FTS5 and a
PostgreSQL GIN index are built from it. A query word is stemmed in every language we support and
matches when any of its forms does, so "fiere" finds an Italian fair and "fairs" an English one.

Only letters and digits reach the database's query language: quotes, ``NEAR(``, ``AND OR NOT``,
``*`` and backslashes are separators, so no query text can be an FTS syntax error.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import snowballstemmer

STEMMER_LANGUAGES = {"en": "english", "it": "italian", "da": "danish", "de": "german"}
#: Letters that do not decompose into a base letter and an accent.
_SPECIAL = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe",
                          "’": " ", "'": " "})
_WORD = re.compile(r"[a-z0-9]+")
#: Operator words of FTS5 and tsquery: searched for as words would be meaningless; dropped.
_OPERATORS = {"and", "or", "not", "near"}
MAX_QUERY_WORDS = 12


def fold(text: str) -> str:
    """Lower case without accents: ``"Città Ærø"`` → ``"citta aero"``."""
    text = unicodedata.normalize("NFKD", (text or "").lower().translate(_SPECIAL))
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits only)."""
    return _WORD.findall(fold(text))


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMER_LANGUAGES.get(language, "english"))


@lru_cache(maxsize=8192)
def stem(word: str, language: str) -> str:
    """One word's stem, remembered: a query's words are stemmed in every language, several times
    per request (the Snowball stemmers are pure Python: ~1 ms a word)."""
    return _stemmer(language).stemWord(word)


def stems(text: str, language: str) -> list[str]:
    """The stems of a text's words in its language."""
    stemmer = _stemmer(language)
    return [stemmer.stemWord(w) for w in words(text)]


def document(texts: list[tuple[str, str]]) -> str:
    """The search document for ``[(text, language), ...]``: stems separated by spaces."""
    return " ".join(" ".join(stems(text, language)) for text, language in texts if text)


def query_words(query: str) -> list[list[str]]:
    """Each word of a query with its possible stems in every language (at most 12 words).

    ``[["fier", "fiere"], ...]``: a practice matches when, for every word, one of its forms is in
    the document."""
    result: list[list[str]] = []
    for word in words(query):
        if word in _OPERATORS and len(words(query)) > 1:
            continue
        forms = sorted({stem(word, language) for language in STEMMER_LANGUAGES} | {word})
        if forms not in result:
            result.append(forms)
    return result[:MAX_QUERY_WORDS]
