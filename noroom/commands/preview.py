"""`noroom preview`: see the course as you edit its text, rebuilt and reloaded on every save."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("preview", short_help="Preview one language live while you edit it.")
@click.option("--lang", default="nl", show_default=True, help="Language to show, e.g. pl.")
@click.option("--format", "fmt", default="xapi", show_default=True,
              type=click.Choice(["xapi", "scorm2004", "scorm12", "web"]),
              help="Package format: xapi shows the statements sent to an in-memory LRS, "
                   "scorm2004/scorm12 the CMI data in scorm-again (needs `make node`), web none.")
@click.option("--country", help="Country whose contacts fill the text, e.g. BE.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--source", default="course_src", show_default=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Course source folder.")
def command(lang: str, fmt: str, country: str | None, port: int, source: Path) -> None:
    """Serve one language of the course on 127.0.0.1 and reload it whenever a file under
    course_src/ changes, with the tracking data and lint findings beside it; a broken edit
    shows the file and line instead of a blank page. Stop with Ctrl+C.

    \b
    Example:
      noroom preview --lang pl
      noroom preview --lang nl --format scorm2004 --port 0
    """
    from builder.preview import Preview, serve, wait_forever

    running = serve(Preview(source, lang, fmt, country), port)
    click.echo(f"Previewing {lang} ({fmt}) at {running.url}  (Ctrl+C stops)")
    wait_forever(running)
