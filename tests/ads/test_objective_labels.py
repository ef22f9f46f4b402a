"""Campaign objectives are shown in words, never as the platform's code."""

from django.utils import translation

from ads.models import objective_label


def test_objectives_in_words():
    with translation.override("ru"):
        assert objective_label("OUTCOME_LEADS") == "Лиды"
        assert objective_label("OUTCOME_TRAFFIC") == "Трафик"
    with translation.override("en"):
        assert objective_label("OUTCOME_AWARENESS") == "Awareness"
        assert objective_label("promoted_posts") == "Promoted posts"
        assert objective_label("SOME_NEW_GOAL") == "Some new goal"
        assert objective_label("") == ""
