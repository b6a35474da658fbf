# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Compile the default CPU model (EfficientNet-Lite0 ONNX) into X5 .bin test fixtures.

Runs inside the X5 toolchain venv made by dev/x5_toolchain/build_models.sh (Python 3.10,
hb_mapper on PATH). Steps:
  1. opset 17 -> 11: the toolchain reads ONNX opset <= 11 only. ONNX Runtime's basic constant
     folding leaves plain Conv/Clip/Add/GlobalAveragePool/Flatten/Gemm, whose opset-11 meaning is
     the same once Reshape's `allowzero` (opset 14) is dropped; onnx's own version converter
     fails on Reshape. The converted graph is checked against the original with ONNX Runtime.
  2. calibration data from the real sample photos (resnet_x5_ros/data/samples), as raw float32
     RGB NCHW tensors in 0..255, what hb_mapper reads with cal_data_type float32 (its video-range
     transform fails on uint8 files).
  3. hb_mapper makertbin twice, march bayes-e, NV12 runtime input, RGB training input,
     normalisation (x - 127) / 128 inside the model; once with input_space_and_range regular
     (full range) and once with bt601_video (video range).
  4. copies the .bin files to --out and writes provenance.json next to them.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIZE = 224
MEAN = 127.0
SCALE = 1.0 / 128.0
# name suffix -> hb_mapper's input_space_and_range value
RANGES = (('full', 'regular'), ('video', 'bt601_video'))
PREFIX = 'efficientnet_lite0_x5'

CONFIG = """\
model_parameters:
  onnx_model: '{onnx}'
  march: bayes-e
  working_dir: '{workdir}'
  output_model_file_prefix: '{prefix}'
input_parameters:
  input_name: input
  input_type_rt: nv12
  input_space_and_range: {space}
  input_type_train: rgb
  input_layout_train: NCHW
  norm_type: data_mean_and_scale
  mean_value: {mean} {mean} {mean}
  scale_value: {scale} {scale} {scale}
calibration_parameters:
  cal_data_dir: '{cal_dir}'
  cal_data_type: float32
  calibration_type: default
compiler_parameters:
  compile_mode: latency
  optimize_level: O3
  jobs: 2
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--onnx', default=os.path.join(ROOT, 'models', 'efficientnet_lite0.onnx'))
    parser.add_argument('--samples', default=os.path.join(ROOT, 'resnet_x5_ros', 'data',
                                                          'samples'))
    parser.add_argument('--out', default=os.path.join(ROOT, 'test', 'fixtures', 'x5'))
    parser.add_argument('--work', default=os.path.join(ROOT, '.build', 'x5tc'))
    parser.add_argument('--freeze', help='pip freeze of the toolchain venv, for provenance')
    return parser.parse_args(argv)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def to_opset11(src, dst):
    """Write an opset-11 copy of src and return max |difference| of the logits on probes."""
    import numpy as np
    import onnx
    import onnxruntime as ort

    folded = dst + '.folded.onnx'
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = folded
    ort.InferenceSession(src, options, providers=['CPUExecutionProvider'])
    proto = onnx.load(folded)
    os.unlink(folded)
    allowed = {'Conv', 'Clip', 'Add', 'GlobalAveragePool', 'Flatten', 'Gemm', 'Reshape',
               'Relu', 'Mul', 'MatMul', 'Identity'}
    for node in proto.graph.node:
        if node.op_type not in allowed:
            raise SystemExit('compile_x5: op {} not checked for opset-11 meaning'.format(
                node.op_type))
        if node.op_type == 'Reshape':
            kept = [a for a in node.attribute if a.name != 'allowzero']
            del node.attribute[:]
            node.attribute.extend(kept)
    for entry in proto.opset_import:
        if entry.domain in ('', 'ai.onnx'):
            entry.version = 11
    # IR 6 is what opset-11 era tools expect; nothing in this graph needs a newer IR.
    proto.ir_version = 6
    onnx.checker.check_model(proto)
    onnx.save(proto, dst)

    rng = np.random.RandomState(11)
    worst = 0.0
    a = ort.InferenceSession(src, providers=['CPUExecutionProvider'])
    b = ort.InferenceSession(dst, providers=['CPUExecutionProvider'])
    for _ in range(2):
        x = rng.uniform(-1, 1, size=(1, 3, SIZE, SIZE)).astype(np.float32)
        worst = max(worst, float(np.max(np.abs(a.run(None, {'input': x})[0]
                                               - b.run(None, {'input': x})[0]))))
    if worst > 1e-4:
        raise SystemExit('compile_x5: opset-11 graph differs from the source by {}'.format(worst))
    return worst


def calibration_tensors(samples_dir):
    """Yield (name, float32 RGB NCHW array in 0..255) views of the sample photos for calibration.

    Five photos alone are few; whole-frame, centre-square and mirrored views quadruple them
    without inventing content.
    """
    import cv2
    import numpy as np

    names = sorted(n for n in os.listdir(samples_dir)
                   if n.lower().endswith(('.png', '.jpg', '.jpeg')))
    if not names:
        raise SystemExit('compile_x5: no photos in {}'.format(samples_dir))
    for name in names:
        bgr = cv2.imread(os.path.join(samples_dir, name), cv2.IMREAD_COLOR)
        if bgr is None:
            raise SystemExit('compile_x5: cannot read {}'.format(name))
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        views = {
            'whole': rgb,
            'centre': rgb[top:top + side, left:left + side],
        }
        stem = os.path.splitext(name)[0]
        for view, img in views.items():
            img = cv2.resize(img, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
            for flip in (False, True):
                out = img[:, ::-1] if flip else img
                chw = np.ascontiguousarray(out.transpose(2, 0, 1)[np.newaxis], np.float32)
                yield '{}_{}{}'.format(stem, view, '_flip' if flip else ''), chw


def write_calibration(samples_dir, cal_dir):
    if os.path.isdir(cal_dir):
        shutil.rmtree(cal_dir)
    os.makedirs(cal_dir)
    count = 0
    for name, tensor in calibration_tensors(samples_dir):
        tensor.tofile(os.path.join(cal_dir, name + '.rgb'))
        count += 1
    return count


def compile_one(onnx11, cal_dir, work, tag, space):
    workdir = os.path.join(work, 'out_' + tag)
    if os.path.isdir(workdir):
        shutil.rmtree(workdir)
    prefix = '{}_{}'.format(PREFIX, tag)
    config = os.path.join(work, prefix + '.yaml')
    with open(config, 'w', encoding='utf-8') as f:
        f.write(CONFIG.format(onnx=onnx11, workdir=workdir, prefix=prefix, space=space,
                              mean=MEAN, scale=SCALE, cal_dir=cal_dir))
    start = time.monotonic()
    log = os.path.join(work, prefix + '.log')
    with open(log, 'w', encoding='utf-8') as f:
        # hb_mapper writes its own log into the current directory: keep it inside work/.
        proc = subprocess.run(['hb_mapper', 'makertbin', '--config', config,
                               '--model-type', 'onnx'], cwd=work, stdout=f,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit('compile_x5: hb_mapper failed for {}; see {}'.format(tag, log))
    binary = os.path.join(workdir, prefix + '.bin')
    if not os.path.isfile(binary):
        raise SystemExit('compile_x5: hb_mapper wrote no {}'.format(binary))
    return binary, config, time.monotonic() - start


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    onnx11 = os.path.join(work, 'efficientnet_lite0_opset11.onnx')
    diff = to_opset11(args.onnx, onnx11)
    print('compile_x5: opset-11 graph written, max |diff| to source {:.2e}'.format(diff))
    cal_dir = os.path.join(work, 'cal_data_f32')
    count = write_calibration(args.samples, cal_dir)
    print('compile_x5: {} calibration tensors from {}'.format(count, args.samples))
    outputs = {}
    for tag, space in RANGES:
        binary, config, seconds = compile_one(onnx11, cal_dir, work, tag, space)
        dest = os.path.join(args.out, os.path.basename(binary))
        shutil.copyfile(binary, dest)
        with open(config, encoding='utf-8') as f:
            config_text = f.read()
        outputs[os.path.basename(dest)] = {
            'input_space_and_range': space,
            'nv12_range': tag,
            'bytes': os.path.getsize(dest),
            'sha256': sha256_of(dest),
            'compile_seconds': round(seconds, 1),
            'hb_mapper_config': config_text.replace(work, '<work>').replace(ROOT, '<repo>'),
        }
        print('compile_x5: {} ({} bytes) in {:.0f} s'.format(
            dest, os.path.getsize(dest), seconds))
    freeze = []
    if args.freeze and os.path.isfile(args.freeze):
        with open(args.freeze, encoding='utf-8') as f:
            freeze = [line.strip() for line in f if line.strip()]
    sidecar = os.path.splitext(args.onnx)[0] + '.json'
    source_meta = {}
    if os.path.isfile(sidecar):
        with open(sidecar, encoding='utf-8') as f:
            source_meta = json.load(f).get('source', {})
    provenance = {
        'source_onnx': os.path.basename(args.onnx),
        'source_onnx_sha256': sha256_of(args.onnx),
        'source_weights': source_meta,
        'opset11_onnx_sha256': sha256_of(onnx11),
        'calibration': '{} views of the photos in resnet_x5_ros/data/samples'.format(count),
        'toolchain': [line for line in freeze if line.split('==')[0].lower().replace('_', '-')
                      in ('dg-nn-toolkit', 'dgdk', 'rdkx5-yolo-mapper', 'torch', 'onnx',
                          'onnxruntime', 'numpy', 'setuptools')],
        'python': sys.version.split()[0],
        'outputs': outputs,
    }
    with open(os.path.join(args.out, 'provenance.json'), 'w', encoding='utf-8') as f:
        json.dump(provenance, f, indent=2)
        f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
