"""The doorway gate against a reviewer's labels, on the projects of the corpus's tuning split (tests/gate_corpus/tune/):
each is built as a user builds it, and every labelled page the gate judges as the reviewer does today must stay so.

Only the clear cases are asserted: the pages the gate is known to judge otherwise (listed below, with why) are left
out, so that a change which fixes one of them does not fail here, and a change that breaks any other does. The
figures for the whole corpus, and the held-out split, are bench/gate_eval.py's."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.gate_eval import load_split, read_verdicts
from generator.build import build
from tests.projects import copy_project

TUNE = {project.name: (project, labels) for project, labels in load_split("tune")}

# Judged otherwise than the reviewer today, for reasons the gate cannot see (yet).
KNOWN_MISSES = {
    "t7-marlbury/areas/aldbury/": "a description of the village written for it alone: own text, but not useful",
    "t7-marlbury/areas/burbage-down/": "the same kind of village description",
    "t8-wickham/areas/soberton-heath/": "24 specific words: under the 30 words of min_unique_words",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TUNE))
def test_the_gate_judges_the_clear_cases_as_the_reviewer(name: str, tmp_path: Path):
    project, labels = TUNE[name]
    copy = copy_project(project, tmp_path / name)
    build(copy)
    verdicts, odd = read_verdicts(copy / "output", sorted(labels))
    assert odd == []   # noindex and the sitemap agree on every page
    clear = {url: label["verdict"] for url, label in labels.items() if f"{name}{url}" not in KNOWN_MISSES}
    assert {"hold", "publish"} <= set(clear.values())   # both kinds of page are asserted
    wrong = {url: f"labelled {want} ({labels[url]['reason']}), gate {verdicts[url]}"
             for url, want in clear.items() if verdicts[url] != want}
    assert wrong == {}


def test_every_project_of_the_corpus_has_a_label_for_each_page_and_both_kinds():
    for split in ("tune", "heldout"):
        projects = load_split(split)
        assert projects, split
        for project, labels in projects:
            verdicts = {label["verdict"] for label in labels.values()}
            assert verdicts == {"hold", "publish"}, project.name
            assert all(url.startswith("/") and url.endswith("/") for url in labels), project.name
