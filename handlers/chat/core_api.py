"""Late lookup of the core functions the commands call.

Looked up at call time (not import time) so one missing or broken area turns into a clear
"not available" reply for that command instead of breaking every command, and so tests can
swap a core function for a fake with ``monkeypatch.setattr``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from bot.core.errors import ServiceUnavailable

log = logging.getLogger(__name__)


def core(module: str, name: str) -> Callable[..., Any]:
    """The function ``module.name``; ServiceUnavailable when this build lacks it."""
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as err:
        if err.name != module:  # a broken import inside the module is a bug: let it show
            raise
        log.warning("core module %s is not available", module)
    except AttributeError:
        log.warning("core function %s.%s is not available", module, name)
    raise ServiceUnavailable(f"That is not available in this build yet ({module}.{name}).")
