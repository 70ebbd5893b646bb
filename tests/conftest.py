"""Shared fixtures: real components only (see tests/support/)."""

pytest_plugins = ["tests.support.lrs", "tests.support.web", "tests.support.browser",
                  "tests.support.fault_proxy", "tests.support.xapi_site",
                  "tests.support.hostile_lrs"]

from tests.builder.conftest import mini_dist  # noqa: E402,F401  (the end-to-end test uses it)
