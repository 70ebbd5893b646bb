"""Guards: every command has help with an example and an entry in the README; the README starts
with the two set-up commands."""

from __future__ import annotations

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
