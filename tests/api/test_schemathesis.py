"""Property-based run of schemathesis against the OpenAPI document with every check schemathesis has (the CLI's
`--checks all`): every operation, positive and negative data, authenticated as the office and as a centre,
>= 1,000 requests per role. Zero failures of any check: no 5xx, responses as documented, schema-valid requests
accepted (ST202) and schema-violating ones refused (ST201) - the document states the limits validation enforces.
The jobs it submits are purged from the queue afterwards.

What JSON Schema cannot say is told to the generator, never waived for the API as a whole:
- format "cn-phone": a valid Chinese number (phonenumbers decides); the pattern only states the characters.
  Registered with schemathesis; where its generator still draws from the pattern alone, the drawn phone is
  replaced by a valid one (positive data only).
- a notice's cross-field rules (service.models.notice: a table row has one cell per column, 印发日期 not before
  成文日期, a joint notice is signed by every organ): positive notice bodies are made to meet them.
- an upload's bytes: POST /records/imports may refuse a schema-valid file that is not an .xlsx with 422.
"""
from __future__ import annotations

from collections import Counter

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from service.units import PHONE_FORMAT
from tests.api.conftest import auth

EXAMPLES = 45  # per operation and generation mode
SLOW_EXAMPLES = 4  # the whole-store export takes a second or two per request
MIN_REQUESTS = 1000  # per role
PHONES = ["13812345678", "15023360303", "023-62345678", "0755-86013388", "(023)62345678", "+86 138-1234-5678",
          "138 1234 5678"]
CONFIG = {"operations": [{
    "include-name": "POST /api/v1/records/imports",
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422",
                                                                  "429"]}},
}]}


def _blocks(notice: dict) -> list[list]:
    docs = [notice, *(notice.get("attachments") or [])]
    issued = notice.get("issued")
    if isinstance(issued, dict):
        docs += [issued, *(issued.get("attachments") or [])]
    return [d.get("blocks") or [] for d in docs]


def meet_notice_rules(case) -> None:
    """Shape a positive notice body to the cross-field rules of the notice model (see the module docstring)."""
    body = case.body
    if not (isinstance(body, dict) and body.get("kind") in ("notice", "notice-bundle")):
        return
    notice = body["params"]["notice"]
    for blocks in _blocks(notice):
        for b in blocks:
            if b.get("type") == "table":
                n = len(b["columns"])
                b["rows"] = [(row + [""] * n)[:n] for row in b.get("rows", [])]
                if b.get("widths") is not None:
                    b["widths"] = (b["widths"] + [1] * n)[:n]
    signature, imprint = notice["signature"], notice["imprint"]
    imprint["print_date"] = max(imprint["print_date"], signature["date"])
    organs = notice["masthead"]["organs"]
    if len(organs) > 1 and len(signature["organs"]) < len(organs):
        signature["organs"] = list(organs)


def meet_phone_format(value):
    """Positive data: every string of a phone field is a valid number (format cn-phone)."""
    from service.units import normalize_phone

    if isinstance(value, dict):
        for k, v in value.items():
            if "phone" in k and isinstance(v, str):
                try:
                    normalize_phone(v)
                except ValueError:
                    value[k] = PHONES[0]
            else:
                meet_phone_format(v)
    elif isinstance(value, list):
        for v in value:
            meet_phone_format(v)


def all_checks() -> list:
    load_all_checks()
    return list(CHECKS.get_all())


def test_schemathesis_office_and_centre_all_checks(app, tokens):
    schemathesis.openapi.format(PHONE_FORMAT, st.sampled_from(PHONES))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=SchemathesisConfig.from_dict(CONFIG))
    checks = all_checks()
    assert len(checks) >= 14 and {c.__name__ for c in checks} >= {"negative_data_rejection",
                                                                  "positive_data_acceptance", "ignored_auth"}
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
            def run(case):  # called in this iteration, not later
                if mode is GenerationMode.POSITIVE:  # noqa: B023
                    meet_notice_rules(case)
                    meet_phone_format(case.body)
                for role in ("office", "A"):
                    headers = auth(tokens[role])
                    case.headers = {**(case.headers or {}), **headers}  # authenticated, whatever was generated
                    response = case.call()
                    counts[role] += 1
                    statuses[response.status_code] += 1
                    case.validate_response(response, checks=checks, headers=headers)

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to make invalid (no parameters, no body)
    print("schemathesis requests:", dict(counts), "statuses:", dict(statuses))
    assert counts["office"] >= MIN_REQUESTS and counts["A"] >= MIN_REQUESTS, counts
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[200] and statuses[202] and statuses[404] and statuses[422], statuses  # real behaviour reached
