"""Admin pages for people and regions: who may use them, and what they do."""
import re

import pytest
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import Region, Role, User

ADMIN_PAGES = ["/admin/people", "/admin/people/new", "/admin/regions", "/admin/regions/new"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("email, expected", [
    (None, 302),                       # anonymous: sent to log in
    ("dk@example.org", 403),           # region member
    ("host@example.org", 403),         # host
    ("it@example.org", 403),           # reviewer
    ("admin@example.org", 200),
])
def test_admin_pages_only_for_admins(client, loaded, login, path, email, expected):
    if email:
        login(email)
    assert client.get(path).status_code == expected
    if expected != 200 and path.endswith("/new"):
        assert client.post(path, data={"name": "X", "code": "XX1"}).status_code == expected


def _person_form(**changes):
    data = {"name": "Nina New", "email": "nina@example.org", "region_id": "0", "roles": ["reviewer"],
            "language": "en", "active": "y", "password": "long-enough"}
    data.update(changes)
    return data


def test_admin_creates_a_person_who_can_log_in(client, loaded, login):
    login("admin@example.org")
    region = db.session.scalar(select(Region).where(Region.code == "ITC4"))
    response = client.post("/admin/people/new", data=_person_form(region_id=str(region.id), roles=["region", "reviewer"]))
    assert response.status_code == 302
    nina = db.session.scalar(select(User).where(User.email == "nina@example.org"))
    assert nina.roles == {Role.REGION, Role.REVIEWER} and nina.region.code == "ITC4"
    client.post("/logout")
    assert client.post("/login", data={"email": "nina@example.org", "password": "long-enough"}).status_code == 302


def test_a_taken_email_is_refused_and_the_typed_input_kept(client, loaded, login):
    login("admin@example.org")
    response = client.post("/admin/people/new", data=_person_form(email="dk@example.org", name="Typed Name"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already a person with the e-mail address dk@example.org" in page
    assert 'value="Typed Name"' in page
    assert db.session.scalar(select(User).where(User.name == "Typed Name")) is None


def test_a_short_password_is_refused_with_the_field_named(client, loaded, login):
    login("admin@example.org")
    page = client.post("/admin/people/new", data=_person_form(password="short")).get_data(as_text=True)
    assert 'id="password-error"' in page and "at least 8" in page


def test_admin_edits_roles_and_keeps_the_password_when_left_empty(client, loaded, login):
    login("admin@example.org")
    member = db.session.scalar(select(User).where(User.email == "dk@example.org"))
    response = client.post(f"/admin/people/{member.id}", data=_person_form(
        name="Dag Member", email="dk@example.org", region_id=str(member.region_id), roles=["region", "host"],
        password=""))
    assert response.status_code == 302
    assert member.roles == {Role.REGION, Role.HOST}
    assert member.check_password("region-pass")


def test_an_admin_cannot_remove_their_own_admin_role(client, loaded, login):
    login("admin@example.org")
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    page = client.post(f"/admin/people/{admin.id}", data=_person_form(
        name=admin.name, email=admin.email, roles=["host"], password="")).get_data(as_text=True)
    assert "cannot take the admin role from yourself" in page
    assert admin.has_role("admin")


def test_people_list_searches_and_paginates(client, loaded, login):
    from eis_toolkit.accounts.services import create_user
    for i in range(30):
        create_user(f"person{i:02}@example.org", f"Person {i:02}", "long-enough")
    db.session.commit()
    login("admin@example.org")
    first = client.get("/admin/people").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "Person 29" in client.get("/admin/people?page=2").get_data(as_text=True)
    found = client.get("/admin/people?q=ida").get_data(as_text=True)
    assert "Ida Reviewer" in found and "Dag Member" not in found
    assert "Nobody matches" in client.get("/admin/people?q=zzz").get_data(as_text=True)


def test_people_page_runs_the_same_number_of_queries_however_many_people(client, loaded, login, count_queries):
    from eis_toolkit.accounts.services import create_user
    login("admin@example.org")
    with count_queries() as few:
        client.get("/admin/people")
    itc4 = db.session.scalar(select(Region).where(Region.code == "ITC4"))
    for i in range(15):
        create_user(f"extra{i}@example.org", f"Extra {i}", "long-enough", roles=["reviewer"], region=itc4)
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/people")
    assert len(many) == len(few)


def test_admin_creates_and_edits_a_region(client, loaded, login):
    login("admin@example.org")
    assert client.post("/admin/regions/new", data={"code": "itc3", "name": "Liguria", "country": "it",
                                                   "language": "it"}).status_code == 302
    liguria = db.session.scalar(select(Region).where(Region.code == "ITC3"))
    assert (liguria.name, liguria.country) == ("Liguria", "IT")
    page = client.post(f"/admin/regions/{liguria.id}", data={"code": "DK04", "name": "Liguria", "country": "IT",
                                                            "language": "it"}).get_data(as_text=True)
    assert "already a region with the code DK04" in page
    assert "ITC3" in client.get("/admin/regions").get_data(as_text=True)


def test_unknown_person_or_region_is_not_found(client, loaded, login):
    login("admin@example.org")
    assert client.get("/admin/people/999999").status_code == 404
    assert client.get("/admin/regions/999999").status_code == 404


@pytest.mark.parametrize("roles", [["region"], ["region", "reviewer"]])
def test_a_region_member_without_a_region_is_refused_on_the_field_with_the_input_kept(client, loaded, login, roles):
    login("admin@example.org")
    response = client.post("/admin/people/new", data=_person_form(name="Typed Name", roles=roles))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="region_id-error"' in page
    error = page.split('id="region_id-error"')[1].split("</")[0]
    assert "A region member needs a region" in error
    assert 'value="Typed Name"' in page and 'value="nina@example.org"' in page
    assert re.search(r'<input checked id="roles-\d" name="roles" type="checkbox" value="region">', page), \
        "the ticked roles stay ticked"
    assert db.session.scalar(select(User).where(User.email == "nina@example.org")) is None


def test_an_existing_region_member_cannot_lose_their_region(client, loaded, login):
    login("admin@example.org")
    member = db.session.scalar(select(User).where(User.email == "dk@example.org"))
    page = client.post(f"/admin/people/{member.id}", data=_person_form(
        name=member.name, email=member.email, region_id="0", roles=["region"], password="")).get_data(as_text=True)
    assert "A region member needs a region" in page
    assert db.session.scalar(select(User.region_id).where(User.email == "dk@example.org")) is not None


def test_people_without_the_region_member_role_need_no_region(client, loaded, login):
    login("admin@example.org")
    assert client.post("/admin/people/new", data=_person_form(roles=["host"])).status_code == 302
