"""The calendar over the API: the posts of a date range with their publications, and the plan
balance of a period (the same reads as the calendar page: content.calendar, content.balance)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.response import Response

from core.dates import is_in_range, range_message
from core.vocabulary import SocialPlatform
from tenancy.api.base import OrganizationViewSet
from tenancy.api.fields import TenantModelSerializer

from ..balance import plan_balance
from ..calendar import PlanFilters, moment_of, plan_posts
from ..models import Post, PostObjective, Publication

MAX_DAYS = 366


class RangeQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day (organization's calendar), YYYY-MM-DD.")
    end = serializers.DateField(help_text="Last day, included, YYYY-MM-DD.")

    def validate(self, attrs):
        for name in ("start", "end"):  # the organization's day boundaries must exist in the calendar
            if not is_in_range(attrs[name]):
                raise serializers.ValidationError({name: range_message()})
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end must not be before the start.")})
        if (attrs["end"] - attrs["start"]).days >= MAX_DAYS:
            raise serializers.ValidationError({"end": _("At most %(days)d days at a time.") % {"days": MAX_DAYS}})
        return attrs


class CalendarQuerySerializer(RangeQuerySerializer):
    platform = serializers.ChoiceField(choices=SocialPlatform.choices, required=False)
    status = serializers.ChoiceField(choices=Post.Status.choices, required=False)
    objective = serializers.ChoiceField(choices=PostObjective.choices, required=False)
    account = serializers.IntegerField(min_value=1, required=False)
    pillar = serializers.IntegerField(min_value=1, required=False)
    goal = serializers.IntegerField(min_value=1, required=False)


class CalendarPublicationSerializer(TenantModelSerializer):
    platform = serializers.CharField(source="account.platform", read_only=True)

    class Meta:
        model = Publication
        fields = ["id", "account", "platform", "status", "scheduled_at", "external_url", "published_at"]
        read_only_fields = fields


class CalendarPostSerializer(TenantModelSerializer):
    """A post where the calendar shows it: `at` is its scheduled time, or its planned slot."""

    at = serializers.SerializerMethodField()
    publications = CalendarPublicationSerializer(many=True, read_only=True)

    class Meta:
        model = Post
        fields = ["id", "title", "platform", "objective", "format", "status", "goal", "pillar", "at", "publications"]
        read_only_fields = fields

    def get_at(self, post: Post) -> str | None:
        moment = moment_of(post)
        return serializers.DateTimeField().to_representation(moment) if moment else None


class CalendarViewSet(mixins.ListModelMixin, OrganizationViewSet):
    """The plan from `start` to `end`: every post with its calendar time and its publications."""

    queryset = Post.objects.all()
    serializer_class = CalendarPostSerializer
    filter_backends: list = []  # the query parameters are the calendar's own

    @extend_schema(parameters=[CalendarQuerySerializer])
    def list(self, request, *args, **kwargs):
        params = CalendarQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = dict(params.validated_data)
        start, end = query.pop("start"), query.pop("end")
        posts = plan_posts(organization=self.organization, start=start, end=end, filters=PlanFilters(**query))
        page = self.paginate_queryset(posts)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ShareRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Pillar id or objective; empty for posts without a pillar of the strategy.")
    title = serializers.CharField(source="label")
    posts = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, help_text="Percent of posts.")
    target = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, help_text="Target percent.")
    off_target = serializers.BooleanField()


class GoalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="label")


class BalanceSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    strategy = serializers.IntegerField(source="strategy.pk", allow_null=True, default=None)
    total = serializers.IntegerField()
    pillars = ShareRowSerializer(many=True)
    objectives = ShareRowSerializer(many=True)
    goals_without_posts = GoalRefSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class PlanBalanceViewSet(OrganizationViewSet):
    """Plan balance of a period: shares of posts per pillar and objective against the strategy's
    targets, the goals without a planned post, and the warnings the calendar shows (docs/calendar.md)."""

    pagination_class = None
    list_returns_object = True  # one report, not a collection (the schema says so)
    filter_backends: list = []
    queryset = Post.objects.none()  # no rows listed; the schema asks for a model

    @extend_schema(parameters=[RangeQuerySerializer], responses=BalanceSerializer)
    def list(self, request, *args, **kwargs):
        params = RangeQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        balance = plan_balance(
            organization=self.organization, start=params.validated_data["start"], end=params.validated_data["end"]
        )
        return Response(BalanceSerializer(balance).data)
