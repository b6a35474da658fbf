# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Check our simulator harness against the toolchain's own quantised reference model.

Runs inside the X5 toolchain venv after build_models.sh (it needs horizon_tc_ui and the
*_quantized_model.onnx files hb_mapper leaves in the work folder):

    .venv-x5tc/bin/python dev/x5_toolchain/check_against_vendor.py

For each sample photo and each compiled .bin: our NV12 -> hbdk-sim + our reading of the .bin's
post-steps (x5_simulator), versus the vendor's quantised ONNX model run by its own
HB_ONNXRuntime on the same NV12 (chroma repeated 2x2 into YUV444, as the BPU reads NV12).
Prints the largest absolute difference of the logits; exit status 1 if any differs.
"""

import argparse
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, 'dev', 'python')]

from x5_simulator.evaluate import FIXTURE_BINS, load_photos, photo_nv12  # noqa: E402
from x5_simulator.harness import SimulatedModel  # noqa: E402


def nv12_to_yuv444(nv12, width, height):
    y = nv12[:width * height].reshape(height, width)
    uv = nv12[width * height:].reshape(height // 2, width // 2, 2)
    return np.dstack([y, uv.repeat(2, axis=0).repeat(2, axis=1)])[np.newaxis]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work', default=os.path.join(ROOT, '.build', 'x5tc'))
    args = parser.parse_args(argv)
    from horizon_tc_ui import HB_ONNXRuntime

    worst = 0.0
    for nv12_range, bin_path in sorted(FIXTURE_BINS.items()):
        prefix = os.path.splitext(os.path.basename(bin_path))[0]
        quantised = os.path.join(args.work, 'out_' + nv12_range, prefix + '_quantized_model.onnx')
        session = HB_ONNXRuntime(model_file=quantised)
        with SimulatedModel(bin_path, use_cache=False) as model:
            width, height = model.input_width, model.input_height
            for name, bgr in load_photos():
                nv12 = photo_nv12(bgr, width, height, nv12_range)
                yuv = nv12_to_yuv444(nv12, width, height)
                if session.layout[0] == 'NCHW':
                    yuv = yuv.transpose(0, 3, 1, 2)
                ref = session.run(None, {session.input_names[0]: np.ascontiguousarray(yuv)})[0]
                diff = float(np.max(np.abs(model.scores(nv12) - ref.reshape(-1))))
                worst = max(worst, diff)
                print('{:6s} {:17s} max |ours - vendor| = {:.3g}'.format(nv12_range, name, diff))
    print('worst difference: {:.3g}'.format(worst))
    return 0 if worst == 0.0 else 1


if __name__ == '__main__':
    sys.exit(main())
