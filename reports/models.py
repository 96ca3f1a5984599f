"""Tables of the reports: aggregate counts, and raw events kept only until they are folded into
daily counts (`PRESSROOM_REPORT_RETENTION_DAYS`)."""

from __future__ import annotations
