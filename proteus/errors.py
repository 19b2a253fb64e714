"""Every failure a Proteus caller can act on.

    ProteusError                      root: anything Proteus raises on purpose
     +-- ConfigError                  settings or an input file are unusable
     +-- QueryCatalogError            a .cypher file's header and $params disagree
     +-- ServerError                  the local Neo4j could not be assembled, started or stopped
     +-- GraphUnavailable             Neo4j does not answer at the configured URI
     +-- GraphAuthError               Neo4j refused the credentials
     +-- InputError                   a user-supplied value or file is invalid (maps to HTTP 422)
     +-- NotFound                     a named thing does not exist (maps to HTTP 404)
     +-- Unauthorized                 no API key, or an unknown or revoked one (HTTP 401)
     +-- Forbidden                    a valid key whose role may not do this (HTTP 403)
     +-- Conflict                     valid request, but the state forbids it (HTTP 409)

Messages are one line and never carry a raw personal identifier.
"""

from __future__ import annotations


class ProteusError(Exception):
    """Root of every error Proteus raises on purpose."""

    status_code = 500
    code = "proteus_error"


class ConfigError(ProteusError):
    code = "config_error"


class QueryCatalogError(ProteusError):
    code = "query_catalog_error"


class ServerError(ProteusError):
    code = "server_error"


class GraphUnavailable(ProteusError):
    status_code = 503
    code = "graph_unavailable"


class GraphAuthError(ProteusError):
    status_code = 503
    code = "graph_auth_error"


class InputError(ProteusError):
    status_code = 422
    code = "invalid_input"


class NotFound(ProteusError):
    status_code = 404
    code = "not_found"


class Unauthorized(ProteusError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ProteusError):
    status_code = 403
    code = "forbidden"


class Conflict(ProteusError):
    status_code = 409
    code = "conflict"
