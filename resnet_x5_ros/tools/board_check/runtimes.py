# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""board_check's "Each BPU runtime": the model on pyeasy_dnn and on hbm_runtime, side by side.

The node uses one runtime (parameter bpu_runtime); a board image may offer both. This loads
the checked model once more with every runtime that imports, classifies the sample photos and
times a few inferences, so the report shows whether they agree and what each costs.
"""

import os
import time

import numpy as np

from resnet_x5_ros.backends.bpu import BpuBackend
from resnet_x5_ros.backends.bpu_runtimes import import_runtime, RUNTIME_MODULES
from resnet_x5_ros.tools.markdown import code, table

TIMED_RUNS = 20


def _run_one(ctx, kind, frames):
    """Top-1 per photo and the median ms of one inference with runtime kind."""
    backend = BpuBackend(ctx.backend.model_path, nv12_range=ctx.backend.nv12_range,
                         bpu_runtime=kind)
    try:
        labels = ctx.classifier.labels
        top1 = {name: labels[int(np.argmax(backend.infer(nv12)))]
                for name, nv12 in frames.items()}
        first = next(iter(frames.values()))
        times = []
        for _ in range(TIMED_RUNS):
            t0 = time.perf_counter()
            backend.infer(first)
            times.append(time.perf_counter() - t0)
        return backend.runtime_name, top1, float(np.median(times) * 1000.0)
    finally:
        backend.close()


def compare_runtimes(ctx):
    """Section: every importable BPU runtime on the sample photos (SKIP without a bpu model)."""
    from resnet_x5_ros.tools.board_check.checks import _nv12, _sample_paths, Section

    title = 'Each BPU runtime'
    if ctx.backend is None or ctx.backend.name != 'bpu':
        return Section(title, 'SKIP', 'no BPU model loaded')
    kinds = [k for k in RUNTIME_MODULES if import_runtime(k)[0] is not None]
    frames = {os.path.basename(p): _nv12(ctx, p) for p in _sample_paths(ctx)}
    results, failures = {}, {}
    for kind in kinds:
        try:
            results[kind] = _run_one(ctx, kind, frames)
        except Exception as exc:  # the report must show each runtime's own failure
            failures[kind] = '{}: {}'.format(type(exc).__name__, ' '.join(str(exc).split()))
    rows = [[name] + [results[k][1][name] for k in results] for name in frames]
    body = table(['photo'] + ['top-1 ({})'.format(k) for k in results], rows) if results \
        else []
    body += [''] + ['- {}: {}, {:.2f} ms per inference (median of {})'.format(
        kind, code(name), ms, TIMED_RUNS) for kind, (name, _, ms) in results.items()]
    body += ['- {}: FAILED {}'.format(kind, code(reason)) for kind, reason in failures.items()]
    data = {'runtimes': {k: {'module': r[0], 'top1': r[1], 'ms': r[2]}
                         for k, r in results.items()}, 'failures': failures}
    if failures:
        return Section(title, 'FAIL', 'failed on ' + ', '.join(failures), body, data)
    answers = {tuple(r[1][n] for n in frames) for r in results.values()}
    if len(answers) > 1:
        return Section(title, 'WARN', 'the runtimes disagree on some photos', body, data)
    summary = ', '.join('{} {:.2f} ms'.format(k, r[2]) for k, r in results.items())
    status = 'PASS' if len(results) > 1 else 'INFO'
    return Section(title, status, ('same top-1 on every photo: ' if len(results) > 1
                                   else 'one runtime: ') + summary, body, data)
