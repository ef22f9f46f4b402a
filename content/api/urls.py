from rest_framework.routers import SimpleRouter

from . import calendar, views

router = SimpleRouter()
router.register("posts", views.PostViewSet, basename="post")
router.register("publications", views.PublicationViewSet, basename="publication")
router.register("calendar", calendar.CalendarViewSet, basename="calendar")
router.register("plan-balance", calendar.PlanBalanceViewSet, basename="plan-balance")

urlpatterns = router.urls
