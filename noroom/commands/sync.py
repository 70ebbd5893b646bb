"""`noroom sync`: copy new statements from an LRS into the local store (incremental)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from noroom.errors import ConfigError


def lrs_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--lrs, --lrs-user, --lrs-password-env, --page-size: shared by sync and report."""
    for option in reversed([
        click.option("--lrs", metavar="URL", help="xAPI endpoint, e.g. https://lrs.example/xAPI/."),
        click.option("--lrs-user", metavar="KEY", help="Basic-auth user (the LRS key)."),
        click.option("--lrs-password", metavar="SECRET", help="Basic-auth password. Visible to "
                     "other users of this machine in the process list: prefer "
                     "--lrs-password-env."),
        click.option("--lrs-password-env", metavar="VAR", default="NOROOM_LRS_PASSWORD",
                     show_default=True, help="Environment variable holding the password "
                     "(never given on the command line)."),
        click.option("--lrs-config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="YAML file with endpoint, user and password; must be readable by its "
                     "owner only (chmod 600)."),
        click.option("--page-size", type=click.IntRange(1, 10000), default=500,
                     show_default=True, help="Statements per LRS request."),
    ]):
        f = option(f)
    return f


def resolve_password(password: str | None, env_var: str | None) -> str | None:
    if password:
        return password
    return os.environ.get(env_var) if env_var else None


def read_lrs_config(path: Path | None) -> dict[str, str]:
    """endpoint/user/password from a YAML file that only its owner may read."""
    if path is None:
        return {}
    import stat

    import yaml

    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"is readable by other users (mode {stat.S_IMODE(mode):o}); run "
                          f"`chmod 600 {path}` first", path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError("is not valid YAML (endpoint:, user:, password:)", path) from exc
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping with endpoint, user and password", path)
    return {k: str(v) for k, v in data.items() if k in ("endpoint", "user", "password")}


def lrs_settings(lrs: str | None, user: str | None, password: str | None, env_var: str | None,
                 config: Path | None) -> tuple[str | None, str | None, str | None]:
    """Command line first, then the environment variable, then the config file."""
    file = read_lrs_config(config)
    return (lrs or file.get("endpoint"), user or file.get("user"),
            resolve_password(password, env_var) or file.get("password"))


def sync_progress():  # type: ignore[no-untyped-def]
    """A one-line counter on a terminal; nothing in CI or when piped."""
    import sys

    if not sys.stderr.isatty():
        return None
    return lambda r: click.echo(f"\r{r.pages} pages, {r.fetched:,} statements, {r.new:,} new",
                                err=True, nl=False)


@click.command("sync", short_help="Copy new statements from an LRS into the local store.")
@lrs_options
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(".noroom/store.sqlite"), show_default=True)
def command(lrs: str | None, lrs_user: str | None, lrs_password: str | None,
            lrs_password_env: str | None, lrs_config: Path | None, page_size: int,
            store: Path) -> None:
    """Copy new statements from an LRS into the local store; a re-run fetches only what is new.

    \b
    Example:
      NOROOM_LRS_PASSWORD=secret noroom sync --lrs https://lrs.example/xAPI/ \\
        --lrs-user key --store .noroom/store.sqlite
    """
    from lrs_reporter.sync import sync_store

    lrs, user, password = lrs_settings(lrs, lrs_user, lrs_password, lrs_password_env, lrs_config)
    if not lrs:
        raise ConfigError("give --lrs URL (the xAPI endpoint) or --lrs-config")
    result = sync_store(store, lrs, user, password, page_size, progress=sync_progress())
    click.echo(f"{result.pages} pages, {result.fetched} statements fetched, {result.new} new, "
               f"{result.invalid} unusable; store: {store}")
