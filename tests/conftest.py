"""Shared fixtures: real components only (see tests/support/)."""

pytest_plugins = ["tests.support.lrs", "tests.support.web", "tests.support.browser",
                  "tests.support.fault_proxy"]
