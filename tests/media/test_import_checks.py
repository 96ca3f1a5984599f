"""The checks a document passes before it is imported as a release (`inspect_import`): Word
documents as any upload, LibreOffice documents for their own ways of carrying code and of
fetching things from elsewhere."""

from __future__ import annotations

import io
import zipfile

import pytest

from media.checks import DOCX, ODT, inspect, inspect_import
from media.errors import MediaRefused
from tests.workflow.office_documents import (
    NL,
    docx,
    odt,
    odt_with,
    photo,
    with_external_template,
    with_macro,
)

LISTENER = ('<office:scripts><office:event-listeners><script:event-listener script:language="ooo:script" '
            'script:event-name="dom:load" xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic'
            '&amp;location=document"/></office:event-listeners></office:scripts><office:body>')
TEMPLATE = ('<office:meta><meta:template xlink:type="simple" xlink:actuate="onRequest" '
            'xlink:href="https://templates.example.net/persbericht.ott" xlink:title="Persbericht"/>')
SECTION = ('<office:text><text:section text:name="Disclaimer"><text:section-source '
           'xlink:href="file:///S:/communicatie/disclaimer.odt"/></text:section>')
LINKED_OBJECT = ('<office:text><text:p><draw:frame draw:name="chart" text:anchor-type="as-char" svg:width="1cm" '
                 'svg:height="1cm"><draw:object xlink:href="file:///S:/cijfers/grafiek.ods"/></draw:frame></text:p>')
DDE = ('<office:text><text:dde-connection-decls><text:dde-connection-decl office:name="cijfers" '
       'office:dde-application="soffice" office:dde-topic="file:///S:/cijfers.ods" office:dde-item="A1"/>'
       '</text:dde-connection-decls>')
LINKED_PICTURE = ('<office:text><text:p><draw:frame draw:name="pixel" text:anchor-type="as-char" svg:width="1cm" '
                  'svg:height="1cm"><draw:image xlink:href="https://tracker.example.net/pixel.png"/></draw:frame>'
                  '</text:p>')


def test_word_and_libreoffice_documents_as_authors_save_them_pass() -> None:
    # A package as Word writes it declares its relationships and core properties as
    # "…openxmlformats-package…" parts: that is no embedded package.
    assert inspect(docx(NL, picture=photo()), "persbericht.docx").type is DOCX
    assert inspect_import(docx(NL, picture=photo()), "persbericht.docx") is DOCX
    assert inspect_import(odt(NL, picture=photo()), "persbericht.odt") is ODT


@pytest.mark.parametrize(("data", "reason"), [
    (lambda: with_macro(docx(NL)), "is an Office document with macros"),
    (lambda: with_external_template(docx(NL)), "is an Office document that loads a template from elsewhere"),
    (lambda: odt_with(odt(NL), add={"Basic/Standard/Module1.xml": b"<module/>"}),
     "is a LibreOffice document with macros or scripts"),
    (lambda: odt_with(odt(NL), manifest=("</manifest:manifest>",
                                         ('<manifest:file-entry manifest:full-path="Scripts/python/run.py" '
                                         'manifest:media-type="application/binary"/></manifest:manifest>'))),
     "is a LibreOffice document with macros or scripts"),
    (lambda: odt_with(odt(NL), content=("<office:body>", LISTENER)), "is a LibreOffice document with macros"),
    (lambda: odt_with(odt(NL), meta=("<office:meta>", TEMPLATE)),
     "is an Office document that loads a template from elsewhere"),
    (lambda: odt_with(odt(NL), content=("<office:text>", SECTION)),
     "is an Office document that includes a section from another file"),
    (lambda: odt_with(odt(NL), content=("<office:text>", LINKED_PICTURE)),
     "is an Office document that links to 'https://tracker.example.net/pixel.png' outside itself"),
    (lambda: odt_with(odt(NL), content=("<office:text>", LINKED_OBJECT)),
     "is an Office document that links to 'file:///S:/cijfers/grafiek.ods' outside itself"),
    (lambda: odt_with(odt(NL), content=("<office:text>", DDE)),
     "is an Office document that runs a DDE link (starts programs)"),
])
def test_documents_that_act_or_fetch_are_refused(data, reason) -> None:  # type: ignore[no-untyped-def]
    built = data()
    filename = "persbericht.odt" if built[30:38] == b"mimetype" else "persbericht.docx"
    with pytest.raises(MediaRefused) as refused:
        inspect_import(built, filename)
    assert refused.value.message.startswith(f"file '{filename}': {reason}")


def test_other_files_are_refused_by_what_they_are() -> None:
    archive = zipfile.ZipFile(io.BytesIO(odt(NL)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as copy:
        for entry in archive.infolist():
            content = archive.read(entry.filename)
            copy.writestr(entry, b"application/vnd.oasis.opendocument.spreadsheet" if entry.filename == "mimetype"
                          else content)
    with pytest.raises(MediaRefused, match="is not a LibreOffice text document"):
        inspect_import(out.getvalue(), "rekenblad.odt")
    with pytest.raises(MediaRefused, match=r"is not a Word \(\.docx\) or LibreOffice \(\.odt\) document"):
        inspect_import(b"{\\rtf1 Persbericht}", "persbericht.rtf")
    with pytest.raises(MediaRefused, match="is named .odt but its bytes are a PDF"):
        inspect_import(b"%PDF-1.7\n", "persbericht.odt")
    with pytest.raises(MediaRefused, match="is empty"):
        inspect_import(b"", "persbericht.odt")
