from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.ModerationHomeView.as_view(), name="home"),
    path("bulk/", views.BulkView.as_view(), name="bulk"),
    path("items/<int:pk>/", views.InboxItemView.as_view(), name="item"),
    path("items/<int:pk>/reply/", views.ReplyView.as_view(), name="reply"),
    path("items/<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("items/<int:pk>/tag/", views.TagView.as_view(), name="tag"),
    path("items/<int:pk>/note/", views.NoteView.as_view(), name="note"),
    path("items/<int:pk>/escalate/", views.EscalateView.as_view(), name="escalate"),
    path("items/<int:pk>/hide/", views.HideView.as_view(), name="hide"),
    path("items/<int:pk>/resolve/", views.ResolveView.as_view(), name="resolve"),
    path("items/<int:pk>/testimonial/", views.TestimonialView.as_view(), name="testimonial"),
    path("items/<int:pk>/wait/", views.WaitView.as_view(), name="wait"),
    path("reputation/", views.ReputationView.as_view(), name="reputation"),
    path("keywords/", views.KeywordListView.as_view(), name="keywords"),
    path("keywords/add/", views.KeywordCreateView.as_view(), name="keyword_add"),
    path("keywords/<int:pk>/delete/", views.KeywordDeleteView.as_view(), name="keyword_delete"),
    path("replies/<int:pk>/retry/", views.ReplyRetryView.as_view(), name="reply_retry"),
]
