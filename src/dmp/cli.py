"""The ``dmp`` command: serve, migrate, seed the demo, manage users, verify the audit trail."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from dmp.config import ConfigurationError, Environment, Settings, load_settings

app = typer.Typer(help="dmp — dossier médical partagé", no_args_is_help=True, add_completion=False)
users_app = typer.Typer(help="Create accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="Key-encryption keys of the documents.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit trail.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data (never in production).", invoke_without_command=True)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(demo_app, name="demo")
app.add_typer(keys_app, name="keys")
console = Console()
errors = Console(stderr=True)


def _settings() -> Settings:
    """Settings from the environment; a bad value stops the command with exit code 2 and a
    message naming the variable (exit code 1 is kept for the commands' own failures)."""
    try:
        return load_settings()
    except ConfigurationError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except ValidationError as exc:
        for problem in exc.errors():
            name = "DMP_" + "_".join(str(part) for part in problem["loc"]).upper()
            errors.print(f"[red]{name}: {problem['msg']}[/red]")
        raise typer.Exit(2) from exc


def _container(settings: Settings):  # type: ignore[no-untyped-def]
    from dmp.container import build_container
    from dmp.storage.keys import KeyRingError

    try:
        return build_container(settings)
    except KeyRingError as exc:
        errors.print(f"[red]Key ring: {exc}[/red]")
        raise typer.Exit(2) from exc


def _check_keyring(settings: Settings) -> None:
    from dmp.storage.keys import KeyRingError, load

    try:
        load(settings)
    except KeyRingError as exc:
        errors.print(f"[red]Key ring: {exc}[/red]")
        raise typer.Exit(2) from exc


def _cli_context(action: str):  # type: ignore[no-untyped-def]
    from dmp.shared.context import RequestContext

    return RequestContext(channel="cli", user_agent=f"dmp {action} ({getpass.getuser()})")


@app.command()
def migrate() -> None:
    """Apply database migrations (creates the database if needed)."""
    from dmp.db_migrate import current_revision, upgrade

    settings = _settings()
    container = _container(settings)
    upgrade(container.engine)
    console.print(f"Database at revision [bold]{current_revision(container.engine)}[/bold].")
    container.dispose()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default DMP_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default DMP_PORT)")] = None,
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    settings = _settings()
    # The app loads the ring again when uvicorn builds it; checked here first so that a missing
    # or refused ring stops `serve` like the other commands (a message, exit 2), not a traceback.
    _check_keyring(settings)
    uvicorn.run(
        "dmp.bootstrap:create_app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_config=None,
        server_header=False,
    )


@demo_app.callback()
def demo(ctx: typer.Context) -> None:
    """Create the demo accounts if they are missing, and print how to log in."""
    if ctx.invoked_subcommand is not None:
        return
    from dmp import demo as demo_data
    from dmp.shared.db import transaction

    settings = _settings()
    if settings.environment is Environment.production:
        errors.print("[red]Refusing to create demo accounts in production.[/red]")
        raise typer.Exit(2)
    from dmp.demo_records import seed_records
    from dmp.records.documents import Storage

    container = _container(settings)
    with transaction(container.sessions) as session:
        created = demo_data.seed(session, container.security)
    storage = Storage(
        blobs=container.blobs,
        keks=container.keks,
        max_bytes=settings.max_document_mb * 1024 * 1024,
    )
    with transaction(container.sessions) as session:
        created += seed_records(session, settings, container.clock, storage)
    console.print(
        f"Demo data: {'created ' + ', '.join(created) if created else 'already present'}."
    )
    console.print(f"\nDemo accounts — password for all: [bold]{demo_data.DEMO_PASSWORD}[/bold]")
    for account in demo_data.ACCOUNTS:
        console.print(f"  [bold]{account.email}[/bold]  {account.label}", soft_wrap=True)
        console.print(f"      TOTP secret: {account.totp_secret}", soft_wrap=True)
    console.print(
        "\nSecond factor: the code of an authenticator app set up with the secret above;\n"
        "or [bold]dmp demo code EMAIL[/bold] prints the current code; or choose\n"
        "«Recevoir un code» («Send a code») on the login page: in development the e-mail\n"
        "is printed in the server console and shown\n"
        f"at http://{settings.host}:{settings.port}/dev/outbox\n",
        soft_wrap=True,
    )
    container.dispose()


@demo_app.command("code")
def demo_code(email: str) -> None:
    """Print the current TOTP code of a demo account."""
    from dmp import demo as demo_data
    from dmp.accounts.model import totp_now

    settings = _settings()
    if settings.environment is Environment.production:
        raise typer.Exit(2)
    for account in demo_data.ACCOUNTS:
        if account.email == email.strip().lower():
            console.print(totp_now(account.totp_secret, dt.datetime.now(dt.UTC)))
            return
    errors.print(f"{email} is not a demo account.")
    raise typer.Exit(1)


PasswordStdin = Annotated[bool, typer.Option(help="Read the password from standard input")]


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _create_staff(
    *,
    email: str,
    name: str,
    role: str,
    password_stdin: bool,
    professional: dict[str, str] | None = None,
    regulator: bool = False,
) -> None:
    from dmp.accounts import registration
    from dmp.accounts.management import regenerate_recovery_codes
    from dmp.accounts.model import AccountStatus, new_totp_secret, totp_uri
    from dmp.accounts.passwords import PersonalData, check_password
    from dmp.identity import services as identity_services
    from dmp.identity.model import Role
    from dmp.shared.db import transaction
    from dmp.shared.errors import DomainError
    from dmp.shared.i18n import translate

    settings = _settings()
    password = _read_password(password_stdin)
    problems = check_password(password, PersonalData(email=email, names=tuple(name.split())))
    if problems:
        for problem in problems:
            errors.print("[red]" + translate("en", problem.message, problem.params) + "[/red]")
        raise typer.Exit(1)
    container = _container(settings)
    ctx = _cli_context(f"users create-{role}")
    secret = new_totp_secret()
    try:
        with transaction(container.sessions) as session:
            professional_id = None
            if professional is not None:
                organisation = None
                if professional.get("organisation"):
                    organisation = identity_services.get_or_create_organisation(
                        session,
                        container.clock,
                        finess=professional.get("finess") or None,
                        name=professional["organisation"],
                        facility_type=None,
                    )
                created = identity_services.create_professional(
                    session,
                    container.clock,
                    rpps=professional["rpps"],
                    family_name=professional["family_name"],
                    given_name=professional["given_name"],
                    profession_code=professional["profession"],
                    specialty_code=professional.get("specialty") or None,
                    organisation=organisation,
                    ctx=ctx,
                    regulator=regulator,
                )
                professional_id = created.id
            account = registration.create_account(
                session,
                container.security,
                email=email,
                display_name=name,
                roles=[Role(role)],
                status=AccountStatus.active,
                ctx=ctx,
                professional_id=professional_id,
                password=password,
            )
            registration.add_confirmed_totp(session, container.security, account, secret)
            codes = regenerate_recovery_codes(session, container.security, account=account, ctx=ctx)
    except DomainError as exc:
        errors.print("[red]" + translate("en", exc.message, exc.params) + "[/red]")
        if hasattr(exc, "errors"):
            for item in exc.errors:
                errors.print(f"  {item.field}: " + translate("en", item.message, item.params))
        raise typer.Exit(1) from exc
    finally:
        container.dispose()
    console.print(f"Created {role} account [bold]{email}[/bold].")
    if regulator:
        console.print("Médecin régulateur: may use the SAMU regulation access mode.")
    console.print("Add this key to an authenticator app (the second factor is mandatory):")
    console.print(f"  secret: [bold]{secret}[/bold]")
    console.print(f"  URI:    {totp_uri(secret, account_name=email)}")
    console.print("Recovery codes (each works once; store them safely):")
    for code in codes:
        console.print(f"  {code}")


@users_app.command("create-admin")
def create_admin(
    email: str,
    name: Annotated[str, typer.Option(help="Display name")] = "Operator",
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an operator (administrator) account with a password and a TOTP second factor."""
    _create_staff(email=email, name=name, role="operator", password_stdin=password_stdin)


@users_app.command("create-support")
def create_support(
    email: str,
    name: Annotated[str, typer.Option(help="Display name")] = "Support",
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account for the support team (the role never reads medical content)."""
    _create_staff(email=email, name=name, role="support", password_stdin=password_stdin)


@users_app.command("create-professional")
def create_professional(
    email: str,
    rpps: Annotated[str, typer.Option(help="RPPS number (11 digits)")],
    family_name: Annotated[str, typer.Option()],
    given_name: Annotated[str, typer.Option()],
    profession: Annotated[str, typer.Option(help="TRE_G15 code, 10 = médecin")] = "10",
    specialty: Annotated[str, typer.Option(help="TRE_R38 code, e.g. SM54 médecine générale")] = "",
    organisation: Annotated[str, typer.Option(help="Organisation name")] = "",
    finess: Annotated[str, typer.Option(help="Organisation FINESS (9 characters)")] = "",
    regulator: Annotated[
        bool,
        typer.Option(
            help="Médecin régulateur of a centre 15 (SAMU): may use the regulation access mode"
        ),
    ] = False,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a health professional's account (identified by RPPS) with TOTP."""
    if regulator and profession != "10":
        errors.print("[red]--regulator: only a médecin (--profession 10) can be a regulator.[/red]")
        raise typer.Exit(2)
    _create_staff(
        email=email,
        name=f"Dr {given_name} {family_name}"
        if profession == "10"
        else f"{given_name} {family_name}",
        role="professional",
        password_stdin=password_stdin,
        professional={
            "rpps": rpps,
            "family_name": family_name,
            "given_name": given_name,
            "profession": profession,
            "specialty": specialty,
            "organisation": organisation,
            "finess": finess,
        },
        regulator=regulator,
    )


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every audit hash chain; exit 1 naming the first broken entry of each chain."""
    from dmp.audit.services import verify_all

    settings = _settings()
    container = _container(settings)
    with container.sessions() as session:
        report = verify_all(session)
    container.dispose()
    if report.ok:
        console.print(f"Audit trail intact: {report.entries} entries in {report.chains} chains.")
        return
    for broken in report.breaks:
        errors.print(f"[red]BROKEN[/red] {broken}")
    errors.print(f"{len(report.breaks)} broken chain(s) out of {report.chains}.")
    raise typer.Exit(1)


@app.command()
def token(
    email: str,
    operator: Annotated[str, typer.Option(help="Who asks (recorded in the audit trail)")] = "",
) -> None:
    """Print a short-lived bearer access token for EMAIL (audited operator tool)."""
    from dmp.accounts import tokens
    from dmp.accounts.queries import account_by_email, active_account
    from dmp.shared.db import transaction

    settings = _settings()
    container = _container(settings)
    ctx = _cli_context("token")
    try:
        with transaction(container.sessions) as session:
            found = account_by_email(session, email)
            account = active_account(session, found.id if found else None)
            if account is None:
                errors.print(f"No active account {email}.")
                raise typer.Exit(1)
            asked_by = None
            if operator:
                asked_by = active_account(
                    session, getattr(account_by_email(session, operator), "id", None)
                )
                if asked_by is None or "operator" not in asked_by.role_names:
                    errors.print(f"{operator} is not an active operator account.")
                    raise typer.Exit(1)
            pair = tokens.issue(
                session,
                container.security,
                account=account,
                ctx=ctx,
                client="cli",
                operator=asked_by,
            )
    finally:
        container.dispose()
    errors.print(f"Access token for {email}, valid {pair.expires_in} s:")
    print(pair.access_token)


@keys_app.command("generate")
def keys_generate(
    output: Annotated[
        Path | None,
        typer.Option(help="Write the key ring to this new file (mode 0600) instead of stdout"),
    ] = None,
) -> None:
    """Create a new key ring with one random key (for production: DMP_KEYRING_FILE)."""
    from dmp.storage import keys

    ring = keys.generate()
    if output is None:
        print(ring.to_json())
        return
    try:
        keys.save(output, ring, create=True)
    except FileExistsError as exc:
        errors.print(f"[red]{output} already exists: not overwritten.[/red]")
        raise typer.Exit(1) from exc
    except OSError as exc:
        errors.print(f"[red]Cannot write {output}: {exc.strerror}[/red]")
        raise typer.Exit(1) from exc
    console.print(
        f"Key ring with key {ring.active} written to {output} (mode 0600).", soft_wrap=True
    )
    console.print(
        f"Set DMP_KEYRING_FILE={output} and keep a copy apart from the backups.", soft_wrap=True
    )


@keys_app.command("rotate")
def keys_rotate(
    generate: Annotated[
        bool, typer.Option(help="Add a new key to the key ring file and make it active first")
    ] = False,
) -> None:
    """Re-wrap every document's data key under the active key (content is not touched)."""
    from dmp.records.rotation import keys_in_use, rewrap_all
    from dmp.storage import keys

    settings = _settings()
    if generate:
        path = keys.keyring_file(settings)
        if path is None and settings.keyring is not None:
            errors.print(
                "The key ring comes from DMP_KEYRING: add the new key there, make it active,"
                " then run `dmp keys rotate` without --generate."
            )
            raise typer.Exit(2)
        if path is None:
            errors.print(
                "No key ring file: production has no default. Create one with"
                " `dmp keys generate --output PATH` and set DMP_KEYRING_FILE=PATH.",
                soft_wrap=True,
            )
            raise typer.Exit(2)
        ring = keys.load(settings).with_new_key()
        keys.save(path, ring)
        console.print(f"Key {ring.active} added to {path} and made active.")
    container = _container(settings)
    moved = rewrap_all(container.sessions, container.keks)
    console.print(f"{moved} data keys re-wrapped under {container.keks.active}.")
    console.print(
        "Keys in use: " + ", ".join(f"{k}: {n}" for k, n in keys_in_use(container.sessions).items())
    )
    container.dispose()


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Run every job once, then exit")] = False,
    interval: Annotated[int, typer.Option(help="Seconds between rounds")] = 30,
    quiet: Annotated[bool, typer.Option(help="Print only the rounds that did something")] = False,
) -> None:
    """Deliver e-mails and run the scheduled jobs (announcements, visibility, purges, sweeps)."""
    import time

    from dmp.jobs.runner import run_round
    from dmp.shared.logging import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, json_output=settings.log_json)
    container = _container(settings)
    try:
        while True:
            counts = run_round(container)
            if not quiet or any(counts.values()):
                console.print(", ".join(f"{name}: {count}" for name, count in counts.items()))
            if once:
                return
            time.sleep(interval)
    finally:
        container.dispose()


def main() -> None:
    app()
