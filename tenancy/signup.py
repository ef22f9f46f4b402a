"""Self-service sign-up in two steps, so that it never reveals whether an email has an account.

1. `sign_up_start` takes an email and a company name and always answers the same way (the view
   shows "check your email"): a new address gets a signed link to finish, a registered one gets
   a note pointing to sign-in and password reset. Either way exactly one email is sent.
2. The link (`sign_up_request_from_token`) proves the mailbox; only then is the password chosen
   and the account created (`services.user_sign_up`). The link carries no secret and no state is
   stored: it is signed, expires after SIGN_UP_LINK_MAX_AGE, and is dead once the account exists.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

User = get_user_model()
SIGN_UP_SALT = "tenancy.signup"
SIGN_UP_LINK_MAX_AGE = timedelta(days=2)


@dataclass(frozen=True)
class SignUpRequest:
    email: str
    organization_name: str


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def email_is_registered(email: str) -> bool:
    return User.objects.filter(username__iexact=email).exists()


def sign_up_start(*, email: str, organization_name: str) -> None:
    email = User.objects.normalize_email(email).lower()
    if email_is_registered(email):
        subject = _("Your SMM Platform account")
        message = _(
            "Someone, probably you, tried to create an SMM Platform account with this email, but it "
            "already has one.\n\nSign in: %(login)s\nForgot your password? Reset it: %(reset)s\n\n"
            "If it was not you, ignore this email: nothing has changed."
        ) % {"login": _absolute(reverse("login")), "reset": _absolute(reverse("password_reset"))}
    else:
        token = signing.dumps({"email": email, "organization": organization_name}, salt=SIGN_UP_SALT, compress=True)
        subject = _("Confirm your email for SMM Platform")
        message = _(
            "Finish creating your SMM Platform account for %(org)s: %(url)s\n\n"
            "The link works for %(days)d days. If you did not ask for an account, ignore this email."
        ) % {
            "org": organization_name,
            "url": _absolute(reverse("signup_confirm", kwargs={"token": token})),
            "days": SIGN_UP_LINK_MAX_AGE.days,
        }
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[email])


def sign_up_request_from_token(token: str) -> SignUpRequest | None:
    """The request a sign-up link stands for; None if forged, altered or expired."""
    try:
        data = signing.loads(token, salt=SIGN_UP_SALT, max_age=SIGN_UP_LINK_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return SignUpRequest(email=data["email"], organization_name=data["organization"])
