"""Guards: every command has help with an example and an entry in the README; the README starts
with the two set-up commands; every link and picture in README.md and docs/ resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from noroom.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_readme_starts_with_the_two_setup_commands():
    block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split("#")[0].strip() for line in block] == ["make demo", "make test"]


def test_all_designed_commands_exist():
    assert {"build", "check", "lint", "xliff", "report", "sync"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output or "example" in result.output
    assert f"noroom {name}" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_documented_in_readme(name):
    assert f"noroom {name}" in README


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


# --- docs/ (issue 18 section 2): links and pictures that resolve, nothing users cannot open ---

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|<img\s[^>]*\bsrc=\"([^\"]+)\"")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def markdown_files() -> list[Path]:
    """README.md and every docs/*.md (docs/README-top.md is spliced into README.md, so its paths
    are relative to the project root like README's)."""
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def base_of(path: Path) -> Path:
    return ROOT if path.name.startswith("README") and path.parent in (ROOT, DOCS) else path.parent


def heading_slugs(path: Path) -> set[str]:
    """GitHub's anchors for a file's headings: lower case, punctuation dropped, spaces to '-'."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    titles = re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", t.replace("`", "").lower()).replace(" ", "-") for t in titles}


def local_links(path: Path) -> list[str]:
    text = INLINE_CODE.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    targets = [md or html for md, html in LINK.findall(text)]
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


@pytest.mark.parametrize("doc", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_local_link_and_picture_exists(doc):
    broken = []
    for target in local_links(doc):
        file, _, anchor = target.partition("#")
        resolved = (base_of(doc) / file).resolve() if file else doc
        if not resolved.is_file():
            broken.append(f"{target}: no file {resolved}")
        elif anchor and resolved.suffix == ".md" and anchor not in heading_slugs(resolved):
            broken.append(f"{target}: no heading with anchor #{anchor} in {resolved.name}")
    assert not broken, f"{doc.name}: " + "; ".join(broken)


def test_docs_exist_and_the_top_links_them_and_three_pictures():
    # docs/README-top.md until the lead splices it into README.md (and may then delete it).
    top_file = DOCS / "README-top.md"
    top = local_links(top_file if top_file.exists() else ROOT / "README.md")
    for name in ("architecture.md", "runtime.md", "certification.md", "translating.md"):
        assert f"docs/{name}" in top
    assert len({t for t in top if t.startswith("docs/images/") and t.endswith(".png")}) >= 3


def test_pictures_are_small_pngs():
    pictures = sorted((DOCS / "images").glob("*.png"))
    assert pictures
    for picture in pictures:
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture.name
        assert picture.stat().st_size < 160_000, f"{picture.name}: keep pictures under ~150 KB"


def test_no_doc_refers_to_files_users_do_not_have():
    # ../shared is the developers' workspace beside the project; a user's clone has no such folder.
    offenders = [p.relative_to(ROOT).as_posix() for p in DOCS.rglob("*")
                 if p.is_file() and b"../shared" in p.read_bytes()]
    assert not offenders
