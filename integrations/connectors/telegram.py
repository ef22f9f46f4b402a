"""Telegram channel via the Bot API (10.1). ``external_id`` = channel chat id
("-1002143658790") or "@username"; the bot must be an administrator of the channel and a
member of its linked discussion group (comments live there).

Requests are ``POST https://api.telegram.org/bot<token>/<method>`` with a JSON body. The token
sits in the URL path (the API's design); base.py's log filter scrubs it from httpx logs.

What the Bot API cannot do (→ NotSupported): view counts and reach of posts, history before
the bot joined, mention search. Posts, comments and reactions come from ``getUpdates``:
updates are kept by Telegram for 24 hours and are consumed by reading past them, so

* the sync must run at least daily and persist ``next_update_offset`` after each run, passing
  it back as ``update_offset``;
* one bot token must serve one channel (updates for other chats are dropped here);
* a bot with a webhook cannot poll (409 → WebhookConflict).

telegram_errors.py maps the API's errors.
An update that cannot be read (no ``chat``, no ``date``) is skipped and recorded
(``connector.skipped``); the other updates are returned.
A group upgraded to a supergroup answers 400 with ``migrate_to_chat_id``: the call is repeated
once with the new id and ``chat_migrations`` records old → new so the sync can store it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar

import httpx

from integrations.connectors.base import (
    PARSE_ERRORS,
    AccountDay,
    AccountProfile,
    BaseConnector,
    Capability,
    CommentKind,
    InvalidRequest,
    NotSupported,
    PublishResult,
    RemoteComment,
    RemotePost,
    ReplyResult,
    from_unix,
    opt_int,
    paginate_pages,
    require_aware,
)
from integrations.connectors.telegram_errors import ChatMigrated, WebhookConflict, telegram_error
from integrations.connectors.telegram_parsing import (
    _forwarded_post,
    _is_video,
    _parse_channel_post,
    _reaction_key,
    _split_message_ref,
)

TELEGRAM_BASE_URL = "https://api.telegram.org"
ALLOWED_UPDATES = ("message", "edited_message", "channel_post", "edited_channel_post", "message_reaction_count")
CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096


class TelegramConnector(BaseConnector):
    platform: ClassVar[str] = "telegram"
    default_base_url: ClassVar[str] = TELEGRAM_BASE_URL
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {
            Capability.PROFILE,
            Capability.ACCOUNT_METRICS,
            Capability.POSTS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.DELETE_COMMENTS,
            Capability.PUBLISH,
        }
    )
    unsupported_messages: ClassVar[Mapping[str, str]] = {
        Capability.POST_METRICS: (
            "Telegram Bot API does not report view counts or reach of channel posts; "
            "reactions are included in the post list"
        ),
        Capability.MENTIONS: "Telegram Bot API cannot search public channels for mentions",
        Capability.HIDE_COMMENTS: "Telegram cannot hide a message, only delete it",
        Capability.CAMPAIGNS: "Telegram Ads are not available through the Bot API",
        Capability.AD_STATS: "Telegram Ads are not available through the Bot API",
        Capability.CAMPAIGN_CONTROL: "Telegram Ads are not available through the Bot API",
    }

    def __init__(
        self,
        access_token: str,
        external_id: str,
        *,
        discussion_chat_id: str | None = None,
        update_offset: int | None = None,
        max_update_pages: int = 50,
        **kwargs: Any,
    ) -> None:
        super().__init__(access_token, external_id, **kwargs)
        self.discussion_chat_id = str(discussion_chat_id) if discussion_chat_id else None
        self.update_offset = update_offset
        self.next_update_offset = update_offset
        self.max_update_pages = max_update_pages
        self.chat_migrations: dict[str, str] = {}
        self._updates: list[dict[str, Any]] | None = None

    # ------------------------------------------------------------------ transport

    def _call(self, method: str, **payload: Any) -> Any:
        body = {k: v for k, v in payload.items() if v is not None}
        try:
            return self._request(method, body)
        except ChatMigrated as exc:
            old = str(body.get("chat_id"))
            if "chat_id" not in body or old in self.chat_migrations:
                raise
            self._record_migration(old, exc.new_chat_id)
            return self._request(method, {**body, "chat_id": exc.new_chat_id})

    def _request(self, method: str, body: Mapping[str, Any]) -> Any:
        response: httpx.Response = self._http.request("POST", f"bot{self._access_token}/{method}", json=body)
        data = self._http.json_body(response)
        if response.status_code >= 400 or not (isinstance(data, dict) and data.get("ok") is True):
            error = telegram_error(self.platform, response.status_code, data)
            error.redact(self._http.secrets)
            raise error
        return data.get("result")

    def _record_migration(self, old: str, new: str) -> None:
        self.chat_migrations[old] = new
        if self.discussion_chat_id == old:
            self.discussion_chat_id = new
        if self.external_id == old:
            self.external_id = new

    # ------------------------------------------------------------------ account

    def fetch_profile(self) -> AccountProfile:
        chat = self._call("getChat", chat_id=self.external_id)
        members = self._call("getChatMemberCount", chat_id=self.external_id)

        def parse() -> AccountProfile:
            username = chat.get("username")
            return AccountProfile(
                external_id=str(chat["id"]),
                name=chat.get("title") or username or "",
                username=username,
                followers=opt_int(members),
                url=f"https://t.me/{username}" if username else None,
                extra={"linked_chat_id": chat.get("linked_chat_id"), "type": chat.get("type")},
            )

        profile = self.parse_one("getChat", parse)
        if chat.get("linked_chat_id") and not self.discussion_chat_id:
            self.discussion_chat_id = str(chat["linked_chat_id"])
        return profile

    def fetch_account_metrics(self, since: date, until: date) -> list[AccountDay]:
        """Only today's subscriber count exists (no history in the Bot API): the sync builds
        the daily series by calling this every day."""
        today = self.now().date()
        if not since <= today <= until:
            return []
        members = self._call("getChatMemberCount", chat_id=self.external_id)
        return [AccountDay(day=today, followers=self.parse_one("getChatMemberCount", lambda: opt_int(members)))]

    # ------------------------------------------------------------------ updates

    def poll_updates(self) -> list[dict[str, Any]]:
        """Read all pending updates once per connector instance (posts and comments share
        them). Stop condition: an empty batch; the next call uses last update_id + 1."""
        if self._updates is None:

            def fetch(offset: int | None) -> tuple[list[dict[str, Any]], int | None]:
                batch = self._call(
                    "getUpdates", offset=offset, timeout=0, limit=100, allowed_updates=list(ALLOWED_UPDATES)
                )
                batch = [u for u in batch if isinstance(u, dict)] if isinstance(batch, list) else []
                ids = [u["update_id"] for u in batch if isinstance(u.get("update_id"), int)]
                if ids:
                    # The highest id read, so an odd update without one cannot stall the offset.
                    self.next_update_offset = max(ids) + 1
                return batch, self.next_update_offset if ids else None

            updates: list[dict[str, Any]] = []
            for page in paginate_pages(fetch, first=self.update_offset, max_pages=self.max_update_pages):
                updates.extend(page)
            self._updates = updates
        return self._updates

    def _is_channel(self, chat: Mapping[str, Any]) -> bool:
        ref = self.external_id
        if ref.startswith("@"):
            return f"@{chat.get('username', '')}".lower() == ref.lower()
        return str(chat.get("id")) == ref

    def reaction_counts(self) -> dict[str, dict[str, int]]:
        """Latest reaction totals per channel message id seen in the pending updates."""
        counts: dict[str, dict[str, int]] = {}

        def read(update: Mapping[str, Any]) -> None:
            reaction = update.get("message_reaction_count")
            if reaction and self._is_channel(reaction["chat"]):
                counts[str(reaction["message_id"])] = {
                    _reaction_key(r["type"]): int(r["total_count"]) for r in reaction.get("reactions") or []
                }

        self.parse_each("reaction_count", self.poll_updates(), read)
        return counts

    # ------------------------------------------------------------------ posts

    def fetch_posts(self, since: datetime) -> list[RemotePost]:
        """Channel posts seen in pending updates (edits replace the text; ``likes`` is the sum
        of all reactions, paid ones included). Views are not available to bots."""
        require_aware(since)
        messages: dict[str, dict[str, Any]] = {}

        def collect(update: Mapping[str, Any]) -> None:
            message = update.get("channel_post") or update.get("edited_channel_post")
            if message and self._is_channel(message["chat"]):
                messages[str(message["message_id"])] = message  # an edit replaces the original

        self.parse_each("channel_post", self.poll_updates(), collect)
        reactions = self.reaction_counts()
        posts = self.parse_each(
            "channel_post",
            list(messages.items()),
            lambda pair: _parse_channel_post(pair[1], reactions.get(pair[0])),
        )
        return [post for post in posts if post.published_at >= since]

    # ------------------------------------------------------------------ comments

    def fetch_comments(self, since: datetime) -> list[RemoteComment]:
        """Comments = messages in the linked discussion group; each thread starts with the
        automatic forward of a channel post. Private messages to the bot are kind "message".
        ``external_id`` is "<chat id>:<message id>" (message ids are only unique per chat)."""
        require_aware(since)
        discussion = self._discussion_id()
        updates = self.poll_updates()
        thread_posts: dict[int, str] = {}  # discussion message id of a thread root → channel post id
        for update in updates:
            message = update.get("message")
            try:
                if message and str(message["chat"]["id"]) == discussion and _forwarded_post(message):
                    thread_posts[int(message["message_id"])] = _forwarded_post(message) or ""
            except PARSE_ERRORS:
                continue  # reported once, by the pass below
        comments: dict[str, RemoteComment] = {}

        def read(update: Mapping[str, Any]) -> RemoteComment | None:
            message = update.get("message") or update.get("edited_message")
            if not message or message.get("is_automatic_forward"):
                return None
            chat = message["chat"]
            if chat.get("type") == "private":
                return self._parse_comment(message, post_id=None, parent=None, kind=CommentKind.MESSAGE)
            if str(chat["id"]) == discussion:
                post_id, parent = self._thread_position(message, thread_posts)
                return self._parse_comment(message, post_id=post_id, parent=parent, kind=CommentKind.COMMENT)
            return None

        for comment in self.parse_each("comment", updates, read):
            if comment is not None and comment.created_at >= since:
                comments[comment.external_id] = comment  # an edit replaces the original
        return list(comments.values())

    def _discussion_id(self) -> str | None:
        if self.discussion_chat_id is None:
            chat = self._call("getChat", chat_id=self.external_id)
            linked = chat.get("linked_chat_id")
            self.discussion_chat_id = str(linked) if linked else None
        return self.discussion_chat_id

    def _thread_position(
        self, message: Mapping[str, Any], thread_posts: Mapping[int, str]
    ) -> tuple[str | None, str | None]:
        """(channel post id, parent comment id) of a discussion-group message."""
        chat_id = message["chat"]["id"]
        replied = message.get("reply_to_message") or {}
        root = message.get("message_thread_id") or replied.get("message_id")
        post_id = thread_posts.get(int(root)) if root else None
        if post_id is None and replied:
            post_id = _forwarded_post(replied)
        parent = None
        if replied and not replied.get("is_automatic_forward") and replied.get("message_id") != root:
            parent = f"{chat_id}:{replied['message_id']}"
        return post_id, parent

    def _parse_comment(
        self, message: Mapping[str, Any], *, post_id: str | None, parent: str | None, kind: str
    ) -> RemoteComment:
        sender_chat = message.get("sender_chat")
        author = message.get("from") or {}
        if sender_chat:
            # Anonymous admins and the channel itself post "as the chat".
            author_id: str | None = str(sender_chat["id"])
            author_name = message.get("author_signature") or sender_chat.get("title")
            own = author_id in {self.external_id, str(self.discussion_chat_id)} or self._is_channel(sender_chat)
        else:
            author_id = str(author["id"]) if "id" in author else None
            author_name = " ".join(p for p in (author.get("first_name"), author.get("last_name")) if p) or None
            own = False
        return RemoteComment(
            external_id=f"{message['chat']['id']}:{message['message_id']}",
            post_external_id=post_id,
            parent_external_id=parent,
            author_name=author_name,
            author_external_id=author_id,
            text=message.get("text") or message.get("caption") or "",
            created_at=from_unix(message["date"]),
            kind=kind,
            is_from_account=own,
        )

    def reply(self, comment_external_id: str | None, text: str, *, post_external_id: str | None = None) -> ReplyResult:
        """Reply in the comment's chat, quoting it (reply_parameters)."""
        if not comment_external_id:
            raise ValueError('Telegram replies need the comment id ("<chat id>:<message id>")')
        chat_id, message_id = _split_message_ref(comment_external_id)
        message = self._call(
            "sendMessage",
            chat_id=chat_id,
            text=text,
            reply_parameters={"message_id": message_id, "allow_sending_without_reply": True},
        )
        return ReplyResult(
            external_id=self.parse_one("sendMessage", lambda: f"{message['chat']['id']}:{message['message_id']}"),
            parent_external_id=comment_external_id,
        )

    def delete_comment(self, comment_external_id: str, *, post_external_id: str | None = None) -> None:
        """Telegram has no hiding; deletion is for spam/abuse (the bot needs can_delete_messages)."""
        chat_id, message_id = _split_message_ref(comment_external_id)
        if self._call("deleteMessage", chat_id=chat_id, message_id=message_id) is not True:
            raise InvalidRequest(self.platform, "not_deleted", "Telegram did not confirm the deletion")

    # ------------------------------------------------------------------ publishing

    def publish(
        self,
        text: str,
        *,
        media_urls: Sequence[str] = (),
        link: str | None = None,
        idempotency_key: str | None = None,
    ) -> PublishResult:
        """Plain text (no parse_mode, so user text cannot break markup). One image/video →
        sendPhoto/sendVideo with the text as caption; several → sendMediaGroup."""
        body = f"{text}\n\n{link}" if link and link not in text else text
        if media_urls and len(body) > CAPTION_LIMIT:
            raise NotSupported(self.platform, f"Telegram captions are limited to {CAPTION_LIMIT} characters")
        if not media_urls and len(body) > MESSAGE_LIMIT:
            raise InvalidRequest(
                self.platform,
                "message_too_long",
                f"message of {len(body)} characters",
                user_message=f"Telegram messages are limited to {MESSAGE_LIMIT} characters",
            )
        if not media_urls:
            message = self._call("sendMessage", chat_id=self.external_id, text=body)
        elif len(media_urls) == 1:
            url = media_urls[0]
            if _is_video(url):
                message = self._call("sendVideo", chat_id=self.external_id, video=url, caption=body)
            else:
                message = self._call("sendPhoto", chat_id=self.external_id, photo=url, caption=body)
        else:
            media = [
                {"type": "video" if _is_video(url) else "photo", "media": url, **({"caption": body} if i == 0 else {})}
                for i, url in enumerate(media_urls)
            ]
            message = self._call("sendMediaGroup", chat_id=self.external_id, media=media)[0]

        def parse() -> PublishResult:
            username = message["chat"].get("username")
            return PublishResult(
                external_id=str(message["message_id"]),
                permalink=f"https://t.me/{username}/{message['message_id']}" if username else None,
            )

        return self.parse_one("send", parse)


__all__ = ["ChatMigrated", "TelegramConnector", "WebhookConflict", "telegram_error"]
