"""The SEO family's rules, declared once: each rule's id, default severity and how to fix it, and the finding
a rule gives."""

from __future__ import annotations

from generator.checks.finding import Finding
from generator.text import DESCRIPTION_MAX, DESCRIPTION_MIN, TITLE_MAX

# rule id -> (default severity, how to fix it)
RULES: dict[str, tuple[str, str]] = {
    "seo.title-missing": ("error", "add a <title> in <head> naming the treatment and the place"),
    "seo.title-empty": ("error", "write the page's title inside <title>...</title>"),
    "seo.title-multiple": ("warning", "keep one <title> in <head>; search engines pick one at random"),
    "seo.title-duplicate": ("error", "give every indexable page its own title"),
    "seo.title-too-long": ("warning", f"keep titles to {TITLE_MAX} characters; longer ones are cut off"),
    "seo.description-missing": ("error", 'add <meta name="description" content="..."> summarising the page'),
    "seo.description-duplicate": ("error", "give every indexable page its own meta description"),
    "seo.description-too-short": ("warning", f"write {DESCRIPTION_MIN} to {DESCRIPTION_MAX} characters"),
    "seo.description-too-long": ("warning", f"write {DESCRIPTION_MIN} to {DESCRIPTION_MAX} characters; "
                                            "longer ones are cut off"),
    "seo.h1-missing": ("error", "give the page one <h1> saying what it is about"),
    "seo.h1-multiple": ("error", "keep one <h1>; make the others <h2>"),
    "seo.heading-skip": ("warning", "do not skip heading levels: an <h2> comes before any <h3>"),
    "seo.lang-missing": ("error", 'set the language on the root element: <html lang="en-GB">'),
    "seo.viewport-missing": ("error",
                             'add <meta name="viewport" content="width=device-width, initial-scale=1">'),
    "seo.canonical-missing": ("error", 'add <link rel="canonical" href="https://..."> with the page\'s own URL'),
    "seo.canonical-relative": ("error", "write the canonical as an absolute URL, with https:// and the domain"),
    "seo.canonical-broken": ("error", "point the canonical at a page that exists (usually the page itself)"),
    "seo.canonical-noindex": ("error", "point the canonical at an indexable page, or remove the noindex"),
    "seo.canonical-sitemap-mismatch": ("error", "list each page in the sitemap under its canonical URL only"),
    "seo.sitemap-missing": ("error", "publish /sitemap.xml listing every indexable page"),
    "seo.sitemap-invalid": ("error", "make the sitemap valid against the sitemaps.org schema"),
    "seo.sitemap-noindex": ("error", "remove noindex pages from the sitemap, or remove the noindex"),
    "seo.sitemap-missing-page": ("error", "list every indexable page in the sitemap"),
    "seo.sitemap-dead-entry": ("error", "remove sitemap entries that have no page on this site"),
    "seo.robots-missing": ("error", "publish /robots.txt with a `Sitemap:` line giving the sitemap's full URL"),
    "seo.robots-no-sitemap": ("error", "add `Sitemap: https://.../sitemap.xml` to robots.txt"),
    "seo.broken-link": ("error", "fix the address, or remove the link"),
    "seo.broken-fragment": ("error", "link to an id that exists on the target page"),
    "seo.broken-image": ("error", "fix the image address, or add the missing file"),
    "seo.orphan-page": ("warning", "link to the page from a hub or related page so people and crawlers find it"),
    "seo.link-text": ("warning", "say where the link goes (\"Lip fillers near Esher\"), not \"click here\""),
    "seo.image-alt": ("error", 'describe the image in alt="..." (alt="" for a purely decorative image)'),
    "seo.jsonld-invalid": ("error", "fix the JSON syntax in the <script type=\"application/ld+json\">"),
    "seo.jsonld-business-incomplete": ("error", "give the business a name and a PostalAddress"),
    "seo.breadcrumbs-mismatch": ("error", "make the BreadcrumbList match the breadcrumbs shown on the page"),
    "seo.faq-not-visible": ("error", "show every FAQPage question on the page, or remove it from the JSON-LD"),
    "seo.faq-other-place": ("error", "answer the questions people ask about this page's own place: a FAQ copied from "
                                     "another page names the wrong town"),
    "seo.canonical-other-site": ("error", "point the canonical at this page's own address: a canonical to another "
                                          "site's home page asks search engines to drop this page"),
    "seo.mixed-content": ("error", "load scripts, stylesheets and frames over https:// (or from a relative address): "
                                   "browsers block http: ones on an https page"),
    "seo.refresh-broken": ("error", "point the meta refresh at a page that exists, or remove it"),
    "seo.sitemap-blocked": ("error", "take the page out of the sitemap, or allow it in robots.txt"),
    "seo.sitemap-redirect": ("warning", "list the address the page redirects to, not the old one"),
    "seo.sitemap-location": ("error", "publish the sitemap at the site's root, or name it in robots.txt with a "
                                      "`Sitemap:` line"),
}

def finding(rule: str, page: str, message: str, evidence: str = "") -> Finding:
    return Finding.by_table(RULES, rule, page, message, evidence)
