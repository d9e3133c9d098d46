"""The pretrained multi-style networks stlib knows by name, and their style counts (no TensorFlow).

The command line checks a style number against this table before TensorFlow starts;
:func:`stlib.cin.api.load` builds the network itself.
"""

__all__ = ["PRETRAINED"]

# name -> number of styles
PRETRAINED = {
    # TensorFlow's Android "TF Stylize" demo (stlib.cin.magenta26): 26 styles, slim widths.
    "magenta-26": 26,
}
