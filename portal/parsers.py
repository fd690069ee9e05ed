"""The API's JSON parser."""

from __future__ import annotations

from typing import Any

import orjson
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser through orjson, which refuses a document nested more than 1,024 levels
    deep (and NaN or Infinity) as malformed: a 400. The standard library's parser recursed
    until Python's limit and answered 2,000 nested brackets with a 500."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            raise ParseError(_("The JSON body is malformed: %(error)s") % {"error": exc}) from exc
