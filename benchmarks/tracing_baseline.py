"""A Primero-style tracing matcher, the baseline of benchmarks/tracing.py.

Primero (the UNICEF/IRC case-management system) matches a tracing request against cases by
full-text search: Solr scores each case on the request's name, sex, age and relatives' names
with per-field boosts; the scores are divided by the top score, and a match is shown as
"likely" when its normalised score is above LIKELY of the mean gap. Its text analysis folds
case and strips Arabic short vowels (harakat), and nothing else: no transliteration between
scripts, no spelling variants. This reimplements that scoring on our persons, with TF-IDF
weights (Solr's default similarity) in a sparse matrix so it runs on 100,000 persons:

- name: each token of the sought name that a person's names contain, weight NAME × idf;
- mother: each token of the mother's name in the person's mothers' names, MOTHER × idf;
- sex equal: SEX; age (the report's age, or the year before last seen minus the birth year)
  within AGE_WINDOW years of a record's age: AGE (Primero compares ages as given).

Reading of "likely": a candidate is likely when its normalised score is at least
1 - LIKELY × (mean gap), the mean gap being the mean of 1 - normalised score over the case's
candidates: the top candidate always is, others only when close to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

NAME, MOTHER, SEX, AGE = 3.0, 1.5, 0.5, 0.5
AGE_WINDOW = 5
LIKELY = 0.7
SHORTLIST = 200
HARAKAT = re.compile("[\u064b-\u0652\u0670]")


def tokens(text: str | None) -> list[str]:
    """Lower case, Arabic short vowels stripped, split on anything not a letter."""
    if not text:
        return []
    return [t for t in re.split(r"[^\w]+", HARAKAT.sub("", text).lower()) if t and not t.isdigit()]


@dataclass(frozen=True)
class Person:
    """What the baseline indexes of one person: all its records' names and mothers' names,
    its sexes and ages."""

    names: str
    mothers: str
    sexes: frozenset[str]
    ages: tuple[int, ...]


@dataclass(frozen=True)
class Query:
    name: str
    mother: str | None
    sex: str | None
    age: int | None


def _matrix(docs: Sequence[list[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for i, doc in enumerate(docs):
        for t in set(doc):
            j = vocabulary.setdefault(t, len(vocabulary))
            rows.append(i)
            cols.append(j)
    return sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(docs), max(len(vocabulary), 1))
    )


class Baseline:
    def __init__(self, persons: Sequence[Person]) -> None:
        self.persons = persons
        self.vocabulary: dict[str, int] = {}
        names = [tokens(p.names) for p in persons]
        mothers = [tokens(p.mothers) for p in persons]
        self.names = _matrix(names, self.vocabulary)
        self.mothers = _matrix(mothers, self.vocabulary)
        size = len(self.vocabulary)
        self.names.resize((len(persons), size))
        self.mothers.resize((len(persons), size))
        df = np.asarray((self.names + self.mothers).astype(bool).sum(axis=0)).ravel()
        self.idf = np.log(1 + len(persons) / (1 + df))

    def _vector(self, words: list[str], weight: float) -> sparse.csr_matrix:
        cols = sorted({self.vocabulary[t] for t in words if t in self.vocabulary})
        values = weight * self.idf[cols]
        return sparse.csr_matrix((values, ([0] * len(cols), cols)), shape=(1, len(self.vocabulary)))

    def rank(self, query: Query) -> list[tuple[int, float, bool]]:
        """(person index, normalised score, likely), best first."""
        score = self.names @ self._vector(tokens(query.name), NAME).T
        if query.mother:
            score = score + self.mothers @ self._vector(tokens(query.mother), MOTHER).T
        dense = np.asarray(score.todense()).ravel()
        shortlist = np.argsort(-dense)[:SHORTLIST]
        shortlist = shortlist[dense[shortlist] > 0]
        scored = []
        for i in shortlist.tolist():
            s = float(dense[i])
            person = self.persons[i]
            if query.sex and query.sex in person.sexes:
                s += SEX
            if query.age is not None and any(abs(a - query.age) <= AGE_WINDOW for a in person.ages):
                s += AGE
            scored.append((i, s))
        if not scored:
            return []
        scored.sort(key=lambda x: -x[1])
        top = scored[0][1]
        normalised = [(i, s / top) for i, s in scored]
        gap = float(np.mean([1 - n for _, n in normalised]))
        return [(i, n, n >= 1 - LIKELY * gap) for i, n in normalised]
