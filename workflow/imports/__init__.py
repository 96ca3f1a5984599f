"""Importing a release written in Word (.docx) or LibreOffice (.odt).

`docx_reader` (mammoth's HTML, walked with lxml) and `odt_reader` (odfdo) read a document into
the blocks of `blocks`; `mapping` turns blocks into a title, a lead, a Markdown body, contact
persons and pictures; `release` checks the documents (`media.checks`), resolves the contacts
and stores the pictures as a Markdown release file's are, and validates the whole. What could
not be carried over is listed, never dropped in silence.
"""

from workflow.imports.release import Document, Imported, ImportOptions, import_release, is_document

__all__ = ["Document", "ImportOptions", "Imported", "import_release", "is_document"]
