"""Schemathesis against the REST API's own OpenAPI document (issue 14): every generated
request, valid or not, with or without the API key, gets a documented answer, never a 500."""

from __future__ import annotations

import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.channels.rest import OPENAPI_PATH
from tests.fuzz.conftest import API_KEY

schema = schemathesis.openapi.from_dict(yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8")))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_the_api_answers_every_request_as_documented(case, live_gateway):
    headers = {"Authorization": f"Bearer {API_KEY}"} if case.method == "POST" else {}
    response = case.call(base_url=live_gateway.url, headers=headers, timeout=30)
    case.validate_response(response, checks=CHECKS)
