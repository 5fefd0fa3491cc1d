"""The API's request parser: every text sent to the API passes ``lianmeng.core.cleaning`` first."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from lianmeng.core.cleaning import clean_json_strings, secret_key


class CleaningParser(Parser):
    """The API's request parser: JSON bodies, forms and query strings arrive without control characters."""

    def parse_body(self, request: HttpRequest) -> Any:
        return clean_json_strings(json.loads(request.body))

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> Any:
        parsed = super().parse_querydict(data, list_fields, request)
        return {k: v if secret_key(k) else clean_json_strings(v) for k, v in parsed.items()}
