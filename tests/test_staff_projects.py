"""Projects in the back office: create, edit, retire and restore."""

import pytest

from portal.events.models import Project
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("frozen_now")


def test_an_editor_creates_and_edits_a_project(client, editor, csrf):
    data = {
        "name": "Kata Containers",
        "slug": "kata",
        "url": "https://katacontainers.io",
        "position": "3",
        "csrf_token": csrf("/staff/projects/new"),
    }
    assert client.post("/staff/projects/new", data=data).status_code == 303
    project = db.session.scalar(db.select(Project).where(Project.slug == "kata"))
    path = f"/staff/projects/{project.id}/edit"
    assert client.post(path, data={**data, "name": "Kata"}).status_code == 303
    assert db.session.get(Project, project.id).name == "Kata"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "Kata Containers"}, "Lower-case letters"),
        ({"slug": "openstack"}, "Another project already has this slug."),
        ({"url": "javascript:alert(1)"}, "Only http"),
        ({"name": "x" * 10_000}, "longer than 100"),
    ],
)
def test_the_project_form_refuses_what_breaks_the_rules(
    client, editor, csrf, make_project, overrides, message
):
    make_project("openstack")
    data = {
        "name": "Kata",
        "slug": "kata",
        "position": "0",
        "csrf_token": csrf("/staff/projects/new"),
    }
    response = client.post("/staff/projects/new", data={**data, **overrides})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_retired_project_leaves_the_filters_but_stays_on_its_events(
    client, editor, csrf, make_event
):
    event = make_event(projects=("zuul",), title="Zuul Day")
    project = event.projects[0]
    token = csrf("/staff/projects/")
    assert (
        client.post(f"/staff/projects/{project.id}/retire", data={"csrf_token": token}).status_code
        == 303
    )
    listing = client.get("/events").get_data(as_text=True)
    assert 'value="zuul"' not in listing and "Zuul Day" in listing
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert '<span class="tag">Zuul</span>' in page
    assert (
        client.post(f"/staff/projects/{project.id}/restore", data={"csrf_token": token}).status_code
        == 303
    )
    assert 'value="zuul"' in client.get("/events").get_data(as_text=True)
