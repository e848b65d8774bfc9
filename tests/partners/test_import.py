"""Importing organizations: preview every row's fate, reject with line and reason, apply all
or nothing, flag duplicates, read the real 211 file (multi-line quoted addresses)."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from partners.models import Contact, Organization

from ..conftest import World

# A real 211 export (see tests/fixtures/README.md for its provenance).
SHELTERS = Path(__file__).parents[1] / "fixtures/toronto_211_homeless_shelters_supplement_2018.csv"
URL = "/halton/manage/organizations/import/"


def _upload(client, content: bytes | str, name: str = "partners.csv"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(URL, {"step": "upload", "file": SimpleUploadedFile(name, content)})


def _names(world: World) -> list[str]:
    with scope(tenant=world.halton):
        return sorted(Organization.objects.values_list("name", flat=True))


GOOD = """Organization,Sector,Website,Email
Oakville Food Bank,Community and social services,oakvillefoodbank.example,intake@ofb.example
Halton Women's Place,housing,https://hwp.example,
"""


def test_a_good_file_previews_then_imports(world: World, client_for) -> None:
    admin = client_for("admin")
    mapping_page = _upload(admin, GOOD)
    assert mapping_page.status_code == 200
    guessed = mapping_page.context["mapping"].initial
    assert guessed == {"name": "0", "sector": "1", "website": "2", "contact_email": "3"}
    mapping = {**guessed, "default_sector": ""}

    preview = admin.post(URL, {"step": "preview", **mapping})
    assert preview.status_code == 200
    assert [p.fate for p in preview.context["plans"]] == ["create", "create"]
    assert _names(world) == ["Halton Police", "Halton Youth Services"]  # nothing saved yet

    done = admin.post(URL, {"step": "confirm", **mapping})
    assert done.status_code == 302
    assert "Imported 2 organizations; 1 contact added without digests." in (
        admin.get(done["Location"]).content.decode()
    )
    assert "Oakville Food Bank" in _names(world)
    with scope(tenant=world.halton):
        food_bank = Organization.objects.get(name="Oakville Food Bank")
        assert food_bank.website == "https://oakvillefoodbank.example"
        assert food_bank.sector == "social_services"
        contact = Contact.objects.get(organization=food_bank)
        assert contact.email == "intake@ofb.example"
        assert not contact.receives_digest  # the administrator did not say so


def test_the_preview_names_the_digest_contacts_and_the_admin_confirms(
    world: World, client_for
) -> None:
    admin = client_for("admin")
    mapping = {**_upload(admin, GOOD).context["mapping"].initial, "default_sector": ""}
    preview = admin.post(URL, {"step": "preview", **mapping}).content.decode()
    assert "The file names 1 contact." in preview
    assert "intake@ofb.example" in preview
    assert "Send progress digests to this contact" in preview
    assert 'name="contacts_receive_digests"' in preview

    done = admin.post(URL, {"step": "confirm", "contacts_receive_digests": "yes", **mapping})
    assert done.status_code == 302
    assert "1 contact will receive digests." in admin.get(done["Location"]).content.decode()
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


def test_every_bad_row_is_reported_and_nothing_is_saved(world: World, client_for) -> None:
    admin = client_for("admin")
    _upload(admin, BAD)
    mapping = {
        "name": "0",
        "sector": "1",
        "website": "2",
        "contact_email": "3",
        "default_sector": "",
    }
    preview = admin.post(URL, {"step": "preview", **mapping})
    assert preview.status_code == 400
    fates = [(p.line, p.fate, " ".join(p.errors)) for p in preview.context["plans"]]
    assert fates == [
        (2, "error", "The name is empty."),
        (3, "create", ""),
        (4, "error", "Unknown sector “space travel”."),
        (5, "error", "“not a url at all” is not a web address."),
        (6, "error", "“nobody-at-example” is not an email address."),
        (7, "error", "The same name is on line 3."),
    ]
    page = preview.content.decode()
    assert "Nothing will be imported until every row passes" in page
    # Rows are shown as a person reads them: sector names, and the website as written.
    assert "<td>Housing</td>" in page and "<td>housing</td>" not in page
    assert "<td>not a url at all</td>" in page and "https://not a url" not in page
    confirm = admin.post(URL, {"step": "confirm", **mapping})
    assert confirm.status_code == 400
    assert _names(world) == ["Halton Police", "Halton Youth Services"]


def test_duplicates_are_flagged_not_doubled(world: World, client_for) -> None:
    admin = client_for("admin")
    _upload(admin, "name\nhalton police\nNew Agency\n")
    mapping = {
        "name": "0",
        "sector": "",
        "website": "",
        "contact_email": "",
        "default_sector": "other",
    }
    preview = admin.post(URL, {"step": "preview", **mapping})
    plans = preview.context["plans"]
    assert [(p.fate, p.duplicate_of) for p in plans] == [
        ("duplicate", "Halton Police"),
        ("create", ""),
    ]
    admin.post(URL, {"step": "confirm", **mapping})
    assert _names(world) == ["Halton Police", "Halton Youth Services", "New Agency"]


def test_the_real_211_file_imports_with_a_column_mapping(world: World, client_for) -> None:
    admin = client_for("admin")
    page = _upload(admin, SHELTERS.read_bytes(), name=SHELTERS.name)
    header_choices = dict(page.context["mapping"].fields["name"].choices)
    assert header_choices["1"] == "NAME"
    mapping = {
        "name": "1",
        "sector": "",
        "website": "",
        "contact_email": "",
        "default_sector": "housing",
    }
    preview = admin.post(URL, {"step": "preview", **mapping})
    plans = preview.context["plans"]
    assert len(plans) == 24
    assert {p.fate for p in plans} == {"create"}
    # Records span several lines (quoted addresses): lines are those the records start on.
    assert plans[0].line == 2 and plans[1].line == 4
    assert plans[0].name.startswith("Christie Ossington Neighbourhood Centre")
    admin.post(URL, {"step": "confirm", **mapping})
    with scope(tenant=world.halton):
        assert Organization.objects.filter(sector="housing").count() == 24


def test_a_formula_cell_is_stored_as_text(world: World, client_for) -> None:
    admin = client_for("admin")
    _upload(admin, 'name\n"=HYPERLINK(""http://evil.example"",""Click"")"\n')
    mapping = {
        "name": "0",
        "sector": "",
        "website": "",
        "contact_email": "",
        "default_sector": "other",
    }
    admin.post(URL, {"step": "confirm", **mapping})
    assert '=HYPERLINK("http://evil.example","Click")' in _names(world)
    page = admin.get(reverse("partners:organizations", args=["halton"])).content.decode()
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in page  # shown escaped, as text


def test_files_that_are_not_csv_are_refused_clearly(world: World, client_for) -> None:
    admin = client_for("admin")
    empty = _upload(admin, "")
    assert empty.status_code == 400
    header_only = _upload(admin, "name,sector\n")
    assert "has a header but no rows" in header_only.content.decode()
    broken = _upload(admin, b"\xff\xfe\x00\x00" * 10 + b"\x81")
    assert broken.status_code == 400


def test_a_lost_upload_says_so(world: World, client_for) -> None:
    response = client_for("admin").post(URL, {"step": "confirm", "name": "0"})
    assert response.status_code == 400
    assert "upload it again" in response.content.decode()
