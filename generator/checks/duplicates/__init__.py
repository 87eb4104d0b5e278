"""Duplicate and thin content: exact duplicates, a page's own text (thin pages), near duplicates in clusters.

One job per module, in the order a check uses them:

    text.py     words, the mask of inserted values, 4-word shingles and their hashes
    index.py    DuplicateIndex: pages collected as lists of blocks (worker processes send their blocks in
                batches), then judged together in `finish`
    tables.py   the index as flat arrays: each page's blocks, each block's set of shingles
    own.py      boilerplate, a page's own text, thin pages, and which pages stay indexable (the fixpoint)
    minhash.py  MinHash signatures and LSH candidates
    near.py     near duplicates among the indexable pages, confirmed by exact Jaccard, in clusters
    explain.py  why two pages are alike, in words
    arrays.py   numeric helpers over sorted arrays
    results.py  the settings and what the check finds

How it stays fast: a page is kept as the list of its blocks, and each distinct block (its words, its shingle
hashes) once for the whole site, so the work grows with the distinct text rather than with pages x text (a
treatment's paragraphs sit on every area's page); every figure is the one the definitions in own.py and near.py
give (tests/test_checks_duplicates.py checks them against plain set arithmetic).
"""

from generator.checks.duplicates.arrays import distinct, lookup
from generator.checks.duplicates.explain import describe_differences, differences
from generator.checks.duplicates.index import BlockBatch, DuplicateIndex, Prepared
from generator.checks.duplicates.minhash import BANDS, BINS, ROWS, minhash
from generator.checks.duplicates.own import MIN_PAGES_FOR_BOILERPLATE
from generator.checks.duplicates.results import Cluster, DuplicateResult, DuplicateSettings, PageStats
from generator.checks.duplicates.text import SHINGLE, Masker, words

__all__ = ["BANDS", "BINS", "ROWS", "SHINGLE", "MIN_PAGES_FOR_BOILERPLATE", "BlockBatch", "Cluster",
           "DuplicateIndex", "DuplicateResult", "DuplicateSettings", "Masker", "PageStats", "Prepared",
           "describe_differences", "differences", "distinct", "lookup", "minhash", "words"]
