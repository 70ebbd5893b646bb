"""What `make demo` installs stays what building and reporting need (issue 18)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from lrs_reporter.parquet import require
from noroom.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_the_base_install_leaves_out_parquet_dask_and_the_test_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = " ".join(project["dependencies"]).lower()
    for heavy in ("pyarrow", "dask", "playwright", "pytest", "lingua", "hypothesis", "ruff"):
        assert heavy not in base, f"{heavy} is installed by make demo; make it an extra"
    extras = project["optional-dependencies"]
    assert any("pyarrow" in d for d in extras["parquet"])
    assert any("dask" in d for d in extras["dask"])


def test_a_missing_optional_dependency_names_the_extra_to_install():
    with pytest.raises(ConfigError) as caught:
        require("noroom_no_such_module", "parquet")
    assert "pip install 'noroom[parquet]'" in str(caught.value)


def test_an_installed_optional_dependency_passes():
    require("json", "parquet")
