"""Who is acting, from where: passed from every door (web, API, CLI) to the services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    channel: str = "web"  # web | api | cli | system
    account_id: uuid.UUID | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    def as_account(self, account_id: uuid.UUID, roles: frozenset[str]) -> RequestContext:
        return RequestContext(
            ip=self.ip,
            user_agent=self.user_agent,
            request_id=self.request_id,
            channel=self.channel,
            account_id=account_id,
            roles=roles,
        )


SYSTEM = RequestContext(channel="system")
