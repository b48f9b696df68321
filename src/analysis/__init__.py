"""e-helsestatus: municipalities' adoption of national e-health solutions against KS's ambitions.

``__version__`` is looked up when asked for: importlib.metadata costs more than starting
Python, and a no-change ``make report`` should cost about as much as starting Python.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name != "__version__":
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("ehelsestatus")
    except PackageNotFoundError:  # running from a source tree that is not installed
        found = "0.0.0"
    globals()["__version__"] = found
    return found
