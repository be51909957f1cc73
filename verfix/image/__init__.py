"""Disk images read in place, without mounting: containers, partitions, NTFS and FAT volumes.

Importing this package needs nothing beyond the standard library: format detection works
without the ``images`` extra, so a caller can say what to install. Opening an image needs
the extra (``pip install 'verfix[images]'``: the libyal Python bindings).
"""

from verfix.image.detect import detect_format, looks_like_image
from verfix.image.errors import EXTRA_MISSING, ImageError, MissingExtraError

__all__ = ["EXTRA_MISSING", "ImageError", "MissingExtraError", "detect_format", "looks_like_image"]
