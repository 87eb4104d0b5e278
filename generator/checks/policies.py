"""The site's say over the checks (site.yaml `checks:`): what each rule's findings become (its policy: fail, warn,
demote, skip) and which page is excused from which rule (waivers), both checked against the rules a run knows."""

from __future__ import annotations

from generator.checks.claims import ClaimRule
from generator.checks.content import RULES as CONTENT_RULES
from generator.checks.facts import PageWaiver, SiteFacts
from generator.checks.seo.rules import RULES as SEO_RULES
from generator.data import SITE_FILE
from generator.errors import DataError, Problem
from generator.model import CheckSettings
from generator.text import did_you_mean

DUPLICATE_RULES: dict[str, tuple[str, str]] = {
    "duplicates.exact": ("fail", "give each page text of its own, or stop generating the copies"),
    "duplicates.near": ("fail", "give each page text written for it (locations.yaml `landing_pages` for a landing "
                                "page, `notes` and `faqs` for an area page), or stop generating pages you cannot "
                                "say more about"),
    "duplicates.thin": ("demote", "give the page text of its own, or let it be held back: kept for visitors and ads, "
                                  "but noindex, canonical to the page that holds its content, out of the sitemap"),
    "duplicates.doorway": ("demote", "write text for the page alone (docs/checks.md, \"Which pages are "
                                     "indexable\"), or let it be held back: kept for visitors and ads, but noindex, "
                                     "canonical to the page that holds its content, out of the sitemap"),
}
# A page held back (demote) or not built (skip) is the check doing its job: a note, not a warning (`--strict` stops
# on warnings); a page published at risk (warn) is a warning.
POLICY_SEVERITY = {"fail": "error", "warn": "warning", "demote": "info", "skip": "info"}
HOLDING_POLICIES = ("demote", "skip")


class Policies:
    """The policies and waivers of one check run, validated when made (a `DataError` names each bad entry, with its
    file, line and a hint). `facts`: the pages the generator made (None for a folder it did not make: then the
    waivers of site.yaml are taken as written, without asking whether their pages exist)."""

    def __init__(self, settings: CheckSettings, facts: SiteFacts | None, rules: list[ClaimRule]):
        self.settings, self.facts = settings, facts
        self.rule_ids = set(CONTENT_RULES) | set(DUPLICATE_RULES) | {r.rule for r in rules} | set(SEO_RULES)
        self.default = {**{k: "fail" if v[0] == "error" else "warn" for k, v in CONTENT_RULES.items()},
                        **{k: v[0] for k, v in DUPLICATE_RULES.items()},
                        **{r.rule: "fail" if r.severity == "error" else "warn" for r in rules}}
        self.written = self._validated_policies()
        self.waivers = self._validated_waivers()

    def policy(self, rule: str) -> str:
        """What `rule`'s findings become: its own policy, its family's, its default, or fail."""
        family = rule.split(".")[0]
        policy = self.written.get(rule) or self.written.get(family) or self.default.get(rule) or "fail"
        return "demote" if policy == "skip" and rule != "duplicates.doorway" else policy

    def _validated_policies(self) -> dict[str, str]:
        problems = []
        lines = self.settings.policy_lines
        for key, value in self.settings.policies.items():
            if "." in key and key not in self.rule_ids and not key.startswith("seo."):
                problems.append(Problem(SITE_FILE, lines.get(key), None, f"checks.policies.{key}",
                                        f"unknown rule `{key}`", did_you_mean(key, self.rule_ids) or
                                        "see docs/checks.md for the rule ids"))
            elif value == "demote" and not key.startswith("duplicates"):
                problems.append(Problem(SITE_FILE, lines.get(key), None, f"checks.policies.{key}",
                                        "only duplicate and thin content can be demoted: a noindex page is still "
                                        "published", "use fail or warn"))
            elif value == "skip" and key not in ("duplicates", "duplicates.doorway"):
                problems.append(Problem(SITE_FILE, lines.get(key), None, f"checks.policies.{key}",
                                        "only pages with nothing of their own (duplicates.doorway) can be left "
                                        "unbuilt: the others are known only once they are made",
                                        "use demote, fail or warn"))
        if problems:
            raise DataError(problems)
        return dict(self.settings.policies)

    def _validated_waivers(self) -> dict[tuple[str, str], PageWaiver]:
        waivers: dict[tuple[str, str], PageWaiver] = {}
        problems = []
        pages = self.facts.pages.values() if self.facts else []
        listed = [(p.url_path, w) for p in pages for w in p.waivers]
        if self.facts is None:
            listed = [(sw.page, PageWaiver(sw.rule, sw.reason, f"{SITE_FILE}:{sw.line}: checks.waivers"))
                      for sw in self.settings.waivers]
        elif self.settings.waivers:
            for sw in self.settings.waivers:
                if sw.page not in self.facts.pages:
                    problems.append(Problem(SITE_FILE, sw.line, None, "checks.waivers.page",
                                            f"no page `{sw.page}` in this site",
                                            did_you_mean(sw.page, self.facts.pages) or "give the page's URL path"))
        for page, w in listed:
            if w.rule not in self.rule_ids and not w.rule.startswith("seo."):
                file, _, rest = w.origin.partition(":")
                line = rest.split(":")[0]
                problems.append(Problem(file, int(line) if line.isdigit() else None, None, "waivers.rule",
                                        f"unknown rule `{w.rule}`", did_you_mean(w.rule, self.rule_ids) or
                                        "a waiver names one rule id, such as claims.hype"))
            elif not w.reason.strip():
                problems.append(Problem(w.origin.split(":")[0], None, None, "waivers.reason",
                                        "a waiver needs a written reason", "say why the rule does not apply"))
            else:
                waivers[(page, w.rule)] = w
        if problems:
            raise DataError(problems)
        return waivers
