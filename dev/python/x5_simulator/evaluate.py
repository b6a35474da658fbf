# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Compare compiled X5 .bin models (on hbdk-sim) with the CPU model on the sample photos.

Shared by the `simulate` bench and the simulator tests. For each photo and each NV12 range,
the frame is made by our own frame code (resnet_x5_ros.convert.to_nv12, default resize mode),
then scored by:
  * the CPU backend (ONNX Runtime) told the frame's true range: the reference;
  * each .bin on hbdk-sim (with the .bin's own dequantise/reshape steps applied).
A .bin fed frames of its recorded range is "matched"; fed the other range, "mismatched"
(what happens when the node's nv12_range disagrees with the compiled model).
"""

import os

import cv2
import numpy as np

from resnet_x5_ros import colour_range, convert
from resnet_x5_ros.postprocess import load_labels, softmax, top_k
from resnet_x5_ros.tools.samples import EXPECTED_CLASSES, SAMPLES_DIR
from x5_simulator.harness import SimulatedModel

# dev/python/x5_simulator/ -> the repository.
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
FIXTURE_DIR = os.path.join(REPO_ROOT, 'test', 'fixtures', 'x5')
FIXTURE_BINS = {'full': os.path.join(FIXTURE_DIR, 'efficientnet_lite0_x5_full.bin'),
                'video': os.path.join(FIXTURE_DIR, 'efficientnet_lite0_x5_video.bin')}
RANGES = colour_range.RANGES


def load_photos(samples_dir=SAMPLES_DIR, names=None):
    """[(file name, BGR image)] of the sample photos, sorted by name."""
    names = sorted(names or EXPECTED_CLASSES)
    photos = []
    for name in names:
        bgr = cv2.imread(os.path.join(samples_dir, name), cv2.IMREAD_COLOR)
        if bgr is None:
            raise FileNotFoundError('cannot read sample photo {}'.format(
                os.path.join(samples_dir, name)))
        photos.append((name, bgr))
    return photos


def photo_nv12(bgr, width, height, nv12_range):
    """One photo as the node would feed it: NV12 at width x height in nv12_range."""
    h, w = bgr.shape[:2]
    return convert.to_nv12(np.ascontiguousarray(bgr), 'bgr8', w, h, w * 3, out_width=width,
                           out_height=height, nv12_range=nv12_range)


def cosine(a, b):
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def prob_l1(a, b):
    """Sum of |softmax(a) - softmax(b)| (0 = same distribution, 2 = disjoint)."""
    return float(np.abs(softmax(np.asarray(a, np.float64))
                        - softmax(np.asarray(b, np.float64))).sum())


def evaluate(bin_paths=None, onnx_path=None, photos=None, use_cache=True, cpu_factory=None):
    """Run every photo in both ranges through the CPU model and every .bin.

    bin_paths: {'full': path, 'video': path} (default: the committed fixtures); each .bin's
    recorded range must match its key. onnx_path: the CPU model (default: the backends'
    default). cpu_factory(onnx_path, nv12_range) -> a backend (default: create_backend cpu).
    Returns a dict:
        photos: [name]; labels: [class name];
        cpu: {frame_range: [scores]}; sim: {(bin_range, frame_range): [scores]};
        rows: [{photo, bin, frame, matched, cosine, prob_l1, top1, cpu_top1, top5}];
        sim_runs: simulator invocations (0 when everything came from the cache).
    """
    from resnet_x5_ros.backends import create_backend, default_cpu_model

    bin_paths = dict(bin_paths or FIXTURE_BINS)
    onnx_path = onnx_path or default_cpu_model()
    photos = photos if photos is not None else load_photos()
    labels = load_labels()
    if cpu_factory is None:
        def cpu_factory(path, nv12_range):
            return create_backend('cpu', path, nv12_range=nv12_range)
    models = {}
    try:
        for bin_range, path in bin_paths.items():
            model = SimulatedModel(path, use_cache=use_cache)
            models[bin_range] = model
            if model.nv12_range != bin_range:
                raise ValueError('{} records {} range, listed as {}'.format(
                    path, model.nv12_range, bin_range))
        sizes = {(m.input_width, m.input_height) for m in models.values()}
        if len(sizes) != 1:
            raise ValueError('the .bin files have different input sizes: {}'.format(sizes))
        width, height = sizes.pop()
        nv12 = {r: [photo_nv12(bgr, width, height, r) for _, bgr in photos] for r in RANGES}
        cpu = {}
        for frame_range in RANGES:
            backend = cpu_factory(onnx_path, frame_range)
            try:
                cpu[frame_range] = [backend.infer(f) for f in nv12[frame_range]]
            finally:
                backend.close()
        sim = {}
        runs = 0
        for bin_range, model in models.items():
            for frame_range in RANGES:
                sim[bin_range, frame_range] = model.scores_many(nv12[frame_range])
            runs += model.sim.runs
    finally:
        for model in models.values():
            model.close()
    rows = []
    for (bin_range, frame_range), all_scores in sim.items():
        for index, scores in enumerate(all_scores):
            ref = cpu[frame_range][index]
            rows.append({
                'photo': photos[index][0], 'bin': bin_range, 'frame': frame_range,
                'matched': bin_range == frame_range,
                'cosine': cosine(scores, ref), 'prob_l1': prob_l1(scores, ref),
                'top1': labels[int(np.argmax(scores))],
                'cpu_top1': labels[int(np.argmax(ref))],
                'top5': [labels[i] for i, _ in top_k(softmax(scores), 5, float('-inf'))],
            })
    return {'photos': [name for name, _ in photos], 'labels': labels, 'cpu': cpu, 'sim': sim,
            'rows': rows, 'sim_runs': runs, 'bins': bin_paths, 'onnx': onnx_path}


def summarise(result):
    """Return the bench's summary numbers from an evaluate() result."""
    rows = result['rows']
    matched = [r for r in rows if r['matched']]
    mismatched = [r for r in rows if not r['matched']]
    photos = result['photos']
    agree = sum(1 for p in photos
                if all(r['top1'] == r['cpu_top1'] for r in matched if r['photo'] == p))
    expected_ok = sum(1 for p in photos
                      if all(set(EXPECTED_CLASSES.get(p, ())) & set(r['top5'])
                             for r in matched if r['photo'] == p))

    def mean(values):
        return float(np.mean(values)) if values else float('nan')

    summary = {
        'model': ', '.join(os.path.basename(p) for p in result['bins'].values()),
        'photos': len(photos),
        'top1_agree': agree,
        'top5_expected': expected_ok,
        'cosine_matched_mean': round(mean([r['cosine'] for r in matched]), 4),
        'cosine_matched_min': round(min(r['cosine'] for r in matched), 4),
        'cosine_mismatched_mean': round(mean([r['cosine'] for r in mismatched]), 4),
        'prob_l1_matched_mean': round(mean([r['prob_l1'] for r in matched]), 4),
        'prob_l1_mismatched_mean': round(mean([r['prob_l1'] for r in mismatched]), 4),
    }
    for bin_range in result['bins']:
        for kind, want in (('matched', True), ('mismatched', False)):
            values = [r['cosine'] for r in rows if r['bin'] == bin_range and r['matched'] == want]
            summary['cosine_{}_bin_{}'.format(kind, bin_range)] = round(mean(values), 4)
    summary['sim_runs'] = result['sim_runs']
    return summary
