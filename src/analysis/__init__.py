"""e-helsestatus: municipalities' adoption of national e-health solutions against KS's ambitions."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ehelsestatus")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
