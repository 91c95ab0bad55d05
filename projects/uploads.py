"""Rules for uploaded evidence files (佐证材料): which names and contents are accepted.

Plain functions with no database: the reporting and supervision services apply them (the same
checks for a figure's evidence and for the files of an answer or a close-out), the download views
reuse the naming rule. The type is judged by the content (``filetype``); the name must agree with it;
a PDF must carry nothing that runs by itself (JavaScript, automatic or launch actions), judged by
parsing it with pypdf rather than by searching its bytes (names can be hex-escaped, objects
compressed)."""

from __future__ import annotations

import io
import logging
import mimetypes
import os
import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "EVIDENCE_TYPES",
    "NAME_MAX_CHARS",
    "UploadRefused",
    "check_caps",
    "evidence_checked",
    "evidence_name",
    "pdf_active_content",
    "read_upload",
    "served_name",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceType:
    label: str
    extensions: tuple[str, ...]  # the first is the one a served file gets when its own is wrong


EVIDENCE_TYPES = {
    "image/jpeg": EvidenceType("JPEG", (".jpg", ".jpeg")),
    "image/png": EvidenceType("PNG", (".png",)),
    "application/pdf": EvidenceType("PDF", (".pdf",)),
}
# The stored name's column holds 255 characters.
NAME_MAX_CHARS = 255
# Parts of a name that mean another kind of file: "report.pdf.html", "photo.php.jpg".
_RISKY_INNER = {".htm", ".html", ".xhtml", ".svg", ".js", ".mjs", ".exe", ".com", ".bat", ".cmd", ".scr", ".msi",
                ".vbs", ".ps1", ".jar", ".sh", ".php", ".asp", ".aspx", ".jsp", ".hta", ".lnk", ".dll"}  # fmt: skip
_SPACES = re.compile(r"\s+")


class UploadRefused(Exception):
    """A file refused, with the reason in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _clean(raw: str) -> str:
    """NFC, only the last part of a path, no control or invisible formatting characters (a
    right-to-left override can make "gpj.exe" read as "exe.jpg"), single spaces, no leading dots."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    name = _SPACES.sub(" ", name).strip().lstrip(".").strip()
    return name.rstrip(". ")


def _is_file_extension(ext: str) -> bool:
    return ext.lower() in _RISKY_INNER or (bool(ext) and mimetypes.guess_type("x" + ext.lower())[0] is not None)


def _cut(stem: str, ext: str) -> str:
    """At most NAME_MAX_CHARS characters, keeping the start of the name and its real extension."""
    return stem[: NAME_MAX_CHARS - len(ext)].rstrip(". ") + ext


def evidence_name(raw: str, *, content_type: str) -> str:
    """The name an evidence file is kept under, or ``UploadRefused`` when its extension is not one
    of its content's or a second extension hides in it."""
    kind = EVIDENCE_TYPES[content_type]
    name = _clean(raw)
    stem, ext = os.path.splitext(name)
    if ext.lower() not in kind.extensions:
        raise UploadRefused(
            _("“%(name)s”的扩展名与内容不符：文件内容是 %(kind)s，文件名应以 %(ext)s 结尾")
            % {"name": name or raw, "kind": kind.label, "ext": " / ".join(kind.extensions)}
        )
    inner = os.path.splitext(stem)[1]
    if _is_file_extension(inner):
        raise UploadRefused(
            _("“%(name)s”带有两个扩展名（%(inner)s%(ext)s），可能是伪装的文件，请改名后再上传")
            % {"name": name, "inner": inner, "ext": ext}
        )
    return _cut(stem or _("佐证材料"), ext)


def read_upload(upload: UploadedFile) -> bytes:
    """The uploaded file's content, or ``UploadRefused`` when it is empty or over the size limit
    of one file (``EVIDENCE_MAX_BYTES``)."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise UploadRefused(
            _("文件“%(name)s”超过 %(limit)s 的上限，请压缩后再上传")
            % {"name": upload.name, "limit": filesizeformat(limit)}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(_("文件超过 %(limit)s 的上限，请压缩后再上传") % {"limit": filesizeformat(limit)})
    if not data:
        raise UploadRefused(_("文件是空的"))
    return data


def evidence_checked(*, name: str, data: bytes) -> tuple[str, str]:
    """``(name kept, content type)`` of an evidence file, or ``UploadRefused``: a JPEG, PNG or PDF
    by its content, a name that agrees with it, and nothing in a PDF that runs by itself. The one
    check of every evidence file: figures', answers' and close-outs'."""
    kind = filetype.guess(data)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise UploadRefused(
            _("“%(name)s”不是 JPEG、PNG 图片或 PDF 文件；佐证材料只接受这三种格式") % {"name": name}
        )
    kept = evidence_name(name or "", content_type=kind.mime)
    if kind.mime == "application/pdf":
        active = pdf_active_content(data)
        if active:
            raise UploadRefused(
                _("“%(name)s”含有会自动运行的内容（%(what)s），不能作为佐证材料；请打印为普通 PDF 或拍照后上传")
                % {"name": kept, "what": active}
            )
    return kept, kind.mime


def check_caps(*, files: int, total: int, size: int, what: str) -> None:
    """``UploadRefused`` when one more file of ``size`` bytes would pass the caps of one item
    (``EVIDENCE_MAX_FILES_PER_FIGURE`` files, ``EVIDENCE_MAX_BYTES_PER_FIGURE`` bytes), which
    already holds ``files`` files of ``total`` bytes. ``what`` names the item: 每项月报, 每次反馈."""
    if files >= settings.EVIDENCE_MAX_FILES_PER_FIGURE:
        raise UploadRefused(
            _("%(what)s最多上传 %(n)s 个佐证材料，已达上限；请删除不需要的文件后再上传")
            % {"what": what, "n": settings.EVIDENCE_MAX_FILES_PER_FIGURE}
        )
    limit = settings.EVIDENCE_MAX_BYTES_PER_FIGURE
    if total + size > limit:
        raise UploadRefused(
            _("%(what)s的佐证材料合计不超过 %(limit)s，已上传 %(kept)s，本文件 %(size)s；请压缩或删除后再上传")
            % {
                "what": what,
                "limit": filesizeformat(limit),
                "kept": filesizeformat(total),
                "size": filesizeformat(size),
            }
        )


def served_name(name: str, *, content_type: str) -> str:
    """The name a stored file is downloaded under: its own when that fits its content, else with
    the content's extension added (files kept before names were checked)."""
    kind = EVIDENCE_TYPES.get(content_type)
    cleaned = _clean(name) or "file"
    if kind is None or os.path.splitext(cleaned)[1].lower() in kind.extensions:
        return cleaned
    return _cut(cleaned, kind.extensions[0])


# --- PDF ------------------------------------------------------------------------------------

# Keys that make a viewer run something: scripts, actions on events, forms with scripts.
_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": gettext_lazy("自动动作"),
    "/XFA": gettext_lazy("XFA 表单"),
    "/RichMedia": gettext_lazy("多媒体脚本"),
}
_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": gettext_lazy("启动程序"),
    "/ImportData": gettext_lazy("导入数据"),
    "/Rendition": gettext_lazy("多媒体"),
    "/SubmitForm": gettext_lazy("提交表单"),
}
# Enough for any real document; a file with more is a trap for the parser, not evidence.
_MAX_OBJECTS = 200_000


def pdf_active_content(data: bytes) -> str | None:
    """What in a PDF would run by itself (in the user's language), or None when nothing would.

    A PDF that cannot be read, or that is encrypted, cannot be checked and is refused as well."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return _("加密的 PDF")
        stack = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        visited = 0
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                ref = (item.idnum, item.generation)
                if ref in seen:
                    continue
                seen.add(ref)
                item = item.get_object()
            visited += 1
            if visited > _MAX_OBJECTS:
                return _("结构过于复杂的 PDF")
            if isinstance(item, DictionaryObject):
                found = _active_in(item)
                if found:
                    return found
                stack.extend(v for k, v in item.items() if k != "/Parent")
            elif isinstance(item, ArrayObject):
                stack.extend(item)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        logger.info("an uploaded PDF could not be read: %s", exc)
        return _("无法读取的 PDF")
    return None


def _active_in(item) -> str | None:
    for key, what in _ACTIVE_KEYS.items():
        if key in item:
            return str(what)
    action = item.get("/S")
    if action in _ACTIVE_ACTIONS:
        return str(_ACTIVE_ACTIONS[action])
    opening = item.get("/OpenAction")
    if opening is not None:
        opening = opening.get_object()
        # An opening view ([page /Fit]) is harmless; an opening action other than "go to" runs.
        if hasattr(opening, "get") and opening.get("/S") not in (None, "/GoTo"):
            return _("打开时自动执行的动作")
    return None
