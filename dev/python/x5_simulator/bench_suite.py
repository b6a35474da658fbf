# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""simulate: correctness of the compiled X5 .bin models on hbdk-sim vs the CPU model (no speed).

For each sample photo, in full and video range NV12: the CPU model's logits (reference), and
each compiled .bin on D-Robotics' hbdk-sim with the .bin's own post-steps. Reports top-1
agreement, expected top-5 hits, and the cosine of the .bin's scores to the CPU's, for the
matching range and the mismatched one. Simulator results are cached on disk unless --no-cache.
Never a speed figure: hbdk-sim runs an instruction-level simulation on x86.
"""

import os

from x5_simulator.evaluate import evaluate, FIXTURE_BINS, summarise


def add_arguments(parser):
    parser.add_argument('--bin-full', default=FIXTURE_BINS['full'],
                        help='.bin compiled for full-range NV12 (default: the test fixture)')
    parser.add_argument('--bin-video', default=FIXTURE_BINS['video'],
                        help='.bin compiled for video-range NV12 (default: the test fixture)')
    parser.add_argument('--onnx', default=None,
                        help='CPU model (default: models/efficientnet_lite0.onnx)')
    parser.add_argument('--no-cache', action='store_true',
                        help='run every frame on hbdk-sim instead of reusing cached results')
    parser.add_argument('--per-photo', action='store_true',
                        help='print one line per photo, .bin and frame range')


def run(args):
    result = evaluate({'full': args.bin_full, 'video': args.bin_video}, onnx_path=args.onnx,
                      use_cache=not args.no_cache)
    if args.per_photo:
        for row in result['rows']:
            print('{:17s} bin {:5s} frame {:5s} cosine {:.4f} prob_l1 {:.3f} top1 {!r} '
                  '(cpu {!r}) top5 {}'.format(row['photo'], row['bin'], row['frame'],
                                              row['cosine'], row['prob_l1'], row['top1'],
                                              row['cpu_top1'], row['top5']))
    summary = summarise(result)
    summary['cpu_model'] = os.path.basename(result['onnx'])
    return {'simulate': summary}
