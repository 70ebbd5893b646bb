"""Placeholder; filled by the work that needs it."""
