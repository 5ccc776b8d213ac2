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
  成文日期, a joint notice is signed by every organ, the 版记 fits one page, a 主送 moved to the 版记 exists):
  positive notice bodies are made to meet them; a year-end request names its 机关代字 or its notice. A positive
  job request that still breaks one of the kind model's cross-field rules is not sent (hypothesis.reject).
- an upload's bytes: POST /records/imports and POST /templates may refuse with 422 a schema-valid file that is not
  an .xlsx workbook or a .docx template of the kind.
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
UPLOAD_STATUSES = {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}}
CONFIG = {"operations": [{"include-name": "POST /api/v1/records/imports", "checks": UPLOAD_STATUSES},
                         {"include-name": "POST /api/v1/templates", "checks": UPLOAD_STATUSES}]}


def _blocks(notice: dict) -> list[list]:
    docs = [notice, *(notice.get("attachments") or [])]
    issued = notice.get("issued")
    if isinstance(issued, dict):
        docs += [issued, *(issued.get("attachments") or [])]
    return [d.get("blocks") or [] for d in docs]


def meet_notice_rules(body) -> None:
    """Shape a positive request body to the cross-field rules of the notice model (see the module docstring)."""
    if not (isinstance(body, dict) and body.get("kind") in ("notice", "notice-bundle", "year-end")):
        return
    params = body.get("params")
    if not isinstance(params, dict):
        return
    if body["kind"] == "year-end" and not params.get("agency_code") and not params.get("notice"):
        params["agency_code"] = "某府发"  # the decision's 机关代字: given, or taken from the notice
    notice = params.get("notice")
    if not isinstance(notice, dict):
        return
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
    # the 版记 fits one page (clause 7.4; estimated from its lines) and a 主送 moved there exists
    from service.layout.imprint import imprint_overflow

    moved = imprint.get("recipients_at") == "imprint"
    if moved and not notice.get("recipients"):
        imprint["recipients_at"], moved = "auto", False
    while imprint.get("cc") and imprint_overflow(notice.get("recipients", []) if moved else [], imprint["cc"]):
        imprint["cc"].pop()
    while moved and imprint_overflow(notice["recipients"], imprint.get("cc", [])):
        notice["recipients"].pop()
        if not notice["recipients"]:
            imprint["recipients_at"] = "auto"
            break


def meets_kind_model(body) -> bool:
    """A job request's params as the kind's own model sees them (cross-field rules included); other bodies pass."""
    from pydantic import ValidationError

    from service.jobs import kinds as registry

    if not (isinstance(body, dict) and isinstance(body.get("kind"), str) and isinstance(body.get("params"), dict)):
        return True
    kind = registry.get(body["kind"])
    if kind is None:
        return True
    try:
        kind.params.model_validate(body["params"])
    except ValidationError:
        return False
    return True


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
                # authenticated first: schemathesis re-judges a case when its headers change, and a negative draw
                # whose only violation was a generated header is positive once the token replaces it
                case.headers = {**(case.headers or {}), **auth(tokens["office"])}
                # positive as the checks see it: a negative draw whose mutation the API ignores counts as positive
                meta = case.meta
                if (meta.generation.mode.is_positive if meta is not None else mode is GenerationMode.POSITIVE):  # noqa: B023
                    body = case.body
                    meet_notice_rules(body)
                    meet_phone_format(body)
                    case.body = body  # set again: a case may hand out its body anew
                    if not meets_kind_model(body):
                        hypothesis.reject()  # a cross-field rule the schema cannot state: not a positive case
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
