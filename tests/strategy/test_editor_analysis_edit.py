"""Editing analysis rows (audience segments, competitors, presence-audit baselines) in the guided
editor: `?form=<kind>&edit=<id>` loads the row into its form, POST with `edit=<id>` updates it through
the `*_update` service. Rows are looked up within the request's organization only (another
organization's id is a 404, as for goals), read-only roles get 403, invalid input is a 400 with the
bound form, and the page's query count does not grow with the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from strategy.models import AudienceSegment, Competitor, PresenceAudit
from tenancy.roles import Role

from .factories import AudienceSegmentFactory, CompetitorFactory, PresenceAuditFactory, StrategyFactory

pytestmark = pytest.mark.django_db


def analysis_url(org, strategy, query=""):
    return f"/o/{org.slug}/strategy/{strategy.pk}/edit/analysis/{query}"


@pytest.fixture
def segment(org):
    return AudienceSegmentFactory(
        organization=org, name="Студенты", demographics="18–24, Казань", pains="Дорого", platforms=["vk"]
    )


@pytest.fixture
def competitor(org):
    return CompetitorFactory(
        organization=org, name="Кофе Бум", links={"vk": "https://vk.com/boom"}, strengths="Много точек"
    )


@pytest.fixture
def audit(org):
    return PresenceAuditFactory(
        organization=org,
        platform="vk",
        date=dt.date(2025, 1, 1),
        followers=3400,
        average_reach=900,
        engagement_rate=Decimal("2.10"),
        posts_per_week=Decimal("3.0"),
    )


def segment_post(edit, **overrides):
    data = {
        "form": "segment",
        "edit": edit,
        "segment-name": "Студенты и аспиранты",
        "segment-demographics": "18–27, Казань",
        "segment-pains": "Дорого, далеко от вуза",
        "segment-platforms": ["vk", "telegram"],
    }
    data.update(overrides)
    return data


def competitor_post(edit, **overrides):
    data = {
        "form": "competitor",
        "edit": edit,
        "competitor-name": "Кофе Бум Плюс",
        "competitor-strengths": "Много точек, доставка",
        "competitor-telegram": "https://t.me/boom",
    }
    data.update(overrides)
    return data


def audit_post(edit, **overrides):
    data = {
        "form": "audit",
        "edit": edit,
        "audit-platform": "vk",
        "audit-date": "2025-01-01",
        "audit-followers": "3500",
        "audit-average_reach": "950",
        "audit-engagement_rate": "2.4",
        "audit-posts_per_week": "4",
        "audit-response_time_minutes": "30",
    }
    data.update(overrides)
    return data


# --- GET: the row is loaded into its form ------------------------------------------------------------


def test_edit_links_name_their_row(owner_web, org, draft, segment, competitor, audit):
    html = owner_web.get(analysis_url(org, draft)).content.decode()
    # Each "Edit" link's accessible name is "Edit" + the row's name (aria-labelledby: itself, then the name).
    assert f'<strong id="seg-{segment.pk}-name">Студенты</strong>' in html
    assert (
        f'<a href="?form=segment&amp;edit={segment.pk}#segment-form" id="seg-{segment.pk}-edit" '
        f'aria-labelledby="seg-{segment.pk}-edit seg-{segment.pk}-name">Edit</a>'
    ) in html
    assert f'<strong id="comp-{competitor.pk}-name">Кофе Бум</strong>' in html
    assert (
        f'<a href="?form=competitor&amp;edit={competitor.pk}#competitor-form" id="comp-{competitor.pk}-edit" '
        f'aria-labelledby="comp-{competitor.pk}-edit comp-{competitor.pk}-name">Edit</a>'
    ) in html
    assert f'<td id="audit-{audit.pk}-platform">VK</td>' in html
    assert f'<td id="audit-{audit.pk}-date">' in html
    assert (
        f'<a href="?form=audit&amp;edit={audit.pk}#audit-form" id="audit-{audit.pk}-edit" '
        f'aria-labelledby="audit-{audit.pk}-edit audit-{audit.pk}-platform audit-{audit.pk}-date">Edit</a>'
    ) in html
    # The plain step shows "add" forms only.
    assert 'name="edit"' not in html
    assert "Add segment" in html
    assert "Save segment" not in html


def test_get_edit_segment_loads_it_into_its_form(owner_web, org, draft, segment, competitor):
    response = owner_web.get(analysis_url(org, draft, f"?form=segment&edit={segment.pk}"))
    assert response.status_code == 200
    assert response.context["edit_kind"] == "segment"
    assert response.context["segment_form"].instance == segment
    # The other forms stay empty "add" forms.
    assert response.context["competitor_form"].instance.pk is None
    assert response.context["audit_form"].instance.pk is None
    html = response.content.decode()
    assert '<label for="id_segment-name">' in html
    assert 'name="segment-name" value="Студенты"' in html
    assert f'<input type="hidden" name="edit" value="{segment.pk}">' in html
    assert html.count('name="edit"') == 1
    assert '<details id="segment-form" open>' in html
    assert "Edit segment" in html
    assert "Save segment" in html
    assert f'<a href="/o/{org.slug}/strategy/{draft.pk}/edit/analysis/">Cancel</a>' in html
    assert 'name="segment-platforms" value="vk" id="id_segment-platforms_0" checked>' in html  # saved platform ticked


def test_get_edit_competitor_fills_link_fields(owner_web, org, draft, competitor):
    response = owner_web.get(analysis_url(org, draft, f"?form=competitor&edit={competitor.pk}"))
    assert response.status_code == 200
    form = response.context["competitor_form"]
    assert form.instance == competitor
    assert form["vk"].value() == "https://vk.com/boom"
    assert form["telegram"].value() is None
    assert form["name"].value() == "Кофе Бум"
    html = response.content.decode()
    assert "Edit competitor" in html
    assert "Save competitor" in html


def test_get_edit_audit_loads_it(owner_web, org, draft, audit):
    response = owner_web.get(analysis_url(org, draft, f"?form=audit&edit={audit.pk}"))
    assert response.status_code == 200
    form = response.context["audit_form"]
    assert form.instance == audit
    assert form["followers"].value() == 3400
    html = response.content.decode()
    assert '<input type="date" name="audit-date" value="2025-01-01"' in html
    assert "Edit platform baseline" in html
    assert "Save baseline" in html


def test_edit_without_a_kind_or_with_a_bad_id_shows_the_plain_step(owner_web, org, draft, segment):
    for query in (f"?edit={segment.pk}", "?form=segment&edit=abc", f"?form=profile&edit={segment.pk}"):
        response = owner_web.get(analysis_url(org, draft, query))
        assert response.status_code == 200, query
        assert response.context["edit_kind"] is None, query
        assert response.context["segment_form"].instance.pk is None, query
        assert 'name="edit"' not in response.content.decode(), query


# --- POST: the row is updated through its service -----------------------------------------------------


def test_post_edit_segment_updates_it(owner_web, org, draft, segment):
    response = owner_web.post(analysis_url(org, draft), segment_post(segment.pk))
    assert response.status_code == 302
    assert response["Location"] == analysis_url(org, draft)
    segment.refresh_from_db()
    assert (segment.name, segment.demographics, segment.pains, segment.platforms) == (
        "Студенты и аспиранты",
        "18–27, Казань",
        "Дорого, далеко от вуза",
        ["vk", "telegram"],
    )
    assert AudienceSegment.objects.filter(organization=org).count() == 1
    page = owner_web.get(analysis_url(org, draft)).content.decode()
    assert "Audience segment saved." in page


def test_post_edit_competitor_updates_it_and_its_links(owner_web, org, draft, competitor):
    # The VK field is left empty: the link is dropped; Telegram is added.
    response = owner_web.post(analysis_url(org, draft), competitor_post(competitor.pk))
    assert response.status_code == 302
    competitor.refresh_from_db()
    assert (competitor.name, competitor.strengths, competitor.links) == (
        "Кофе Бум Плюс",
        "Много точек, доставка",
        {"telegram": "https://t.me/boom"},
    )
    assert Competitor.objects.filter(organization=org).count() == 1


def test_post_edit_audit_updates_it(owner_web, org, draft, audit):
    response = owner_web.post(analysis_url(org, draft), audit_post(audit.pk))
    assert response.status_code == 302
    audit.refresh_from_db()
    assert (
        audit.followers,
        audit.average_reach,
        audit.engagement_rate,
        audit.posts_per_week,
        audit.response_time_minutes,
    ) == (3500, 950, Decimal("2.40"), Decimal("4.0"), 30)
    assert PresenceAudit.objects.filter(organization=org).count() == 1


# --- tenancy: another organization's row is a 404 and stays unchanged -------------------------------


@pytest.mark.parametrize(
    ("kind", "factory", "post_data"),
    [
        ("segment", lambda o: AudienceSegmentFactory(organization=o, name="Чужой сегмент"), segment_post),
        ("competitor", lambda o: CompetitorFactory(organization=o, name="Чужой конкурент"), competitor_post),
        ("audit", lambda o: PresenceAuditFactory(organization=o, followers=777), audit_post),
    ],
)
def test_foreign_row_is_not_loaded_nor_changed(owner_web, org, other_org, draft, kind, factory, post_data):
    foreign = factory(other_org)
    model = type(foreign)
    before = model.objects.filter(pk=foreign.pk).values().get()
    assert owner_web.get(analysis_url(org, draft, f"?form={kind}&edit={foreign.pk}")).status_code == 404
    assert owner_web.post(analysis_url(org, draft), post_data(foreign.pk)).status_code == 404
    assert model.objects.filter(pk=foreign.pk).values().get() == before
    assert not model.objects.filter(organization=org).exists()  # nor was a new row created instead


def test_missing_row_is_404(owner_web, org, draft):
    assert owner_web.get(analysis_url(org, draft, "?form=segment&edit=999999")).status_code == 404
    assert owner_web.post(analysis_url(org, draft), segment_post(999999)).status_code == 404
    assert not AudienceSegment.objects.exists()


# --- roles: read-only members cannot edit ----------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ANALYST, Role.CLIENT])
def test_read_only_roles_get_403_and_nothing_changes(client, org, draft, make_member, role, segment, competitor, audit):
    client.force_login(make_member(org, role).user)
    before = {
        model: list(model.objects.values().order_by("pk")) for model in (AudienceSegment, Competitor, PresenceAudit)
    }
    for data in (segment_post(segment.pk), competitor_post(competitor.pk), audit_post(audit.pk)):
        assert client.post(analysis_url(org, draft), data).status_code == 403, data["form"]
    assert client.get(analysis_url(org, draft, f"?form=segment&edit={segment.pk}")).status_code == 403
    after = {
        model: list(model.objects.values().order_by("pk")) for model in (AudienceSegment, Competitor, PresenceAudit)
    }
    assert after == before


# --- validation: the step comes back with the bound form, 400 -----------------------------------------


def test_invalid_segment_edit_is_400_with_field_errors(owner_web, org, draft, segment):
    response = owner_web.post(analysis_url(org, draft), segment_post(segment.pk, **{"segment-name": ""}))
    assert response.status_code == 400
    form = response.context["segment_form"]
    assert form.is_bound
    assert form.errors == {"name": ["This field is required."]}
    html = response.content.decode()
    assert '<div class="field has-error">\n    <label for="id_segment-name">' in html
    assert '<p class="error" role="alert">This field is required.</p>' in html
    # Still editing the same row: the hidden id and the typed values survive.
    assert f'<input type="hidden" name="edit" value="{segment.pk}">' in html
    assert "18–27, Казань" in html
    assert "Save segment" in html
    segment.refresh_from_db()
    assert (segment.name, segment.demographics) == ("Студенты", "18–24, Казань")


def test_segment_rename_to_a_taken_name_is_400(owner_web, org, draft, segment):
    AudienceSegmentFactory(organization=org, name="Офисные")
    response = owner_web.post(analysis_url(org, draft), segment_post(segment.pk, **{"segment-name": "Офисные"}))
    assert response.status_code == 400
    assert response.context["segment_form"].errors
    segment.refresh_from_db()
    assert segment.name == "Студенты"


def test_invalid_competitor_link_is_400(owner_web, org, draft, competitor):
    response = owner_web.post(analysis_url(org, draft), competitor_post(competitor.pk, **{"competitor-vk": "no"}))
    assert response.status_code == 400
    assert response.context["competitor_form"].errors == {"vk": ["Enter a valid URL."]}
    assert "Enter a valid URL." in response.content.decode()
    competitor.refresh_from_db()
    assert (competitor.name, competitor.links) == ("Кофе Бум", {"vk": "https://vk.com/boom"})


def test_audit_edit_errors_are_400(owner_web, org, draft, audit):
    bad_er = owner_web.post(analysis_url(org, draft), audit_post(audit.pk, **{"audit-engagement_rate": "150"}))
    assert bad_er.status_code == 400
    assert list(bad_er.context["audit_form"].errors) == ["engagement_rate"]
    # Moving the baseline onto another one's platform and date is refused by the service.
    PresenceAuditFactory(organization=org, platform="telegram", date=dt.date(2025, 2, 1))
    dup = owner_web.post(
        analysis_url(org, draft), audit_post(audit.pk, **{"audit-platform": "telegram", "audit-date": "2025-02-01"})
    )
    assert dup.status_code == 400
    assert dup.context["audit_form"].errors
    audit.refresh_from_db()
    assert (audit.platform, audit.date, audit.followers, audit.engagement_rate) == (
        "vk",
        dt.date(2025, 1, 1),
        3400,
        Decimal("2.10"),
    )


def test_not_editable_strategy_does_not_edit(owner_web, org, segment):
    approved = StrategyFactory(organization=org, status="approved")
    response = owner_web.post(analysis_url(org, approved), segment_post(segment.pk))
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/strategy/{approved.pk}/"
    segment.refresh_from_db()
    assert segment.name == "Студенты"


# --- query count -----------------------------------------------------------------------------------------


def _rows(org, n, start):
    for i in range(start, start + n):
        AudienceSegmentFactory(organization=org, name=f"Сегмент {i}", platforms=["vk"])
        CompetitorFactory(organization=org, name=f"Конкурент {i}", links={"vk": f"https://vk.com/c{i}"})
        PresenceAuditFactory(organization=org, platform="vk", date=dt.date(2024, 1, 1) + dt.timedelta(days=i))


def test_analysis_page_query_count_is_constant(owner_web, org, draft, django_assert_max_num_queries):
    _rows(org, 1, 0)
    seg = AudienceSegment.objects.get()
    comp = Competitor.objects.get()
    aud = PresenceAudit.objects.get()
    queries = ["", f"?form=segment&edit={seg.pk}", f"?form=competitor&edit={comp.pk}", f"?form=audit&edit={aud.pk}"]

    def counts():
        result = []
        for query in queries:
            with CaptureQueriesContext(connection) as ctx:
                assert owner_web.get(analysis_url(org, draft, query)).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    owner_web.get(analysis_url(org, draft, ""))  # the first page of an organization remembers it in the session
    few = counts()
    _rows(org, 7, 1)  # 8 of each now
    many = counts()
    assert many == few, (few, many)
    assert many[1:] == [many[0] + 1] * 3  # editing adds exactly the one lookup of the edited row
    for query in queries:
        with django_assert_max_num_queries(19):  # 18 + the request's row-level security scope statement
            assert owner_web.get(analysis_url(org, draft, query)).status_code == 200


# --- odd edit ids (found by probing: "²" passed str.isdigit() and int() raised → 500) ------------------


@pytest.mark.parametrize("raw", ["²", "١٢", "1²", "-1", "1.0", " 1", "\x00"])
def test_edit_id_that_is_not_an_ascii_number_shows_the_plain_step(owner_web, org, draft, segment, raw):
    response = owner_web.get(analysis_url(org, draft), {"form": "segment", "edit": raw})

    assert response.status_code == 200
    assert response.context["edit_kind"] is None
    assert response.context["segment_form"].instance.pk is None


@pytest.mark.parametrize("raw", ["9223372036854775808", "9" * 40])
def test_edit_id_beyond_any_primary_key_is_a_missing_row(owner_web, org, draft, segment, raw):
    assert owner_web.get(analysis_url(org, draft), {"form": "segment", "edit": raw}).status_code == 404
    assert owner_web.post(analysis_url(org, draft), segment_post(raw)).status_code == 404
    assert list(AudienceSegment.objects.values_list("name", flat=True)) == ["Студенты"]
