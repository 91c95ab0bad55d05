"""Files for the upload tests: real PDFs made with pypdf, with or without active content."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject


def pdf(
    *,
    javascript: str | None = None,
    open_action: str | None = None,
    page_action: bool = False,
    launch: bool = False,
    open_view: bool = False,
) -> bytes:
    """A one-page PDF. ``javascript``: a document script (the Names tree); ``open_action``: an
    action run on opening ("JavaScript" or "Launch"); ``page_action``: a script when the page
    opens (/AA); ``launch``: a link that starts a program; ``open_view``: a harmless opening view."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    if javascript:
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(javascript)})
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), writer._add_object(action)])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    if open_action == "JavaScript":
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    elif open_action == "Launch":
        action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
        writer._root_object[NameObject("/OpenAction")] = action
    if open_view:
        writer._root_object[NameObject("/OpenAction")] = ArrayObject([page.indirect_reference, NameObject("/Fit")])
    if page_action:
        script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): script})
    if launch:
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
            NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}),
        })  # fmt: skip
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_hidden_script() -> bytes:
    """An opening action whose names are hex-escaped (/J#61vaScript is /JavaScript): a search of the
    bytes misses it, a PDF parser does not."""
    body = (
        b"%PDF-1.4\n"
        b"1 0 obj <</Type /Catalog /Pages 2 0 R /OpenAction 4 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
        b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> endobj\n"
        b"4 0 obj <</S /J#61vaScript /J#53 (app.alert\\(1\\))>> endobj\n"
    )
    offsets, position = [], body.index(b"1 0 obj")
    for n in range(1, 5):
        position = body.index(f"{n} 0 obj".encode())
        offsets.append(position)
    xref = b"xref\n0 5\n0000000000 65535 f \n" + b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return body + xref + b"trailer <</Size 5 /Root 1 0 R>>\nstartxref\n" + str(len(body)).encode() + b"\n%%EOF\n"
