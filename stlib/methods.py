"""The style-transfer methods a front end offers, in one registry (no TensorFlow).

The app lists ``METHODS`` in its method picker and draws each one's panel by its ``name``; a new
method is one more entry here and one more panel there.
What a method's entry says:

- ``live``: a feed-forward network paints in one pass, so the picture follows the controls
  without a button; otherwise the method optimises step by step (Run, progress, Stop).
- ``command``: the ``stlib`` sub-command that makes the same picture from the command line.
- ``package``: where the algorithm lives (the app holds none of its own).

>>> [m.label for m in METHODS.values()]
['Arbitrary (real time)', 'Gatys (optimisation)', 'Multi-style network']
>>> method("cin").command, method("cin").live
('stlib cin', True)
>>> method("gatys").command
'stlib transfer'
"""

from __future__ import annotations

from dataclasses import dataclass

from stlib.validation import choice

__all__ = ["METHODS", "Method", "method"]


@dataclass(frozen=True)
class Method:
    """One style-transfer method as a front end presents it."""

    name: str  # the key: "arbitrary", "gatys", "cin"
    label: str  # what the picker shows
    reference: str  # the paper, for the caption
    live: bool  # True: one forward pass per change; False: Run/Stop an optimisation
    command: str  # the CLI sub-command that reproduces a result
    package: str  # the stlib package that holds the algorithm
    summary: str  # one sentence for the page


METHODS: dict[str, Method] = {
    method.name: method
    for method in (
        Method(
            name="arbitrary",
            label="Arbitrary (real time)",
            reference="Ghiasi, Lee, Kudlur, Dumoulin, Shlens, BMVC 2017",
            live=True,
            command="stlib arbitrary",
            package="stlib.arbitrary",
            summary="A style network turns the painting into 100 numbers that steer a "
            "transformer network: one pass, a fraction of a second.",
        ),
        Method(
            name="gatys",
            label="Gatys (optimisation)",
            reference="Gatys, Ecker, Bethge, CVPR 2016",
            live=False,
            command="stlib transfer",
            package="stlib.gatys",
            summary="The pixels are optimised until VGG19 sees the photo's content and the "
            "painting's textures (Gram matrices): step by step, seconds to minutes.",
        ),
        Method(
            name="cin",
            label="Multi-style network",
            reference="Dumoulin, Shlens, Kudlur, ICLR 2017",
            live=True,
            command="stlib cin",
            package="stlib.cin",
            summary="One network paints 26 styles in one pass: each style is 990 scale and "
            "shift numbers of its normalisation layers (in this slim pretrained network), and "
            "mixing those numbers mixes the styles.",
        ),
    )
}


def method(name: str) -> Method:
    """The registered method ``name``; a SettingError lists the names (with a suggestion)."""
    choice(name, "method", tuple(METHODS))
    return METHODS[name]
