"""What this machine offers style transfer: a GPU, and bfloat16 arithmetic units.

bfloat16 (``precision="bfloat16"``) halves the time of a VGG19 pass only where the hardware has
bfloat16 units: CPUs with AVX512-BF16 or AMX, GPUs of compute capability 8.0 and later (A100, H100,
L4; not a Colab T4, which is 7.5). Elsewhere the conversions cost time and nothing is gained, so
the notebooks run their bfloat16 cells only where ``bfloat16_units()`` says yes.

TensorFlow is imported only inside the functions that need it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["bfloat16_units", "cpu_name", "full_mode_advice", "gpu_names"]

_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo ("Intel(R) Xeon(R) ..."), else what Python knows
    ("x86_64"): benchmarks name the machine their figures come from."""
    import platform

    try:
        with open("/proc/cpuinfo") as info:
            return next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def gpu_names() -> list[str]:
    """The models of the GPUs TensorFlow sees ("NVIDIA H200"; empty on a CPU-only machine).

    A device without details (some plugins) is named by its device path instead."""
    import tensorflow as tf

    names = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        names.append(details.get("device_name") or device.name)
    return names


def full_mode_advice(cpu_minutes: float, quick: bool, gpus: list[str] | None = None) -> str:
    """One line for a notebook's first cell: the device, and what full mode costs without a GPU.

    ``cpu_minutes``: the notebook's full-mode estimate on a 2-core CPU (measured by
    ``benchmarks/notebook_run_times.py``); ``quick``: whether quick mode is on; ``gpus``: the
    GPUs' names (looked up when None).

    >>> full_mode_advice(25, quick=False, gpus=[])[:44]
    'No GPU: full mode takes about 25 min on a 2-'
    >>> full_mode_advice(25, quick=True, gpus=[])
    'No GPU, quick mode: small images and few steps, minutes on a CPU.'
    """
    gpus = gpu_names() if gpus is None else gpus
    if gpus:
        return f"GPU: {', '.join(gpus)}. Full mode runs there (not yet measured on a GPU)."
    if quick:
        return "No GPU, quick mode: small images and few steps, minutes on a CPU."
    return (
        f"No GPU: full mode takes about {cpu_minutes:.0f} min on a 2-core CPU (measured step "
        "times, benchmarks/notebook_run_times.py), less with more cores. On Colab choose Runtime > "
        "Change runtime type > T4 GPU; or switch quick mode on in the first cell."
    )


def _cpu_bfloat16(cpuinfo: str | None) -> tuple[bool, str]:
    """From the text of /proc/cpuinfo (None where there is none): bfloat16 units, and why."""
    if cpuinfo is None:
        return False, "cannot tell whether this CPU has bfloat16 units (no /proc/cpuinfo): time it"
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags |= set(line.split(":", 1)[1].split())
    found = [flag for flag in _CPU_FLAGS if flag in flags]
    if found:
        return True, f"this CPU has bfloat16 units ({', '.join(found)})"
    return False, "this CPU has no bfloat16 units (no AVX512-BF16, no AMX)"


def _gpu_bfloat16(name: str, capability: tuple[int, int] | None) -> tuple[bool, str]:
    """From a GPU's compute capability: bfloat16 tensor cores from 8.0 (Ampere) on."""
    if capability is None:
        return False, f"cannot tell whether GPU {name} has bfloat16 units: time it"
    major, minor = capability
    if (major, minor) >= (8, 0):
        return True, f"GPU {name} (compute capability {major}.{minor}) has bfloat16 tensor cores"
    return False, f"GPU {name} (compute capability {major}.{minor}) has no bfloat16 units"


def bfloat16_units() -> tuple[bool, str]:
    """(True if the device TensorFlow computes on has bfloat16 units, a sentence saying why)."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return _gpu_bfloat16(
            details.get("device_name", gpus[0].name), details.get("compute_capability")
        )
    cpuinfo = Path("/proc/cpuinfo")
    return _cpu_bfloat16(cpuinfo.read_text() if cpuinfo.exists() else None)
