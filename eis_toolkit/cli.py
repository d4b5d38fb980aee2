"""The ``eis`` command line, a Flask CLI group: ``eis X`` and ``flask --app eis_toolkit X`` agree.

Each command parses its arguments, calls a service, commits once and reports. Bad input ends
with a non-zero exit and a reason; nothing is written then.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from werkzeug.local import LocalProxy

from . import ROOT, create_app
from .dbcommands import db_commands


def _db():
    from .extensions import db as db_

    return db_


#: The extensions' ``db``, imported when a command runs: ``eis --help`` imports no extension.
db = LocalProxy(_db)

DEMO_BUNDLE = Path(__file__).with_name("demo") / "eis-demo.yaml"
DEFAULT_QUESTIONNAIRES = sorted((ROOT / "questionnaires").glob("*.yaml"))


def fail(message: str) -> None:
    """Stop with a one-line reason and exit status 1."""
    raise click.ClickException(message)


def _file_limits():
    """The settings' limits on files people hand in (defaults outside an app, e.g. for validate)."""
    from flask import current_app, has_app_context

    from .config import file_limits
    from .datafiles import Limits

    return file_limits(current_app.config) if has_app_context() else Limits()


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic), and the catalogue's vocabularies."""
    from flask_migrate import upgrade

    from .catalogue.taxonomies import ensure_terms

    upgrade()
    ensure_terms()
    db.session.commit()
    click.echo("The database is up to date.")


@click.group("questionnaire")
def questionnaire_group() -> None:
    """Check and register questionnaire definitions (questionnaires/*.yaml)."""


def _parse_all(files) -> list:
    """Parse every file; print every problem of every file and exit 1 if there is any."""
    from .questionnaires.schema import QuestionnaireError, load_questionnaire_file

    definitions, failed, limits = [], False, _file_limits()
    for path in files:
        try:
            definitions.append(load_questionnaire_file(path, limits))
        except QuestionnaireError as error:
            failed = True
            for problem in error.problems:
                click.echo(str(problem), err=True)
    if failed:
        sys.exit(1)
    return definitions


@questionnaire_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def questionnaire_validate(files) -> None:
    """Exit 0 when every FILE is valid, else 1 with FILE:LINE: message lines."""
    for definition, path in zip(_parse_all(files), files):
        click.echo(f"{path}: {definition.ref} is valid "
                   f"({len(definition.dimensions)} dimensions, {len(definition.scored_questions())} scored questions)")


@questionnaire_group.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@with_appcontext
def questionnaire_load(files) -> None:
    """Register questionnaire versions; an existing key@version with other content is refused."""
    from .questionnaires.services import QuestionnaireConflict, register

    definitions = _parse_all(files)
    try:
        results = [register(definition) for definition in definitions]
    except QuestionnaireConflict as error:
        db.session.rollback()
        fail(str(error))
    db.session.commit()
    for questionnaire, created in results:
        click.echo(f"{questionnaire.ref}: {'loaded' if created else 'already loaded, unchanged'}")


def _load_bundle_file(path) -> dict:
    """Load a bundle file and commit; returns the parsed bundle."""
    from .bundles.load import load_bundle, read_bundle
    from .bundles.validate import BundleError

    try:
        data = read_bundle(path, _file_limits())
        counts = load_bundle(data)
    except BundleError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"{path}: {problem}", err=True)
        fail(f"{path}: {len(error.problems)} problem(s); nothing was loaded")
    db.session.commit()
    summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "nothing changed"
    click.echo(f"{path}: {summary}")
    return data


@click.command("load")
@click.argument("bundle", type=click.Path(dir_okay=False))
@with_appcontext
def load(bundle) -> None:
    """Load a bundle (YAML or JSON), all or nothing; errors name the field path."""
    _load_bundle_file(bundle)


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the shipped questionnaires and the demo bundle built from the seed articles."""
    from .questionnaires.services import register

    for definition in _parse_all(DEFAULT_QUESTIONNAIRES):
        register(definition)
    bundle = _load_bundle_file(DEMO_BUNDLE)
    click.echo("\nDemo logins (http://127.0.0.1:5000/login):")
    for person in bundle["people"]:
        roles = ", ".join(person["roles"])
        click.echo(f"  {person['email']:<30} {person['password']:<15} {roles} {person.get('region') or ''}")


@click.group("user")
def user_group() -> None:
    """Manage people."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, type=click.Choice(["admin", "host", "region", "reviewer"]),
              help="Repeat for several roles.")
@click.option("--region", "region_code", help="Code of the person's region, e.g. DK04.")
@click.option("--language", default="en", type=click.Choice(["en", "it", "da", "de"]))
@click.password_option(help="Asked for when not given.")
@with_appcontext
def user_create(email, name, roles, region_code, language, password) -> None:
    """Create a person who can log in."""
    from .accounts.services import AccountError, create_user, find_region

    region = None
    if region_code:
        region = find_region(region_code)
        if region is None:
            fail(f"unknown region {region_code!r}")
    elif "region" in roles:
        fail("a region member needs a region: give --region CODE, e.g. --region DK04")
    try:
        user = create_user(email, name, password, roles=roles, region=region, language=language)
    except AccountError as error:
        db.session.rollback()
        fail(str(error))
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(r.value for r in user.roles)) or 'no roles'}).")


@user_group.command("invite")
@click.argument("email", required=False)
@click.option("--name", help="The person's name (with EMAIL).")
@click.option("--region", "region_code", default="", help="Code of the person's region, e.g. DK04.")
@click.option("--role", "roles", multiple=True, type=click.Choice(["admin", "host", "region", "reviewer"]),
              help="Repeat for several roles.")
@click.option("--lang", "language", default="", type=click.Choice(["", "en", "it", "da", "de"]),
              help="The invitation's language (default: the region's).")
@click.option("--csv", "csv_file", type=click.Path(exists=True, dir_okay=False),
              help="Invite everyone of a CSV file: name,email,region,roles (roles separated by ';').")
@with_appcontext
def user_invite(email, name, region_code, roles, language, csv_file) -> None:
    """Invite a person by e-mail (or everyone of a CSV file): they choose their password through
    the link they get. Nothing is written unless every line is good."""
    from .accounts import invitations
    from .mail.outbox import deliver_committed

    if bool(email) == bool(csv_file):
        fail("give either an EMAIL (with --name) or --csv FILE")
    where = csv_file or "command line"
    try:
        if csv_file:
            with open(csv_file, "rb") as handle:
                entries = invitations.parse_csv(handle.read())
        else:
            if not name:
                fail("--name is needed with an EMAIL")
            entries = [invitations.Entry(1, name, email, region_code, tuple(roles), language)]
        outcome = invitations.invite(invitations.check(entries))
    except invitations.InvitationError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"{where}: {problem}", err=True)
        fail(f"{where}: {len(error.problems)} problem(s); nobody was invited")
    db.session.commit()
    deliver_committed()
    for address in outcome.registered:
        click.echo(f"{address} has an account already: nothing sent.")
    click.echo(f"Invited {len(outcome.invited)} new, {len(outcome.reinvited)} again.")


@click.group("export")
def export_group() -> None:
    """Write computed tables (DESIGN.md, Numbers)."""


@export_group.command("benchmark")
@click.argument("workshop")
@click.option("--format", "format_", required=True, type=click.Choice(["csv", "json"]),
              help="csv (empty cells empty) or json (null for empty).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE instead of standard output.")
@with_appcontext
def export_benchmark(workshop, format_, output) -> None:
    """The benchmark table of WORKSHOP (its slug): one row per region, level and key."""
    from sqlalchemy import select

    from .benchmark.export import render
    from .benchmark.queries import workshop_benchmark
    from .models import Workshop

    found = db.session.scalar(select(Workshop).where(Workshop.slug == workshop))
    if found is None:
        fail(f"unknown workshop {workshop!r}")
    rows = workshop_benchmark(found)
    _write_export(render(rows, format_), output,
                  f"{len(rows)} rows of {found.slug} ({len({r.region for r in rows})} regions)")


def _write_export(text: str, output: str | None, summary: str) -> None:
    """An export to standard output, or to ``output`` with a one-line ``summary`` on stderr."""
    if not output:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")
    click.echo(f"{output}: {summary}", err=True)


@export_group.command("progress")
@click.argument("region")
@click.option("--format", "format_", required=True, type=click.Choice(["csv", "json"]),
              help="csv (empty cells empty) or json (null for empty).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE instead of standard output.")
@with_appcontext
def export_progress(region, format_, output) -> None:
    """REGION's change per dimension between consecutive published workshops in which it sat in
    the hot seat with questionnaires of the same key (docs/action-plans.md)."""
    from .accounts.services import find_region
    from .actions.export import region_progress, render

    found = find_region(region)
    if found is None:
        fail(f"unknown region {region!r}")
    rows = region_progress(found)
    _write_export(render(rows, format_), output,
                  f"{len(rows)} rows of {found.code} ({len({(r.t0_workshop, r.t1_workshop) for r in rows})} pairs)")


def _progress(what: str, count: int) -> None:
    click.echo(f"  {what}: {count}", err=True)


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The backup file to write.")
@with_appcontext
def backup(output) -> None:
    """Write every table and every evidence file to one file (docs/backup-format.md)."""
    from flask import current_app
    from sqlalchemy import select

    from . import models
    from .backup import BackupError, write_backup

    def evidence_names(connection):
        return connection.execute(select(models.EvidenceFile.stored_name)).scalars().all()

    click.echo(f"Backing up to {output}", err=True)
    try:
        summary = write_backup(db.engine, db.metadata, current_app.config["EIS_UPLOAD_DIR"], output,
                               evidence_names, _progress)
    except BackupError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")
    click.echo(f"{output}: {summary.rows} rows in {summary.tables} tables, {summary.files} evidence files")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def restore(file) -> None:
    """Load a backup into a freshly initialised database (eis init-db), all or nothing."""
    from flask import current_app

    from . import cache, models  # noqa: F401  (every table in the metadata)
    from .backup import BackupError, restore_backup

    click.echo(f"Restoring {file}", err=True)
    try:
        summary = restore_backup(db.engine, db.metadata, current_app.config["EIS_UPLOAD_DIR"], file, _progress,
                                 after_load=cache.bump)
    except BackupError as error:
        fail(f"{error}; nothing was restored")
    click.echo(f"{file}: restored {summary.rows} rows in {summary.tables} tables, {summary.files} evidence files")




# --- eis report: PDF reports (docs/reports.md) ---------------------------------------------------

LANGUAGE_OPTION = click.option("--lang", "language", default="en", show_default=True,
                               type=click.Choice(["en", "it", "da", "de"]), help="The report's language.")
AS_OPTION = click.option("--as", "reader_email", metavar="EMAIL",
                         help="Render the copy this person would download (default: what an admin sees).")
OUTPUT_OPTION = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
                             help="The PDF file to write.")


@click.group("report")
def report_group() -> None:
    """Write PDF reports: a region's benchmark, a workshop, the practice catalogue, an action plan."""


def _reader(email: str | None):
    """The person a report is rendered for: ``--as EMAIL``, else the operator (admin view)."""
    from sqlalchemy import select

    from .models import User
    from .reporting.readers import Operator

    if not email:
        return Operator()
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        fail(f"unknown person {email!r}")
    return user


def _report_workshop(slug: str):
    from .reporting.views import load_workshop

    workshop = load_workshop(slug)
    if workshop is None:
        fail(f"unknown workshop {slug!r}")
    return workshop


def _report_hot_seat(slug: str, code: str):
    """The workshop and its hot-seat region ``code``, or a one-line failure."""
    from .workshops.queries import hot_seat_region

    workshop = _report_workshop(slug)
    region = hot_seat_region(workshop, code)
    if region is None:
        fail(f"{code!r} is not a hot-seat region of {workshop.slug}")
    return workshop, region


def _write_report(kind: str, build, output: str, label: str) -> None:
    """Build the context, render (or read from the cache) and write, with a progress bar."""
    from .reporting.render import report_pdf

    steps = iter(("collecting the figures", "rendering the PDF", "writing the file"))
    with click.progressbar(length=3, label=label, file=sys.stderr, show_pos=True,
                           item_show_func=lambda _: next(steps, "")) as bar:
        context = build()
        bar.update(1)
        rendered = report_pdf(kind, context)
        bar.update(1)
        try:
            Path(output).write_bytes(rendered.pdf)
        except OSError as error:
            fail(f"cannot write {output}: {error.strerror or error}")
        bar.update(1)
    click.echo(f"{output}: {len(rendered.pdf)} bytes{' (from the cache)' if rendered.cached else ''}", err=True)


@report_group.command("catalogue")
@click.option("-q", "--query", "q", default="", help="Full-text search, as the catalogue's search box.")
@click.option("--instrument", multiple=True, help="Repeat for several (OR); filters combine with AND.")
@click.option("--sector", multiple=True)
@click.option("--market", multiple=True, help="ISO country code, e.g. JP.")
@click.option("--stage", multiple=True)
@click.option("--region", multiple=True, help="Region code, e.g. ITC4.")
@click.option("--dimension", multiple=True)
@click.option("--sort", type=click.Choice(["relevance", "newest", "rating"]))
@OUTPUT_OPTION
@LANGUAGE_OPTION
@with_appcontext
def report_catalogue(q, instrument, sector, market, stage, region, dimension, sort, output, language) -> None:
    """The practice catalogue (published practices), filtered as the web catalogue is."""
    from .catalogue.selection import CatalogueQueryError, parse_catalogue_args
    from .reporting.catalogue import selected_catalogue_context

    args = {"q": q, "instrument": list(instrument), "sector": list(sector), "market": list(market),
            "stage": list(stage), "region": list(region), "dimension": list(dimension),
            **({"sort": sort} if sort else {})}
    try:
        parse_catalogue_args(args)  # refuse an unknown value before the long work
    except CatalogueQueryError as error:
        fail(str(error))
    _write_report("catalogue", lambda: selected_catalogue_context(args, language), output, f"catalogue ({language})")


@report_group.command("region")
@click.argument("workshop")
@click.argument("region")
@OUTPUT_OPTION
@LANGUAGE_OPTION
@AS_OPTION
@with_appcontext
def report_region(workshop, region, output, language, reader_email) -> None:
    """The benchmark report of REGION (its code) at WORKSHOP (its slug)."""
    from . import permissions
    from .reporting.region import region_report_context

    found, hot = _report_hot_seat(workshop, region)
    reader = _reader(reader_email)
    if not permissions.can_view_scorecard(reader, found, hot.id):
        fail(f"{reader_email} may not see the benchmark of {hot.code} at {found.slug}")
    _write_report("region", lambda: region_report_context(found, hot, reader, language), output,
                  f"{found.slug} {hot.code} ({language})")


@report_group.command("workshop")
@click.argument("workshop")
@OUTPUT_OPTION
@LANGUAGE_OPTION
@AS_OPTION
@with_appcontext
def report_workshop(workshop, output, language, reader_email) -> None:
    """The report of WORKSHOP (its slug): regions side by side, heatmap, site visits, practices."""
    from . import permissions
    from .reporting.workshop import workshop_report_context

    found = _report_workshop(workshop)
    reader = _reader(reader_email)
    if not permissions.can_view_benchmark(reader, found):
        fail(f"{reader_email} may not see the benchmark of {found.slug}")
    _write_report("workshop", lambda: workshop_report_context(found, reader, language), output,
                  f"{found.slug} ({language})")


@report_group.command("action-plan")
@click.argument("workshop")
@click.argument("region")
@OUTPUT_OPTION
@LANGUAGE_OPTION
@AS_OPTION
@with_appcontext
def report_action_plan(workshop, region, output, language, reader_email) -> None:
    """The action plan of REGION (its code) after WORKSHOP (its slug), in the Interreg layout."""
    from . import permissions
    from .reporting.action_plan import action_plan_report_context

    found, hot = _report_hot_seat(workshop, region)
    reader = _reader(reader_email)
    if not permissions.can_view_action_plan(reader, found, hot.id):
        fail(f"{reader_email or 'the operator'} may not see the action plan of {hot.code} at {found.slug}"
             + ("" if found.status == "published" else " (the workshop is not published)"))
    context = action_plan_report_context(found, hot, language)
    if context is None:
        fail(f"{hot.code} has no action plan after {found.slug}")
    _write_report("action-plan", lambda: context, output, f"{found.slug} {hot.code} action plan ({language})")


@click.group("notify")
def notify_group() -> None:
    """E-mail: send what is queued in the outbox (docs/mail.md)."""


@notify_group.command("send")
@click.option("--limit", type=int, default=None, help="Send at most this many messages.")
@with_appcontext
def notify_send(limit) -> None:
    """Try every queued message once more (SMTP, or .eml files); exit 1 if some are still queued."""
    from .mail.outbox import deliver, queued

    sent, failed = deliver(queued(limit))
    db.session.commit()
    click.echo(f"{sent} sent, {failed} still queued.")
    if failed:
        sys.exit(1)


@notify_group.command("due")
@click.option("--days", type=click.IntRange(0, 60), default=None,
              help="Remind of deadlines from today to this many days ahead (default 3).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to count from (default: today), YYYY-MM-DD.")
@with_appcontext
def notify_due(days, today) -> None:
    """Queue the deadline reminders due now (self-assessments, reviews) and send them; meant for
    cron: each reminder goes once, however often this runs."""
    from datetime import date

    from .mail.notify import REMINDER_DAYS, due_reminders
    from .mail.outbox import deliver_committed

    count = due_reminders(today.date() if today else date.today(), REMINDER_DAYS if days is None else days)
    db.session.commit()
    deliver_committed()
    click.echo(f"{count} reminder{'s' if count != 1 else ''} queued.")


COMMANDS = (init_db, questionnaire_group, load, demo, user_group, export_group, report_group, backup, restore,
            notify_group)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


class EisGroup(FlaskGroup):
    """The ``eis`` group. Its commands are :data:`COMMANDS` (added to the group itself, and to
    the app for ``flask --app eis_toolkit``), so listing them (``eis --help``) builds no app and
    imports no blueprint, model or chart library: it stays well under a second."""

    def list_commands(self, ctx):
        self._load_plugin_commands()
        return sorted(click.Group.list_commands(self, ctx))


main = EisGroup(create_app=create_app, help="EIS Toolkit command line.")
for _command in (*COMMANDS, db_commands):
    main.add_command(_command)
