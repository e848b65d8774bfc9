"""Importing organizations through the one import pipeline: upload, choose the columns, the
check in the background (every row's fate, every rejected row with its line and reason), the
preview with the contacts the file names, and — only when every row passes and the
administrator confirms — the apply pass, all or nothing. The real 211 file (multi-line quoted
addresses) imports unedited; 50,000 rows go through in one run; a re-import doubles nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from cswb.imports import imports_expire
from cswb.models import ActivityEvent, ImportRecord, ImportRow
from cswb.tasks import expire_unconfirmed_imports
from partners.models import Contact, Organization
from partners.services import importing

from ..conftest import World

# A real 211 export (see tests/fixtures/README.md for its provenance), byte for byte.
SHELTERS = Path(__file__).parents[1] / "fixtures/toronto_211_homeless_shelters_supplement_2018.csv"
URL = "/halton/manage/organizations/import/"
ALREADY = ["Halton Police", "Halton Youth Services"]  # the world's organizations


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


def _upload(client: Client, content: bytes | str, name: str = "partners.csv"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def _record(world: World) -> ImportRecord:
    with scope(tenant=world.halton):
        return ImportRecord.objects.filter(kind="organizations").latest("pk")


def _page(record: ImportRecord) -> str:
    return reverse("manage:import", kwargs={"tenant_slug": "halton", "pk": record.pk})


def _columns(client: Client, record: ImportRecord, capture, **chosen: str):
    """Choose the columns; the check the choice queues runs when the request commits."""
    url = reverse(
        "manage:organization-import-columns", kwargs={"tenant_slug": "halton", "pk": record.pk}
    )
    data = {"name": "", "sector": "", "website": "", "contact_email": "", "default_sector": ""}
    with capture(execute=True):
        return client.post(url, {**data, **chosen})


def _confirm(client: Client, record: ImportRecord, capture, **data: str):
    url = reverse("manage:import-confirm", kwargs={"tenant_slug": "halton", "pk": record.pk})
    with capture(execute=True):
        return client.post(url, data)


def _checked(world: World, client: Client, content, capture, file_name="x.csv", **chosen):
    """Upload a file and choose its columns (the guessed ones unless given): the checked
    record and its preview page."""
    upload = _upload(client, content, file_name)
    assert upload.status_code == 302, upload.content.decode()[:2000]
    record = _record(world)
    columns_page = client.get(upload["Location"])
    assert columns_page.status_code == 200
    guessed = {k: v for k, v in columns_page.context["form"].initial.items() if v}
    done = _columns(client, record, capture, **(chosen or guessed))
    assert done.status_code == 302 and done["Location"] == _page(record)
    record.refresh_from_db()
    return record, client.get(_page(record)).content.decode()


def _names(world: World) -> list[str]:
    with scope(tenant=world.halton):
        return sorted(Organization.objects.values_list("name", flat=True))


GOOD = """Organization,Sector,Website,Email
Oakville Food Bank,Community and social services,oakvillefoodbank.example,intake@ofb.example
Halton Women's Place,housing,https://hwp.example,
"""


def test_a_good_file_previews_then_imports(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    upload = _upload(admin, GOOD)
    record = _record(world)
    assert upload.status_code == 302
    assert upload["Location"] == f"{URL}{record.pk}/columns/"
    assert record.state == "received" and len(record.checksum) == 64
    # Until the columns are chosen, the import's page sends its uploader back to them.
    assert admin.get(_page(record))["Location"] == upload["Location"]
    columns = admin.get(upload["Location"])
    guessed = columns.context["form"].initial
    assert guessed == {"name": "0", "sector": "1", "website": "2", "contact_email": "3"}

    done = _columns(admin, record, django_capture_on_commit_callbacks, **guessed)
    assert done.status_code == 302 and done["Location"] == _page(record)
    record.refresh_from_db()
    assert (record.state, record.rows_total, record.created_count) == ("checked", 2, 2)
    assert _names(world) == ALREADY  # nothing saved yet
    preview = admin.get(_page(record)).content.decode()
    assert "2 rows: 2 new, 0 updated, 0 unchanged, 0 rejected." in preview
    # Rows as a person reads them: the sector's name, the website with its scheme.
    assert (
        "Oakville Food Bank · Community and social services · "
        "https://oakvillefoodbank.example · intake@ofb.example"
    ) in preview

    confirmed = _confirm(admin, record, django_capture_on_commit_callbacks)
    assert confirmed.status_code == 302
    record.refresh_from_db()
    assert (record.state, record.created_count, record.applied_by) == ("applied", 2, world.admin)
    result = admin.get(_page(record)).content.decode()
    assert "Imported." in result and "1 contact added without digests." in result
    assert _names(world) == sorted([*ALREADY, "Oakville Food Bank", "Halton Women's Place"])
    with scope(tenant=world.halton):
        food_bank = Organization.objects.get(name="Oakville Food Bank")
        assert food_bank.website == "https://oakvillefoodbank.example"
        assert food_bank.sector == "social_services"
        assert food_bank.slug == "oakville-food-bank" and food_bank.group.name.startswith("org:")
        contact = Contact.objects.get(organization=food_bank)
        assert contact.email == "intake@ofb.example"
        assert not contact.receives_digest  # the administrator did not say so
        # The activity log has the import (who, which file, how many) and the administrator's
        # word on the contacts' digests: one event each, however many rows.
        imported = ActivityEvent.objects.get(verb="organizations.imported")
        assert (imported.actor, imported.target_id) == (world.admin, str(record.pk))
        assert imported.summary == "Imported partners.csv: 2 new, 0 updated"
        contacts = ActivityEvent.objects.get(verb="organization.contacts_imported")
        assert contacts.summary == "1 contact from partners.csv added without digests"


def test_a_preview_nobody_confirms_expires_with_a_clear_page(
    world: World, client_for, django_capture_on_commit_callbacks, settings
) -> None:
    admin = client_for("admin")
    record, _ = _checked(world, admin, GOOD, django_capture_on_commit_callbacks)
    later = record.checked_at + timedelta(days=settings.IMPORT_CONFIRM_DAYS, minutes=1)
    assert imports_expire(now=later) == 1
    page = admin.get(_page(record)).content.decode()
    assert "Not confirmed in time" in page and "Upload the file again" in page
    assert "Import: 2 new" not in page  # nothing left to confirm
    refused = _confirm(admin, record, django_capture_on_commit_callbacks)
    record.refresh_from_db()
    assert record.state == "expired" and refused.status_code == 302
    assert "Only a checked file" in admin.get(_page(record)).content.decode()  # the message
    assert _names(world) == ALREADY
    assert "cswb.tasks.expire_unconfirmed_imports" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert expire_unconfirmed_imports() == 0  # the daily job: nothing else is due


def test_the_preview_names_the_digest_contacts_and_the_admin_confirms(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    record, preview = _checked(world, admin, GOOD, django_capture_on_commit_callbacks)
    assert "The file names 1 contact." in preview
    assert "intake@ofb.example" in preview
    assert "Send progress digests to this contact" in preview
    assert 'name="contacts_receive_digests"' in preview

    _confirm(admin, record, django_capture_on_commit_callbacks, contacts_receive_digests="yes")
    assert "1 contact will receive digests." in admin.get(_page(record)).content.decode()
    with scope(tenant=world.halton):
        contact = Contact.objects.get(email="intake@ofb.example")
        assert contact.receives_digest


BAD = """name,sector,website,contact email
,housing,,
Good Agency,housing,,
Bad Sector Agency,space travel,,
Bad Site Agency,housing,not a url at all,
Bad Email Agency,housing,,nobody-at-example
Good Agency,housing,,
"""


def test_every_bad_row_is_reported_and_nothing_is_saved(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    record, page = _checked(world, admin, BAD, django_capture_on_commit_callbacks,
                            name="0", sector="1", website="2", contact_email="3")  # fmt: skip
    assert (record.state, record.rejected_count) == ("rejected", 5)
    with scope(tenant=world.halton):
        rows = [
            (r.line, r.action, r.reason)
            for r in ImportRow.objects.filter(record=record).order_by("line")
        ]
    assert rows == [
        (2, "reject", "The name is empty."),
        (3, "create", ""),
        (4, "reject", "Unknown sector “space travel”."),
        (5, "reject", "“not a url at all” is not a web address."),
        (6, "reject", "“nobody-at-example” is not an email address."),
        (7, "reject", "The same name is on line 3."),
    ]
    assert "Nothing will be imported until every row passes" in page
    assert "Rejected rows" in page and "<td>7</td>" in page
    # The website is shown as it was written, the sector by its name.
    assert "Bad Site Agency · Housing · not a url at all" in page
    assert "https://not a url" not in page
    confirm = _confirm(admin, record, django_capture_on_commit_callbacks)
    assert confirm.status_code == 302
    record.refresh_from_db()
    assert record.state == "rejected"
    assert _names(world) == ALREADY


def test_duplicates_are_flagged_not_doubled(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    record, page = _checked(world, admin, "name\nhalton police\nNew Agency\n",
                            django_capture_on_commit_callbacks, name="0",
                            default_sector="other")  # fmt: skip
    assert (record.state, record.created_count, record.unchanged_count) == ("checked", 1, 1)
    assert "already in the plan as “Halton Police”; skipped" in page
    _confirm(admin, record, django_capture_on_commit_callbacks)
    assert _names(world) == [*ALREADY, "New Agency"]


def test_a_reimport_doubles_nothing(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    first, _first_page = _checked(world, admin, GOOD, django_capture_on_commit_callbacks)
    _confirm(admin, first, django_capture_on_commit_callbacks)
    again, page = _checked(world, admin, GOOD, django_capture_on_commit_callbacks)
    assert (again.state, again.created_count, again.unchanged_count) == ("checked", 0, 2)
    assert "2 rows: 0 new, 0 updated, 2 unchanged, 0 rejected." in page
    _confirm(admin, again, django_capture_on_commit_callbacks, contacts_receive_digests="yes")
    again.refresh_from_db()
    assert (again.state, again.created_count) == ("applied", 0)
    with scope(tenant=world.halton):
        assert Organization.objects.count() == 4
        assert Contact.objects.filter(email="intake@ofb.example").count() == 1


def test_the_real_211_file_imports_unedited_with_a_column_mapping(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    upload = _upload(admin, SHELTERS.read_bytes(), name=SHELTERS.name)
    assert upload.status_code == 302
    header_choices = dict(admin.get(upload["Location"]).context["form"].fields["name"].choices)
    assert header_choices["1"] == "NAME"
    record = _record(world)
    _columns(admin, record, django_capture_on_commit_callbacks, name="1", default_sector="housing")
    record.refresh_from_db()
    assert (record.state, record.rows_total, record.created_count) == ("checked", 24, 24)
    with scope(tenant=world.halton):
        lines = list(
            ImportRow.objects.filter(record=record).order_by("line").values_list("line", "summary")
        )
    # Records span several lines (quoted addresses): lines are those the records start on.
    assert lines[0][0] == 2 and lines[1][0] == 4
    assert lines[0][1].startswith("Christie Ossington Neighbourhood Centre, South Site")
    _confirm(admin, record, django_capture_on_commit_callbacks)
    record.refresh_from_db()
    assert (record.state, record.created_count) == ("applied", 24)
    with scope(tenant=world.halton):
        assert Organization.objects.filter(sector="housing").count() == 24
        # Four 211 listings share a site's name up to their day; their slugs stay distinct.
        slugs = list(Organization.objects.values_list("slug", flat=True))
        assert len(slugs) == len(set(slugs)) == 26


def test_fifty_thousand_rows_are_checked_and_applied_in_one_run(
    world: World, client_for, django_capture_on_commit_callbacks, tmp_path
) -> None:
    """A regional 211 directory: 50,000 rows (every tenth with a contact) through the same
    pipeline as any upload, the tasks run in this process. `bench/organization_imports.py`
    times it; this test holds the counts."""
    rows = 50_000
    lines = ["Name,Sector,Website,Email"]
    for n in range(rows):
        email = f"intake{n}@agency.example" if n % 10 == 0 else ""
        lines.append(f'"Agency {n:05d}, Site",housing,agency{n}.example,{email}')
    content = ("\n".join(lines) + "\n").encode()
    assert len(content) > 2_000_000  # far past the old 1 MB and 2,000-row refusals
    admin = client_for("admin")
    record, page = _checked(world, admin, content, django_capture_on_commit_callbacks,
                            name="0", sector="1", website="2", contact_email="3")  # fmt: skip
    assert (record.state, record.rows_total, record.created_count) == ("checked", rows, rows)
    assert f"{rows} rows: {rows} new, 0 updated, 0 unchanged, 0 rejected." in page
    assert "The file names 5000 contacts." in page
    assert "And 4000 more in the file." in page  # the first thousand are listed
    with scope(tenant=world.halton):
        assert ImportRow.objects.filter(record=record).count() == importing.LIST_LIMIT
    _confirm(admin, record, django_capture_on_commit_callbacks)
    record.refresh_from_db()
    assert (record.state, record.created_count, record.rows_done) == ("applied", rows, rows)
    with scope(tenant=world.halton):
        assert Organization.objects.count() == rows + 2
        assert Contact.objects.filter(receives_digest=False).count() == rows // 10
        last = Organization.objects.get(name="Agency 49999, Site")
        assert last.website == "https://agency49999.example" and last.group_id
        assert ActivityEvent.objects.filter(verb="organizations.imported").count() == 1


def test_a_formula_cell_is_stored_as_text(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    record, _p = _checked(world, admin, 'name\n"=HYPERLINK(""http://evil.example"",""Click"")"\n',
                          django_capture_on_commit_callbacks, name="0",
                          default_sector="other")  # fmt: skip
    _confirm(admin, record, django_capture_on_commit_callbacks)
    assert '=HYPERLINK("http://evil.example","Click")' in _names(world)
    page = admin.get(reverse("partners:organizations", args=["halton"])).content.decode()
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in page  # shown escaped, as text


def test_files_that_are_not_csv_are_refused_clearly_and_leave_nothing(
    world: World, client_for
) -> None:
    admin = client_for("admin")
    empty = _upload(admin, "")
    assert empty.status_code == 400
    header_only = _upload(admin, "name,sector\n")
    assert header_only.status_code == 400
    assert "has a header but no rows" in header_only.content.decode()
    broken = _upload(admin, b"name\n" + b"\xff\xfe\x00\x00" * 10 + b"\x81")
    assert broken.status_code == 400
    assert "not text in UTF-8 or Windows-1252" in broken.content.decode()
    with scopes_disabled():
        assert not ImportRecord.objects.exists()


def test_windows_1252_is_read_as_such(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    name = "Centre francophone de Hamilton \u2013 Santé"  # an en dash, 0x96 in Windows-1252
    record, _p = _checked(world, admin, f"name\n{name}\n".encode("cp1252"),
                          django_capture_on_commit_callbacks, name="0",
                          default_sector="health")  # fmt: skip
    assert record.options["encoding"] == "cp1252"
    _confirm(admin, record, django_capture_on_commit_callbacks)
    assert name in _names(world)


def test_a_file_larger_than_the_limit_is_a_form_error(
    world: World, client_for, monkeypatch
) -> None:
    monkeypatch.setattr(importing, "MAX_BYTES", 1024 * 1024)
    big = "name\n" + "A very long organization name indeed\n" * 40_000
    response = _upload(client_for("admin"), big)
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.content.decode()
    with scopes_disabled():
        assert not ImportRecord.objects.exists()


def test_a_nul_byte_in_a_cell_is_a_rejected_row_and_in_a_field_a_400(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    content = b"Name,Sector\nGood Org,Health\nBad\x00 Org,Health\nAlso\x00 bad,Health\n"
    record, _p = _checked(world, admin, content, django_capture_on_commit_callbacks,
                          name="0", sector="1")  # fmt: skip
    with scope(tenant=world.halton):
        rejected = list(
            ImportRow.objects.filter(record=record, action="reject").values_list("line", "reason")
        )
    assert [line for line, _r in rejected] == [3, 4]
    assert all("NUL" in reason for _l, reason in rejected)
    assert record.state == "rejected"
    assert "Good Org" not in _names(world)
    # In the header, it is shown (and kept) as a replacement character.
    _upload(admin, b"Na\x00me,Sector\nGood Org,Health\n")
    header = _record(world).options["header"]
    assert header == ["Na\ufffdme", "Sector"]
    # In a form field, the request itself is refused.
    _upload(admin, GOOD)
    columns = reverse(
        "manage:organization-import-columns",
        kwargs={"tenant_slug": "halton", "pk": _record(world).pk},
    )
    assert admin.post(columns, {"name": "0\x00", "default_sector": ""}).status_code == 400
    assert _record(world).state == "received"


def test_columns_are_chosen_once(world: World, client_for, django_capture_on_commit_callbacks):
    admin = client_for("admin")
    record, _p = _checked(world, admin, GOOD, django_capture_on_commit_callbacks)
    url = reverse(
        "manage:organization-import-columns", kwargs={"tenant_slug": "halton", "pk": record.pk}
    )
    assert admin.get(url)["Location"] == _page(record)
    again = _columns(admin, record, django_capture_on_commit_callbacks, name="1")
    assert again["Location"] == _page(record)
    record.refresh_from_db()
    assert record.options["mapping"]["name"] == "0"


def test_an_indicator_import_has_no_columns_page(world: World, client_for) -> None:
    with scope(tenant=world.halton):
        record = ImportRecord.objects.create(
            tenant=world.halton, kind="indicators", file_name="x.csv", checksum="0" * 64
        )
    url = reverse(
        "manage:organization-import-columns", kwargs={"tenant_slug": "halton", "pk": record.pk}
    )
    assert client_for("admin").get(url).status_code == 404


@pytest.mark.parametrize("imports", [3, 30])
def test_the_import_page_lists_past_imports_in_a_fixed_number_of_queries(
    world: World, client_for, django_assert_max_num_queries, imports: int
) -> None:
    with scope(tenant=world.halton):
        ImportRecord.objects.bulk_create(
            ImportRecord(
                tenant=world.halton,
                kind="organizations",
                file_name=f"211-{n}.csv",
                checksum="0" * 64,
                state="applied",
                rows_total=n,
                created_by=world.admin,
            )
            for n in range(imports)
        )
    admin = client_for("admin")
    with django_assert_max_num_queries(16):
        page = admin.get(URL)
    assert page.status_code == 200
    assert page.content.decode().count("211-") == min(imports, 20)


@pytest.mark.parametrize(
    "url",
    [
        "https://agency.example",
        "http://www.halton.ca/services/shelters?id=3#top",
        "https://sub-domain.agency.example:8443/path",
        "HTTPS://AGENCY.EXAMPLE",
        "https://xn--caf-dma.example",
        "https://café.example",
        "https://192.168.0.1/",
        "https://user:pass@agency.example",
        "https://-agency.example",
        "https://agency-.example",
        "https://agency.e",
        "https://agency",
        "https://agency.example/a b",
        "https://agency..example",
        "ftp://agency.example",
        "https://" + "a" * 64 + ".example",
        "https://agency.example/" + "p" * 200,
    ],
)
def test_the_quick_web_address_check_agrees_with_django(url: str) -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    try:
        URLValidator(schemes=["http", "https"])(url)
        valid = len(url) <= importing.MAX_WEBSITE
    except ValidationError:
        valid = False
    assert importing.web_address_ok(url) is valid
