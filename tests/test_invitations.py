"""Invitations (accounts/invitations.py): one person, a pasted list, a CSV file, the command line;
the link (signed, expiring, single use, bound to the invitation), read back from a real SMTP server."""
from __future__ import annotations

import io
import re
import time

import pytest
from sqlalchemy import func, select

from eis_toolkit.accounts.invitations import invitation_token
from eis_toolkit.extensions import db
from eis_toolkit.models import User

NEW = "a-much-better-one"


def _user(email: str) -> User | None:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def _people() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(User.id)))


def _link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/invitation/\S+)", text).group(1)


def _one(client, **values):
    data = {"one-name": "Nora New", "one-email": "nora@example.org", "one-region_id": "", "one-roles": ["region"],
            "one-language": "", "one-submit": "1"} | {f"one-{k}": v for k, v in values.items()}
    return client.post("/people/invite", data=data)


def _region_id(code: str) -> int:
    from eis_toolkit.accounts.services import find_region

    db.session.rollback()
    return find_region(code).id


def test_an_admin_invites_one_person_who_sets_a_password_and_is_logged_in(app, loaded, client, login, smtp_server):
    login("admin@example.org")
    assert client.get("/people/invite").status_code == 200
    response = _one(client, region_id=str(_region_id("DK04")))
    assert response.status_code == 200 and b"1 new" in response.data
    person = _user("nora@example.org")
    assert person.invitation_pending and person.region.code == "DK04" and person.language == "da"
    assert not person.check_password("")
    # The e-mail, read back from the SMTP server: to her, in Danish (the region's language), a link.
    [message] = smtp_server.to("nora@example.org")
    assert message["Content-Language"] == "da" and "Ada Admin" in message.get_body(("plain",)).get_content()
    assert "inviterer dig" in message.get_body(("plain",)).get_content()
    path = _link(message)
    client.post("/logout")
    page = client.get(path)
    assert page.status_code == 200 and b"nora@example.org" in page.data
    response = client.post(path, data={"language": "de", "new_password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200  # logged in
    person = _user("nora@example.org")
    assert not person.invitation_pending and person.check_password(NEW) and person.language == "de"
    # Used: the link no longer works.
    assert client.get(path).status_code == 400
    client.post("/logout")
    assert client.post("/login", data={"email": "nora@example.org", "password": NEW}).status_code == 302


def test_a_weak_password_is_refused_and_the_link_still_works(loaded, client, login, smtp_server):
    login("admin@example.org")
    _one(client, region_id=str(_region_id("DK04")))
    path = _link(smtp_server.to("nora@example.org")[0])
    response = client.post(path, data={"language": "en", "new_password": "password1", "confirm": "password1"})
    assert response.status_code == 200 and b"most common" in response.data
    assert _user("nora@example.org").invitation_pending
    assert client.get(path).status_code == 200


def test_an_expired_a_tampered_and_a_disabled_persons_link_are_refused(app, loaded, client, login):
    login("admin@example.org")
    _one(client, region_id=str(_region_id("DK04")))
    person = _user("nora@example.org")
    days = app.config["EIS_INVITATION_DAYS"]
    expired = invitation_token(person, issued_at=time.time() - days * 86400 - 60)
    fresh = invitation_token(person)
    for bad in (expired, fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB"), "nonsense", fresh + "x"):
        response = client.get(f"/invitation/{bad}")
        assert response.status_code == 400 and b"This link does not work" in response.data, bad
    assert client.get(f"/invitation/{fresh}").status_code == 200
    person = _user("nora@example.org")
    person.active = False
    db.session.commit()
    assert client.get(f"/invitation/{fresh}").status_code == 400
    assert client.post(f"/invitation/{fresh}", data={"language": "en", "new_password": NEW,
                                                     "confirm": NEW}).status_code == 400
    assert _user("nora@example.org").invitation_pending


def test_a_reset_token_is_no_invitation_and_a_person_with_a_password_has_none(app, loaded, client):
    from eis_toolkit.accounts.passwords import reset_token

    person = _user("dk@example.org")
    # Someone who chose a password has no invitation to accept, whatever the token.
    assert client.get(f"/invitation/{invitation_token(person)}").status_code == 400
    assert client.get(f"/invitation/{reset_token(person)}").status_code == 400


def test_inviting_again_sends_a_new_link_and_kills_the_old_one(loaded, client, login, smtp_server):
    login("admin@example.org")
    _one(client, region_id=str(_region_id("DK04")))
    old = _link(smtp_server.to("nora@example.org")[0])
    person_id = _user("nora@example.org").id
    response = client.post(f"/people/{person_id}/invite")
    assert response.status_code == 302
    new = _link(smtp_server.to("nora@example.org")[1])
    assert new != old
    assert client.get(old).status_code == 400 and client.get(new).status_code == 200
    # Through the list too: the same address again is a new link, not a second person.
    response = _one(client, region_id=str(_region_id("DK04")))
    assert b"1 again" in response.data and _people() == 6
    assert client.get(new).status_code == 400


def test_a_person_with_an_account_is_reported_not_duplicated(loaded, client, login, smtp_server):
    login("admin@example.org")
    before = _people()
    response = _one(client, email="DK@example.org", region_id=str(_region_id("DK04")))
    assert response.status_code == 200
    assert b"have an account already" in response.data and b"dk@example.org" in response.data
    assert _people() == before and smtp_server.messages == []
    assert _user("dk@example.org").check_password("region-pass")
    # Nor can the "invite again" button take a password away.
    response = client.post(f"/people/{_user('dk@example.org').id}/invite", follow_redirects=True)
    assert b"has an account already" in response.data and _user("dk@example.org").check_password("region-pass")


def test_a_pasted_list_with_bad_lines_writes_nothing_and_names_every_line(loaded, client, login, smtp_server):
    login("admin@example.org")
    before = _people()
    text = "Anna Jensen, anna@example.org\n\nBo <not-an-address>\n, nameless@example.org\nAnna Again <ANNA@example.org>\n"
    response = client.post("/people/invite", data={"list-people": text, "list-region_id": str(_region_id("DK04")),
                                                   "list-roles": ["region"], "list-language": "", "list-submit": "1"})
    assert response.status_code == 422
    html = response.data.decode()
    assert "Nobody was invited" in html
    assert "Line 3:" in html and "Line 4:" in html and "Line 5:" in html and "Line 1:" not in html
    assert _people() == before and smtp_server.messages == []


def test_a_good_pasted_list_invites_everyone_with_the_choices_of_the_list(loaded, client, login, smtp_server):
    login("admin@example.org")
    text = "Anna Jensen, anna@example.org\nBo Berg <bo@example.org>\n"
    response = client.post("/people/invite", data={"list-people": text, "list-region_id": str(_region_id("ITC4")),
                                                   "list-roles": ["region", "reviewer"], "list-language": "en",
                                                   "list-submit": "1"})
    assert response.status_code == 200 and b"2 new" in response.data
    for email, name in (("anna@example.org", "Anna Jensen"), ("bo@example.org", "Bo Berg")):
        person = _user(email)
        assert person.name == name and person.region.code == "ITC4" and person.language == "en"
        assert {r.value for r in person.roles} == {"region", "reviewer"}
        [message] = smtp_server.to(email)
        assert message["Content-Language"] == "en" and "invites you" in message.get_body(("plain",)).get_content()


def _csv(client, text: str):
    return client.post("/people/invite", data={"csv-file": (io.BytesIO(text.encode()), "people.csv"),
                                               "csv-submit": "1"}, content_type="multipart/form-data")


def test_a_csv_file_with_bad_lines_writes_nothing(loaded, client, login, smtp_server):
    login("admin@example.org")
    before = _people()
    text = ("name,email,region,roles\nAnna,anna@example.org,DK04,region;reviewer\nBo,bo@example.org,XX99,region\n"
            "Cy,cy@example.org,ITC4,region;wizard\nDi,di@example.org,,region\n")
    response = _csv(client, text)
    assert response.status_code == 422
    html = response.data.decode()
    assert "Line 3:" in html and "XX99" in html and "Line 4:" in html and "wizard" in html and "Line 5:" in html
    assert "Line 2:" not in html
    assert _people() == before and smtp_server.messages == []
    response = _csv(client, "who,mail\nAnna,anna@example.org\n")
    assert response.status_code == 422 and b"Line 1:" in response.data


def test_a_good_csv_file_invites_everyone(loaded, client, login, smtp_server):
    login("admin@example.org")
    text = "\ufeffname,email,region,roles,language\nAnna,anna@example.org,DK04,region;reviewer,\nBo,bo@example.org,IE04,,de\n"
    assert _csv(client, text).status_code == 200
    anna, bo = _user("anna@example.org"), _user("bo@example.org")
    assert anna.language == "da" and {r.value for r in anna.roles} == {"region", "reviewer"}
    assert bo.language == "de" and bo.roles == set() and bo.region.code == "IE04"
    assert smtp_server.to("bo@example.org")[0]["Content-Language"] == "de"


def test_a_host_invites_region_members_and_reviewers_of_their_programme_only(load, bundle, client, login, smtp_server):
    bundle["regions"].append({"code": "SE11", "name": "Stockholm", "country": "SE"})
    bundle.setdefault("programmes_extra", None)
    bundle.pop("programmes_extra")
    load(bundle)
    from eis_toolkit.models import Programme, Region

    db.session.rollback()
    outside = db.session.scalar(select(Region).where(Region.code == "SE11"))
    for programme in db.session.scalars(select(Programme)):
        if outside in programme.regions:
            programme.regions.remove(outside)
    db.session.commit()
    login("host@example.org")
    page = client.get("/people/invite").data.decode()
    assert "SE11" not in page and 'value="admin"' not in page and 'value="host"' not in page
    assert _one(client, region_id=str(_region_id("ITC4")), roles=["reviewer"]).status_code == 200
    assert _user("nora@example.org").region.code == "ITC4"
    # Another region, or a role a host does not give: refused, nothing written.
    response = client.post("/people/invite", data={
        "csv-file": (io.BytesIO(b"name,email,region,roles\nX,x@example.org,SE11,region\nY,y@example.org,DK04,admin\n"),
                     "p.csv"), "csv-submit": "1"}, content_type="multipart/form-data")
    assert response.status_code == 422 and b"Line 2:" in response.data and b"Line 3:" in response.data
    assert _user("x@example.org") is None and _user("y@example.org") is None
    # A host learns nothing of who has an account: the same answer for a known and a new address.
    known = _one(client, email="dk@example.org", region_id=str(_region_id("DK04")))
    new = _one(client, email="newer@example.org", region_id=str(_region_id("DK04")))
    strip = lambda r: re.sub(rb'value="[^"]*"', b"", r.data)  # noqa: E731
    assert known.status_code == new.status_code == 200 and strip(known) == strip(new)


@pytest.mark.parametrize("who, status", [("dk@example.org", 403), ("it@example.org", 403)])
def test_people_without_the_right_cannot_invite(loaded, client, login, who, status):
    login(who)
    assert client.get("/people/invite").status_code == status
    assert _one(client).status_code == status
    assert _user("nora@example.org") is None


def test_the_command_line_invites_one_person_and_a_csv_file(app, loaded, runner, smtp_server, tmp_path):
    result = runner.invoke(args=["user", "invite", "nora@example.org", "--name", "Nora New", "--region", "DK04",
                                 "--role", "region", "--lang", "it"])
    assert result.exit_code == 0, result.output
    assert "Invited 1 new" in result.output
    [message] = smtp_server.to("nora@example.org")
    assert message["Content-Language"] == "it" and "/invitation/" in message.get_body(("plain",)).get_content()
    good = tmp_path / "people.csv"
    good.write_text("name,email,region,roles\nAnna,anna@example.org,DK04,region\nDag,dk@example.org,DK04,region\n")
    result = runner.invoke(args=["user", "invite", "--csv", str(good)])
    assert result.exit_code == 0, result.output
    assert "dk@example.org has an account already" in result.output and _user("anna@example.org") is not None


def test_the_command_line_reports_every_bad_line_with_file_and_line(app, loaded, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,region,roles\nAnna,anna@example.org,DK04,region\nBo,nope,DK04,region\n"
                   "Cy,cy@example.org,XX99,region\n")
    before = _people()
    result = runner.invoke(args=["user", "invite", "--csv", str(bad)])
    assert result.exit_code != 0
    assert f"{bad}: Line 3:" in result.output and f"{bad}: Line 4:" in result.output and "nobody was invited" in result.output
    assert _people() == before
    result = runner.invoke(args=["user", "invite", "x@example.org"])
    assert result.exit_code != 0 and "--name" in result.output


def test_a_long_list_costs_a_few_queries_however_long(loaded, client, login, count_queries, smtp_server):
    """Regions and existing people are read once for the whole list, not once a line."""
    login("admin@example.org")
    counts = {}
    for size in (2, 12):
        text = "\n".join(f"Person {size}-{i}, p{size}-{i}@example.org" for i in range(size))
        data = {"list-people": text, "list-region_id": str(_region_id("DK04")), "list-roles": ["region"],
                "list-language": "", "list-submit": "1"}
        with count_queries() as queries:
            assert client.post("/people/invite", data=data).status_code == 200
        counts[size] = len(queries)
    # Checking costs the same; writing costs a few statements a person (the row, its role, its mail).
    per_person = (counts[12] - counts[2]) / 10
    assert per_person <= 4 and counts[2] <= 20, counts  # measured: 16 for two, 3 more a person


def test_a_disabled_person_is_not_invited_again(loaded, client, login, smtp_server):
    login("admin@example.org")
    _one(client, region_id=str(_region_id("DK04")))
    person = _user("nora@example.org")
    person.active = False
    db.session.commit()
    response = client.post(f"/people/{person.id}/invite", follow_redirects=True)
    assert b"is disabled" in response.data
    response = _one(client, region_id=str(_region_id("DK04")))
    assert b"have an account already" in response.data
    assert len(smtp_server.to("nora@example.org")) == 1


def test_a_host_cannot_renew_an_invitation_with_roles_they_may_not_give(loaded, client, login, smtp_server):
    login("admin@example.org")
    _one(client, email="boss2@example.org", region_id=str(_region_id("ITC4")), roles=["host"])
    client.post("/logout")
    login("host@example.org")
    # The same address under a region the host may invite for: still only reported, no new link.
    response = _one(client, email="boss2@example.org", region_id=str(_region_id("DK04")), roles=["region"])
    assert response.status_code == 200
    assert len(smtp_server.to("boss2@example.org")) == 1
    assert client.post(f"/people/{_user('boss2@example.org').id}/invite").status_code == 403


def test_an_invited_person_cannot_log_in_before_accepting(loaded, client, login):
    login("admin@example.org")
    _one(client, region_id=str(_region_id("DK04")))
    client.post("/logout")
    mark = _user("nora@example.org").password_hash
    for password in ("", mark, mark.partition("$")[2], "invited"):
        response = client.post("/login", data={"email": "nora@example.org", "password": password})
        assert response.status_code == 200, password
