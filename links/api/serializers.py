from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ads.models import AdCampaign
from content.models import Post
from tenancy.api.fields import OrganizationRelatedField, TenantModelSerializer

from ..models import TrackedLink
from ..utm import UTM_FIELDS


class TrackedLinkSerializer(TenantModelSerializer):
    post = OrganizationRelatedField(
        queryset=Post.objects.all(), required=False, allow_null=True, help_text="Set on creation only."
    )
    campaign = OrganizationRelatedField(
        queryset=AdCampaign.objects.all(), required=False, allow_null=True, help_text="Set on creation only."
    )
    target_url = serializers.URLField(max_length=2000, help_text="http:// or https:// only.")
    short_url = serializers.SerializerMethodField(help_text="The address to publish: /l/<code>.")
    tagged_url = serializers.CharField(read_only=True, help_text="Where /l/<code> redirects: target + UTM.")

    class Meta:
        model = TrackedLink
        fields = [
            "id",
            "code",
            "short_url",
            "target_url",
            "tagged_url",
            "post",
            "campaign",
            *UTM_FIELDS,
            "clicks",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["code", "clicks", "created_at", "updated_at"]
        extra_kwargs = {name: {"required": False, "allow_blank": True} for name in UTM_FIELDS}

    @extend_schema_field(OpenApiTypes.URI)
    def get_short_url(self, link: TrackedLink) -> str:
        path = reverse("link_follow", kwargs={"code": link.code})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def validate(self, attrs):
        if self.instance is not None:
            fixed = sorted(name for name in ("post", "campaign") if name in attrs)
            if fixed:
                raise serializers.ValidationError({name: [_("It cannot be changed.")] for name in fixed})
        elif attrs.get("post") is not None and attrs.get("campaign") is not None:
            raise serializers.ValidationError(
                {"campaign": [_("A link belongs to a post or to an ad campaign, not both.")]}
            )
        return attrs
