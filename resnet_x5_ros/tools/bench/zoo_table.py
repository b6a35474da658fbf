# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""pipeline: the pipeline's performance table, like the RDK model zoo's, plus per-stage figures.

    bench                                  # this suite (the default): 3 s per measurement
    bench pipeline --backend bpu --workers 4 --json
    bench pipeline --node --plot bench.png # add end-to-end ROS figures; draw them

A camera-like frame (a sample photo resized to --size, in --encoding) goes through
pipeline.Classifier, the node's code, from 1 thread and from --workers threads. Tables:
  pipeline     model, input size, classes, latency single / multi (median ms), FPS (with
               --workers threads), for the backend alone, the whole pipeline, the node through
               ROS (--node) and the model zoo's published ResNet18 figures, with ratios to them
  stages       convert, infer, post-process and total per frame, one thread: median/p90/p99
  throughput   frames per second and per-call latency with 1 and --workers threads
  node         (--node) the `node` suite: camera at 30 Hz, and overload
It states the machine, backend and model. --json prints everything as one JSON object on the
last line; --plot draws latency per stage and fps (needs matplotlib).
"""

import argparse
import os
import tempfile

from resnet_x5_ros.colour_range import DEFAULT_RANGE
from resnet_x5_ros.convert.encode import COMPRESSED_FORMATS, encode_compressed, RAW_ENCODINGS
from resnet_x5_ros.pipeline import Frame
from resnet_x5_ros.tools.bench.report import machine_summary, median_ms, percentile_ms, print_table
from resnet_x5_ros.tools.bench.timing import run_for
from resnet_x5_ros.tools.bench.zoo import comparison_note, distance, REFERENCE_ROW, ZOO_RESNET18_X5
from resnet_x5_ros.tools.common import (add_model_arguments, add_settings_arguments,
                                        open_classifier, ToolError)
from resnet_x5_ros.tools.frames import frame_from_bgr
from resnet_x5_ros.tools.images import parse_size, read_image, SourceError
from resnet_x5_ros.tools.samples import photo_path


def add_arguments(parser):
    """Add the options of this suite."""
    parser.add_argument('--workers', type=int, default=0,
                        help='threads for the multi-thread figures (default: cores, at most 4)')
    parser.add_argument('--seconds', type=float, default=3.0,
                        help='duration of each timed run (default 3)')
    parser.add_argument('--photo', default='coffee.png',
                        help='image file, or the name of a sample photo (default coffee.png)')
    parser.add_argument('--size', type=parse_size, default=(640, 480),
                        help='camera frame size the photo is resized to (default 640x480)')
    parser.add_argument('--encoding', choices=RAW_ENCODINGS + COMPRESSED_FORMATS,
                        default='bgr8', help='camera frame encoding (default bgr8)')
    parser.add_argument('--node', action='store_true',
                        help='also measure the node through ROS (the node suite: two runs of '
                             '--node-duration seconds)')
    parser.add_argument('--node-duration', type=float, default=10.0,
                        help='seconds per node run (default 10)')
    parser.add_argument('--plot', metavar='OUT.png', help='draw latency per stage and fps')
    add_model_arguments(parser)
    add_settings_arguments(parser)


def default_workers():
    return max(1, min(4, os.cpu_count() or 1))


def camera_frame(photo, size, encoding, camera_range=DEFAULT_RANGE):
    """Build the Frame a camera would send: photo resized to size, in encoding."""
    path = photo_path(photo)
    try:
        bgr = read_image(path, size)
    except SourceError as exc:
        raise ToolError(str(exc)) from None
    if encoding in COMPRESSED_FORMATS:
        return Frame(encode_compressed(bgr, encoding), encoding, compressed=True)
    return frame_from_bgr(bgr, encoding, camera_range)


def _latency_row(durations):
    return {'median_ms': median_ms(durations), 'p90_ms': percentile_ms(durations, 90),
            'p99_ms': percentile_ms(durations, 99)}


def measure(classifier, frame, workers, seconds):
    """Time the pipeline and the backend alone; returns the result tables (no node, no setup)."""
    backend = classifier.backend
    nv12 = classifier.to_nv12(frame, classifier.settings.resize_mode)
    for _ in range(5):
        classifier.classify(frame)

    single = run_for(lambda: classifier.classify(frame), 1, seconds)
    results = single['values']
    stages = {}
    for name, attr in (('convert', 'convert_s'), ('infer', 'infer_s'), ('post', 'post_s')):
        stages[name] = _latency_row([getattr(r, attr) for r in results])
    stages['total'] = _latency_row(single['durations'])
    total = stages['total']['median_ms']
    for row in stages.values():
        row['share_pct'] = 100.0 * row['median_ms'] / total if total else 0.0

    infer_single = run_for(lambda: backend.infer(nv12), 1, seconds)
    runs = {('pipeline', 1): single, ('backend', 1): infer_single}
    if workers > 1:
        runs['pipeline', workers] = run_for(lambda: classifier.classify(frame), workers,
                                            seconds)
        runs['backend', workers] = run_for(lambda: backend.infer(nv12), workers, seconds)
    throughput = {}
    for (what, n), run in runs.items():
        throughput['{} x{}'.format(what, n)] = {
            'threads': n, 'fps': run['fps'], 'latency_median_ms': median_ms(run['durations']),
            'latency_p99_ms': percentile_ms(run['durations'], 99), 'cpu_pct': run['cpu_pct'],
            'calls': run['calls']}

    model = os.path.basename(backend.model_path)
    size = '{}x{}'.format(backend.input_width, backend.input_height)
    table = {}
    for what, label in (('backend', 'backend only (infer)'),
                        ('pipeline', 'pipeline (convert+infer+post)')):
        multi = throughput['{} x{}'.format(what, workers)]
        row = {'model': model, 'input_size': size, 'classes': backend.num_classes,
               'latency_single_ms': throughput[what + ' x1']['latency_median_ms'],
               'latency_multi_ms': multi['latency_median_ms'], 'fps': multi['fps']}
        row.update(distance(row['latency_single_ms'], row['fps']))
        table[label] = row
    return {'pipeline': table, 'stages': stages, 'throughput': throughput}


def add_node_figures(result, node_rows):
    """Put the node suite's figures into the pipeline table (a row) and the result."""
    result['node'] = node_rows
    camera = node_rows.get('camera', {})
    overload = node_rows.get('overload', {})
    if 'latency_ms_p50' in camera or 'out_fps' in overload:
        row = {'model': '', 'input_size': '', 'classes': '',
               'latency_single_ms': camera.get('latency_ms_p50', ''),
               'latency_multi_ms': '', 'fps': overload.get('out_fps', '')}
        row.update(distance(camera.get('latency_ms_p50'), overload.get('out_fps')))
        result['pipeline']['node through ROS (camera p50 / overload fps)'] = row


def add_reference(result):
    row = dict(ZOO_RESNET18_X5)
    row.update(latency_vs_zoo=1.0, fps_vs_zoo=1.0)
    result['pipeline'][REFERENCE_ROW] = row


def node_params_file(classifier, folder):
    """Write a node parameter file naming the backend, model and settings measured here."""
    import yaml

    backend = classifier.backend
    s = classifier.settings
    params = {'backend': backend.name, 'model_path': backend.model_path,
              'nv12_range': backend.nv12_range, 'apply_softmax': s.apply_softmax,
              'resize_mode': s.resize_mode, 'top_k': s.top_k}
    num_threads = getattr(backend, 'num_threads', None)
    if num_threads:
        params['num_threads'] = int(num_threads)
    path = os.path.join(folder, 'bench_node_params.yaml')
    with open(path, 'w', encoding='utf-8') as f:
        yaml.safe_dump({'/**': {'ros__parameters': params}}, f)
    return path


def run_node_suite(classifier, duration):
    """Run the node suite with this backend and model; its rows or an error."""
    try:
        from resnet_x5_ros.tools.bench import through_ros as node_suite
    except ImportError as exc:
        return {'error': {'reason': 'node suite not available: {}'.format(exc)}}
    parser = argparse.ArgumentParser()
    node_suite.add_arguments(parser)
    with tempfile.TemporaryDirectory(prefix='resnet_x5_bench_') as folder:
        args = parser.parse_args(['--params-file', node_params_file(classifier, folder),
                                  '--duration', str(duration)])
        try:
            return node_suite.run(args).get('node', {})
        except Exception as exc:  # report it, keep the other figures
            return {'error': {'reason': '{}: {}'.format(type(exc).__name__, exc)}}


def run(args):
    """Measure as the arguments ask; returns the full result dict."""
    workers = args.workers or default_workers()
    classifier = open_classifier(args)
    backend = classifier.backend
    try:
        frame = camera_frame(args.photo, args.size, args.encoding, backend.nv12_range)
        result = measure(classifier, frame, workers, args.seconds)
        if args.node:
            add_node_figures(result, run_node_suite(classifier, args.node_duration))
    finally:
        backend.close()
    add_reference(result)
    result['setup'] = {
        'machine': machine_summary(), 'backend': backend.description,
        'backend_name': backend.name,
        'model': backend.model_path, 'model_name': os.path.basename(backend.model_path),
        'frame': '{} {}x{} {}'.format(os.path.basename(args.photo), args.size[0], args.size[1],
                                      args.encoding),
        'settings': dict(classifier.settings.__dict__), 'workers': workers,
        'seconds': args.seconds, 'zoo_comparison': comparison_note(backend),
    }
    return result


def check(args):
    """Refuse bad arguments before measuring for minutes."""
    if args.seconds <= 0 or args.workers < 0:
        raise ToolError('--seconds must be > 0 and --workers >= 0')
    if args.plot:
        from resnet_x5_ros.tools.plots import require_matplotlib
        require_matplotlib()


def report(result, args):
    """Print the setup and the tables; draw the plot when --plot asks for it."""
    setup = result['setup']
    print(setup['machine'])
    for key in ('backend', 'frame', 'workers', 'zoo_comparison'):
        print('{}: {}'.format(key, setup[key]))
    print()
    print_table({key: result[key] for key in ('pipeline', 'stages', 'throughput', 'node')
                 if key in result})
    if args.plot:
        from resnet_x5_ros.tools.plots import plot_bench
        plot_bench(result, args.plot)
        print('plot written to ' + args.plot)
