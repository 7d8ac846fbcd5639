"""Web chat sessions: server-signed tokens naming the customer and conversation, and the
host site's identity HMAC (identified mode, like Chatwoot's identifier_hash)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

_SALT = "rapport.web.session.v2"
MAX_USER_ID_CHARS = 200


class SessionRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Session:
    customer_id: str
    conversation_id: str
    identified: bool = False


class Sessions:
    """Signs and reads session tokens, and checks the host site's identity HMAC."""

    def __init__(self, signing_key: str, identity_secret: str, max_age: int) -> None:
        self._serializer = URLSafeTimedSerializer(signing_key, salt=_SALT)
        self._identity_secret = identity_secret.encode()
        self._max_age = max_age

    def issue(self, session: Session) -> str:
        return self._serializer.dumps(
            {"c": session.customer_id, "v": session.conversation_id, "i": session.identified}
        )

    def read(self, token: object) -> Session:
        if not isinstance(token, str) or not token:
            raise SessionRefused(401, "A chat session token is required.")
        try:
            raw = self._serializer.loads(token, max_age=self._max_age)
            return Session(str(raw["c"]), str(raw["v"]), bool(raw.get("i")))
        except (BadSignature, KeyError, TypeError):
            raise SessionRefused(401, "This chat session is not valid or has expired.") from None

    def verify_identity(self, user_id: object, user_hash: object) -> str:
        if not self._identity_secret:
            raise SessionRefused(
                403, "Signed-in chat is not enabled on this site. Please contact the site owner."
            )
        if not isinstance(user_id, str) or not user_id or len(user_id) > MAX_USER_ID_CHARS:
            raise SessionRefused(400, "The user id passed to the chat is missing or too long.")
        expected = hmac.new(self._identity_secret, user_id.encode(), hashlib.sha256).hexdigest()
        if not isinstance(user_hash, str) or not hmac.compare_digest(expected, user_hash.lower()):
            raise SessionRefused(
                403, "We could not verify your account for this chat. Please sign in again."
            )
        return user_id
