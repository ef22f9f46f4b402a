"""Shared by the Instagram connector tests: the token, the account, ids of recorded media, request checks."""

from datetime import UTC, datetime

TOKEN = "EAAG-TEST-instagram-secret-token-0003"
IG_USER = "17841463210987654"
API = "/v25.0"
REEL, CAROUSEL, IMAGE = "18063512488123407", "17998765432109876", "18245630917340211"
PAGE2_CURSOR = "QVFIUmRzN2pCZAkxPcWVhNnBpb3lUUTBxcl9TSVlqMWZApOHJ3T1F3"
COMMENTS_CURSOR = "QVFIUmlWZAVd2Y3JrNXF3cVNOX2dqUUNmRzBaZAWI5bEx6M0xn"
CONTAINER = "17889615691921648"
FEED_METRICS = "reach,views,likes,comments,saved,shares,total_interactions,follows,profile_visits"
APOLOGY = (
    "@marina.lebedeva_kzn нам очень жаль 😔 Напишите, пожалуйста, в Direct дату и адрес — разберёмся и компенсируем."
)


def ts(*args: int) -> str:
    return str(int(datetime(*args, tzinfo=UTC).timestamp()))


def assert_graph_get(request, path: str) -> None:
    assert request.method == "GET"
    assert request.path == f"{API}/{path}"
    assert request.query["access_token"] == TOKEN


def route_media(platform_api):
    path = f"{API}/{IG_USER}/media"
    platform_api.route("GET", path, "instagram/ig_user.media.page2.json", query={"after": PAGE2_CURSOR})
    platform_api.route("GET", path, "instagram/ig_user.media.json", absent=("after",))
