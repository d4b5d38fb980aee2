"""``shared_data`` (tests/conftest.py): data built once for a module, every test rolled back to it."""
import pytest
from sqlalchemy import func, select

from eis_toolkit.extensions import db
from eis_toolkit.models import Region


def _build() -> dict:
    db.session.add(Region(code="XS01", name="Shared", country="XX"))
    db.session.flush()
    return {"code": "XS01"}



@pytest.fixture(scope="module")
def shared(shared_data):
    return shared_data(_build)


def _names() -> dict[str, str]:
    return dict(db.session.execute(select(Region.code, Region.name)).all())


@pytest.mark.parametrize("run", range(3))
def test_each_test_starts_from_the_shared_data_and_its_changes_are_rolled_back(app, shared, run):
    assert _names() == {"XS01": "Shared"}
    region = db.session.scalar(select(Region).where(Region.code == shared["code"]))
    region.name = f"Changed {run}"
    db.session.add(Region(code=f"XS1{run}", name="Added", country="XX"))
    db.session.commit()  # the app's commits stay inside the test's SAVEPOINT
    assert db.session.scalar(select(func.count()).select_from(Region)) == 2


def test_requests_see_the_shared_data_and_what_the_test_commits(app, shared, client, login):
    from eis_toolkit.accounts.services import create_user
    from eis_toolkit.accounts.models import Role

    create_user("root@example.org", "Root", "Shared-data-2026!", roles=[Role.ADMIN])
    db.session.commit()
    login("root@example.org", "Shared-data-2026!")
    page = client.get("/admin/regions").get_data(as_text=True)
    assert "XS01" in page and "Shared" in page
