"""The command line: a thin layer that turns the library's errors into clear messages and exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from generator import __version__
from generator.errors import ClinicPagesError, DataError, printable, show_problems

log = logging.getLogger("generator")

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _progress(stream, label: str = "Rendering pages"):
    """`label: done/total` on one line of a terminal, for long work (a few hundred pages or more)."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total < 300:
            return
        stream.write(f"\r{label}: {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show


def _show_checks(args: argparse.Namespace, command: str, site: str, result, notes: list[str] | None = None) -> None:
    """Print (or write to --report) the findings of a check run in the chosen format, with `notes` on how to
    read them."""
    from generator.report import FORMATS, Report, text_report

    report = Report.from_result(command, site, result)
    report.notes += notes or []
    fmt = getattr(args, "format", "text")
    report_file = getattr(args, "report", None)
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if fmt == "text":
        body = text_report(report, colour=colour and not report_file, limit=None if args.verbose else 10)
    else:
        body = FORMATS[fmt](report)
    if report_file:
        try:
            Path(report_file).write_text(text_report(report, limit=None) if fmt == "text" else body, "utf-8")
        except OSError as exc:
            raise ClinicPagesError(f"cannot write the report to {report_file}: {exc.strerror}") from None
        print(f"{report.summary()}; report written to {report_file}")
    else:
        sys.stdout.write(body)


def _check_report_path(args: argparse.Namespace) -> None:
    """Refuse a --report path that cannot be written before the pages are read, not after."""
    report_file = getattr(args, "report", None)
    if not report_file:
        return
    path = Path(report_file)
    if path.is_dir():
        raise ClinicPagesError(f"cannot write the report to {report_file}: it is a folder; give a file name, such as "
                               f"{path / ('report.' + ('txt' if args.format == 'text' else args.format))}")
    if not path.parent.is_dir():
        raise ClinicPagesError(f"cannot write the report to {report_file}: there is no folder {path.parent}; "
                               "create it first, or give another path")


def cmd_check(args: argparse.Namespace) -> int:
    from generator.workers import collector_paused
    with collector_paused():   # from the load on, as a build: reading the project, checking the pages and reporting
        return _check(args)    # make no reference cycles, and the collector's walks over what they made free nothing


def _check(args: argparse.Namespace) -> int:
    from generator.build import output_age, show_placeholders, show_unserved
    from generator.checks import check_built_site
    from generator.data import output_folder
    from generator.plan import plan_site, unserved_places
    from generator.validate import load_project

    _check_report_path(args)
    project_dir = Path(args.project)
    output = output_folder(project_dir, args.output)
    planned = None
    if output.is_dir():   # (else the checks say there is no built site): loaded and planned once, for both parts
        project = load_project(project_dir)
        planned = (project, plan_site(project))
    result = check_built_site(project_dir, output, cache=not args.no_cache, progress=_progress(sys.stderr,
                              "Checking pages"), planned=planned)
    if planned is None:   # (the folder appeared meanwhile)
        project = load_project(project_dir)
        planned = (project, plan_site(project))
    project, plan = planned   # what is silent in the pages: places without any, placeholders
    show_unserved(unserved_places(project, plan), log)
    show_placeholders(project.placeholders(), log)
    age = output_age(project_dir, output)
    _show_checks(args, "check", str(args.output or output), result, [age] if age else [])
    return _exit_for(result, args.strict)


def cmd_audit(args: argparse.Namespace) -> int:
    from generator.audit import audit
    from generator.validate import load_check_settings

    _check_report_path(args)
    project = Path(args.project) if args.project else None
    settings = load_check_settings(project) if project else None
    result = audit(Path(args.folder), args.base_url, settings, project_dir=project,
                   progress=_progress(sys.stderr, "Auditing pages"), clinic=args.clinic)
    for note in result.notes:
        log.warning("%s", note)
    _show_checks(args, "audit", args.folder, result)
    return _exit_for(result, args.strict)


def _exit_for(result, strict: bool) -> int:
    """1 when the run found errors, or (with --strict) warnings; 0 otherwise."""
    if not result.ok:
        return EXIT_FINDINGS
    warnings = result.count("warning")
    if strict and warnings:
        print(f"error: {warnings} warning(s), and --strict counts warnings as errors", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build import build, show_placeholders, show_unserved
    from generator.data import output_folder
    from generator.errors import ChecksFailed

    try:
        report = build(Path(args.project), Path(args.output) if args.output else None,
                       progress=_progress(sys.stderr), clean=args.clean, jobs=args.jobs, checks=not args.no_checks,
                       strict=args.strict)
    except ChecksFailed as exc:
        _show_checks(args, "build", args.output or str(output_folder(args.project)), exc.result)
        print(f"error: the build stopped: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    if report.checks is not None:
        log.debug("checks: %s", report.checks.summary())   # `clinic-pages check` shows the findings
    for notice in report.notices:
        log.warning("%s", notice)
    show_unserved(report.unserved, log)
    show_placeholders(report.placeholders, log)
    if report.at_risk:   # said at every build, up to date or not, for as long as it is so
        log.warning("%d page(s) are published although they have no text of their own (policy warn, or a waiver): "
                    "search engines may treat them as doorway pages, which can cost the whole site its rankings; "
                    "`clinic-pages check` lists them:\n  %s", len(report.at_risk),
                    "\n  ".join(report.at_risk[:10] + ([f"... and {len(report.at_risk) - 10} more"]
                                                      if len(report.at_risk) > 10 else [])))
    if report.held:
        log.info("%d page(s) held back (noindex, out of the sitemap) until they have text of their own; "
                 "`clinic-pages check --format html` says what would earn each a place", report.held)
    print(report.summary())
    warnings = len(report.notices) + (1 if report.placeholders else 0)
    if args.strict and warnings:
        print(f"error: {warnings} warning(s), and --strict counts warnings as errors", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.serve import PreviewServer

    try:
        server = PreviewServer(Path(args.project), Path(args.output) if args.output else None, args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}; try another --port", file=sys.stderr)
        return EXIT_USAGE
    server.start()
    print(f"Serving {server.preview.output} at {server.url} - edits to the data, templates and rule files rebuild "
          "the site; Ctrl+C stops", flush=True)
    if server.preview.editor is not None:
        print(f"Edit the data in the browser at {server.url}__clinic-pages/edit/", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
        print("stopped")
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    from generator.edit.convert import convert

    print(convert(Path(args.project), args.file, args.to).summary())
    return EXIT_OK


def cmd_deploy(args: argparse.Namespace) -> int:
    from generator.data import output_folder
    from generator.deploy import deploy, size
    from generator.deploy.guard import refusals
    from generator.deploy.target import resolve_target
    from generator.validate import load_project

    project = load_project(Path(args.project))
    output = output_folder(args.project, args.output)
    target = resolve_target(project.site.deploy.targets, project.site.deploy.default, args.target)
    reasons = refusals(project, output)
    if reasons and args.force is None:
        print("error: deploy refused:\n" + "\n".join(reasons) + "\n    hint: fix these, build, and deploy again; "
              "or pass --force REASON to publish anyway", file=sys.stderr)
        return EXIT_FINDINGS
    if reasons:
        print("warning: deploying despite:\n" + "\n".join(reasons) + f"\nreason given: {args.force}", file=sys.stderr)

    def progress(done: int, total: int, sent: int) -> None:
        if total >= 100 and sys.stderr.isatty():
            end = "\n" if done == total else ""
            sys.stderr.write(f"\rDeploying: {done}/{total} changes, {size(sent)} sent{end}")
            sys.stderr.flush()

    try:
        report = deploy(output, target, dry_run=args.dry_run, progress=progress)
    except KeyboardInterrupt:
        print("interrupted; what was sent is recorded on the server: run `clinic-pages deploy` again to finish",
              file=sys.stderr)
        return 130
    if args.dry_run:
        print("\n".join(report.plan.lines(None if args.verbose else 20)))
    print(report.summary())
    return EXIT_OK


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, found {text!r}")
    return jobs


def _reason(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("give a reason, such as --force \"the clinic approved the wording\"")
    return text.strip()


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clinic-pages",
        description="Build, check, audit and deploy a clinic's honest local landing pages from YAML.",
    )
    parser.add_argument("--version", action="version", version=f"clinic-pages {__version__}")
    common = argparse.ArgumentParser(add_help=False)  # accepted before or after the command
    for target, default in ((parser, False), (common, argparse.SUPPRESS)):
        target.add_argument("-v", "--verbose", action="store_true", default=default, help="show more detail")
        target.add_argument("-q", "--quiet", action="store_true", default=default,
                            help="show only errors and the summary")
        target.add_argument("--debug", action="store_true", default=default, help="show a traceback on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, **kwargs) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[common], **kwargs)

    def strict_arg(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument("--strict", action="store_true", help=f"count warnings as errors, for CI: {what}")

    def project_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--project", default=".", metavar="DIR",
                       help="folder with site.yaml, treatments.yaml, locations.yaml and templates/ (default: .)")
        p.add_argument("--output", metavar="DIR", help="where the site is written (default: PROJECT/output)")

    p = command("build", help="build the site into output/",
                       description="Validate the data, render every page, and write output/ all at once.")
    project_args(p)
    p.add_argument("--clean", action="store_true",
                   help="ignore the build state and render every page; generated files edited by hand are put "
                        "back (files are still written only if their bytes differ)")
    p.add_argument("-j", "--jobs", type=_jobs, metavar="N",
                   help="worker processes for large builds (default: all cores)")
    p.add_argument("--no-checks", action="store_true",
                   help="skip the checks (to time the build alone; `deploy` still refuses pages that fail them)")
    strict_arg(p, "a check warning stops the build before anything is written; the build's own warnings "
                  "(placeholders, foreign files) make it exit 1")
    p.set_defaults(func=cmd_build)

    p = command("check", help="check the built site: duplicates, disclaimers, claims, leaks, consistency",
                       description="Check every page of the built site against the records and the rules: exact "
                                   "and near-duplicate and thin pages, required disclaimers, unlawful claims, "
                                   "template leaks, and agreement of name, address, phone, JSON-LD, title, h1, "
                                   "canonical and sitemap. Exit 0: no errors; 1: errors; 2: usage or input errors.")
    project_args(p)
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="report format (default: text)")
    p.add_argument("--report", metavar="FILE", help="write the report to FILE instead of the terminal")
    p.add_argument("--no-cache", action="store_true",
                   help="check every page again, ignoring the results kept for pages unchanged since they were "
                        "last checked (.clinic-pages-checks.npz); the data files as last parsed "
                        "(.clinic-pages-parsed.json) are still read back")
    strict_arg(p, "exit 1 on warnings too")
    p.set_defaults(func=cmd_check)

    p = command("audit", help="audit any folder of HTML: SEO, links, sitemap, structured data, claims",
                       description="Audit the static HTML in FOLDER as published, whoever made it, as a search "
                                   "engine sees it (robots.txt, redirects, canonicals and noindex decide what is "
                                   "indexed): titles, descriptions, headings, canonicals, lang, viewport, sitemap "
                                   "(against the XSD) and robots.txt, broken links, #fragments and meta refreshes, "
                                   "mixed content, orphan pages, link text, image alt, JSON-LD, and the content "
                                   "checks of `check` (duplicates and thin pages, leaks; claims on a clinic's site). "
                                   "Each problem is shown once with the pages that have it, most urgent first. "
                                   "Exit 0: no errors; 1: errors; 2: usage or input errors.")
    p.add_argument("folder", metavar="FOLDER", help="the folder holding the site's index.html")
    p.add_argument("--base-url", metavar="URL",
                   help="the site's live address, e.g. https://www.example.co.uk (default: read from robots.txt, "
                        "the sitemap or the home page's canonical)")
    p.add_argument("--clinic", action=argparse.BooleanOptionalAction, default=None,
                   help="apply the clinic claims rules (UK advertising rules for aesthetic treatments), or not "
                        "(--no-clinic); default: for a site clinic-pages built or whose structured data says it is "
                        "a clinic (MedicalClinic, Dentist, Physician...)")
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="report format (default: text)")
    p.add_argument("--report", metavar="FILE", help="write the report to FILE instead of the terminal")
    p.add_argument("--project", metavar="DIR",
                   help="use the `checks:` settings (policies, thresholds, rule files, waivers) of the project's "
                        "site.yaml in DIR (default: the built-in settings)")
    strict_arg(p, "exit 1 on warnings too")
    p.set_defaults(func=cmd_audit)

    p = command("serve", help="preview the site locally, rebuilding and reloading on every save",
                       description="Serve output/ on 127.0.0.1, watch the data, templates and rule files, rebuild on "
                                   "save and reload the open page; errors show as an overlay in the browser.")
    project_args(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.set_defaults(func=cmd_serve)

    p = command("convert", help="keep treatments or locations as YAML, CSV files or an Excel workbook",
                description="Write a data file in another form (yaml, csv or xlsx), check that it holds the same "
                            "values, and move the old form's files to backup/. A project keeps one form of each "
                            "file. YAML comments have no place in a spreadsheet and are left in the backup.")
    p.add_argument("file", metavar="FILE", help="treatments or locations (an extension such as .yaml is ignored)")
    p.add_argument("--to", required=True, choices=("yaml", "csv", "xlsx"), help="the form to keep it in")
    p.add_argument("--project", default=".", metavar="DIR", help="the project folder (default: .)")
    p.set_defaults(func=cmd_convert)

    p = command("deploy", help="publish output/ to web hosting, sending only what changed",
                       description="Send new and changed files of the last build to a target, then the sitemap, then "
                                   "delete what earlier deploys put there and the build no longer makes. Files that "
                                   "clinic-pages did not make are never sent, overwritten or deleted.")
    p.add_argument("target", nargs="?", metavar="TARGET",
                   help="a target named in site.yaml, or a URL (file://, ftps://, ftp://, sftp://, ssh://); "
                        "default: site.yaml's deploy: default")
    project_args(p)
    p.add_argument("--dry-run", action="store_true", help="show what would be sent and deleted; change nothing")
    p.add_argument("--force", type=_reason, metavar="REASON",
                   help="deploy although site.yaml has placeholders or `check` finds errors; the reason is printed")
    p.set_defaults(func=cmd_deploy)
    return parser


class _PrintableFormatter(logging.Formatter):
    """Log lines with the control characters of their message escaped (a file name, a server's reply, a value
    from an audited page): line breaks the tool writes itself are kept."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = printable(record.message, newlines=True)
        return super().formatMessage(record)


def _configure_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.ERROR if args.quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    colour = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    fmt = "\033[33m%(levelname)s\033[0m: %(message)s" if colour else "%(levelname)s: %(message)s"
    handler.setFormatter(_PrintableFormatter(fmt))
    root = logging.getLogger("generator")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    if args.verbose and args.quiet:
        try:
            parser.error("argument -q/--quiet: not allowed with argument -v/--verbose")
        except SystemExit:
            return EXIT_USAGE
    _configure_logging(args)
    try:
        return args.func(args)
    except DataError as exc:
        if args.debug:
            raise
        print(show_problems(exc.problems, Path(getattr(args, "project", None) or ".")), file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found; nothing was written.", file=sys.stderr)
        return EXIT_USAGE
    except ClinicPagesError as exc:
        if args.debug:
            raise
        print(f"error: {printable(str(exc), newlines=True)}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:   # a folder that cannot be made, a file that cannot be read: not a bug, not "found problems"
        if args.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(printable(f"error: {where}{exc.strerror or exc}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return 130
