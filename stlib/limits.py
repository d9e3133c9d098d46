"""The image sizes stlib accepts, in one place that imports nothing heavy.

The command line checks sizes before TensorFlow starts, so these numbers cannot live in
``stlib.images`` (which imports TensorFlow); ``images`` and every config read them from here.
"""

__all__ = ["MAX_PIXELS", "MAX_SIDE", "MIN_SIDE"]

# VGG19 halves the image 4 times before block5; below 32 px its deep layers see almost nothing.
MIN_SIDE = 32
# Sane limits: a decompression bomb or a typo like max_side=50000 is refused before allocating.
MAX_SIDE = 8192
MAX_PIXELS = 64_000_000
