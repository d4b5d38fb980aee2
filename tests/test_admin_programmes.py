"""Admin pages for programmes and their partner regions: list, create, edit, partners, delete."""
import pytest
from sqlalchemy import select

from eis_toolkit.cache import data_version
from eis_toolkit.extensions import db
from eis_toolkit.models import AuditEvent, Programme, Region


def _programme(slug="eis"):
    return db.session.scalar(select(Programme).where(Programme.slug == slug))


def _region(code):
    return db.session.scalar(select(Region).where(Region.code == code))


def _partners(slug="eis"):
    return [r.code for r in _programme(slug).regions]


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _form(**changes):
    data = {"slug": "eis-2", "title": "EIS, second round", "description": "Again", "starts": "2022-01-01",
            "ends": "2024-12-31"}
    data.update(changes)
    return data


@pytest.mark.parametrize("email", ["dk@example.org", "host@example.org", "it@example.org"])
def test_only_admins_change_programmes(client, loaded, login, email):
    login(email)
    programme = _programme()
    itc4 = _region("ITC4")
    for path in ["/admin/programmes/new", f"/admin/programmes/{programme.id}",
                 f"/admin/programmes/{programme.id}/partners/{itc4.id}/remove", f"/admin/programmes/{programme.id}/delete"]:
        assert client.post(path, data=_form(confirmed="y")).status_code == 403, path
    assert client.post(f"/admin/programmes/{programme.id}/partners", data={"region_id": itc4.id}).status_code == 403
    assert _partners() == ["DK04", "IE04", "ITC4"] and _programme("eis-2") is None


def test_the_list_shows_each_programme_with_its_counts(client, load, bundle, login):
    bundle["programme"].update(starts="2017-04-01", ends="2021-03-31")
    load(bundle)
    login("admin@example.org")
    page = client.get("/admin/programmes").get_data(as_text=True)
    row = page.split("Everywhere International SMEs")[1].split("</tr>")[0]
    assert "<code>eis</code>" in row and "2017" in row
    assert [cell.split(">")[-1] for cell in row.split("</td>") if 'class="num"' in cell] == ["3", "1"]


def test_the_list_has_an_empty_state(client, load, login):
    load({"people": [{"email": "admin@example.org", "name": "Ada Admin", "roles": ["admin"], "password": "admin-pass"}]})
    login("admin@example.org")
    page = client.get("/admin/programmes").get_data(as_text=True)
    assert "There are no programmes yet" in page and "<table" not in page


def test_the_list_is_paged_and_costs_the_same_queries_for_one_or_a_page_of_programmes(
        client, loaded, login, count_queries):
    login("admin@example.org")
    with count_queries() as one:
        client.get("/admin/programmes")
    regions = list(db.session.scalars(select(Region)))
    for i in range(30):
        db.session.add(Programme(slug=f"p{i:02}", title=f"Programme {i:02}", regions=regions[: i % 3 + 1]))
    db.session.commit()
    with count_queries() as many:
        first = client.get("/admin/programmes").get_data(as_text=True)
    assert len(many) == len(one) <= 6, (len(one), len(many))  # log-in, count, page, two counts
    assert "Page 1 of 2" in first and "Everywhere International SMEs" in first  # by title
    assert "Programme 23" in first and "Programme 24" not in first
    second = client.get("/admin/programmes?page=2").get_data(as_text=True)
    assert "Programme 24" in second and "Programme 29" in second and "Programme 23" not in second


def test_an_admin_creates_a_programme_and_the_change_is_audited(client, loaded, login):
    login("admin@example.org")
    response = client.post("/admin/programmes/new", data=_form(slug=" EIS-2 "))
    programme = _programme("eis-2")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/programmes/{programme.id}")
    assert programme.title == "EIS, second round" and str(programme.starts) == "2022-01-01" and programme.regions == []
    [event] = _events("programme.create")
    assert event.object_id == programme.id and event.user.email == "admin@example.org"


@pytest.mark.parametrize("changes, field, words", [
    ({"slug": "eis"}, "slug", "already a programme with the address name eis"),
    ({"slug": "Not A Slug"}, "slug", "lower-case letters, digits and"),
    ({"slug": ""}, "slug", "This field is required"),
    ({"title": ""}, "title", "This field is required"),
    ({"title": "x" * 201}, "title", "At most 200 characters"),
    ({"ends": "2021-12-31"}, "ends", "The end is before the start"),
    ({"starts": "2022-13-45"}, "starts", "Not a valid date"),
])
def test_bad_input_is_refused_on_its_field_and_the_typed_input_kept(client, loaded, login, changes, field, words):
    login("admin@example.org")
    response = client.post("/admin/programmes/new", data=_form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert words in page.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert 'value="EIS, second round"' in page or field == "title"
    assert "Again</textarea>" in page
    assert db.session.scalar(select(Programme).where(Programme.description == "Again")) is None


def test_an_admin_edits_a_programme_keeping_its_own_slug(client, loaded, login):
    login("admin@example.org")
    programme = _programme()
    response = client.post(f"/admin/programmes/{programme.id}", data=_form(slug="eis", title="EIS (2017–2021)"))
    assert response.status_code == 302
    assert _programme().title == "EIS (2017–2021)"
    [event] = _events("programme.edit")
    assert event.detail["changes"]["title"] == ["Everywhere International SMEs", "EIS (2017–2021)"]
    assert event.detail["changes"]["starts"] == [None, "2022-01-01"]


def test_the_edit_page_lists_the_partners_and_offers_the_other_regions(client, load, bundle, login):
    bundle["regions"].append({"code": "FI1B", "name": "Helsinki-Uusimaa", "country": "FI"})
    load(bundle)
    db.session.execute(Programme.__table__.update().values(title="Everywhere International SMEs"))
    programme = _programme()
    programme.regions.remove(_region("FI1B"))
    db.session.commit()
    login("admin@example.org")
    page = client.get(f"/admin/programmes/{programme.id}").get_data(as_text=True)
    partners, add = page.split('id="partners"')[1].split('id="region_id"')
    assert "<td>DK04</td><td>Central Denmark</td>" in partners and "FI1B" not in partners
    assert "FI1B – Helsinki-Uusimaa" in add and "DK04" not in add
    response = client.post(f"/admin/programmes/{programme.id}/partners", data={"region_id": _region("FI1B").id})
    assert response.status_code == 303 and _partners() == ["DK04", "FI1B", "IE04", "ITC4"]
    assert _events("programme.partner_add")[0].detail == {"region": "FI1B"}


@pytest.mark.parametrize("region_id", ["0", "999999", "not-a-number"])
def test_adding_no_region_or_an_unknown_one_changes_nothing(client, loaded, login, region_id):
    login("admin@example.org")
    programme = _programme()
    response = client.post(f"/admin/programmes/{programme.id}/partners", data={"region_id": region_id},
                           follow_redirects=True)
    assert "Choose a region to add." in response.get_data(as_text=True)
    assert _partners() == ["DK04", "IE04", "ITC4"] and _events("programme.partner_add") == []


def test_a_partner_nothing_depends_on_is_removed_at_once(client, loaded, login):
    login("admin@example.org")
    programme, itc4 = _programme(), _region("ITC4")
    version = data_version()
    response = client.post(f"/admin/programmes/{programme.id}/partners/{itc4.id}/remove")
    assert response.status_code == 303 and _partners() == ["DK04", "IE04"]
    assert data_version() != version, "the benchmark caches see the new partner list"
    assert _events("programme.partner_remove")[0].detail["region"] == "ITC4"


def test_removing_a_partner_reviewed_in_a_workshop_asks_first_and_says_what_depends_on_it(client, loaded, login):
    login("admin@example.org")
    programme, ie04 = _programme(), _region("IE04")
    path = f"/admin/programmes/{programme.id}/partners/{ie04.id}/remove"
    for response in (client.get(path), client.post(path)):
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "1 workshop that reviews it" in page and "Aarhus workshop" in page
        assert "Remove the partner region" in page
    assert _partners() == ["DK04", "IE04", "ITC4"]
    assert client.post(path, data={"confirmed": "y"}).status_code == 303
    assert _partners() == ["DK04", "ITC4"]
    assert _events("programme.partner_remove")[0].detail["hot_seat"] == ["aarhus-2017"]


def test_a_partner_whose_removal_would_orphan_data_is_refused(client, loaded, login):
    login("admin@example.org")
    programme, dk04 = _programme(), _region("DK04")
    path = f"/admin/programmes/{programme.id}/partners/{dk04.id}/remove"
    page = client.get(path).get_data(as_text=True)
    assert "1 workshop it hosts" in page and "1 self-assessment" in page and "1 submitted" in page
    assert "It cannot be removed" in page and "Remove the partner region" not in page
    response = client.post(path, data={"confirmed": "y"})
    assert response.status_code == 409 and "It cannot be removed" in response.get_data(as_text=True)
    assert _partners() == ["DK04", "IE04", "ITC4"] and _events("programme.partner_remove") == []


def test_removing_a_region_that_is_not_a_partner_changes_nothing(client, loaded, login):
    login("admin@example.org")
    empty = Programme(slug="empty", title="Empty")
    db.session.add(empty)
    db.session.commit()
    response = client.post(f"/admin/programmes/{empty.id}/partners/{_region('DK04').id}/remove", data={"confirmed": "y"})
    assert response.status_code == 302 and _events("programme.partner_remove") == []
    assert client.get(f"/admin/programmes/{empty.id}/partners/999999/remove").status_code == 404


def test_an_empty_programme_is_deleted_after_confirmation_and_its_regions_stay(client, loaded, login):
    login("admin@example.org")
    spare = Programme(slug="spare", title="Spare programme", regions=[_region("DK04"), _region("ITC4")])
    db.session.add(spare)
    db.session.commit()
    spare_id = spare.id
    page = client.get(f"/admin/programmes/{spare_id}/delete").get_data(as_text=True)
    assert "Delete the programme Spare programme?" in page and "2 partner regions stay" in page
    response = client.post(f"/admin/programmes/{spare_id}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/programmes")
    assert db.session.get(Programme, spare_id) is None and _region("DK04") is not None
    [event] = _events("programme.delete")
    assert event.detail == {"slug": "spare", "title": "Spare programme", "regions": ["DK04", "ITC4"]}


def test_a_programme_with_workshops_cannot_be_deleted(client, loaded, login):
    login("admin@example.org")
    programme = _programme()
    page = client.get(f"/admin/programmes/{programme.id}/delete").get_data(as_text=True)
    assert "It cannot be deleted: it has 1 workshop." in page and "Delete the programme</button>" not in page
    response = client.post(f"/admin/programmes/{programme.id}/delete")
    assert response.status_code == 409 and "Only an empty programme can be deleted" in response.get_data(as_text=True)
    assert _programme() is not None and _events("programme.delete") == []


def test_unknown_programmes_are_not_found(client, loaded, login):
    login("admin@example.org")
    for path in ["/admin/programmes/999999", "/admin/programmes/999999/delete"]:
        assert client.get(path).status_code == 404


def test_a_slug_taken_by_another_admin_since_it_was_checked_is_refused_on_the_field(client, loaded, login,
                                                                                    monkeypatch):
    from eis_toolkit.admin import programmes

    login("admin@example.org")
    monkeypatch.setattr(programmes, "find_programme", lambda slug: None)  # the check ran before the other commit
    response = client.post("/admin/programmes/new", data=_form(slug="eis", title="Typed title"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="Typed title"' in page
    assert "already a programme with the address name eis" in page.split('id="slug-error"')[1]
    assert db.session.scalar(select(Programme).where(Programme.title == "Typed title")) is None
