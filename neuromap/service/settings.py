"""The settings of the service: its limits and what it logs.

The settings travel from ``neuromap serve`` to the worker processes in one environment
variable (:data:`SETTINGS_ENV`, JSON), so that any ASGI server that starts workers by importing
:func:`neuromap.service.create_app` (``uvicorn --factory``, gunicorn's uvicorn workers) gets the
same ones.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass
from typing import Any

from neuromap.errors import InvalidArgumentError

__all__ = ["SETTINGS_ENV", "ServiceSettings"]

#: The environment variable holding the settings of the workers, as JSON.
SETTINGS_ENV = "NEUROMAP_SERVE_SETTINGS"


@dataclass(frozen=True)
class ServiceSettings:
    """Limits of the service, checked before any work, and whether cases are logged.

    The limits of one case (its bytes, findings, regions, vertices, depth) are the library's,
    :data:`neuromap.io.DEFAULT_JSON_LIMITS`; these are the service's own.

    Parameters
    ----------
    timeout : float
        Seconds of work a request may take (localizing, drawing, a whole batch); past it the
        work is interrupted and the answer is 503 ``TimeLimitExceeded``.
    body_timeout : float
        Seconds a client may take to send its request body; past it the answer is 408.
    max_batch_bytes : int
        Bytes of a ``POST /localize/batch`` body (413 beyond).
    max_batch_cases : int
        Cases in one batch (422 ``LimitExceededError`` beyond).
    max_render_dpi : int
        The largest ``dpi`` of a PNG drawing.
    log_cases : bool
        Write request bodies and query strings to the log. Off by default: cases are health
        data, and the log then holds only the method, path, status, size and duration.

    Examples
    --------
    >>> from neuromap.service import ServiceSettings
    >>> s = ServiceSettings(timeout=2.5)
    >>> ServiceSettings.from_json(s.to_json()) == s
    True
    """

    timeout: float = 10.0
    body_timeout: float = 10.0
    max_batch_bytes: int = 16_000_000
    max_batch_cases: int = 10_000
    max_render_dpi: int = 300
    log_cases: bool = False

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "log_cases":
                if not isinstance(value, bool):
                    raise InvalidArgumentError(f.name, f"expected true or false, got {value!r}")
                continue
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not number or not math.isfinite(value) or value <= 0 or (f.type == "int" and not isinstance(value, int)):
                kind = "a whole number" if f.type == "int" else "a number of seconds"
                raise InvalidArgumentError(f.name, f"expected {kind} greater than 0, got {value!r}")

    def to_json(self) -> str:
        """The settings as JSON text (what :data:`SETTINGS_ENV` holds)."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServiceSettings:
        """Settings from JSON text; missing keys take their defaults.

        Raises
        ------
        InvalidArgumentError
            Text that is not a JSON object of known settings, or a value out of range.
        """
        try:
            values: Any = json.loads(text)
        except ValueError:
            raise InvalidArgumentError(SETTINGS_ENV, "expected the settings as a JSON object") from None
        names = [f.name for f in dataclasses.fields(cls)]
        if not isinstance(values, dict) or not set(values) <= set(names):
            raise InvalidArgumentError(SETTINGS_ENV, f"expected a JSON object with keys among {', '.join(names)}")
        return cls(**values)

    @classmethod
    def from_env(cls) -> ServiceSettings:
        """The settings in :data:`SETTINGS_ENV`, or the defaults when it is not set."""
        text = os.environ.get(SETTINGS_ENV)
        return cls() if not text else cls.from_json(text)
