"""No Room for Sex Trafficking toolkit: one CLI over the course builder and the LRS reporter."""

from noroom.errors import ConfigError, LRSError, NoroomError, PackageError, SourceError

__all__ = ["ConfigError", "LRSError", "NoroomError", "PackageError", "SourceError"]
