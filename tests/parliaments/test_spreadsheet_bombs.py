"""Issue 12.2: an uploaded XLSX is checked as a zip before anything parses it. A
decompression bomb (one huge shared string, or millions of tiny ones), a zip of thousands
of members and a sheet of too many rows or columns are refused with a clear form error,
nothing is saved, and the worker's memory barely moves."""

import io
import time
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from commitments.models import Cycle
from parliaments.models import Action
from parliaments.spreadsheet import HEADERS
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db

URL = "/workspace/actions/spreadsheet/"
MB = 1024 * 1024
PLACEHOLDER = "PLACEHOLDER-TEXT"


def _workbook_bytes(rows=(), extra_header=()):
    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append([*HEADERS, *extra_header])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(content, replace):
    """A copy of the XLSX `content` in which `replace(name, data, archive_out)` writes each
    member (it returns False to have the member copied unchanged)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if not replace(info.filename, data, target):
                target.writestr(info.filename, data)
    return out.getvalue()


SST_HEAD = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
SHARED_STRINGS = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
SHARED_STRINGS_LINK = (
    b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
)


def _bomb(write_strings):
    """A valid XLSX, as Excel writes it, whose title cell is shared string 0;
    `write_strings(entry)` streams the body of xl/sharedStrings.xml (its <si> items)."""
    content = _workbook_bytes([["", "", PLACEHOLDER, "x"]])

    def replace(name, data, target):
        if name == "[Content_Types].xml":
            data = data.replace(b"</Types>", SHARED_STRINGS)
        elif name == "xl/_rels/workbook.xml.rels":
            data = data.replace(b"</Relationships>", SHARED_STRINGS_LINK)
        elif name == "xl/worksheets/sheet1.xml":
            placeholder = f'<c r="C2" t="inlineStr"><is><t>{PLACEHOLDER}</t></is></c>'.encode()
            assert placeholder in data
            data = data.replace(placeholder, b'<c r="C2" t="s"><v>0</v></c>')
        else:
            return False
        target.writestr(name, data)
        if name == "[Content_Types].xml":
            with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as entry:
                entry.write(SST_HEAD)
                write_strings(entry)
                entry.write(b"</sst>")
        return True

    return _rewrite(content, replace)


@pytest.fixture(scope="session")
def huge_string_bomb(tmp_path_factory):
    """Under 1 MB on the wire; its shared strings unpack to 1 GB: one huge text."""

    def write(entry):
        entry.write(b"<si><t>")
        chunk = b"A" * MB
        for _ in range(1024):
            entry.write(chunk)
        entry.write(b"</t></si>")

    path = tmp_path_factory.mktemp("bombs") / "huge-string.xlsx"
    path.write_bytes(_bomb(write))
    return path


@pytest.fixture(scope="session")
def tiny_strings_bomb(tmp_path_factory):
    """Five million tiny shared strings: small on the wire, slow and large to parse."""

    def write(entry):
        chunk = b"<si><t>a</t></si>" * 10_000
        for _ in range(500):
            entry.write(chunk)

    path = tmp_path_factory.mktemp("bombs") / "tiny-strings.xlsx"
    path.write_bytes(_bomb(write))
    return path


def _many_members():
    def replace(name, data, target):
        if name != "[Content_Types].xml":
            return False
        target.writestr(name, data)
        for number in range(20_000):
            target.writestr(f"xl/media/junk{number}.bin", b"")
        return True

    return _rewrite(_workbook_bytes(), replace)


def _too_many_rows():
    return _workbook_bytes([["", "", f"Action {n}"] for n in range(6_000)])


def _too_many_columns():
    return _workbook_bytes(extra_header=[f"extra{n}" for n in range(2_000)])


def _rss():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def plan_with_action(editor_ma):
    return ActionFactory(plan=PlanFactory(), title="An action already there")


def _upload_is_refused(client, content, expected):
    before_actions = Action.objects.count()
    before_rss = time.perf_counter(), _rss()
    response = client.post(URL, {"file": SimpleUploadedFile("actions.xlsx", content)})
    elapsed, growth = time.perf_counter() - before_rss[0], _rss() - before_rss[1]

    assert response.status_code == 200
    form = response.context["form"]
    errors = " ".join(form.errors.get("file", []))
    assert expected in errors, f"form errors: {form.errors!r}"
    assert response.context.get("plan") is None  # the file was never parsed
    assert "action_import" not in client.session
    assert Action.objects.count() == before_actions
    imports = default_storage.listdir("imports")[1] if default_storage.exists("imports") else []
    assert imports == []
    assert growth < 100 * MB, f"RSS grew by {growth / MB:.0f} MB"
    assert elapsed < 10, f"took {elapsed:.1f} s"
    return errors


def test_huge_shared_string_bomb_is_refused_before_parsing(
    editor_client, plan_with_action, huge_string_bomb
):
    content = huge_string_bomb.read_bytes()
    assert len(content) < 1.1 * MB
    errors = _upload_is_refused(editor_client, content, "unpacks to")
    assert "refused" in errors


def test_millions_of_tiny_strings_are_refused_quickly(
    editor_client, plan_with_action, tiny_strings_bomb
):
    _upload_is_refused(editor_client, tiny_strings_bomb.read_bytes(), "unpacks to")


def test_a_zip_of_thousands_of_members_is_refused(editor_client, plan_with_action):
    _upload_is_refused(editor_client, _many_members(), "holds 20,0")


def test_a_sheet_of_too_many_rows_is_refused(editor_client, plan_with_action):
    _upload_is_refused(editor_client, _too_many_rows(), "more than 5,000 rows")


def test_a_sheet_of_too_many_columns_is_refused(editor_client, plan_with_action):
    _upload_is_refused(editor_client, _too_many_columns(), "more than 50 columns")


def test_evidence_docx_bomb_is_refused(editor_client, plan_with_action, huge_string_bomb):
    """Evidence is stored, not parsed, but a zip-based upload must still be a sound zip
    (the same guard, with limits for documents)."""
    response = editor_client.post(
        f"/workspace/actions/{plan_with_action.pk}/progress/new/",
        {
            "date": "2021-06-01",
            "cycle": Cycle.objects.get(code="2021-progress").pk,
            "completion": "limited",
            "narrative": "x",
            "files": SimpleUploadedFile("evidence.xlsx", huge_string_bomb.read_bytes()),
        },
    )
    assert response.status_code == 200
    assert "unpacks to" in " ".join(response.context["form"].errors.get("files", []))


def test_a_normal_file_still_imports(editor_client, plan_with_action):
    content = editor_client.get(URL, {"download": "1"}).content
    response = editor_client.post(URL, {"file": SimpleUploadedFile("a.xlsx", content)})
    assert response.context["form"].errors == {}
    assert "no change to apply" in response.content.decode()


def test_a_zip_that_understates_its_sizes_is_refused_while_unpacking():
    """The central directory can lie: a 50 MB member declared as 1 KB is caught when it
    is streamed (the unpacked bytes stop matching the declared size and checksum)."""
    import struct

    from compact_tracker.uploads import UnsafeArchive, check_xlsx
    from parliaments.spreadsheet import UPLOAD_LIMITS

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/sharedStrings.xml", b"<sst><si><t>" + b"A" * 50 * MB + b"</t></si></sst>"
        )
    data = bytearray(buffer.getvalue())
    struct.pack_into("<I", data, 22, 1024)  # the local header's unpacked size
    struct.pack_into("<I", data, data.rfind(b"PK\x01\x02") + 24, 1024)  # the directory's
    with pytest.raises(UnsafeArchive, match="damaged"):
        check_xlsx(bytes(data), UPLOAD_LIMITS)
