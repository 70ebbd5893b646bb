"""`noroom verify NUMBER`: is this certificate number one the programme issued?"""

from __future__ import annotations

from pathlib import Path

import click

KEY_FILE_HELP = ("File holding the programme's certificate key (readable by its owner only: "
                 "chmod 600); $NOROOM_CERT_KEY, when set, is used instead.")


def read_certification(report: Path) -> dict:
    """certification.json of the report folder (or the file itself); NoroomError naming the
    file when it is missing or not a certification."""
    import json

    from noroom.errors import ConfigError

    path = report / "certification.json" if report.is_dir() else report
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the certification ({exc.strerror}); give the report "
                          "folder `noroom report` wrote, e.g. --report reports/", path) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError("is not a certification.json written by `noroom report`",
                          path) from exc
    if not isinstance(document, dict) or not isinstance(document.get("hotels"), list):
        raise ConfigError("is not a certification.json written by `noroom report` (no hotels)",
                          path)
    return document


@click.command("verify", short_help="Check a certificate number against a report.")
@click.argument("number")
@click.option("--report", type=click.Path(exists=True, path_type=Path), default=Path("reports"),
              show_default=True, help="Report folder (or its certification.json) to check "
              "against.")
@click.option("--cert-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=KEY_FILE_HELP)
def command(number: str, report: Path, cert_key_file: Path | None) -> None:
    """Check that NUMBER, printed on a certificate, belongs to a hotel certified in the report:
    recomputed with the programme's key from the hotel code, the certification date and the
    valid-until date. Exit 0 and the hotel when it does; exit 1 when it does not.

    \b
    Example:
      NOROOM_CERT_KEY=... noroom verify NR-ABCD-EFGH-JKLM-NPQR --report reports/
    """
    from lrs_reporter.numbers import KEY_ENV, load_key, verify
    from noroom.errors import ConfigError

    key = load_key(cert_key_file)
    if key is None:
        raise ConfigError(f"no certificate key: set {KEY_ENV} or give --cert-key-file (a number "
                          "can only be checked with the key that made it)")
    from lrs_reporter.outputs.tables import clean

    # The name and place come from the file, not from the number: cleaned, as an edited file
    # could hold terminal escapes.
    hotel = {k: clean(str(v)) if v is not None else None
             for k, v in verify(number, read_certification(report), key).items()}
    place = ", ".join(str(hotel[k]) for k in ("city", "country") if hotel.get(k))
    click.echo(f"valid: {hotel['name']} ({hotel['hotel_id']}{', ' + place if place else ''}), "
               f"certified on {hotel['certified_on']}"
               + (f", valid until {hotel['valid_until']}" if hotel.get("valid_until") else ""))
