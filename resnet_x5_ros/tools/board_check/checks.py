# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The checks `board_check` runs, as plain functions the tests run against the BPU stand-in.

Each check takes a CheckContext and returns a Section (title, status, one-line summary,
Markdown body, data). Later checks use what earlier ones found (the opened backend, whether
to apply softmax), so run them in CHECKS order; a check whose input is missing says SKIP.
Statuses: PASS, WARN (works, but something to change), FAIL, SKIP (cannot be checked here),
INFO (figures, no verdict).
"""

import dataclasses
import hashlib
import importlib
import os
import platform
import sys

import numpy as np

from resnet_x5_ros import colour_range, convert
from resnet_x5_ros.backends import create_backend
from resnet_x5_ros.backends.base import looks_like_probabilities
from resnet_x5_ros.backends.binfile import read_bin_nv12_range
from resnet_x5_ros.backends.bpu_runtimes import (import_runtime, runtime_kind, runtime_label,
                                                 RUNTIME_MODULES)
from resnet_x5_ros.messages import one_line
from resnet_x5_ros.pipeline import Classifier, Settings
from resnet_x5_ros.postprocess import DEFAULT_LABELS_PATH, load_labels, softmax
from resnet_x5_ros.tools.bench import zoo, zoo_table
from resnet_x5_ros.tools.bench.report import machine_summary
from resnet_x5_ros.tools.classify.cli import classify_file
from resnet_x5_ros.tools.frames import frame_from_file
from resnet_x5_ros.tools.images import list_images
from resnet_x5_ros.tools.markdown import code, dict_table, table
from resnet_x5_ros.tools.samples import EXPECTED_CLASSES, SAMPLES_DIR

# camera.png (a grey photographer with a tripod) is a weak case: reported, never a failure.
WEAK = ('camera.png',)
STATUSES = ('PASS', 'WARN', 'FAIL', 'SKIP', 'INFO')


def titled(title):
    """Mark a check function with its section title (used even when the check raises)."""
    def mark(check):
        check.title = title
        return check
    return mark


@dataclasses.dataclass
class Section:
    """One part of the report."""

    title: str
    status: str
    summary: str
    body: list = dataclasses.field(default_factory=list)
    data: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class CheckContext:
    """What the checks are asked to look at, and what they found so far."""

    backend_kind: str = 'auto'
    bpu_runtime: str = 'auto'
    model: str = ''
    labels: str = ''
    nv12_range: str = 'auto'
    threads: int = 0
    bench_seconds: float = 3.0
    workers: int = 0
    topic: str = '/image_raw'
    discovery_seconds: float = 3.0
    node_seconds: float = 10.0
    samples: str = SAMPLES_DIR
    # Filled in by the checks:
    board: str = ''
    runtime: object = None
    runtime_name: str = ''
    backend: object = None
    classifier: object = None
    apply_softmax: bool = True

    def close(self):
        if self.backend is not None:
            self.backend.close()


def _board_model():
    try:
        with open('/proc/device-tree/model', 'rb') as f:
            return f.read().replace(b'\x00', b'').decode('utf-8', 'replace').strip()
    except OSError:
        return ''


def _os_name():
    try:
        with open('/etc/os-release', encoding='utf-8') as f:
            for line in f:
                if line.startswith('PRETTY_NAME='):
                    return line.split('=', 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def _version(module_name, distribution=None):
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # optional packages may be broken in many ways
        return 'not available ({})'.format(type(exc).__name__)
    return str(getattr(module, '__version__', '') or _dist_version(distribution) or 'present')


def _dist_version(name):
    if not name:
        return ''
    try:
        from importlib import metadata
        return metadata.version(name)
    except Exception:
        return ''


def is_rdk_board(board):
    return 'x5' in board.lower() or 'rdk' in board.lower()


@titled('Environment')
def check_environment(ctx):
    """Machine, OS, Python packages, ROS, user: the facts a bug report starts with."""
    ctx.board = _board_model()
    rows = [
        ('board', ctx.board or 'unknown (no /proc/device-tree/model)'),
        ('machine', machine_summary().split(':', 1)[-1].strip()),
        ('os', '{} (kernel {}, {})'.format(_os_name(), platform.release(), platform.machine())),
        ('python', sys.version.split()[0]),
        ('numpy', np.__version__),
        ('opencv', _version('cv2')),
        ('onnxruntime', _version('onnxruntime')),
        ('resnet_x5_ros', _dist_version('resnet_x5_ros') or 'source tree'),
        ('ROS', '{} ({})'.format(os.environ.get('ROS_DISTRO', 'ROS_DISTRO not set'),
                                 os.environ.get('RMW_IMPLEMENTATION', 'default RMW'))),
        ('user', '{} (uid {}){}'.format(os.environ.get('USER', '?'), os.getuid(),
                                        '' if os.getuid() == 0 else
                                        '; some board images need root for the BPU')),
    ]
    summary = ctx.board or 'not an RDK board ({}, {})'.format(
        platform.node(), platform.machine())
    return Section('Environment', 'INFO', summary,
                   table(['item', 'value'], rows), dict(rows))


@titled('BPU runtime')
def check_runtime(ctx):
    """Which BPU runtimes import (pyeasy_dnn under its two package names, hbm_runtime)."""
    rows, data = [], {'runtimes': {}}
    for kind in RUNTIME_MODULES:
        module, name, reasons = import_runtime(kind)
        found = runtime_label(module, name) if module is not None else ''
        rows.append([kind, ', '.join(RUNTIME_MODULES[kind]),
                     'imports: {} ({})'.format(found, getattr(module, '__file__', '?'))
                     if module is not None else 'no: ' + '; '.join(reasons)])
        data['runtimes'][kind] = {'imports': module is not None, 'module': found,
                                  'reasons': reasons}
    body = table(['runtime', 'modules tried', 'result'], rows)
    body += ['', 'bpu_runtime {} uses: {}'.format(code(ctx.bpu_runtime), code(
        'pyeasy_dnn if it imports, else hbm_runtime' if ctx.bpu_runtime == 'auto'
        else ctx.bpu_runtime))]
    module, name, reasons = import_runtime(ctx.bpu_runtime)
    data['reasons'] = reasons
    if module is None:
        status = 'FAIL' if is_rdk_board(ctx.board or _board_model()) else 'SKIP'
        return Section('BPU runtime', status, 'no BPU runtime imports', body, data)
    ctx.runtime = module
    ctx.runtime_name = runtime_label(module, name)
    data.update(runtime=ctx.runtime_name, file=getattr(module, '__file__', ''))
    others = [k for k, v in data['runtimes'].items() if v['imports']
              and k != runtime_kind(name)]
    summary = ctx.runtime_name + (' (also imports: {})'.format(', '.join(others))
                                  if others else '')
    return Section('BPU runtime', 'PASS', summary, body, data)


def file_facts(path):
    """Size and sha256 of a file (to say exactly which model was checked)."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return {'bytes': os.path.getsize(path), 'sha256': digest.hexdigest()}


@titled('Model')
def check_model(ctx):
    """Open the backend like the node does and show the model's real tensors."""
    try:
        backend = create_backend(ctx.backend_kind, ctx.model, nv12_range=ctx.nv12_range,
                                 num_threads=ctx.threads, bpu_runtime=ctx.bpu_runtime)
    except Exception as exc:  # ModelError, BackendError, ValueError, runtime oddities
        line = one_line(exc)
        return Section('Model', 'FAIL', line, ['- ' + line], {'error': line})
    ctx.backend = backend
    labels = load_labels(ctx.labels or DEFAULT_LABELS_PATH, expected_count=backend.num_classes)
    ctx.classifier = Classifier(backend, labels, Settings())
    facts = file_facts(backend.model_path)
    body = ['- backend: ' + code(backend.description),
            '- file: {} ({} bytes, sha256 {})'.format(
                code(backend.model_path), facts['bytes'], facts['sha256']),
            '- input fed by this package: {}x{} NV12, {} range'.format(
                backend.input_width, backend.input_height, backend.nv12_range),
            '- classes: {} (labels {})'.format(backend.num_classes,
                                               ctx.labels or 'bundled ImageNet-1k')]
    data = dict(facts, description=backend.description, backend=backend.name,
                model=backend.model_path, input_width=backend.input_width,
                input_height=backend.input_height, nv12_range=backend.nv12_range,
                num_classes=backend.num_classes)
    if backend.name == 'bpu':
        recorded = read_bin_nv12_range(backend.model_path)
        body.append('- NV12 range recorded in the .bin (INPUT_SPACE_AND_RANGE): {}'.format(
            recorded or 'none (full assumed)'))
        data['recorded_nv12_range'] = recorded
        try:
            name, rows = backend.bpu_model_name, backend.tensor_rows()
        except Exception as exc:
            body.append('- tensor properties could not be read: {}: {}'.format(
                type(exc).__name__, exc))
        else:
            body += ['', 'Tensors as the runtime reports them (model {}):'.format(code(name)),
                     ''] + table(list(rows[0]), [list(r.values()) for r in rows])
            data['tensors'] = rows
    else:
        sidecar = getattr(backend, 'sidecar', None)
        if sidecar is not None:
            body.append('- sidecar {}: {} order, mean {}, std {}, output {}'.format(
                code(sidecar.path), sidecar.colour_order, sidecar.mean, sidecar.std,
                sidecar.output or 'unknown'))
    return Section('Model', 'PASS', '{} {}x{} -> {} classes'.format(
        os.path.basename(backend.model_path), backend.input_width, backend.input_height,
        backend.num_classes), body, data)


def _sample_paths(ctx):
    return list_images([ctx.samples])


def _nv12(ctx, path, nv12_range=None):
    """Convert a sample photo exactly as Classifier.to_nv12 does (optionally another range)."""
    classifier = ctx.classifier
    frame, _ = frame_from_file(path)
    if nv12_range is None:
        return classifier.to_nv12(frame, classifier.settings.resize_mode)
    backend = classifier.backend
    return convert.to_nv12(frame.data, frame.encoding, frame.width, frame.height, frame.step,
                           out_width=backend.input_width, out_height=backend.input_height,
                           resize_mode=classifier.settings.resize_mode, nv12_range=nv12_range)


@titled('Model outputs: softmax or not')
def check_outputs(ctx):
    """Whether the model's outputs already sum to 1 (softmax inside) or are logits."""
    if ctx.backend is None:
        return Section('Model outputs: softmax or not', 'SKIP', 'no model loaded')
    rows = []
    verdicts = []
    for path in _sample_paths(ctx):
        raw = ctx.backend.infer(_nv12(ctx, path))
        probabilities = looks_like_probabilities(raw)
        verdicts.append(probabilities)
        rows.append([os.path.basename(path), float(raw.min()), float(raw.max()),
                     float(raw.astype(np.float64).sum()), 'yes' if probabilities else 'no'])
    body = table(['photo', 'min', 'max', 'sum', 'probabilities'], rows)
    if all(verdicts):
        ctx.apply_softmax = False
        body += ['', 'The outputs are already probabilities: set ' + code('apply_softmax: false')
                 + ' in the node parameters (softmax over probabilities flattens the scores).']
        return Section('Model outputs: softmax or not', 'WARN',
                       'outputs sum to 1: set apply_softmax: false', body,
                       {'probabilities': True, 'apply_softmax': False})
    ctx.apply_softmax = True
    status = 'PASS' if not any(verdicts) else 'WARN'
    body += ['', 'The outputs are not probabilities (logits): keep ' +
             code('apply_softmax: true') + ' (the default).']
    if any(verdicts):
        body.append('Some photos looked like probabilities and others not: check the model.')
    return Section('Model outputs: softmax or not', status,
                   'outputs are logits: keep apply_softmax: true', body,
                   {'probabilities': False, 'apply_softmax': True})


def _settings(ctx):
    return Settings(top_k=5, apply_softmax=ctx.apply_softmax,
                    resize_mode=ctx.classifier.settings.resize_mode)


@titled('Classify the sample photos')
def check_classify(ctx):
    """Classify the sample photos through the node's pipeline; expected class in the top-5."""
    if ctx.classifier is None:
        return Section('Classify the sample photos', 'SKIP', 'no model loaded')
    ctx.classifier.settings = _settings(ctx)
    rows = []
    missed = []
    records = []
    for path in _sample_paths(ctx):
        record = classify_file(ctx.classifier, path)
        records.append(record)
        name = os.path.basename(path)
        expected = EXPECTED_CLASSES.get(name, ())
        if 'error' in record:
            rows.append([name, 'ERROR: ' + record['error'], ', '.join(expected), 'no'])
            missed.append(name)
            continue
        labels = [e['label'] for e in record['top']]
        hit = any(label in expected for label in labels)
        if expected and not hit and name not in WEAK:
            missed.append(name)
        rows.append([name, ', '.join('{} {:.1%}'.format(e['label'], e['score'])
                                     for e in record['top']),
                     ', '.join(expected) or '-',
                     ('yes' if hit else 'no') + (' (weak case)' if name in WEAK else '')])
    body = table(['photo', 'top-5 (score)', 'expected', 'expected in top-5'], rows)
    data = {'records': records, 'missed': missed}
    if missed and ctx.labels:
        return Section('Classify the sample photos', 'INFO',
                       'own labels file: the ImageNet expectations do not apply', body, data)
    if missed:
        return Section('Classify the sample photos', 'FAIL',
                       'expected class not in the top-5 for ' + ', '.join(missed), body, data)
    return Section('Classify the sample photos', 'PASS',
                   'expected classes in the top-5 of every photo', body, data)


@titled('NV12 colour range')
def check_nv12_range(ctx):
    """Which NV12 range the model prefers: expected-class probability fed full vs video."""
    if ctx.classifier is None:
        return Section('NV12 colour range', 'SKIP', 'no model loaded')
    backend = ctx.backend
    paths = [p for p in _sample_paths(ctx)
             if os.path.basename(p) in EXPECTED_CLASSES and os.path.basename(p) not in WEAK]
    means = {}
    rows = []
    for nv12_range in colour_range.RANGES:
        probabilities = []
        for path in paths:
            raw = backend.infer(_nv12(ctx, path, nv12_range))
            scores = softmax(raw) if ctx.apply_softmax else np.clip(raw, 0.0, 1.0)
            labels = ctx.classifier.labels
            expected = [labels.index(e) for e in EXPECTED_CLASSES[os.path.basename(path)]
                        if e in labels]
            if expected:
                probabilities.append(float(max(scores[i] for i in expected)))
        means[nv12_range] = float(np.mean(probabilities)) if probabilities else 0.0
        rows.append([nv12_range + (' (in use)' if nv12_range == backend.nv12_range else ''),
                     means[nv12_range]] + probabilities)
    names = [os.path.basename(p) for p in paths]
    body = table(['range fed', 'mean'] + names, [r[:2 + len(names)] for r in rows])
    body += ['', 'Probability of the best expected class per photo. The compiler records the '
             'range it built the model for; the model zoo samples feed OpenCV (video range).']
    other = 'video' if backend.nv12_range == 'full' else 'full'
    data = {'in_use': backend.nv12_range, 'mean_expected_probability': means}
    if means[other] > means[backend.nv12_range] + 0.05:
        return Section('NV12 colour range', 'WARN',
                       '{} range scores clearly better than {}: try nv12_range: {}'.format(
                           other, backend.nv12_range, other), body, data)
    return Section('NV12 colour range', 'INFO', 'in use: {} (mean {:.1%}; {}: {:.1%})'.format(
        backend.nv12_range, means[backend.nv12_range], other, means[other]), body, data)


@titled('Performance')
def check_bench(ctx):
    """Measure the bench table (pipeline vs the model zoo's ResNet18) with short runs."""
    if ctx.classifier is None:
        return Section('Performance', 'SKIP', 'no model loaded')
    classifier = ctx.classifier
    workers = ctx.workers or zoo_table.default_workers()
    frame = zoo_table.camera_frame('coffee.png', (640, 480), 'bgr8',
                                   classifier.backend.nv12_range)
    result = zoo_table.measure(classifier, frame, workers, ctx.bench_seconds)
    zoo_table.add_reference(result)
    note = zoo.comparison_note(classifier.backend)
    body = ['Frame: coffee.png as 640x480 bgr8; {} s per run; multi = {} threads. Zoo '
            'comparison: {}.'.format(ctx.bench_seconds, workers, note), '']
    body += dict_table(result['pipeline'], 'pipeline') + [''] + \
        dict_table(result['stages'], 'stage (1 thread)') + [''] + \
        dict_table(result['throughput'], 'run')
    row = result['pipeline']['pipeline (convert+infer+post)']
    summary = ('pipeline {:.2f} ms single, {:.1f} FPS with {} threads ({:.2f}x / {:.2f}x zoo)'
               .format(row['latency_single_ms'], row['fps'], workers, row['latency_vs_zoo'],
                       row['fps_vs_zoo']))
    return Section('Performance', 'INFO', summary, body, dict(result, zoo_comparison=note))


@titled('Node run on the camera topic')
def check_node(ctx):
    """Run the node shortly on the camera topic, if something publishes there."""
    from resnet_x5_ros.tools.board_check.node_probe import probe_node
    return probe_node(ctx)


@titled('Each BPU runtime')
def check_each_runtime(ctx):
    """Run the sample photos on every BPU runtime that imports (tools.check_runtimes)."""
    from resnet_x5_ros.tools.board_check.runtimes import compare_runtimes
    return compare_runtimes(ctx)


CHECKS = (check_environment, check_runtime, check_model, check_outputs, check_classify,
          check_each_runtime, check_nv12_range, check_bench, check_node)


def run_checks(ctx, checks=CHECKS, on_section=None):
    """Run checks in order; a check that raises becomes a FAIL section, the rest still run."""
    sections = []
    for check in checks:
        try:
            section = check(ctx)
        except Exception as exc:  # the report must still be written
            title = getattr(check, 'title', check.__name__)
            line = '{}: {}'.format(type(exc).__name__, one_line(exc))
            section = Section(title, 'FAIL', 'the check itself failed: ' + line,
                              ['- ' + code(line)], {'error': line})
        section.title = getattr(check, 'title', section.title)
        sections.append(section)
        if on_section:
            on_section(section)
    return sections
