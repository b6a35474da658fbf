# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Cross-check the converted CPU model against PyTorch running the original network (dev only).

    make model-torch-check       # builds .venv-model-check (torch 2.13.0 CPU, pinned) and runs:
    .venv-model-check/bin/python dev/model/check_against_torch.py [--write-reference]

Loads the same weights into the network code they were published for (PyPI
efficientnet-lite-pytorch==0.1.0, Apache-2.0; never set_swish(): Lite0 uses ReLU6), runs it
and the ONNX model from convert_efficientnet_lite0.py (onnxruntime) on reference_inputs() and
the sample photos, checks the ONNX file with onnx.checker (full check), and prints the largest
logit difference. --write-reference records PyTorch's logits for reference_inputs() in
dev/model/efficientnet_lite0_reference.npz, which `make model` and the tests compare with.
Exit status 1 if the two disagree by more than convert_efficientnet_lite0.MAX_ABS_DIFF.
"""

import argparse
import glob
import os
import sys
import tempfile

import numpy as np

import convert_efficientnet_lite0 as convert

REPO = os.path.dirname(os.path.dirname(convert.HERE))
SAMPLES = os.path.join(REPO, 'resnet_x5_ros', 'data', 'samples')


def torch_model(state):
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name('efficientnet-lite0', num_classes=convert.NUM_CLASSES)
    tensors = {k: torch.from_numpy(np.array(v)) for k, v in state.items()}
    model.load_state_dict(tensors, strict=True)
    model.eval()
    return model


def photo_inputs():
    """Return the sample photos resized to 224x224 (INTER_AREA), RGB, (x - 127) / 128, NCHW."""
    import cv2

    names, inputs = [], []
    for path in sorted(glob.glob(os.path.join(SAMPLES, '*'))):
        bgr = cv2.resize(cv2.imread(path, cv2.IMREAD_COLOR),
                         (convert.INPUT_SIZE, convert.INPUT_SIZE), interpolation=cv2.INTER_AREA)
        rgb = bgr[:, :, ::-1].astype(np.float32)
        inputs.append(((rgb - 127.0) / 128.0).transpose(2, 0, 1))
        names.append(os.path.basename(path))
    return names, np.stack(inputs).astype(np.float32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--download-dir', default='.build/model')
    parser.add_argument('--write-reference', action='store_true',
                        help='record PyTorch logits for the reference inputs')
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    import onnx
    import onnxruntime as ort
    import torch

    torch.set_num_threads(1)
    state = convert.load_weights(convert.fetch_weights(args.download_dir))
    data = convert.model_bytes(state, os.path.basename(convert.WEIGHTS_MEMBER))
    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
    model = torch_model(state)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'model.onnx')
        with open(path, 'wb') as f:
            f.write(data)
        session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
        names, photos = photo_inputs()
        reference = convert.reference_inputs()
        worst = 0.0
        for label, batch in (('reference inputs', reference), ('sample photos', photos)):
            with torch.no_grad():
                expected = model(torch.from_numpy(batch)).numpy()
            got = np.concatenate([session.run(['logits'], {'input': x[None]})[0]
                                  for x in batch])
            diff = float(np.max(np.abs(got - expected)))
            same_top1 = np.array_equal(got.argmax(1), expected.argmax(1))
            print('{}: max |onnxruntime - PyTorch| = {:.2e}, top-1 {}'.format(
                label, diff, 'equal' if same_top1 else 'DIFFERS'))
            worst = max(worst, diff if same_top1 else float('inf'))
            if label == 'reference inputs' and args.write_reference:
                np.savez_compressed(convert.REFERENCE, logits=expected.astype(np.float32))
                print('wrote', convert.REFERENCE)
    print('onnx.checker (full check): passed; PyTorch {}, onnxruntime {}, onnx {}'.format(
        torch.__version__, ort.__version__, onnx.__version__))
    return 0 if worst <= convert.MAX_ABS_DIFF else 1


if __name__ == '__main__':
    sys.exit(main())
