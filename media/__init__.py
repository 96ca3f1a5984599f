"""The media room: images and documents attached to releases.

A file is checked by its bytes before anything is stored (`checks`), kept by its SHA-256 in a
store chosen by URL (`storage`), turned into metadata-free renditions by a Celery task
(`processing`), and attached to a release as part of a revision (`library`), so four-eyes
covers it like the text.
"""
