"""Which machines have bfloat16 units: CPU flags and GPU compute capabilities."""

from __future__ import annotations

from stlib import hardware

EPYC = "processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512_bf16 amx_tile\n"
OLD_CPU = "processor\t: 0\nflags\t\t: fpu sse avx2 avx512f\n"


def test_cpu_flags_decide():
    assert hardware._cpu_bfloat16(EPYC) == (True, "this CPU has bfloat16 units (avx512_bf16)")
    has, why = hardware._cpu_bfloat16(OLD_CPU)
    assert not has and "no AVX512-BF16" in why
    has, why = hardware._cpu_bfloat16(None)
    assert not has and "time it" in why


def test_gpu_compute_capability_decides():
    assert hardware._gpu_bfloat16("NVIDIA A100", (8, 0))[0]
    assert hardware._gpu_bfloat16("NVIDIA H200", (9, 0))[0]
    has, why = hardware._gpu_bfloat16("Tesla T4", (7, 5))
    assert not has and "7.5" in why
    assert not hardware._gpu_bfloat16("unknown", None)[0]


def test_this_machine_gets_an_answer_with_a_reason():
    has, why = hardware.bfloat16_units()
    assert isinstance(has, bool) and why
    assert isinstance(hardware.gpu_names(), list)
