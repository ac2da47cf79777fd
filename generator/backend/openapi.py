"""The API's OpenAPI 3.0 description, served at ``/api/v1/openapi.json`` and fuzzed by the tests."""

from __future__ import annotations

from typing import Any

from ..records import URL_MAX
from .protocol import API_PREFIX, API_VERSION, TOKEN_HEADER, server_version

_TEXT_MAX = 200_000


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_REFUSALS = {
    "400": _error("A malformed request: the message says which field and why."),
    "403": _error("The request came from a web page (Origin or Sec-Fetch-Site)."),
    "405": _error("A method this path does not serve (OPTIONS included: no preflight is ever approved)."),
    "412": _error("The client speaks another API version."),
    "414": _error("The request line is longer than 65,536 bytes."),
    "421": _error("The Host header is not 127.0.0.1, localhost or [::1] (DNS rebinding)."),
}
_WRITE_REFUSALS = {
    **_REFUSALS,
    "401": _error(f"The {TOKEN_HEADER} header is missing or wrong."),
    "408": _error("The body did not arrive in time (the client stalled); the connection is closed."),
    "411": _error("No Content-Length."),
    "413": _error("The body is too large."),
    "415": _error("The body is not JSON."),
    "422": _error("The page's metadata cannot become a paper (no title or abstract, say)."),
}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_PAPER_SUMMARY = {
    "type": "object",
    "required": ["slug", "title", "page", "collections", "topics"],
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "page": {"type": "string", "description": "the paper's page, relative to the site root"},
        "collections": _STRINGS,
        "topics": {"type": "array", "items": {"type": "object"}},
        "arxiv_id": {"type": "string", "nullable": True},
        "doi": {"type": "string", "nullable": True},
    },
}
_PAGE = {
    "type": "object",
    "description": "What the extension's content script found on the page, unjudged.",
    "required": ["url"],
    "additionalProperties": False,
    "properties": {
        "url": {"type": "string", "maxLength": URL_MAX, "pattern": "^https?://"},
        "canonical": {"type": "string", "maxLength": URL_MAX},
        "title": {"type": "string", "maxLength": _TEXT_MAX},
        "arxiv_id": {"type": "string", "maxLength": 100},
        "abstract": {"type": "string", "maxLength": _TEXT_MAX},
        "meta": {
            "type": "object",
            "description": "meta tags by lower-case name or property: citation_*, dc.*, og:*, description",
            "maxProperties": 500,
            "additionalProperties": {"type": "array", "maxItems": 2000, "items": {"type": "string"}},
        },
        "jsonld": {"type": "array", "maxItems": 32, "items": {}, "description": "parsed JSON-LD blocks"},
    },
}


def openapi_document() -> dict[str, Any]:
    lookup_parameters = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": text,
            "schema": {"type": "string", "maxLength": URL_MAX},
        }
        for name, text in (
            ("arxiv", "an arXiv id (any version) or arXiv URL"),
            ("doi", "a DOI"),
            ("url", "the page's URL (arXiv and Hugging Face paper URLs resolve to the arXiv id)"),
            ("title", "the title; compared case-, accent- and punctuation-blind"),
        )
    ]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Papershelf backend",
            "version": server_version(),
            "description": (
                "The local API of `papershelf serve`, for the Papershelf browser extension. "
                "It answers only on 127.0.0.1, to Host 127.0.0.1 / localhost / [::1], never to web pages "
                f"(no CORS; Origin and Sec-Fetch-Site are checked); writes need the {TOKEN_HEADER} header "
                "shown by `papershelf token`."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "components": {
            "securitySchemes": {"token": {"type": "apiKey", "in": "header", "name": TOKEN_HEADER}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
        "paths": {
            "/ping": {
                "get": {
                    "summary": "Is Papershelf running, which version, is my token right?",
                    "operationId": "ping",
                    "responses": {
                        "200": {
                            "description": "Papershelf, its versions, the token's state and the last build.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["name", "version", "api", "token", "build"],
                                        "properties": {
                                            "name": {"type": "string", "enum": ["papershelf"]},
                                            "version": {"type": "string"},
                                            "api": {"type": "integer", "enum": [API_VERSION]},
                                            "token": {"type": "string", "enum": ["valid", "invalid", "missing"]},
                                            "papers": {"type": "integer"},
                                            "build": {"type": "object"},
                                        },
                                    }
                                }
                            },
                        },
                        **_REFUSALS,
                    },
                }
            },
            "/lookup": {
                "get": {
                    "summary": "Is this paper on the shelf?  Give at least one key.",
                    "operationId": "lookup",
                    "parameters": lookup_parameters,
                    "responses": {
                        "200": {
                            "description": "found, and if so the paper",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["found"],
                                        "properties": {
                                            "found": {"type": "boolean"},
                                            "matched_by": {"type": "string", "enum": ["arxiv", "doi", "url", "title"]},
                                            "paper": _PAPER_SUMMARY,
                                        },
                                    }
                                }
                            },
                        },
                        **_REFUSALS,
                    },
                }
            },
            "/collections": {
                "get": {
                    "summary": "The shelf's collections, for the popup's choice.",
                    "operationId": "collections",
                    "responses": {
                        "200": {
                            "description": "every collection with its number of papers",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["collections"],
                                        "properties": {"collections": {"type": "array", "items": {"type": "object"}}},
                                    }
                                }
                            },
                        },
                        **_REFUSALS,
                    },
                }
            },
            "/search": {
                "get": {
                    "summary": "Search the shelf with Whoosh, as the site's search box does.",
                    "operationId": "search",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "description": 'words, OR, NOT, "phrases", field:value, prefix*',
                            "schema": {"type": "string", "minLength": 1, "maxLength": 500},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "the best papers, best first, with highlighted passages",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["query", "total", "results"],
                                        "properties": {
                                            "query": {"type": "string"},
                                            "total": {"type": "integer"},
                                            "results": {"type": "array", "items": {"type": "object"}},
                                        },
                                    }
                                }
                            },
                        },
                        "404": _error("This backend serves no site, so it has no index."),
                        "503": _error("No build is being served yet."),
                        **_REFUSALS,
                    },
                }
            },
            "/clip": {
                "post": {
                    "summary": "Add the page's paper to the shelf, or merge it into the copy already there.",
                    "operationId": "clip",
                    "security": [{"token": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["page"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "page": _PAGE,
                                        "collections": {
                                            "type": "array",
                                            "maxItems": 64,
                                            "items": {"type": "string", "minLength": 1, "maxLength": 200},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _clip_result("The paper is new on the shelf."),
                        "200": _clip_result("The paper was on the shelf: merged (or unchanged)."),
                        **_WRITE_REFUSALS,
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This description.",
                    "operationId": "openapi",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.0",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_REFUSALS,
                    },
                }
            },
        },
    }


def _clip_result(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["status", "slug", "page", "title", "collections"],
                    "properties": {
                        "status": {"type": "string", "enum": ["created", "merged", "unchanged"]},
                        "slug": {"type": "string"},
                        "page": {"type": "string"},
                        "title": {"type": "string"},
                        "collections": _STRINGS,
                    },
                }
            }
        },
    }
