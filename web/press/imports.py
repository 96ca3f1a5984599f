"""The new-release page's import: a draft from a press release written in Word or LibreOffice.

The form posts the document (and the other languages' documents) as multipart, with the CSRF
token like every press form, under the same body limit as any upload. The draft opens in the
editor at once, with what could not be carried over listed above it; a refused document shows
the new-release page again, saying which file and why, and nothing is stored.
"""

from __future__ import annotations

import io

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from core.errors import InvalidInput
from core.settings import get_settings
from web.auth import PressUser, SubmittedForm
from web.error_text import describe
from web.i18n import translate, ui_language
from web.imports import Upload, import_uploads
from web.pages import flash
from workflow.imports import ImportOptions

router = APIRouter()


def _upload(value: object) -> Upload:
    if isinstance(value, UploadFile):
        return Upload(value.file, value.filename or "")
    return Upload(io.BytesIO(), "")


@router.post("/releases/import")
def import_document(request: Request, user: PressUser, form: SubmittedForm) -> Response:
    """Create a draft from the uploaded document(s) and open it in the editor with the notes."""
    from web.press.releases import editor_for, new_release_page

    lang = ui_language(user.language)
    language = form.get("import_language")
    translations = {code: _upload(form.get(f"translation_{code}")) for code in get_settings().languages
                    if _upload(form.get(f"translation_{code}")).filename.strip()}
    try:
        main = _upload(form.get("file"))
        release_id, imported = import_uploads(
            user, main, translations,
            ImportOptions(language=language if isinstance(language, str) and language else None))
    except InvalidInput as error:
        return new_release_page(request, user, import_error=describe(error, lang), status=422)
    finally:
        for value in form.values():
            if isinstance(value, UploadFile):
                value.file.close()
    flash(request, translate("press_import_done", lang, filename=main.filename))
    return editor_for(request, user, release_id, import_notes=imported.contact_notes + imported.notes)
