"""The copy of an evidence photo that the public page serves: the picture and nothing else.

A phone's photo carries EXIF, XMP and comments: where it was taken (GPS), the camera and its serial
number, often the owner's name. The office approves the picture, not that; so the public copy is
made from the pixels alone, turned upright first (the EXIF orientation would be lost with the rest)
and kept no larger than a phone needs. Pillow does the decoding and encoding."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["PUBLIC_PHOTO_MAX_SIDE", "photo_without_metadata"]

# The public page is phone first: 1600 px on the long side is sharp on any phone and a tenth of a
# camera's file.
PUBLIC_PHOTO_MAX_SIDE = 1600

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def photo_without_metadata(data: bytes, *, content_type: str) -> bytes:
    """The photo re-encoded (JPEG stays JPEG, PNG stays PNG) from its pixels only, upright, at most
    ``PUBLIC_PHOTO_MAX_SIDE`` px on the long side: no EXIF (GPS, camera, author), no XMP, no text
    chunks or comments. The colour profile is kept (it says how to show the colours, nothing about
    who or where). ``ValidationError`` when the file is not a picture Pillow can read."""
    target = _FORMATS.get(content_type)
    if target is None:
        raise ValidationError(_("只有照片（JPEG、PNG）可以公开"))
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            icc = source.info.get("icc_profile")
            upright = ImageOps.exif_transpose(source)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        # Pillow says SyntaxError for a broken PNG.
        raise ValidationError(_("这张照片无法读取，不能公开")) from exc
    wanted = "RGB" if target == "JPEG" else ("RGBA" if _has_alpha(upright) else "RGB")
    if upright.mode != wanted:
        upright = upright.convert(wanted)
    upright.thumbnail((PUBLIC_PHOTO_MAX_SIDE, PUBLIC_PHOTO_MAX_SIDE))
    # A new image from the pixels alone: nothing of the source's ``info`` can come along.
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if target == "JPEG":
        options.update(quality=88, optimize=True)
    out = io.BytesIO()
    clean.save(out, format=target, **options)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
