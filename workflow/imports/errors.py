"""Errors of the import from Word and LibreOffice documents."""

from __future__ import annotations

from workflow.errors import MissingAltText


class PictureWithoutDescription(MissingAltText):
    """A picture in the document without a description: the release's image would have no alt
    text, which a release refuses in its main language. The author adds it in the document
    (Word: right-click the picture, "Edit Alt Text"; LibreOffice: right-click, "Properties",
    "Options", "Description") and imports again. `missing` holds (where, "")."""

    def __init__(self, missing: list[tuple[str, str]]):
        super().__init__(missing)
        places = "; ".join(place for place, _ in missing)
        self.message = (f"pictures need a description (alt text, read aloud in place of the picture): {places}. "
                        "In Word: right-click the picture, Edit Alt Text; in LibreOffice: right-click, "
                        "Properties, Options, Description; then import again")
        self.problem = self.message
        self.args = (self.message,)
