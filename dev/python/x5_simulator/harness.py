# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Run an X5 .bin model on x86: its BPU part on hbdk-sim, its CPU steps with numpy.

    with SimulatedModel('test/fixtures/x5/efficientnet_lite0_x5_full.bin') as model:
        scores = model.scores(nv12_frame)           # 1-D float32, what the board returns
        outputs = model.run([frame_a, frame_b])     # [{output name: array}, ...]

The outputs are what the board's runtime (pyeasy_dnn) hands back for the same frame: the
simulator's integer BPU output, dequantised with the .bin's own scales and reshaped by its own
steps. Only the timing and the board's runtime code are not covered.
"""

import numpy as np

from x5_simulator.bin_model import BinFormatError, read_bin
from x5_simulator.hbdk_sim import HbdkSim


class SimulatedModel:
    """An X5 .bin ready to run on hbdk-sim.

    Attributes: path, model (the parsed X5Model), input_width, input_height, nv12_range
    ('full'/'video', as recorded in the .bin), input_name, output_names, sim (the HbdkSim).
    Raises SimulatorUnavailable (from hbdk_sim) when hbdk-sim cannot be found.
    """

    def __init__(self, path, executable=None, cache_dir=None, use_cache=True, workers=None):
        self.path = path
        self.model = read_bin(path)
        if self.model.input_type not in ('NV12', 'NV12_SEPARATE', ''):
            raise BinFormatError('{}: input type {} is not NV12'.format(
                path, self.model.input_type))
        if len(self.model.bpu_nodes) != 1 or self.model.graph.nodes[0].op_type != 'BPU':
            raise BinFormatError('{}: expected the graph to start with its only BPU node, '
                                 'got {}'.format(path, self.model.graph.nodes))
        self.input_name = self.model.input_info.name
        self.input_width, self.input_height = self.model.input_size
        self.nv12_range = self.model.nv12_range
        self.output_names = [o.name for o in self.model.graph.outputs]
        self.sim = HbdkSim(self.model.hbm, executable=executable, cache_dir=cache_dir,
                           use_cache=use_cache, workers=workers)

    def close(self):
        self.sim.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def _bpu_outputs(self, frames):
        node = self.model.bpu_nodes[0]
        raw = self.sim.run(node.name, frames, (self.input_height, self.input_width))
        results = []
        for outputs in raw:
            if len(outputs) != len(node.outputs):
                raise BinFormatError('{}: hbdk-sim gave {} outputs for BPU node {!r} with {}'
                                     .format(self.path, len(outputs), node.name,
                                             len(node.outputs)))
            named = {}
            for name, values in zip(node.outputs, outputs):
                dims = self.model.dims_of(name)
                dtype = self.model.dtype_of(name) or 'float64'
                if dims and int(np.prod(dims)) == values.size:
                    values = values.reshape(dims)
                named[name] = values.astype(dtype if dtype != 'undefined' else 'float64')
            results.append(named)
        return results

    def run(self, frames):
        """For each NV12 frame (uint8 array or bytes), a dict {output name: array}."""
        return [self.model.apply_cpu_steps(bpu) for bpu in self._bpu_outputs(frames)]

    def run_one(self, frame):
        return self.run([frame])[0]

    def scores(self, frame):
        """Return the first output of one frame, flattened to 1-D float32 (class scores)."""
        out = self.run_one(frame)[self.output_names[0]]
        return np.asarray(out, dtype=np.float32).reshape(-1)

    def scores_many(self, frames):
        return [np.asarray(o[self.output_names[0]], dtype=np.float32).reshape(-1)
                for o in self.run(frames)]
