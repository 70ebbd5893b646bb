"""`noroom check` against hostile and damaged zips (issue 15): one problem line per package, the
next package still checked, no traceback, names escaped, bounded in memory and time."""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.check import check_package
from noroom.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write(path: Path, files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def check(*paths: Path):
    return CliRunner().invoke(cli, ["check", *map(str, paths)])


@pytest.fixture
def scorm(mini_dist: Path) -> dict[str, bytes]:
    return members(mini_dist / "mini_en_scorm12.zip")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_members_compressed_other_than_stored_or_deflate_are_refused(scorm, tmp_path, method,
                                                                      mini_dist):
    bad = write(tmp_path / "bomb.zip", scorm, method)
    result = check(bad, mini_dist / "mini_en_scorm12.zip")
    assert f"{bad}: imsmanifest.xml: uses compression method {method}; packages use stored" \
        in result.output
    assert f"{mini_dist / 'mini_en_scorm12.zip'}: ok (scorm12)" in result.output
    assert result.exit_code == 1


def test_a_symbolic_link_entry_is_refused(scorm, tmp_path):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in scorm.items():
            if name != "runtime.css":
                zf.writestr(name, data)
        link = zipfile.ZipInfo("runtime.css")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    report = check_package(path)
    assert [str(p) for p in report.problems] == [
        "runtime.css: is a symbolic link, not a regular file; an unzip would recreate it; "
        "remove it"]


def set_flag(path: Path, member: str, bit: int) -> None:
    """Set a general-purpose flag bit of `member` in the central directory (zipfile's writer
    resets the flags, so the bytes are changed after writing)."""
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02" + b"")
    while at >= 0:
        length = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + length] == member.encode():
            flags = int.from_bytes(data[at + 8:at + 10], "little") | bit
            data[at + 8:at + 10] = flags.to_bytes(2, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def test_an_encrypted_member_is_refused(scorm, tmp_path):
    path = write(tmp_path / "locked.zip", scorm)
    set_flag(path, "runtime.js", 0x1)
    assert [str(p) for p in check_package(path).problems] == [
        "runtime.js: is encrypted; an LMS cannot read it; export the package without a password"]


def corrupt(data: bytes, at: int, value: bytes) -> bytes:
    return data[:at] + value + data[at + len(value):]


def test_damaged_zips_give_one_line_each_and_the_next_package_is_checked(scorm, tmp_path,
                                                                         mini_dist):
    stored = write(tmp_path / "stored.zip", scorm, zipfile.ZIP_STORED).read_bytes()
    manifest_at = stored.index(b"<?xml")
    header_at = stored.index(b"PK\x03\x04")
    bad_crc = tmp_path / "crc.zip"
    bad_crc.write_bytes(corrupt(stored, manifest_at + 2, b"Q"))
    bad_header = tmp_path / "header.zip"
    bad_header.write_bytes(corrupt(stored, header_at, b"XX\x03\x04"))
    good = mini_dist / "mini_en_scorm12.zip"
    result = check(bad_crc, bad_header, good)
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1
    lines = result.output.splitlines()
    assert [line.split(": ")[0] for line in lines] == [str(bad_crc), str(bad_header), str(good)]
    assert lines[0].endswith("adlcp_rootv1p2.xsd: is damaged (its checksum does not match); "
                             "export the package again")
    assert lines[1].endswith("adlcp_rootv1p2.xsd: is damaged (its checksum does not match); "
                             "export the package again")
    assert lines[2].endswith("ok (scorm12)")


def test_a_name_flagged_utf8_that_is_not_is_one_problem(tmp_path):
    path = write(tmp_path / "names.zip", {"index.html": b"<p>x", "\u00e9t\u00e9.txt": b"x"})
    data = path.read_bytes().replace("\u00e9t\u00e9".encode(), b"\xff\xfe\xfd\xfc\xfb")
    path.write_bytes(data)
    (problem,) = check_package(path).problems
    assert "is not a readable zip file, or is damaged" in str(problem)


def test_two_hundred_random_corruptions_never_raise(mini_dist, tmp_path):
    original = (mini_dist / "mini_en_cmi5.zip").read_bytes()
    rng = random.Random(15)
    path = tmp_path / "fuzz.zip"
    for _ in range(200):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        report = check_package(path)  # raises on a bug
        assert report.ok or report.problems


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_only_regular_files_are_read(tmp_path, kind):
    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "pipe.zip"
        os.mkfifo(path)
    else:
        path = tmp_path / "folder.zip"
        path.mkdir()
    (problem,) = check_package(path).problems
    assert "is not a regular file" in str(problem)


def test_duplicate_names_are_refused(scorm, tmp_path):
    path = tmp_path / "twice.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in scorm.items():
            zf.writestr(name, data)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("imsmanifest.xml", b"<manifest/>")
    problems = [str(p) for p in check_package(path).problems]
    assert problems == ["imsmanifest.xml: appears twice in the zip; tools disagree on which one "
                        "counts; keep one"]


@pytest.mark.parametrize("name", ["evil\r\nx.zip: ok (web)\n.js", "\x1b[2Jclear.js",
                                  "cut\x00.html", "\u202egnp.exe"])
def test_names_with_control_characters_are_refused_and_printed_escaped(scorm, tmp_path, name):
    # zipfile's writer cuts a name at NUL itself, so the name is written with a stand-in and the
    # bytes are put back after.
    path = write(tmp_path / "names.zip", {**scorm, name.replace("\x00", "Q"): b"x"})
    path.write_bytes(path.read_bytes().replace(b"cutQ.html", b"cut\x00.html"))
    result = check(path)
    assert result.exit_code == 1
    assert not any(c in result.output for c in "\r\x1b\x00\u202e")
    (line,) = result.output.splitlines()
    assert ("name holds control or direction characters" in line
            or "name is cut at a NUL character" in line)


def test_a_scorm_zip_without_its_manifest_is_not_a_web_package(scorm, tmp_path):
    del scorm["imsmanifest.xml"]
    scorm["index.html"] = scorm.get("index.html", b"<p>x")
    (problem,) = check_package(write(tmp_path / "gone.zip", scorm)).problems
    assert "but no imsmanifest.xml, tincan.xml or cmi5.xml at the zip root: the manifest is " \
        "missing" in str(problem)


def test_a_package_zipped_one_folder_too_deep_is_named(scorm, tmp_path):
    nested = {f"course/{name}": data for name, data in scorm.items()}
    (problem,) = check_package(write(tmp_path / "deep.zip", nested)).problems
    assert str(problem).startswith("course/imsmanifest.xml: is not at the zip root")


def test_scripts_in_any_svg_are_refused(scorm, tmp_path):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg"><x:script xmlns:x="http://www.w3.org/2000/'
           b'svg">alert(1)</x:script></svg>')
    report = check_package(write(tmp_path / "svg.zip", {**scorm, "brand/logo.svg": svg}))
    assert any("brand/logo.svg: unsafe SVG: line 1: <script> is not allowed" in str(p)
               for p in report.problems)


def limited(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `code` with at most 1 GiB of address space and 60 s (the issue's bound)."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=60, preexec_fn=cap)


def test_huge_html_in_a_small_zip_is_checked_within_bounds(mini_dist, tmp_path):
    files = members(mini_dist / "mini_en_cmi5.zip")
    link = b'<a href="index.html">x</a><a href="missing.html">y</a>\n'
    files["index.html"] = files["index.html"] + link * (54 * 1024 * 1024 // len(link))
    path = write(tmp_path / "html.zip", files)
    assert path.stat().st_size < 1024 * 1024
    result = limited(f"from noroom.cli import cli; cli(['check', {str(path)!r}])", ROOT)
    assert "Traceback" not in result.stderr
    assert f"{path}: warning: index.html: is over 2 MB; only its start was checked" \
        in result.stderr
    assert "links to missing.html, which is not in the zip" in result.stderr
