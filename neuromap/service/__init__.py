"""neuromap as an HTTP service: the JSON contract of :mod:`neuromap.io` over HTTP, for any language.

``neuromap serve`` runs :func:`create_app` on uvicorn with a few worker processes. The routes
(``POST /localize``, ``POST /localize/batch``, ``GET /atlas/{kind}``, ``GET|POST /render``,
``GET /health``, ``GET /version``, ``GET /openapi.json``, ``GET /docs``) are described in
``docs/service.md`` and in the OpenAPI document, made from the library's JSON schemas. Needs the
``serve`` extra (``pip install "neuromap-atlas[serve]"``).

Modules: :mod:`~neuromap.service.app` (the application and its routes),
:mod:`~neuromap.service.endpoints` (localize, batch, vocabulary, health, version),
:mod:`~neuromap.service.render` (drawings), :mod:`~neuromap.service.openapi` (the document),
:mod:`~neuromap.service.guards` (body and time limits), :mod:`~neuromap.service.problems`
(errors as JSON) and :mod:`~neuromap.service.settings`.
"""

from __future__ import annotations

from neuromap.errors import MissingDependencyError

try:
    import starlette  # noqa: F401
except ImportError as exc:  # pragma: no cover - the extra is installed in CI
    raise MissingDependencyError("starlette", "neuromap.service", "serve") from exc

from neuromap.service.app import ROUTES, create_app
from neuromap.service.settings import SETTINGS_ENV, ServiceSettings

__all__ = ["ROUTES", "SETTINGS_ENV", "ServiceSettings", "create_app"]
