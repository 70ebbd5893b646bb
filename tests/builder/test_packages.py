"""Built packages: official XSDs, completeness, determinism, size; `noroom check` on broken ones."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from builder.build import build
from builder.check import SCORM12_NS, SCORM2004_NS, check_package, scorm_schema
from builder.package import zip_bytes
from noroom.cli import cli

from .conftest import ALL_FORMATS, FIXTURES, REAL_LANGUAGES, ROOT, real_package

SCORM = ["scorm12", "scorm2004"]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rezip(files: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
@pytest.mark.parametrize("fmt", SCORM)
def test_manifest_validates_against_official_xsd(course_dist, fmt, lang):
    files = members(real_package(course_dist, lang, fmt))
    root = etree.fromstring(files["imsmanifest.xml"])
    schema = scorm_schema(SCORM12_NS if fmt == "scorm12" else SCORM2004_NS)
    assert schema.validate(root), schema.error_log
    version = root.findtext(".//{*}schemaversion")
    assert version == ("1.2" if fmt == "scorm12" else "2004 4th Edition")
    # The XSDs travel in the package, as ADL requires.
    assert ("adlcp_rootv1p2.xsd" if fmt == "scorm12" else "adlcp_v1p3.xsd") in files


@pytest.mark.parametrize("fmt", SCORM)
def test_schema_rejects_an_invalid_manifest(mini_dist, fmt):
    files = members(mini_dist / f"mini_en_{fmt}.zip")
    broken = files["imsmanifest.xml"].replace(b"<organizations ", b"<organisations ", 1)
    broken = broken.replace(b"</organizations>", b"</organisations>", 1)
    schema = scorm_schema(SCORM12_NS if fmt == "scorm12" else SCORM2004_NS)
    assert not schema.validate(etree.fromstring(broken))


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
@pytest.mark.parametrize("fmt", SCORM)
def test_one_organization_with_one_item_that_is_the_sco(course_dist, fmt, lang):
    """Issue 12 item 10: an extra item around the SCO showed in Moodle's table of contents as a
    folder and the SCO under the same long title. One item per SCO, straight under the
    organization, referencing the SCO's resource; still valid against the official XSDs."""
    files = members(real_package(course_dist, lang, fmt))
    root = etree.fromstring(files["imsmanifest.xml"])
    schema = scorm_schema(SCORM12_NS if fmt == "scorm12" else SCORM2004_NS)
    assert schema.validate(root), schema.error_log
    (org,) = root.findall("{*}organizations/{*}organization")
    scos = root.findall(".//{*}resource")
    items = list(org.iter("{*}item"))
    assert [i.get("identifierref") for i in items] == [r.get("identifier") for r in scos]
    (sco,) = org.findall("{*}item")  # at the top, no item without a resource above it
    if fmt == "scorm12":
        assert sco.findtext("{http://www.adlnet.org/xsd/adlcp_rootv1p2}masteryscore") == "80"
    else:
        measure = sco.findtext(".//{http://www.imsglobal.org/xsd/imsss}minNormalizedMeasure")
        assert float(measure) == 0.8


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
@pytest.mark.parametrize("fmt", SCORM)
def test_every_file_is_listed_and_nothing_else_is_in_the_zip(course_dist, fmt, lang):
    files = members(real_package(course_dist, lang, fmt))
    root = etree.fromstring(files["imsmanifest.xml"])
    listed = [f.get("href") for f in root.iter("{*}file")]
    # Our own packages list everything, the schemas too; only the manifest is not a <file>.
    assert sorted(listed) == sorted(set(files) - {"imsmanifest.xml"})
    assert {"index.html", "runtime.js", "runtime.css", "adlcp_rootv1p2.xsd" if fmt == "scorm12"
            else "adlcp_v1p3.xsd"} <= set(listed)


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_package_and_runtime_sizes_are_within_budget(course_dist, fmt, lang):
    path = real_package(course_dist, lang, fmt)
    assert path.stat().st_size <= 300 * 1024
    files = members(path)
    # The runtime is one JS file and one CSS file (adapters are concatenated into runtime.js).
    assert [n for n in files if n.endswith(".js")] == ["runtime.js"]
    assert [n for n in files if n.endswith(".css")] == ["runtime.css"]
    assert len(gzip.compress(files["runtime.js"] + files["runtime.css"], 9)) <= 20 * 1024


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_dual_tracking_runtime_is_within_budget(tmp_path, fmt):
    # The largest runtime a learner loads: the SCORM adapter, the xAPI core and lrs.js together.
    out = tmp_path / "dual"
    result = CliRunner().invoke(cli, [
        "build", "--format", fmt, "--lang", "hu", "--out", str(out),
        "--lrs-endpoint", "https://lrs.example/xAPI/", "--lrs-key", "k", "--lrs-secret", "s",
        "--lms-homepage", "https://lms.example"])
    assert result.exit_code == 0, result.output
    files = members(next(out.glob("*.zip")))
    assert b"NoroomXapi" in files["runtime.js"]  # the xAPI core is in
    assert len(gzip.compress(files["runtime.js"] + files["runtime.css"], 9)) <= 20 * 1024


def test_two_builds_are_byte_identical(tmp_path):
    a = build(FIXTURES / "minimal", tmp_path / "a")
    b = build(FIXTURES / "minimal", tmp_path / "b")
    assert [x.path.name for x in a] == [y.path.name for y in b]
    for x, y in zip(a, b, strict=True):
        assert x.path.read_bytes() == y.path.read_bytes(), x.path.name


def test_real_course_builds_byte_identical_in_two_processes(tmp_path):
    """Two interpreters with different hash seeds (set and dict order, ids) give the same bytes."""
    outs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        subprocess.run([sys.executable, "-m", "noroom.cli", "build", "--out", str(out)],
                       cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
        outs.append({p.name: p.read_bytes() for p in sorted(out.glob("*.zip"))})
    assert len(outs[0]) == len(REAL_LANGUAGES) * len(ALL_FORMATS) + 1  # + the mul cmi5 package
    assert outs[0].keys() == outs[1].keys()
    assert [n for n in outs[0] if outs[0][n] != outs[1][n]] == []


def test_source_date_epoch_sets_zip_timestamps(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (built,) = build(FIXTURES / "minimal", tmp_path, ["en"], ["web"])
    with zipfile.ZipFile(built.path) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_check_accepts_every_built_package(course_dist, fmt, lang):
    path = real_package(course_dist, lang, fmt)
    report = check_package(path)
    assert report.ok, [str(p) for p in report.problems]
    assert report.warnings == []
    assert report.format == fmt
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert result.output == f"{path}: ok ({fmt})\n"


def run_check(path: Path):
    return CliRunner().invoke(cli, ["check", str(path)])


def test_check_rejects_missing_file(mini_dist, tmp_path):
    files = members(mini_dist / "mini_en_scorm12.zip")
    del files["runtime.js"]
    result = run_check(rezip(files, tmp_path / "p.zip"))
    assert result.exit_code == 1
    assert "imsmanifest.xml:" in result.output
    assert "lists runtime.js but the zip has no such file" in result.output


def test_check_rejects_unlisted_file(mini_dist, tmp_path):
    files = members(mini_dist / "mini_en_scorm2004.zip")
    files["extra/notes.txt"] = b"hello"
    result = run_check(rezip(files, tmp_path / "p.zip"))
    assert result.exit_code == 1
    assert "extra/notes.txt: is in the zip but not listed in any <resource>" in result.output


def test_check_rejects_manifest_invalid_against_schema_with_line(mini_dist, tmp_path):
    files = members(mini_dist / "mini_en_scorm12.zip")
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
        b"<schemaversion>1.2</schemaversion>", b"<schemaversion>1.2</schemaversion><bogus/>")
    result = run_check(rezip(files, tmp_path / "p.zip"))
    assert result.exit_code == 1
    assert "imsmanifest.xml:9: does not match the official schema" in result.output
    assert "bogus" in result.output


def test_check_rejects_zip_slip_paths(mini_dist, tmp_path):
    files = members(mini_dist / "mini_en_web.zip")
    files["../../etc/evil.js"] = b"x"
    result = run_check(rezip(files, tmp_path / "p.zip"))
    assert result.exit_code == 1
    assert "../../etc/evil.js: unsafe path" in result.output


def test_check_refuses_entities_in_manifest(mini_dist, tmp_path):
    files = members(mini_dist / "mini_en_scorm12.zip")
    files["imsmanifest.xml"] = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM '
                                b'"file:///etc/passwd">]>' + files["imsmanifest.xml"].split(
                                    b"?>", 1)[1])
    result = run_check(rezip(files, tmp_path / "p.zip"))
    assert result.exit_code == 1
    assert "declares a DTD" in result.output


def test_check_rejects_a_file_that_is_not_a_zip(tmp_path):
    bad = tmp_path / "course.zip"
    bad.write_bytes(b"not a zip")
    result = run_check(bad)
    assert result.exit_code == 1
    assert "is not a readable zip file" in result.output


def test_check_works_on_a_package_from_another_tool(tmp_path):
    manifest = b"""<?xml version="1.0"?>
<manifest identifier="other" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
 xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
 <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
 <organizations default="o"><organization identifier="o"><title>T</title>
 <item identifier="i" identifierref="r"><title>T</title></item></organization></organizations>
 <resources xml:base="content/"><resource identifier="r" type="webcontent" adlcp:scormtype="sco"
 href="start.html"><file href="start.html"/></resource></resources></manifest>"""
    path = rezip({"imsmanifest.xml": manifest, "content/start.html": b"<p>hi</p>"},
                 tmp_path / "other.zip")
    report = check_package(path)
    assert report.ok, [str(p) for p in report.problems]


def test_zip_entries_are_sorted_with_fixed_mode(mini_dist):
    with zipfile.ZipFile(io.BytesIO((mini_dist / "mini_en_scorm12.zip").read_bytes())) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {i.external_attr >> 16 for i in zf.infolist()} == {0o100644}


def test_check_rejects_absolute_zip_entries(mini_dist, tmp_path):
    files = members(mini_dist / "mini_en_scorm12.zip")
    files["/etc/cron.d/evil"] = b"x"
    files["C:/Windows/evil.js"] = b"x"
    result = run_check(rezip(files, tmp_path / "p.zip"))
    assert result.exit_code == 1
    assert "/etc/cron.d/evil: unsafe path (absolute or with '..')" in result.output
    assert "C:/Windows/evil.js: unsafe path (absolute or with '..')" in result.output


@pytest.mark.parametrize("href", ["../outside.html", "/srv/www/start.html", "a/../../up.js"])
def test_check_rejects_manifest_hrefs_outside_the_package(mini_dist, tmp_path, href):
    files = members(mini_dist / "mini_en_scorm2004.zip")
    manifest = files["imsmanifest.xml"].decode()
    lines = manifest.splitlines()
    line = next(i for i, text in enumerate(lines, 1) if '<file href="index.html"/>' in text)
    files["imsmanifest.xml"] = manifest.replace('<file href="index.html"/>',
                                                f'<file href="{href}"/>', 1).encode()
    result = run_check(rezip(files, tmp_path / "p.zip"))
    assert result.exit_code == 1
    assert f"imsmanifest.xml:{line}: href {href!r} points outside the package" in result.output


def test_check_warns_about_a_package_over_the_size_budget(mini_dist, tmp_path):
    """Over 300 KB is reported, not rejected: the budget is for packages without media, and
    another tool's package with video is still importable (our own are held to it at build)."""
    files = members(mini_dist / "mini_en_scorm12.zip")
    files["media/clip.bin"] = os.urandom(400 * 1024)  # random: deflate cannot shrink it
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
        b'<file href="index.html"/>', b'<file href="index.html"/><file href="media/clip.bin"/>')
    path = rezip(files, tmp_path / "p.zip")
    result = run_check(path)
    assert result.exit_code == 0, result.output
    kb = path.stat().st_size // 1024
    assert result.stderr == (f"{path}: warning: package is {kb} KB, over the 300 KB budget for "
                             "a package without media; fine if it carries media, otherwise look "
                             "for files it does not need\n")
    assert result.stdout == f"{path}: ok (scorm12)\n"


def test_zip_writer_gives_the_bytes_zipfile_writes(tmp_path, monkeypatch):
    """Our writer (which compresses shared members once per build) must stay a plain zip:
    byte for byte what zipfile writes for the same sorted, dated, 0644, level-9 entries."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    big = (ROOT / "builder" / "schemas" / "scorm2004" / "imscp_v1p1.xsd").read_bytes()
    files = {"z.xsd": big, "a/ü.html": "ü".encode() * 50, "empty.txt": b"", "m.xml": b"<m/>",
             "runtime.js": (ROOT / "builder" / "runtime" / "runtime.js").read_bytes()}
    expected = tmp_path / "zipfile.zip"
    with zipfile.ZipFile(expected, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type, info.create_system = zipfile.ZIP_DEFLATED, 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, files[name], compresslevel=9)
    shared: dict = {}
    first = zip_bytes(files, shared)
    assert big in shared  # compressed once, reused below
    second = zip_bytes({**files, "other.txt": b"x"}, shared)
    assert first == expected.read_bytes()
    with zipfile.ZipFile(io.BytesIO(second)) as zf:
        assert zf.testzip() is None and zf.read("z.xsd") == big


def test_build_warns_when_a_package_is_over_the_size_budget(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("builder.build.SIZE_BUDGET", 4 * 1024)  # the fixture web zip is ~9 KB
    with caplog.at_level("WARNING", logger="builder.build"):
        (built,) = build(FIXTURES / "minimal", tmp_path, ["en"], ["web"])
    assert [r.getMessage() for r in caplog.records] == [
        f"{built.path}: {built.size // 1024} KB, over the 4 KB budget for a package without "
        "media; keep media out of the package or shorten the course"]
