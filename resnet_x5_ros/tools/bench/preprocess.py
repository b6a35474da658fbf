# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Frame -> NV12 conversion speed against the model zoo's method, plus a CPU quality guard.

Speed (table "preprocess"): median ms of our conversion and of a reference, timed alternately
in the same run. Reference for RGB-family/YUV 4:2:2/JPEG input is the RDK model zoo's method
(full-frame cv2.resize INTER_AREA to the model size, cv2.COLOR_BGR2YUV_I420, numpy interleave
of U and V, after OpenCV's conversion/decoding to BGR where needed); for nv12 input it is a
per-plane INTER_AREA resize of Y and UV. y_psnr_db compares our luma with the reference's
(stretch geometry, video range for RGB input so both use the same matrix): how close the fast
resize stays to INTER_AREA.

Quality (tables "preprocess_quality" and "preprocess_modes", CPU backend, sample photos):
top-1 with the reference method vs ours, and per resize mode the rank (1 = top) and softmax
probability of the photo's expected classes, used to choose convert.DEFAULT_RESIZE_MODE.
"""

import os
import time

import cv2
import numpy as np

from resnet_x5_ros import colour_range, convert
from resnet_x5_ros.convert import colour
from resnet_x5_ros.postprocess import load_labels
from resnet_x5_ros.tools.bench.report import median_ms
from resnet_x5_ros.tools.samples import EXPECTED_CLASSES, sample_path


def add_arguments(parser):
    parser.add_argument('--calls', type=int, default=500,
                        help='timed calls per method and row (default 500)')
    parser.add_argument('--size', default='224x224', help='model input WxH (default 224x224)')
    parser.add_argument('--model_path', '--model-path', '--model', default='',
                        help='ONNX model for the quality guard (default: the CPU default)')
    parser.add_argument('--no-quality', action='store_true',
                        help='skip the CPU-backend quality guard and resize-mode comparison')


def zoo_reference(bgr, width, height):
    """Convert BGR to NV12 the RDK model zoo's way: INTER_AREA resize, OpenCV I420, interleave."""
    small = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
    i420 = cv2.cvtColor(small, cv2.COLOR_BGR2YUV_I420).reshape(-1)
    area = width * height
    out = np.empty(area * 3 // 2, dtype=np.uint8)
    out[:area] = i420[:area]
    uv = out[area:].reshape(-1, 2)
    uv[:, 0] = i420[area:area + area // 4]
    uv[:, 1] = i420[area + area // 4:]
    return out


def _time_pair(ours, reference, calls):
    for _ in range(min(20, calls)):
        ours()
        reference()
    ours_s, ref_s = [], []
    clock = time.perf_counter
    for _ in range(calls):
        t0 = clock()
        ours()
        t1 = clock()
        reference()
        t2 = clock()
        ours_s.append(t1 - t0)
        ref_s.append(t2 - t1)
    return median_ms(ours_s), median_ms(ref_s)


def _psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float('inf') if mse == 0 else float(10.0 * np.log10(255.0 ** 2 / mse))


def _photo(width, height):
    # Real photo content at camera size (content barely matters for speed; it does for PSNR).
    bgr = cv2.imread(sample_path('chelsea.png'), cv2.IMREAD_COLOR)
    return cv2.resize(bgr, (width, height), interpolation=cv2.INTER_CUBIC)


def _speed_rows(width, height, calls):
    rows = {}
    area = width * height

    def add(name, ours, reference, goal_ratio=None, goal_ms=None, compare_y=True):
        ms, ref_ms = _time_pair(ours, reference, calls)
        row = {'ms': ms, 'reference_ms': ref_ms, 'ratio': ms / ref_ms}
        row['y_psnr_db'] = _psnr(ours()[:area], reference()[:area]) if compare_y else ''
        goals, met = [], True
        if goal_ratio is not None:
            goals.append('<={}x'.format(goal_ratio))
            met = met and row['ratio'] <= goal_ratio
        if goal_ms is not None:
            goals.append('<={}ms'.format(goal_ms))
            met = met and ms <= goal_ms
        row['goal'] = ', '.join(goals)
        row['met'] = ('yes' if met else 'NO') if goals else ''
        rows[name] = row

    size = {'out_width': width, 'out_height': height, 'resize_mode': 'stretch'}
    for fw, fh, goal in ((640, 480, 0.35), (1920, 1080, None)):
        bgr = _photo(fw, fh)
        raw = bgr.tobytes()
        for rng in colour_range.RANGES:
            add('bgr8_{}x{}_{}'.format(fw, fh, rng),
                lambda raw=raw, fw=fw, fh=fh, rng=rng: convert.to_nv12(
                    raw, 'bgr8', fw, fh, fw * 3, nv12_range=rng, **size),
                lambda bgr=bgr: zoo_reference(bgr, width, height),
                goal_ratio=goal if rng == 'full' else None, compare_y=rng == 'video')
    bgr = _photo(640, 480)
    if convert.DEFAULT_RESIZE_MODE != 'stretch':
        raw = bgr.tobytes()
        add('bgr8_640x480_{}'.format(convert.DEFAULT_RESIZE_MODE),
            lambda: convert.to_nv12(raw, 'bgr8', 640, 480, 1920, out_width=width,
                                    out_height=height),
            lambda: zoo_reference(bgr, width, height), compare_y=False)
    others = (('rgb8', cv2.COLOR_BGR2RGB, cv2.COLOR_RGB2BGR, 3),
              ('bgra8', cv2.COLOR_BGR2BGRA, cv2.COLOR_BGRA2BGR, 4),
              ('mono8', cv2.COLOR_BGR2GRAY, cv2.COLOR_GRAY2BGR, 1))
    for encoding, to_code, back_code, bpp in others:
        image = cv2.cvtColor(bgr, to_code)
        raw = image.tobytes()
        add('{}_640x480'.format(encoding),
            lambda raw=raw, encoding=encoding, bpp=bpp: convert.to_nv12(
                raw, encoding, 640, 480, 640 * bpp, nv12_range='video', **size),
            lambda image=image, back_code=back_code: zoo_reference(
                cv2.cvtColor(image, back_code), width, height))
    # YUV 4:2:2 from the photo's video-range NV12 (what a USB camera would send).
    nv = colour.bgr_to_nv12(bgr, 'video')
    y = nv[:640 * 480].reshape(480, 640)
    uv = nv[640 * 480:].reshape(240, 320, 2).repeat(2, axis=0)
    yuyv = np.empty((480, 320, 4), np.uint8)
    yuyv[..., 0], yuyv[..., 1], yuyv[..., 2], yuyv[..., 3] = (y[:, 0::2], uv[..., 0],
                                                              y[:, 1::2], uv[..., 1])
    for encoding, packed, code in (('yuyv', yuyv, cv2.COLOR_YUV2BGR_YUYV),
                                   ('uyvy', yuyv[..., [1, 0, 3, 2]], cv2.COLOR_YUV2BGR_UYVY)):
        packed = np.ascontiguousarray(packed)
        raw = packed.tobytes()
        add('{}_640x480'.format(encoding),
            lambda raw=raw, encoding=encoding: convert.to_nv12(raw, encoding, 640, 480, 1280,
                                                               **size),
            lambda packed=packed, code=code: zoo_reference(
                cv2.cvtColor(packed.reshape(480, 640, 2), code), width, height))
    # NV12 camera frames against a per-plane INTER_AREA resize.
    for fw, fh, goal_ratio, goal_ms in ((960, 544, 0.3, 0.3), (1920, 1080, None, None)):
        nv = colour.bgr_to_nv12(_photo(fw, fh), 'full')
        y_plane = nv[:fw * fh].reshape(fh, fw)
        uv_plane = nv[fw * fh:].reshape(fh // 2, fw // 2, 2)

        def per_plane_area(y_plane=y_plane, uv_plane=uv_plane):
            out = np.empty(area * 3 // 2, dtype=np.uint8)
            out[:area] = cv2.resize(y_plane, (width, height),
                                    interpolation=cv2.INTER_AREA).reshape(-1)
            out[area:] = cv2.resize(uv_plane, (width // 2, height // 2),
                                    interpolation=cv2.INTER_AREA).reshape(-1)
            return out

        add('nv12_{}x{}'.format(fw, fh),
            lambda nv=nv, fw=fw, fh=fh: convert.to_nv12(nv, 'nv12', fw, fh, fw, **size),
            per_plane_area, goal_ratio=goal_ratio, goal_ms=goal_ms)
    for fw, fh in ((640, 480), (1920, 1080)):
        ok, jpeg = cv2.imencode('.jpg', _photo(fw, fh), [cv2.IMWRITE_JPEG_QUALITY, 90])
        data = jpeg.tobytes()
        add('jpeg_{}x{}'.format(fw, fh),
            lambda data=data: convert.compressed_to_nv12(data, 'jpeg', nv12_range='video',
                                                         **size),
            lambda jpeg=jpeg: zoo_reference(cv2.imdecode(jpeg, cv2.IMREAD_COLOR),
                                            width, height))
    return rows


def _softmax(scores):
    z = np.asarray(scores, dtype=np.float64)
    z = np.exp(z - z.max())
    return z / z.sum()


def _quality(model, width, height):
    """(quality rows, mode rows), or a one-row explanation if the CPU backend is unusable."""
    try:
        from resnet_x5_ros.backends import create_backend, default_cpu_model
        model = model or default_cpu_model()
        if not os.path.exists(model):
            return {'skipped': {'reason': 'no model at {} (run make model)'.format(model)}}, {}
        backends = {rng: create_backend('cpu', model, nv12_range=rng)
                    for rng in colour_range.RANGES}
    except Exception as exc:  # report, do not abort the speed figures
        return {'skipped': {'reason': '{}: {}'.format(type(exc).__name__, exc)}}, {}
    labels = load_labels()
    quality, modes = {}, {}
    try:
        if (backends['full'].input_width, backends['full'].input_height) != (width, height):
            width, height = backends['full'].input_width, backends['full'].input_height
        totals = {mode: [] for mode in convert.RESIZE_MODES}
        for name, expected in EXPECTED_CLASSES.items():
            bgr = cv2.imread(sample_path(name), cv2.IMREAD_COLOR)
            h, w = bgr.shape[:2]

            def top1(nv, rng):
                return labels[int(np.argmax(backends[rng].infer(nv)))]

            def ours(rng, mode):
                return convert.to_nv12(bgr, 'bgr8', w, h, w * 3, out_width=width,
                                       out_height=height, resize_mode=mode, nv12_range=rng)

            ref = top1(zoo_reference(bgr, width, height), 'video')
            row = {'reference': ref,
                   'ours_stretch_full': top1(ours('full', 'stretch'), 'full'),
                   'ours_stretch_video': top1(ours('video', 'stretch'), 'video'),
                   'ours_default_full': top1(ours('full', convert.DEFAULT_RESIZE_MODE),
                                             'full')}
            row['same_top1'] = 'yes' if (row['ours_stretch_full'] == ref
                                         and row['ours_stretch_video'] == ref) else 'NO'
            quality[name] = row
            mode_row = {}
            wanted = [labels.index(label) for label in expected]
            for mode in convert.RESIZE_MODES:
                p = _softmax(backends['full'].infer(ours('full', mode)))
                order = np.argsort(-p)
                rank = int(min(np.nonzero(np.isin(order, wanted))[0])) + 1
                prob = float(p[wanted].sum())
                mode_row[mode + '_rank'] = rank
                mode_row[mode + '_p'] = prob
                totals[mode].append((rank, prob))
            modes[name] = mode_row
        modes['mean'] = {}
        for mode, values in totals.items():
            modes['mean'][mode + '_rank'] = float(np.mean([v[0] for v in values]))
            modes['mean'][mode + '_p'] = float(np.mean([v[1] for v in values]))
    finally:
        for backend in backends.values():
            backend.close()
    return quality, modes


def run(args):
    width, height = (int(v) for v in args.size.lower().split('x'))
    result = {'preprocess': _speed_rows(width, height, max(1, args.calls))}
    if not args.no_quality:
        quality, modes = _quality(args.model_path, width, height)
        result['preprocess_quality'] = quality
        if modes:
            result['preprocess_modes'] = modes
    return result
