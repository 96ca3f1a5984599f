"""Signed outgoing webhooks: endpoints admins manage, the deliveries of release events to them,
each attempt on record (see docs/webhooks.md).

`models` the tables; `endpoints` adding, removing, rotating; `signing` the HMAC scheme; `safety`
where a webhook may connect; `payloads` the documents; `delivery` one attempt and its outcome;
`handlers` the outbox handlers that create deliveries; `notices` the admins' mail.
"""
