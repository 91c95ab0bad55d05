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


def jpeg_with_gps() -> bytes:
    """A camera-like JPEG, 40 × 20 px as stored (left half red, right half blue) with EXIF that says
    to show it turned 90° clockwise (orientation 6), where it was taken (GPS 34°46′N 111°12′E,
    Sanmenxia), the camera (Canon EOS R5, serial 012345) and its owner (Artist Wang Jianhua), an XMP
    packet and a comment naming the same person."""
    from PIL import Image, TiffImagePlugin  # noqa: F401 - TiffImagePlugin: the EXIF writer

    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS R5"  # Model
    exif[0x013B] = "Wang Jianhua"  # Artist (EXIF text is ASCII)
    exif.get_ifd(0x8769)[0xA431] = "012345"  # Exif IFD: BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (34.0, 46.0, 30.0), 3: "E", 4: (111.0, 12.0, 5.0)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Wang Jianhua</dc:creator></x:xmpmeta>'
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, xmp=xmp, comment="photographer Wang Jianhua", quality=95)
    return out.getvalue()
