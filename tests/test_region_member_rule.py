"""No region member without a region, whichever way a person is made: the services, the admin
form, a bundle, the command line."""
import pytest
from sqlalchemy import select

from eis_toolkit.accounts.services import AccountError, create_user, update_user
from eis_toolkit.bundles.load import load_bundle
from eis_toolkit.bundles.validate import BundleError
from eis_toolkit.extensions import db
from eis_toolkit.models import Region, Role
from tests.conftest import person

MESSAGE = "A region member needs a region"


@pytest.mark.parametrize("roles", [["region"], [Role.REGION, Role.REVIEWER], ("admin", "region")])
def test_create_user_refuses_a_region_member_without_a_region(app, loaded, roles):
    with pytest.raises(AccountError) as refused:
        create_user("nina@example.org", "Nina", "long-enough", roles=roles, region=None)
    assert MESSAGE in str(refused.value) and refused.value.field == "region_id"
    assert person("nina@example.org") is None


def test_create_user_accepts_a_region_member_with_a_region_and_others_without(app, loaded):
    itc4 = db.session.scalar(select(Region).where(Region.code == "ITC4"))
    assert create_user("nina@example.org", "Nina", "long-enough", roles=["region"], region=itc4).region is itc4
    assert create_user("hugo@example.org", "Hugo", "long-enough", roles=["host", "reviewer"]).region is None


def test_update_user_refuses_to_take_the_region_of_a_region_member(app, loaded):
    member = person("dk@example.org")
    with pytest.raises(AccountError) as refused:
        update_user(member, email=member.email, name=member.name, roles=["region"], region=None,
                    language="da", active=True)
    assert MESSAGE in str(refused.value) and refused.value.field == "region_id"
    db.session.rollback()
    assert person("dk@example.org").region.code == "DK04"
    with pytest.raises(AccountError):  # nor to make a person without a region a region member
        admin = person("admin@example.org")
        update_user(admin, email=admin.email, name=admin.name, roles=["admin", "region"], region=None,
                    language="en", active=True)


def test_the_admin_form_shows_the_rule_on_the_region_field(client, loaded, login):
    login("admin@example.org")
    admin = person("admin@example.org")
    page = client.post(f"/admin/people/{admin.id}", data={
        "name": admin.name, "email": admin.email, "region_id": "0", "roles": ["admin", "region"],
        "language": "en", "active": "y", "password": ""}).get_data(as_text=True)
    assert MESSAGE in page.split('id="region_id-error"')[1].split("</p>")[0]
    assert person("admin@example.org").roles == {Role.ADMIN}


@pytest.mark.parametrize("entry", [
    {"email": "nina@example.org", "name": "Nina", "roles": ["region"], "password": "long-enough"},
    {"email": "nina@example.org", "name": "Nina", "roles": ["admin", "region"], "region": None,
     "password": "long-enough"},
])
def test_a_bundle_refuses_a_region_member_without_a_region(app, load, bundle, entry):
    bundle["people"].append(entry)
    with pytest.raises(BundleError) as refused:
        load_bundle(bundle)
    db.session.rollback()
    assert [(p.path, p.message) for p in refused.value.problems] == [
        ("people[5].region", "is required for a region member, reviewer or host")]
    assert person("nina@example.org") is None


def test_a_bundle_refuses_taking_the_region_of_a_stored_region_member(app, load, bundle):
    load(bundle)
    bundle["people"][2]["region"] = None
    with pytest.raises(BundleError) as refused:
        load_bundle(bundle)
    db.session.rollback()
    assert [p.path for p in refused.value.problems] == ["people[2].region"]
    assert person("dk@example.org").region.code == "DK04"


@pytest.mark.parametrize("roles", [["--role", "region"], ["--role", "reviewer", "--role", "region"]])
def test_the_command_line_refuses_a_region_member_without_a_region(runner, loaded, roles):
    result = runner.invoke(args=["user", "create", "--email", "nina@example.org", "--name", "Nina", *roles,
                                 "--password", "long-enough"])
    assert result.exit_code == 1
    assert "a region member needs a region: give --region CODE" in result.output
    assert person("nina@example.org") is None


def test_the_command_line_creates_a_region_member_with_a_region(runner, loaded):
    result = runner.invoke(args=["user", "create", "--email", "nina@example.org", "--name", "Nina",
                                 "--role", "region", "--region", "ie04", "--password", "long-enough"])
    assert result.exit_code == 0, result.output
    assert person("nina@example.org").region.code == "IE04"
