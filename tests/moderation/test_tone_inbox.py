"""Tone on inbox items: the batch task, people's corrections and the correction endpoint."""

from unittest import mock

import pytest
from django.core.management import call_command

from core.errors import DomainError, PermissionDenied
from moderation import services, tasks, tone
from moderation.models import InboxItem, Sentiment, ToneSource
from moderation.selectors import tone_corrections
from tenancy.access import Access
from tenancy.roles import Role, role_permissions
from tests.moderation.factories import InboxItemFactory
from tests.moderation.test_tone_classifier import HashEmbedder

pytestmark = pytest.mark.django_db


class WordBackend:
    """Fast and predictable: "good" → positive, "bad" → negative, else neutral."""

    version = "test-1"

    def __init__(self):
        self.calls = []

    def classify(self, texts):
        self.calls.append(list(texts))
        return [
            ("positive", 0.9) if "good" in t else ("negative", 0.8) if "bad" in t else ("neutral", 0.6) for t in texts
        ]


@pytest.fixture
def backend():
    chosen = WordBackend()
    tone.use_backend(chosen)
    yield chosen
    tone.use_backend(None)


def test_batch_labels_new_items_with_confidence_source_and_version(org, backend):
    good = InboxItemFactory(organization=org, text="good job")
    bad = InboxItemFactory(organization=org, text="bad job")
    ours = InboxItemFactory(organization=org, text="good", is_from_account=True)
    assert tasks.classify_tone(org.pk) == 2
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.sentiment, good.tone_confidence, good.tone_source, good.tone_model_version) == (
        "positive",
        0.9,
        ToneSource.MODEL,
        "test-1",
    )
    assert bad.sentiment == "negative"
    assert InboxItem.objects.get(pk=ours.pk).sentiment is None  # the brand's own reply is not audience


def test_batch_is_idempotent_and_works_in_batches(org, backend, monkeypatch):
    monkeypatch.setattr(services, "TONE_BATCH", 2)
    InboxItemFactory.create_batch(5, organization=org, text="good")
    assert tasks.classify_tone(org.pk) == 5
    assert [len(c) for c in backend.calls] == [2, 2, 1]
    assert tasks.classify_tone(org.pk) == 0  # nothing left: a second run writes nothing
    assert len(backend.calls) == 3


def test_batch_never_overwrites_a_persons_label(org, owner, backend):
    item = InboxItemFactory(organization=org, text="bad")
    services.tone_correct(access=_access(org, owner), item=item, sentiment=Sentiment.POSITIVE)
    assert tasks.classify_tone(org.pk) == 0
    item.refresh_from_db()
    assert (item.sentiment, item.tone_source) == ("positive", ToneSource.PERSON)


def test_a_correction_made_while_the_batch_runs_wins(org, owner, backend):
    item = InboxItemFactory(organization=org, text="bad")
    original = backend.classify

    def classify_then_person_corrects(texts):
        services.tone_correct(access=_access(org, owner), item=item, sentiment=Sentiment.NEUTRAL)
        return original(texts)

    backend.classify = classify_then_person_corrects
    assert services.tone_classify_pending(organization_id=org.pk) == 0
    item.refresh_from_db()
    assert (item.sentiment, item.tone_source) == ("neutral", ToneSource.PERSON)


def test_fan_out_enqueues_only_organizations_with_unlabelled_items(org, other_org):
    InboxItemFactory(organization=org, text="x")
    InboxItemFactory(organization=other_org, text="y", sentiment="neutral")
    with mock.patch.object(tasks.classify_tone, "delay") as delay:
        assert tasks.fan_out_tone() == 1
    delay.assert_called_once_with(org.pk)


def _access(org, user, role=Role.OWNER):
    return Access(organization=org, user=user, role=role, permissions=role_permissions(role))


def test_corrections_are_the_organizations_training_data(org, other_org, owner):
    mine = InboxItemFactory(organization=org, text="Ну да, очень быстро, всего месяц ждал")
    InboxItemFactory(organization=org, text="model said so", sentiment="positive", tone_source=ToneSource.MODEL)
    InboxItemFactory(organization=other_org, text="theirs", sentiment="negative", tone_source=ToneSource.PERSON)
    services.tone_correct(access=_access(org, owner), item=mine.pk, sentiment=Sentiment.NEGATIVE)
    assert tone_corrections(organization=org) == [("Ну да, очень быстро, всего месяц ждал", "negative")]


def test_correction_rules(org, other_org, owner, make_member):
    foreign = InboxItemFactory(organization=other_org)
    with pytest.raises(InboxItem.DoesNotExist):
        services.tone_correct(access=_access(org, owner), item=foreign, sentiment=Sentiment.NEGATIVE)
    item = InboxItemFactory(organization=org)
    with pytest.raises(DomainError):
        services.tone_correct(access=_access(org, owner), item=item, sentiment="furious")
    analyst = make_member(org, Role.ANALYST).user
    with pytest.raises(PermissionDenied):
        services.tone_correct(access=_access(org, analyst, Role.ANALYST), item=item, sentiment=Sentiment.NEGATIVE)


def test_correction_endpoint(org, other_org, owner_client):
    item = InboxItemFactory(organization=org, text="fine", sentiment="negative", tone_source=ToneSource.MODEL)
    url = f"/api/v1/orgs/{org.slug}/inbox/items/{item.pk}/tone/"
    response = owner_client.post(url, {"sentiment": "positive"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["tone_source"] == "person"
    item.refresh_from_db()
    assert (item.sentiment, item.tone_source, item.tone_model_version) == ("positive", "person", "")
    assert owner_client.post(url, {"sentiment": "meh"}, format="json").status_code == 400
    foreign = InboxItemFactory(organization=other_org)
    assert (
        owner_client.post(
            f"/api/v1/orgs/{org.slug}/inbox/items/{foreign.pk}/tone/", {"sentiment": "positive"}
        ).status_code
        == 404
    )
    assert (
        owner_client.post(
            f"/api/v1/orgs/{other_org.slug}/inbox/items/{foreign.pk}/tone/", {"sentiment": "positive"}
        ).status_code
        == 404
    )


def test_tone_train_adds_the_organizations_corrections(org, owner, tmp_path, monkeypatch):
    monkeypatch.setattr(tone, "E5", HashEmbedder)
    item = InboxItemFactory(organization=org, text="Ещё и спасибо сказать? Ну-ну")
    services.tone_correct(access=_access(org, owner), item=item, sentiment=Sentiment.NEGATIVE)
    out, rows = tmp_path / "org.npz", tmp_path / "rows.csv"
    call_command("tone_train", organization=org.slug, output=str(out), export=str(rows))
    assert out.exists()
    assert rows.read_text(encoding="utf-8").splitlines()[-1] == "Ещё и спасибо сказать? Ну-ну,negative"
