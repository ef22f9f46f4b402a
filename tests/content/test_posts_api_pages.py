"""Posts through the API (CRUD, review actions, media) and the edit page with its preview."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from content.models import Post
from tenancy.roles import Role

from .test_posts import CTA, complete

pytestmark = pytest.mark.django_db


def api(org, path=""):
    return f"/api/v1/orgs/{org.slug}/posts/{path}"


def as_member(org, make_member, role):
    client = APIClient()
    client.force_authenticate(make_member(org, role).user)
    return client


def test_crud_with_cta_texts_and_short_link(owner_client, org, marketer_access):
    complete(marketer_access)  # the strategy, goal and pillar
    goal, pillar = Post.objects.get(organization=org).goal_id, Post.objects.get(organization=org).pillar_id
    body = {
        "title": "Кофе в офис",
        "platform": "vk",
        "objective": "lead_generation",
        "goal": goal,
        "pillar": pillar,
        "texts": {"telegram": "Для канала"},
        **CTA,
    }
    created = owner_client.post(api(org), body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert "/l/" in data["cta_short_url"]
    assert data["texts"] == {"telegram": "Для канала"}
    assert data["publications"] == []
    too_long = owner_client.patch(api(org, f"{data['id']}/"), {"texts": {"telegram": "я" * 4097}}, format="json")
    assert too_long.status_code == 400
    assert "texts.telegram" in str(too_long.json())
    assert owner_client.delete(api(org, f"{data['id']}/")).status_code == 204


def test_submit_approve_request_changes_and_history(org, make_member, marketer_access):
    post = complete(marketer_access)
    marketer = as_member(org, make_member, Role.MARKETER)
    client = as_member(org, make_member, Role.CLIENT)
    assert marketer.post(api(org, f"{post.pk}/submit/"), {}).json()["status"] == "in_review"
    assert marketer.post(api(org, f"{post.pk}/approve/"), {}).status_code == 403
    assert client.post(api(org, f"{post.pk}/request-changes/"), {}).status_code == 400  # a comment is needed
    back = client.post(api(org, f"{post.pk}/request-changes/"), {"comment": "Добавьте цену"})
    assert back.json()["status"] == "draft"
    marketer.post(api(org, f"{post.pk}/submit/"), {})
    approved = client.post(api(org, f"{post.pk}/approve/"), {"comment": "Ок"}).json()
    assert approved["status"] == "approved"
    history = marketer.get(api(org, f"{post.pk}/history/")).json()
    assert [e["action"] for e in history] == ["created", "submitted", "changes_requested", "submitted", "approved"]
    assert history[2]["comment"] == "Добавьте цену"


def test_submit_names_what_is_missing(owner_client, org, owner_access):
    post = complete(owner_access, cta_type="", cta_url="")
    refused = owner_client.post(api(org, f"{post.pk}/submit/"), {})
    assert refused.status_code == 400
    assert "cta_url" in refused.json()["error"]["fields"]


def test_media_upload_duplicate_and_move(owner_client, org, owner_access, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post = complete(owner_access)
    photo = SimpleUploadedFile("cup.jpg", b"x" * 100, content_type="image/jpeg")
    uploaded = owner_client.post(api(org, f"{post.pk}/media/"), {"file": photo}, format="multipart")
    assert uploaded.status_code == 201, uploaded.json()
    bad = SimpleUploadedFile("notes.txt", b"x", content_type="text/plain")
    assert owner_client.post(api(org, f"{post.pk}/media/"), {"file": bad}, format="multipart").status_code == 400
    copy = owner_client.post(api(org, f"{post.pk}/duplicate/")).json()
    assert (copy["status"], len(copy["media"])) == ("draft", 1)
    moved = owner_client.post(api(org, f"{post.pk}/move/"), {"scheduled_at": "2030-01-02T10:00:00Z"}, format="json")
    assert moved.json()["scheduled_at"].startswith("2030-01-02")


def test_another_organizations_post_is_404(org, other_org, make_member, marketer_access):
    post = complete(marketer_access)
    stranger = as_member(other_org, make_member, Role.OWNER)
    for action in ("submit/", "approve/", "duplicate/", "history/", ""):
        method = stranger.get if action in ("history/", "") else stranger.post
        assert method(api(other_org, f"{post.pk}/{action}")).status_code == 404


def test_edit_page_preview_and_delete(owner_web, org, owner_access):
    post = complete(owner_access, texts={"telegram": "Для канала"})
    page = owner_web.get(f"/o/{org.slug}/content/posts/{post.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-platform="telegram"' in html
    assert post.cta_short_url in html
    form = {
        "title": post.title,
        "platform": "vk",
        "objective": "lead_generation",
        "format": "text",
        "text": "Новый текст для превью",
        "cta_type": "sign_up",
        "cta_url": "https://zerno.example/office",
    }
    partial = owner_web.post(f"/o/{org.slug}/content/posts/{post.pk}/preview/", form).content.decode()
    assert "Новый текст для превью" in partial
    assert "<html" not in partial
    # Without JavaScript: the same form's Preview button shows it and saves nothing.
    no_js = owner_web.post(f"/o/{org.slug}/content/posts/{post.pk}/", form | {"_preview": "1"})
    assert "Новый текст для превью" in no_js.content.decode()
    post.refresh_from_db()
    assert post.text != "Новый текст для превью"
    saved = owner_web.post(f"/o/{org.slug}/content/posts/{post.pk}/", form)
    assert saved.status_code == 302
    post.refresh_from_db()
    assert post.text == "Новый текст для превью"
    assert "Delete" in owner_web.get(f"/o/{org.slug}/content/posts/{post.pk}/delete/").content.decode()
    owner_web.post(f"/o/{org.slug}/content/posts/{post.pk}/delete/")
    assert not Post.objects.filter(pk=post.pk).exists()


def test_edit_page_review_buttons(owner_web, org, marketer_access):
    post = complete(marketer_access)
    owner_web.post(f"/o/{org.slug}/content/posts/{post.pk}/submit/")
    post.refresh_from_db()
    assert post.status == "in_review"
    assert 'id="approve"' in owner_web.get(f"/o/{org.slug}/content/posts/{post.pk}/").content.decode()
    owner_web.post(f"/o/{org.slug}/content/posts/{post.pk}/approve/", {"comment": "Хорошо"})
    post.refresh_from_db()
    assert post.status == "approved"
