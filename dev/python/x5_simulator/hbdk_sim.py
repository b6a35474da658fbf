# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Locate and run D-Robotics' hbdk-sim (the X5 BPU simulator) on NV12 frames.

hbdk-sim is a standalone x86-64 program from the dgdk wheel; `make setup` extracts it with
dev/fetch_hbdk_sim.sh into .build/hbdk-sim/ (or says why not in .build/hbdk-sim/UNAVAILABLE).
It runs one model of an HBM file on raw input files and writes each output as text. A run
costs ~0.5 s of CPU plus start-up, so results can be cached on disk, keyed by the sha256 of
the simulator binary, the HBM, the model name and the frame bytes: the simulator is
deterministic, so a cached result is the result.
"""

import concurrent.futures
import glob
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading

import numpy as np

from resnet_x5_ros.backends.sidecar import file_sha256

ENV_SIM = 'RESNET_X5_HBDK_SIM'
ENV_CACHE = 'RESNET_X5_SIM_CACHE'
# dev/python/x5_simulator/ -> the repository.
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
DEFAULT_DIR = os.path.join(REPO_ROOT, '.build', 'hbdk-sim')
# Seconds one frame may take before we call the simulator hung (normal: ~1 s).
RUN_TIMEOUT = 120
_OUTPUT_FILE = re.compile(r'hbdk_output(\d+)_.*_elem_(float|int)\.txt$')


class SimulatorUnavailable(RuntimeError):
    """hbdk-sim cannot be used here; str() says why (for a pytest skip reason)."""


class SimulatorError(RuntimeError):
    """hbdk-sim ran but failed or wrote something unexpected."""


def locate():
    """Return the path of a runnable hbdk-sim, or raise SimulatorUnavailable with the reason.

    Looks at $RESNET_X5_HBDK_SIM, then .build/hbdk-sim/hbdk-sim (made by `make setup`), then
    PATH (e.g. inside the X5 toolchain venv).
    """
    explicit = os.environ.get(ENV_SIM)
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return explicit
        raise SimulatorUnavailable('{}={} is not an executable file'.format(ENV_SIM, explicit))
    local = os.path.join(DEFAULT_DIR, 'hbdk-sim')
    if os.path.isfile(local) and os.access(local, os.X_OK):
        return local
    found = shutil.which('hbdk-sim')
    if found:
        return found
    reason_file = os.path.join(DEFAULT_DIR, 'UNAVAILABLE')
    if os.path.isfile(reason_file):
        with open(reason_file, encoding='utf-8', errors='replace') as f:
            reason = f.read().strip()
        raise SimulatorUnavailable('hbdk-sim could not be obtained during setup: ' + reason)
    raise SimulatorUnavailable(
        'hbdk-sim not found: run `make setup` (dev/fetch_hbdk_sim.sh extracts it from the '
        'pinned dgdk wheel into .build/hbdk-sim/) or set ' + ENV_SIM)


def default_cache_dir():
    """$RESNET_X5_SIM_CACHE, else .build/hbdk-sim/cache in the repository."""
    return os.environ.get(ENV_CACHE) or os.path.join(DEFAULT_DIR, 'cache')


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def parse_output_file(path):
    """Read one hbdk-sim output text file: '#key=value' header lines, then one value per line.

    Returns (values as float64 1-D array, dims tuple from '#valid_dim=AxBxC' or None).
    """
    dims = None
    values = []
    with open(path, encoding='ascii', errors='replace') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith('#'):
                key, _, val = line[1:].partition('=')
                if key.strip() == 'valid_dim':
                    dims = tuple(int(v) for v in val.strip().split('x'))
                continue
            values.append(float(line))
    array = np.array(values, dtype=np.float64)
    if dims is not None and int(np.prod(dims)) != array.size:
        raise SimulatorError('{}: header says {} values ({}), file has {}'.format(
            os.path.basename(path), int(np.prod(dims)), dims, array.size))
    return array, dims


class HbdkSim:
    """Runs models of one HBM (bytes) on hbdk-sim, with an optional on-disk result cache.

    run(model_name, frames, yuv_size) -> one list of float64 arrays (one per model output, in
    output order, shaped by the simulator's valid_dim) per frame. Thread-safe.
    """

    def __init__(self, hbm, executable=None, cache_dir=None, use_cache=True, workers=None):
        self.executable = executable or locate()
        self.hbm = bytes(hbm)
        if not self.hbm:
            raise SimulatorError('empty HBM: the .bin has no embedded BPU model')
        self.hbm_sha256 = _sha256(self.hbm)
        self.sim_sha256 = file_sha256(self.executable)
        self.cache_dir = (cache_dir or default_cache_dir()) if use_cache else None
        self.workers = workers or min(2, os.cpu_count() or 1)
        self.runs = 0  # simulator invocations (cache misses), for tests and benches
        self._lock = threading.Lock()
        self._tmp = tempfile.mkdtemp(prefix='hbdk-sim-')
        self._hbm_path = os.path.join(self._tmp, 'model.hbm')
        with open(self._hbm_path, 'wb') as f:
            f.write(self.hbm)

    def close(self):
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def _key(self, model_name, frame, yuv_size):
        parts = [self.sim_sha256, self.hbm_sha256, model_name, '{}x{}'.format(*yuv_size),
                 _sha256(frame)]
        return _sha256('|'.join(parts).encode('utf-8'))

    def _cache_path(self, key):
        return os.path.join(self.cache_dir, key[:2], key + '.npz')

    def _load_cached(self, key):
        if not self.cache_dir:
            return None
        path = self._cache_path(key)
        if not os.path.isfile(path):
            return None
        try:
            with np.load(path) as data:
                count = int(data['count'])
                return [data['out{}'.format(i)] for i in range(count)]
        except (OSError, ValueError, KeyError):
            return None  # a torn or foreign file: simulate again and overwrite it

    def _store(self, key, outputs):
        if not self.cache_dir:
            return
        path = self._cache_path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix='.tmp')
        with os.fdopen(fd, 'wb') as f:
            arrays = {'out{}'.format(i): o for i, o in enumerate(outputs)}
            np.savez(f, count=len(outputs), **arrays)
        os.replace(tmp, path)

    def simulate(self, model_name, frame, yuv_size):
        """Run one frame through hbdk-sim, uncached. yuv_size is (height, width)."""
        work = tempfile.mkdtemp(dir=self._tmp)
        try:
            yuv = os.path.join(work, 'frame.yuv')  # the .yuv suffix tells hbdk-sim "image"
            with open(yuv, 'wb') as f:
                f.write(frame)
            out_dir = os.path.join(work, 'out')
            os.mkdir(out_dir)
            height, width = yuv_size
            cmd = [self.executable, '-f', self._hbm_path, '-n', model_name, '-i', yuv,
                   '--yuv-size', '{}x{}'.format(height, width), '--yuv-stride', str(width),
                   '-o', out_dir]
            try:
                proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      timeout=RUN_TIMEOUT, cwd=work)
            except subprocess.TimeoutExpired:
                raise SimulatorError('hbdk-sim took over {} s on one frame'.format(
                    RUN_TIMEOUT)) from None
            with self._lock:
                self.runs += 1
            log = proc.stdout.decode('utf-8', 'replace')
            if proc.returncode != 0:
                raise SimulatorError('hbdk-sim exited with {}: {}'.format(
                    proc.returncode, log[-800:]))
            found = {}
            for path in glob.glob(os.path.join(out_dir, '*.txt')):
                match = _OUTPUT_FILE.search(os.path.basename(path))
                if match:
                    found.setdefault(int(match.group(1)), {})[match.group(2)] = path
            if not found or sorted(found) != list(range(len(found))):
                raise SimulatorError('hbdk-sim wrote outputs {} in {}: {}'.format(
                    sorted(found), out_dir, log[-800:]))
            outputs = []
            for index in range(len(found)):
                # The float file holds the same numbers as the int one (exactly, for int32)
                # and also exists for float outputs.
                kinds = found[index]
                values, dims = parse_output_file(kinds.get('float') or kinds['int'])
                outputs.append(values.reshape(dims) if dims else values)
            return outputs
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def run(self, model_name, frames, yuv_size):
        """Return the outputs for each frame (bytes-like NV12), from the cache where possible."""
        frames = [np.ascontiguousarray(f).tobytes() if isinstance(f, np.ndarray) else bytes(f)
                  for f in frames]
        expected = yuv_size[0] * yuv_size[1] * 3 // 2
        for frame in frames:
            if len(frame) != expected:
                raise ValueError('NV12 frame of {} bytes for {}x{} (expected {})'.format(
                    len(frame), yuv_size[1], yuv_size[0], expected))
        keys = [self._key(model_name, f, yuv_size) for f in frames]
        results = [self._load_cached(k) for k in keys]
        todo = [i for i, r in enumerate(results) if r is None]

        def one(i):
            outputs = self.simulate(model_name, frames[i], yuv_size)
            self._store(keys[i], outputs)
            return i, outputs

        if len(todo) > 1 and self.workers > 1:
            with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
                for i, outputs in pool.map(one, todo):
                    results[i] = outputs
        else:
            for i in todo:
                results[i] = one(i)[1]
        return results
