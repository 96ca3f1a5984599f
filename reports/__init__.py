"""What happened to each mailing and release, in aggregate: the mailing report, link clicks,
newsroom readership, the dashboard's last 30 days and the retention of raw events.

Numbers, not profiles: by default nothing here ties a count to a person.
"""
