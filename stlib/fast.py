"""``stlib.fast`` is now ``stlib.cin`` (the multi-style network of conditional instance
normalisation): "fast" no longer told it from the arbitrary network, which is fast too. This
module only says so; the same names live in ``stlib.cin``."""

raise ImportError(
    "stlib.fast is now stlib.cin (the multi-style network): write `from stlib import cin` "
    "and cin.stylize, cin.load, cin.train, stlib.cin.training ..."
)
