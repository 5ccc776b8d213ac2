"""Property-based run of schemathesis against the OpenAPI document: every operation, positive and negative data,
authenticated as the office and as a centre. Zero 5xx and zero responses that break the documented schema
(status codes, content types, headers, bodies). The jobs it submits are purged from the queue afterwards."""
from __future__ import annotations

from collections import Counter

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from tests.api.conftest import auth

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES = 30  # per operation and generation mode
SLOW_EXAMPLES = 4  # the whole-store export takes a second or two per request
MIN_REQUESTS = 500  # per role


def test_schemathesis_office_and_centre(app, tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    counts: Counter = Counter()
    statuses: Counter = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        for mode in GenerationMode:
            examples = SLOW_EXAMPLES if "/records/export" in operation.path else EXAMPLES

            @hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                                 suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                for role in ("office", "A"):
                    headers = auth(tokens[role])
                    case.headers = {**(case.headers or {}), **headers}  # authenticated, whatever was generated
                    response = case.call()
                    counts[role] += 1
                    statuses[response.status_code] += 1
                    case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to make invalid (no parameters, no body)
    print("schemathesis requests:", dict(counts), "statuses:", dict(statuses))
    assert counts["office"] >= MIN_REQUESTS and counts["A"] >= MIN_REQUESTS, counts
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[200] and statuses[404] and statuses[422], statuses  # the run reached real behaviour
