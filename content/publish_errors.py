"""What a failed publishing attempt means, in plain words, and telling the author.

Classification (by the connector error class, never by message text):

=============================  ===========  ====================  =============================
error                          attempt      publication           why
=============================  ===========  ====================  =============================
RateLimited, TemporarilyBlocked transient   retried (backoff)     refused before posting
TransientError (5xx, network,  unknown      retried after a       the platform may have posted:
timeout), a time limit, any                 check on the          ``find_published`` first
other exception                             platform
AuthExpired, PermissionDenied, permanent    failed at once        the same call fails again
InvalidRequest, NotSupported,                                     until someone changes
LaunchBlocked                                                     something
=============================  ===========  ====================  =============================
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from integrations.connectors.base import (
    AuthExpired,
    ConnectorError,
    InvalidRequest,
    NotSupported,
    PermissionDenied,
    RateLimited,
    TemporarilyBlocked,
    platform_label,
)
from strategy.launch_gate import LaunchBlocked

from .models import ErrorKind, Notification, Publication, PublishAttempt

logger = logging.getLogger("content.publishing")


@dataclass(frozen=True)
class Failure:
    """One failed attempt: what to record and what to tell people."""

    kind: str  # ErrorKind
    attempt_result: str  # PublishAttempt.Result
    code: str
    detail: str  # the platform's technical text, for the attempt record and logs
    retry_after: float | None = None


def classify(exc: BaseException) -> Failure:
    if isinstance(exc, LaunchBlocked):
        return Failure(ErrorKind.PERMANENT, PublishAttempt.Result.PERMANENT, "launch_blocked", str(exc.message))
    if isinstance(exc, ConnectorError):
        code = str(exc.code if exc.code is not None else type(exc).__name__)[:64]
        detail = exc.user_message or exc.message
        if isinstance(exc, RateLimited | TemporarilyBlocked):
            return Failure(ErrorKind.TRANSIENT, PublishAttempt.Result.TRANSIENT, code, detail, exc.retry_after)
        if exc.is_transient:
            return Failure(ErrorKind.TRANSIENT, PublishAttempt.Result.UNKNOWN, code, detail, exc.retry_after)
        return Failure(ErrorKind.PERMANENT, PublishAttempt.Result.PERMANENT, code, detail)
    if isinstance(exc, SoftTimeLimitExceeded):
        return Failure(ErrorKind.TRANSIENT, PublishAttempt.Result.UNKNOWN, "time_limit", "the attempt took too long")
    return Failure(ErrorKind.TRANSIENT, PublishAttempt.Result.UNKNOWN, "internal", type(exc).__name__)


def permanent_message(exc: BaseException, publication: Publication) -> str:
    """The reason in plain words and what to do, in the organization's language."""
    account = publication.account.display_name
    with translation.override(publication.organization.language):
        if isinstance(exc, LaunchBlocked):
            return _("%(reason)s Approve a strategy that covers this date, then retry.") % {"reason": exc.message}
        if isinstance(exc, AuthExpired):
            return _("Access to %(account)s has expired. Reconnect the account on the Accounts page, then retry.") % {
                "account": account
            }
        if isinstance(exc, PermissionDenied):
            return _(
                "%(account)s does not let us publish: the connected user lacks the right to post. Give that user "
                "the administrator or editor role on the platform (or reconnect the account), then retry."
            ) % {"account": account}
        if isinstance(exc, NotSupported):
            return _("%(platform)s cannot publish this post: %(detail)s. Change the post or publish it by hand.") % {
                "platform": platform_label(publication.account.platform),
                "detail": exc.user_message,
            }
        if isinstance(exc, InvalidRequest):
            return _("%(platform)s rejected the post (%(detail)s). Edit the post, then retry.") % {
                "platform": platform_label(publication.account.platform),
                "detail": exc.user_message,
            }
        return _("The platform refused the post (%(detail)s). Edit the post, then retry.") % {"detail": str(exc)}


def exhausted_message(publication: Publication, detail: str) -> str:
    with translation.override(publication.organization.language):
        return _(
            "The platform stayed unavailable after %(count)s attempts (last error: %(detail)s). Retry later; "
            "if it keeps failing, check the platform's status page."
        ) % {"count": publication.attempts, "detail": detail}


def unknown_outcome_message(publication: Publication) -> str:
    with translation.override(publication.organization.language):
        return _(
            "We could not confirm whether the post went out (the connection broke during publishing) and "
            "%(platform)s does not let us check. Look at %(account)s on the platform: if the post is there, "
            "leave it; if not, retry."
        ) % {"platform": platform_label(publication.account.platform), "account": publication.account.display_name}


def stuck_message(publication: Publication) -> str:
    with translation.override(publication.organization.language):
        return _(
            "Publishing stopped without an answer %(count)s times. Check %(account)s on the platform; "
            "if the post is not there, retry."
        ) % {"count": publication.attempts, "account": publication.account.display_name}


def notify_failure(publication: Publication) -> None:
    """In-app notification to the post's author, and an email after commit (the backend comes from
    ``EMAIL_URL``; a mail outage must not undo the record of the failure)."""
    author = publication.post.created_by
    logger.warning(
        "publication %s failed: %s",
        publication.pk,
        publication.error_code,
        extra={"publication_id": publication.pk, "organization_id": publication.organization_id},
    )
    if author is None:
        return
    with translation.override(publication.organization.language):
        title = _("Not published: %(post)s on %(account)s") % {
            "post": publication.post.title,
            "account": publication.account.display_name,
        }
    Notification.objects.create(
        organization_id=publication.organization_id,
        user=author,
        kind="publication_failed",
        title=title[:200],
        body=publication.error_message,
        publication=publication,
    )
    if author.email:
        body, email = publication.error_message, author.email
        transaction.on_commit(lambda: send_mail(title, body, None, [email], fail_silently=True))
