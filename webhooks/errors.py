"""Errors of the webhooks room.

    PressroomError
    ├── NotFound
    │   └── EndpointNotFound      no webhook endpoint with that id (or it was removed)
    └── Conflict
        └── NotRedeliverable      a delivery that cannot be sent again (still pending, its release
                                  withdrawn, its endpoint disabled or removed)
"""

from __future__ import annotations

from core.errors import Conflict, NotFound


class EndpointNotFound(NotFound):
    def __init__(self, endpoint_id: int) -> None:
        super().__init__("webhook endpoint", endpoint_id)


class NotRedeliverable(Conflict):
    def __init__(self, delivery_id: int, status: str, reason: str = "") -> None:
        super().__init__(f"webhook delivery {delivery_id} cannot be sent again: {reason}" if reason else
                         f"webhook delivery {delivery_id} is {status}: only a delivered or failed one is sent again")
        self.delivery_id = delivery_id
        self.status = status
