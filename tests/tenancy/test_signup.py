"""Sign-up never reveals whether an email is registered: step 1 answers the same way and sends
one email either way; the account is created only from the emailed link."""

import re
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tenancy.models import Membership, Organization
from tenancy.roles import Role
from tenancy.signup import SIGN_UP_LINK_MAX_AGE

pytestmark = pytest.mark.django_db
User = get_user_model()


def start(client, email, name="Зерно кофе"):
    return client.post(reverse("signup"), {"email": email, "organization_name": name}, follow=True)


def without_csrf(response) -> str:
    # The page is identical but for the per-render masking of the CSRF token.
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", response.content.decode())


def link_in(message) -> str:
    return re.search(r"http://[^\s]+/accounts/signup/confirm/[^\s]+/", message.body).group(0)


def test_taken_and_new_emails_get_the_same_answer(client, owner, mailoutbox):
    users, orgs = User.objects.count(), Organization.objects.count()
    taken = start(client, owner.email.upper())
    new = start(client, "founder@coffee.example")
    assert [r.redirect_chain for r in (taken, new)] == [[("/accounts/signup/sent/", 302)]] * 2
    assert without_csrf(taken) == without_csrf(new)
    assert owner.email not in taken.content.decode()
    assert (User.objects.count(), Organization.objects.count()) == (users, orgs)  # nothing created yet
    # One email each: the owner is pointed to sign-in, the newcomer gets a link to finish.
    assert [m.to for m in mailoutbox] == [[owner.email], ["founder@coffee.example"]]
    assert "/accounts/login/" in mailoutbox[0].body
    assert "/accounts/password_reset/" in mailoutbox[0].body
    assert "/signup/confirm/" not in mailoutbox[0].body
    assert "/signup/confirm/" in mailoutbox[1].body


def test_the_emailed_link_creates_the_account_and_organization(client, mailoutbox):
    start(client, "Founder@Coffee.example")
    url = link_in(mailoutbox[0])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial == {"organization_name": "Зерно кофе"}
    assert "founder@coffee.example" in page.content.decode()

    response = client.post(url, {"organization_name": "Зерно кофе", "password": "long-Secret-pass-42"})
    user = User.objects.get(email="founder@coffee.example")
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.organization.slug) == (Role.OWNER, "zerno-kofe")
    assert response["Location"] == "/o/zerno-kofe/"
    assert client.get("/o/zerno-kofe/").status_code == 200

    # The link is spent once the account exists.
    client.logout()
    again = client.post(url, {"organization_name": "Второй раз", "password": "long-Secret-pass-42"})
    assert again.templates[0].name == "registration/signup_link_invalid.html"
    assert Organization.objects.filter(name="Второй раз").count() == 0


def test_weak_password_is_refused_at_the_link(client, mailoutbox):
    start(client, "founder@coffee.example")
    url = link_in(mailoutbox[0])
    for password in ["123", "founder@coffee.example"]:
        response = client.post(url, {"organization_name": "Зерно кофе", "password": password})
        assert response.status_code == 200
        assert response.context["form"].errors["password"]
    assert not User.objects.filter(email="founder@coffee.example").exists()


def test_altered_or_expired_links_create_nothing(client, mailoutbox):
    start(client, "founder@coffee.example")
    url = link_in(mailoutbox[0])
    forged = url.replace("/confirm/", "/confirm/x")
    assert client.get(forged).templates[0].name == "registration/signup_link_invalid.html"
    later = time.time() + SIGN_UP_LINK_MAX_AGE.total_seconds() + 5
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(url, {"organization_name": "Зерно кофе", "password": "long-Secret-pass-42"})
    assert response.templates[0].name == "registration/signup_link_invalid.html"
    assert not User.objects.filter(email="founder@coffee.example").exists()


def test_invalid_email_is_a_form_error(client, mailoutbox):
    response = client.post(reverse("signup"), {"email": "not-an-email", "organization_name": "X"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert mailoutbox == []
