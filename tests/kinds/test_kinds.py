"""One list of document kinds (issue 9 item 4): the API, the worker, `wenshu` and the template registry all take
their kinds from service.kinds.KINDS; layers point one way; a kind renders from the plain data of its items."""
from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "baisheng-2020"


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return out


def test_the_api_the_worker_and_the_templates_use_the_one_list():
    from service.api.schemas import job_request_model
    from service.jobs import kinds as registry
    from service.kinds import KINDS
    from service.templates.catalogue import listing, templates

    names = [k.name for k in KINDS]
    assert len(set(names)) == len(names)
    assert list(registry.kinds()) == names  # POST /jobs, GET /kinds
    members = job_request_model().model_json_schema()["$defs"]
    offered = sorted(m["properties"]["kind"]["const"] for m in members.values()
                     if "kind" in m.get("properties", {}) and "const" in m["properties"]["kind"])
    assert offered == sorted(names)  # the OpenAPI request body: one member per kind
    assert all(registry.get(n) is k for n, k in zip(names, KINDS))  # the worker looks kinds up here
    # the template kinds are exactly the templates the kinds declare (no second table)
    assert set(templates()) == {t.name for k in KINDS for t in k.templates}
    used = {row["kind"]: row["used_by"] for row in listing()}
    assert used["ledger_card"] == ["ledger-cards"] and used["notice"] == ["notice", "notice-bundle", "year-end"]
    # the internal jobs are jobs, not documents: looked up for the worker, never offered
    assert registry.get("records-import") is not None and "records-import" not in registry.kinds()


def test_layers_point_one_way():
    service = ROOT / "service"
    for path in (service / "kinds").glob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(("service.jobs", "service.api", "service.web", "tasks"))
               or m.endswith(".cli")}
        assert not bad, f"{path.name} imports {bad}"
    for path in service.rglob("*.py"):  # command modules are entry points: only commands import them
        if not path.stem.endswith("cli"):
            assert not {m for m in _imports(path) if m.endswith(".cli") or ".cli." in m}, path
    assert not {m for m in _imports(service / "jobs" / "pipeline.py") if m.startswith("service.render")}
    upper = ("service.jobs", "service.api", "service.web", "service.access", "tasks")
    for area in ("records", "render", "forms", "layout", "docx", "models", "ooxml", "pdf", "yearend", "templates"):
        for path in (service / area).rglob("*.py"):  # below the jobs: no job, token or audit module
            if not path.stem.endswith("cli"):
                bad = {m for m in _imports(path) if m.startswith(upper)}
                assert not bad, f"{path.relative_to(service)} imports {bad}"
    for name in ("template", "store", "provenance"):  # below the renderers: they never read the list of kinds
        bad = {m for m in _imports(service / "templates" / f"{name}.py")
               if m.startswith(("service.kinds", "service.templates.catalogue", "service.templates.check"))}
        assert not bad, f"templates/{name}.py imports {bad}"
    for path in (service / "kinds").glob("*.py"):  # no renderer looked up by its name
        assert "getattr(" not in path.read_text(encoding="utf-8"), path
    # the notice model validates without loading any renderer (the 版记 estimate is in service.layout)
    loaded = subprocess.run([sys.executable, "-c", "import sys, service.models.notice; "
                             "print(sorted(m for m in sys.modules if m.startswith('service.render')))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from samples.loader import load_sample
    from service.records.store.session import open_store

    st = open_store(f"sqlite:///{tmp_path_factory.mktemp('kinds') / 'records.db'}")
    with st.transaction() as s:
        load_sample(s, SAMPLE)
    return st


def test_a_kind_renders_from_the_plain_data_of_its_items(store, tmp_path):
    """What the worker stores (JSON) renders the same bytes as the records read directly; the CLI writes them."""
    from service.kinds import records as kinds
    from service.kinds.kind import make
    from service.records.cli import ledger_cmd
    from service.records.renderers import outputs

    params = kinds.ClassDocumentsParams(unit="紫荆村", year=2020, month=5)
    items = kinds.LEDGER_CARDS.split(params, store.transaction)
    assert items
    items = json.loads(json.dumps(items, ensure_ascii=False))  # as the job's rows keep them
    written = make(kinds.LEDGER_CARDS, params, store.transaction, tmp_path / "made")
    with store.transaction() as s:
        expected = {f.name: f.data for f in outputs.ledger_files(s, "紫荆村", 2020, 5)}
    assert {p.name: p.read_bytes() for p in written} == expected
    for _label, data in items:
        for p in kinds.LEDGER_CARDS.write(data, tmp_path, store.transaction):
            assert p.read_bytes() == expected[p.name]

    cli = tmp_path / "cli"
    r = CliRunner().invoke(ledger_cmd, ["--unit", "紫荆村", "--month", "2020-05", "--out", str(cli),
                                        "--database-url", str(store.engine.url)])
    assert r.exit_code == 0, r.output
    assert {p.name: p.read_bytes() for p in cli.iterdir()} == expected


def test_the_cli_refuses_an_unknown_unit_and_leaves_nothing(store, tmp_path):
    from service.records.cli import report_group

    out = tmp_path / "out"
    r = CliRunner().invoke(report_group, ["monthly", "--unit", "不存在村", "--month", "2020-05", "--out", str(out),
                                          "--database-url", str(store.engine.url)])
    assert r.exit_code == 1 and "不存在村" in r.output and "Traceback" not in r.output
    assert not out.exists() or not list(out.iterdir())


def test_the_bundle_kind_takes_its_params_as_data(monkeypatch, tmp_path):
    """The notice-bundle job hands its validated params to the bundle as models: no source folder is read, and
    the zip holds byte for byte the files `wenshu bundle` makes from the same folder."""
    from service import bundle
    from service.kinds.notice import NOTICE_BUNDLE

    data = {"notice": json.loads((SAMPLE / "notice.json").read_text(encoding="utf-8")),
            "units": json.loads((SAMPLE / "units.json").read_text(encoding="utf-8")),
            "monthly_report": json.loads((SAMPLE / "monthly_report.json").read_text(encoding="utf-8"))}
    data = NOTICE_BUNDLE.params.model_validate(data).model_dump(mode="json")

    def no_files(*a, **k):
        raise AssertionError("the bundle kind read a source file")

    with monkeypatch.context() as m:
        m.setattr(bundle, "read_json", no_files)
        m.setattr(bundle, "load_source", no_files)
        (path,) = NOTICE_BUNDLE.write(data, tmp_path, None)
    got, expected = zipfile.ZipFile(path), zipfile.ZipFile(io.BytesIO(bundle.build_bundle(SAMPLE).data))
    names = sorted(expected.namelist())
    assert sorted(got.namelist()) == names
    for name in names:  # the source hash differs: the job's source is its validated params, not the files
        if name != bundle.MANIFEST_NAME:
            assert got.read(name) == expected.read(name), name
    manifest = json.loads(got.read(bundle.MANIFEST_NAME))
    assert manifest["files"] == json.loads(expected.read(bundle.MANIFEST_NAME))["files"]
    assert manifest["source_sha256"] == bundle.source_digest(
        {bundle.NOTICE_FILE: data["notice"], bundle.UNITS_FILE: data["units"],
         bundle.MONTHLY_REPORT_FILE: data["monthly_report"]})


def test_the_records_commands_run_the_import_and_export_jobs(store, tmp_path, monkeypatch):
    """`wenshu records export|import` go through the records-export / records-import job kinds, as the worker
    does: the same bytes as the job's item, the same report, an import audited (as the command), nothing kept."""
    from sqlalchemy import select

    from service.access.models import AuditEntry
    from service.config import settings
    from service.jobs import kinds as registry
    from service.records.cli import records_group

    monkeypatch.setenv("WENSHU_STORAGE", str(tmp_path / "storage"))
    settings.cache_clear()
    url = str(store.engine.url)
    run = CliRunner().invoke
    r = run(records_group, ["export", "--unit", "紫荆村", "--out", str(tmp_path / "cli"), "--database-url", url])
    assert r.exit_code == 0, r.output
    made = {p.name: p.read_bytes() for p in (tmp_path / "cli").iterdir()}
    job = registry.get("records-export")
    expected = {}
    for workbook in ("schedule", "roster"):
        for p in job.write({"workbook": workbook, "unit": "紫荆村"}, tmp_path, store.transaction):
            expected[p.name] = p.read_bytes()
    assert made == expected and set(made) == {"紫荆村 培训班计划表.xlsx", "紫荆村 学员名册.xlsx"}

    r = run(records_group, ["export", "--unit", "火星村", "--out", str(tmp_path / "none"), "--database-url", url])
    assert r.exit_code == 1 and "找不到“火星村”" in r.output

    roster = tmp_path / "cli" / "紫荆村 学员名册.xlsx"
    r = run(records_group, ["import", str(roster), "--unit", "紫荆村", "--database-url", url])
    assert r.exit_code == 0 and r.output.startswith("导入成功：") and "新增0条" in r.output, r.output
    with store.transaction() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (last.action, last.role, last.token_id) == ("import", "cli", None)
        assert "紫荆村 学员名册.xlsx" in last.detail

    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a workbook")
    r = run(records_group, ["import", str(broken), "--database-url", url])
    assert r.exit_code == 1 and "Traceback" not in r.output and r.output.strip(), r.output
    assert not list((tmp_path / "storage" / "imports").iterdir())  # the kept uploads are gone
    settings.cache_clear()


def test_wenshu_make_makes_any_kind_of_the_list(store, tmp_path):
    """`wenshu make KIND` takes the job's params (a JSON file or --set) and writes what the kind's own command
    writes; bad params exit 2 naming the field in Chinese, an unknown unit 1, nothing left behind."""
    from service.cli import main

    url = str(store.engine.url)
    run = CliRunner().invoke
    r = run(main, ["report", "monthly", "--unit", "紫荆村", "--month", "2020-05", "--out", str(tmp_path / "report"),
                   "--database-url", url])
    assert r.exit_code == 0, r.output
    expected = {p.name: p.read_bytes() for p in (tmp_path / "report").iterdir()}
    r = run(main, ["make", "monthly-report", "--set", "unit=紫荆村", "--set", "year=2020", "--set", "month=5",
                   "--out", str(tmp_path / "made"), "--database-url", url])
    assert r.exit_code == 0, r.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "made").iterdir()} == expected

    params = tmp_path / "params.json"
    params.write_text(json.dumps({"unit": "紫荆村", "year": 2020, "month": 5, "formats": ["xlsx"]}), "utf-8")
    r = run(main, ["make", "ledger-cards", "--params", str(params), "--out", str(tmp_path / "cards"),
                   "--database-url", url])
    assert r.exit_code == 0, r.output
    cards = sorted(p.name for p in (tmp_path / "cards").iterdir())
    assert cards and all(n.endswith("学员培训记录卡.xlsx") for n in cards)

    r = run(main, ["make", "monthly-report", "--set", "unit=紫荆村", "--set", "year=2020", "--set", "month=13",
                   "--out", str(tmp_path / "bad"), "--database-url", url])
    assert r.exit_code == 2 and "月份" in r.output and "Traceback" not in r.output
    r = run(main, ["make", "no-such-kind", "--out", str(tmp_path / "bad")])
    assert r.exit_code == 2 and "monthly-report" in r.output
    r = run(main, ["make", "monthly-report", "--set", "unit=不存在村", "--set", "year=2020", "--set", "month=5",
                   "--out", str(tmp_path / "bad"), "--database-url", url])
    assert r.exit_code == 1 and "不存在村" in r.output
    assert not (tmp_path / "bad").exists() or not list((tmp_path / "bad").iterdir())
