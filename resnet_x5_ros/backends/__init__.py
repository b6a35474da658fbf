# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Inference backends behind one interface: create_backend('auto' | 'cpu' | 'bpu', model_path).

    backend = create_backend('auto', '')          # BPU + default .bin on the board, else CPU
    scores = backend.infer(nv12)                   # 1-D float32, backend.num_classes long
    backend.close()

open_backend() is the same with the node's worker_type: the runtime in this process, or in
supervised worker processes (process.ProcessBackend) behind the same interface.

'auto' picks bpu when a BPU runtime (pyeasy_dnn or hbm_runtime, option bpu_runtime) imports
and the model is a .bin (an empty model_path means the default .bin then), and cpu otherwise.
The implementations are imported lazily: the board needs no onnxruntime, a dev machine no BPU
runtime.
"""

import os

from resnet_x5_ros import colour_range
from resnet_x5_ros.backends.base import (Backend, BackendError, BackendHealth, InputError,
                                         ModelError)
from resnet_x5_ros.backends.bpu import DEFAULT_BPU_MODEL
from resnet_x5_ros.backends.bpu_runtimes import (bpu_runtime_available, bpu_runtime_status,
                                                 BPU_RUNTIMES, check_bpu_runtime)
from resnet_x5_ros.backends.default_model import (cpu_model_dirs, default_cpu_model,
                                                  DEFAULT_CPU_MODEL_NAME,
                                                  find_default_cpu_model, MODEL_DIR_ENV)

__all__ = [
    'BACKENDS', 'Backend', 'BackendError', 'BackendHealth', 'BPU_RUNTIMES', 'DEFAULT_BPU_MODEL',
    'DEFAULT_CPU_MODEL_NAME', 'InputError', 'ModelError', 'MODEL_DIR_ENV',
    'WORKER_TYPES', 'bpu_runtime_status', 'cpu_model_dirs', 'create_backend',
    'default_cpu_model', 'open_backend',
]

BACKENDS = ('auto', 'cpu', 'bpu')
# Where inference runs: in the caller's process, or in supervised worker processes.
WORKER_TYPES = ('thread', 'process')
# The next step when a .bin cannot run here, in the node's parameter names (the tools take
# the same names as options).
USE_CPU_HINT = ('off the board use backend cpu with model_path empty (its default model) or '
                'an .onnx, e.g. launch argument backend:=cpu')


def _is_bin(path):
    return path.lower().endswith('.bin')


def create_backend(kind='auto', model_path='', *, nv12_range='auto', num_threads=0,
                   **options):
    """Load a backend.

    kind: 'auto', 'cpu' or 'bpu' (see module docstring for 'auto').
    model_path: the model file; '' = the chosen backend's default (DEFAULT_BPU_MODEL or
        find_default_cpu_model(), see backends/default_model.py).
    nv12_range: 'auto' (the model's own: .bin record or sidecar), 'full' or 'video'.
    num_threads: CPU backend intra-op threads, 0 = all cores (ignored by bpu).
    options: passed to the implementation: cpu: sidecar_path, warmup, verify_sha256;
        bpu: bpu_runtime ('auto', 'pyeasy_dnn', 'hbm_runtime'), runtime (a module),
        output_index, core_id, priority, warmup. bpu_runtime and runtime are ignored by cpu.

    Raises ModelError (bad/missing model or sidecar), BackendError (runtime unavailable or
    warm-up failure), ValueError (bad kind/nv12_range/num_threads).
    """
    if kind not in BACKENDS:
        raise ValueError('backend must be one of {}, not {!r}'.format(', '.join(BACKENDS), kind))
    if nv12_range not in colour_range.SETTINGS:
        raise ValueError('nv12_range must be one of {}, not {!r}'.format(
            ', '.join(colour_range.SETTINGS), nv12_range))
    bpu_runtime = options.get('bpu_runtime', 'auto')
    check_bpu_runtime(bpu_runtime)
    model_path = os.fspath(model_path) if model_path else ''
    auto_note = ''
    if kind == 'auto':
        if model_path and not _is_bin(model_path):
            kind = 'cpu'
        elif options.get('runtime') is not None or bpu_runtime_available(bpu_runtime):
            kind = 'bpu'
        elif model_path:
            # The next step before the runtime's reasons, which may be long and cut.
            raise BackendError('{} is a BPU .bin but no BPU runtime imports here; {} ({})'.format(
                model_path, USE_CPU_HINT, bpu_runtime_status(bpu_runtime)))
        else:
            kind = 'cpu'
            auto_note = '; backend auto chose cpu ({})'.format(bpu_runtime_status(bpu_runtime))
    if kind == 'bpu':
        from resnet_x5_ros.backends.bpu import BpuBackend
        bpu_options = {k: v for k, v in options.items()
                       if k in ('runtime', 'bpu_runtime', 'output_index', 'core_id',
                                'priority', 'warmup')}
        _reject_unknown(options, bpu_options, 'bpu')
        return BpuBackend(model_path, nv12_range=nv12_range, **bpu_options)
    from resnet_x5_ros.backends.cpu import CpuBackend
    cpu_options = {k: v for k, v in options.items()
                   if k in ('sidecar_path', 'warmup', 'verify_sha256')}
    # The runtime options only matter for bpu; 'auto' may pass them and still land on cpu.
    _reject_unknown({k: v for k, v in options.items() if k not in ('runtime', 'bpu_runtime')},
                    cpu_options, 'cpu')
    if not model_path:
        try:
            model_path = find_default_cpu_model()
        except ModelError as exc:
            raise ModelError(str(exc) + auto_note) from None
    return CpuBackend(model_path, nv12_range=nv12_range, num_threads=num_threads,
                      **cpu_options)


def open_backend(kind='auto', model_path='', *, worker_type='thread', workers=1,
                 inference_timeout=0.0, **options):
    """Load a backend as create_backend() does, in this process or in worker processes.

    worker_type 'process': `workers` supervised child processes each load the model
    (process.ProcessBackend; inference_timeout: seconds one may hold a frame, 0 = derived).
    Raises what create_backend() raises.
    """
    if worker_type not in WORKER_TYPES:
        raise ValueError('worker_type must be one of {}, not {!r}'.format(
            ', '.join(WORKER_TYPES), worker_type))
    if worker_type == 'process':
        from resnet_x5_ros.backends.process import ProcessBackend
        return ProcessBackend((kind, model_path, options), count=workers,
                              timeout_s=inference_timeout)
    return create_backend(kind, model_path, **options)


def _reject_unknown(given, used, kind):
    unknown = sorted(set(given) - set(used))
    if unknown:
        raise TypeError('unknown option(s) for the {} backend: {}'.format(
            kind, ', '.join(unknown)))
