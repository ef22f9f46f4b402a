from rest_framework import serializers

from ..models import InboxItem, Sentiment


class ToneCorrectionSerializer(serializers.Serializer):
    sentiment = serializers.ChoiceField(choices=Sentiment.choices)


class InboxToneSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboxItem
        fields = ["id", "sentiment", "tone_confidence", "tone_source", "tone_model_version"]
        read_only_fields = fields
