# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The RDK model zoo's published ResNet18 figures for the X5, and our distance to them.

Source: the RDK model zoo's ResNet table for the X5 (github.com/D-Robotics/rdk_model_zoo,
samples/vision/resnet): ResNet18 224x224 NV12, latency 2.95 ms single-thread, 8.81 ms
multi-thread, 448.79 FPS; ImageNet-1k top-1 71.49 % float, 70.50 % quantised. The zoo times the
BPU forward in C++ (no Python, no colour conversion, no ROS); 448.79 FPS x 8.81 ms means about 4
frames in flight in its multi-thread run.
"""

import os

REFERENCE_ROW = 'model zoo ResNet18 (published)'
ZOO_RESNET18_X5 = {
    'model': 'ResNet18', 'input_size': '224x224', 'classes': 1000,
    'latency_single_ms': 2.95, 'latency_multi_ms': 8.81, 'fps': 448.79,
}
ZOO_TOP1_QUANTISED = 70.50
ZOO_TOP1_FLOAT = 71.49


def comparison_note(backend):
    """Say whether our figures and the zoo's measure the same model on the same hardware."""
    name = os.path.basename(backend.model_path).lower()
    if 'STAND-IN' in backend.description:
        return 'not comparable: the BPU runtime here is the test STAND-IN'
    if backend.name == 'bpu' and name.startswith('resnet18'):
        return 'comparable: the BPU with ResNet18 ({}), as in the zoo'.format(
            os.path.basename(backend.model_path))
    return 'not like for like: {} backend with {} (the zoo: BPU, ResNet18 on an RDK X5)'.format(
        backend.name, os.path.basename(backend.model_path))


def distance(latency_single_ms, fps):
    """Ratios to the zoo: latency_vs_zoo > 1 is slower, fps_vs_zoo < 1 is fewer frames."""
    out = {}
    if latency_single_ms:
        out['latency_vs_zoo'] = latency_single_ms / ZOO_RESNET18_X5['latency_single_ms']
    if fps:
        out['fps_vs_zoo'] = fps / ZOO_RESNET18_X5['fps']
    return out
