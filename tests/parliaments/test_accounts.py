import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from parliaments.models import Parliament, Profile

pytestmark = pytest.mark.django_db


def test_secretariat_invites_an_editor_who_sets_a_password_and_signs_in(
    reviewer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            "/accounts/invite/",
            {
                "email": "Rachid@Parlement.MA",
                "first_name": "Rachid",
                "last_name": "Alaoui",
                "role": "editor",
                "parliament": Parliament.objects.get(iso2="MA").pk,
            },
        )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="rachid@parlement.ma")
    assert not user.has_usable_password()
    assert Profile.objects.get(user=user).parliament.iso2 == "MA"
    [message] = mail.outbox
    assert message.to == ["rachid@parlement.ma"]
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group(0)

    visitor = Client()
    path = link.split("127.0.0.1:8000", 1)[1]
    form_page = visitor.get(path, follow=True)
    assert form_page.status_code == 200
    set_password = visitor.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a long new password 42", "new_password2": "a long new password 42"},
    )
    assert set_password.status_code == 302
    signed_in = visitor.post(
        "/accounts/login/",
        {"username": "rachid@parlement.ma", "password": "a long new password 42"},
    )
    assert signed_in.status_code == 302
    assert visitor.get("/workspace/").status_code == 200


def test_invite_form_shows_field_errors(reviewer_client):
    response = reviewer_client.post(
        "/accounts/invite/", {"email": "not-an-email", "role": "editor", "first_name": "A"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in html
    assert "Choose the parliament this person works for." in html
    assert get_user_model().objects.count() == 1  # only the reviewer


def test_sign_in_sign_out_and_password_change(editor_ma):
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": "editor.ma", "password": "wrong"}).status_code
        == 200
    )
    response = client.post(
        "/accounts/login/", {"username": "editor.ma", "password": "correct horse battery"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/start/"
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct horse battery",
            "new_password1": "another long password 7",
            "new_password2": "another long password 7",
        },
    )
    assert response.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/workspace/").status_code == 302
    response = client.post(
        "/accounts/login/", {"username": "editor.ma", "password": "another long password 7"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/start/"


def test_password_reset_sends_a_link(editor_ma):
    Client().post("/accounts/password_reset/", {"email": editor_ma.email})
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
