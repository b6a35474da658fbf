# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Backend inference speed: latency of one thread and throughput of N worker threads.

Times backend.infer() alone on a real photo already converted to NV12 at the model size (the
conversion has its own suite, `preprocess`). Rows:
  single        one thread calling infer() back to back: latency median/p90/p99, FPS
  N workers     N threads calling infer() on one shared backend: total FPS, per-call latency
  N workers, 1 intra-op thread   (cpu only, when --num_threads is not 1) the same with a second
                backend limited to one ONNX Runtime thread, to show whether N workers and a
                multi-threaded session fight over the cores
cpu_pct is process CPU time / wall time (100 = one core busy).
"""

import os
import time

from resnet_x5_ros.tools.bench.report import median_ms, percentile_ms
from resnet_x5_ros.tools.common import add_model_arguments


def add_arguments(parser):
    add_model_arguments(parser)
    parser.add_argument('--workers', type=int, default=0,
                        help='threads for the throughput rows (default: number of cores)')
    parser.add_argument('--seconds', type=float, default=4.0,
                        help='duration of each timed row (default 4)')
    parser.add_argument('--photo', default='coffee.png',
                        help='image file, or the name of a sample photo (default coffee.png)')


def _frame(backend, photo):
    from resnet_x5_ros.convert.colour import bgr_to_nv12
    from resnet_x5_ros.tools.images import read_image, SourceError
    from resnet_x5_ros.tools.samples import photo_path

    try:
        small = read_image(photo_path(photo), (backend.input_width, backend.input_height))
    except SourceError as exc:
        raise SystemExit('bench backend: {}'.format(exc)) from None
    return bgr_to_nv12(small, backend.nv12_range)


def _timed(backend, frame, workers, seconds):
    """Run infer() from `workers` threads for `seconds`; return per-call times and totals.

    A failed call is counted and left out of the timings, so a flaky backend is still
    measured (the `errors` column shows how flaky).
    """
    from resnet_x5_ros.tools.bench.timing import run_for

    def infer():
        try:
            backend.infer(frame)
        except Exception as exc:  # counted and shown, not a dead measuring thread
            return '{}: {}'.format(type(exc).__name__, exc)
        return None

    run = run_for(infer, workers, seconds)
    calls = [d for d, error in zip(run['durations'], run['values']) if error is None]
    errors = [error for error in run['values'] if error is not None]
    if not calls:
        raise SystemExit('every inference failed: {}'.format(errors[0] if errors else '?'))
    return {
        'calls': len(calls),
        'fps': len(calls) / run['wall_s'],
        'median_ms': median_ms(calls),
        'p90_ms': percentile_ms(calls, 90),
        'p99_ms': percentile_ms(calls, 99),
        'cpu_pct': run['cpu_pct'],
        'errors': len(errors),
    }


def _warm_up(backend, frame, calls=10):
    from resnet_x5_ros.backends import BackendError

    for _ in range(calls):
        try:
            backend.infer(frame)
        except BackendError:
            pass  # a flaky backend still gets measured; the rows count its errors


def run(args):
    from resnet_x5_ros.backends import create_backend

    workers = args.workers or os.cpu_count() or 1
    t0 = time.perf_counter()
    backend = create_backend(args.backend, args.model_path, num_threads=args.num_threads,
                             nv12_range=args.nv12_range,
                             bpu_runtime=args.bpu_runtime)
    load_s = time.perf_counter() - t0
    print('backend: {}'.format(backend.description))
    frame = _frame(backend, args.photo)
    _warm_up(backend, frame)
    rows = {}
    rows['single'] = _timed(backend, frame, 1, args.seconds)
    rows['{} workers'.format(workers)] = _timed(backend, frame, workers, args.seconds)
    threads = getattr(backend, 'num_threads', None)
    if backend.name == 'cpu' and threads != 1 and workers > 1:
        single_threaded = create_backend('cpu', backend.model_path, num_threads=1)
        _warm_up(single_threaded, frame)
        rows['{} workers, 1 intra-op thread'.format(workers)] = _timed(
            single_threaded, frame, workers, args.seconds)
        single_threaded.close()
    backend.close()
    return {
        'backend': rows,
        'backend_model': {
            'backend': backend.name, 'model': backend.model_path,
            'input': '{}x{} NV12 {}'.format(backend.input_width, backend.input_height,
                                            backend.nv12_range),
            'intra_op_threads': threads if threads is not None else '',
            'workers': workers, 'load_s': load_s, 'photo': args.photo,
        },
    }
