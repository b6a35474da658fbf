# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Each backend's default model, where the CPU one is looked for, and the model error lines.

An empty model_path means the chosen backend's default: the board's ResNet18 for bpu, the
default ONNX model for cpu, found in the installed package's share folder (the dev
environment links the checkout's models/ there) or the user's data folder
(backends/default_model.py).
"""

import filecmp
import os
import shutil

import pytest
import yaml

from resnet_x5_ros import backends
from resnet_x5_ros.backends import bpu, default_model, ModelError
from support.standins import standin_support as standins

NAME = 'efficientnet_lite0.onnx'
CONFIG = os.path.join(standins.REPO, 'config', 'classifier.yaml')
CHECKOUT_MODEL = os.path.join(standins.REPO, 'models', NAME)
needs_model = pytest.mark.skipif(not os.path.exists(CHECKOUT_MODEL),
                                 reason='no models/efficientnet_lite0.onnx (make model)')


def _no_runtime():
    if bpu.bpu_runtime_available():
        pytest.skip('a BPU runtime imports on this machine')


@pytest.fixture
def places(monkeypatch, tmp_path):
    """Point every place at tmp_path: an ament prefix, a user data folder, no override."""
    pytest.importorskip('ament_index_python', reason='the share folder is found with it')
    prefix = tmp_path / 'prefix'
    marker = prefix / 'share' / 'ament_index' / 'resource_index' / 'packages'
    marker.mkdir(parents=True)
    (marker / 'resnet_x5_ros').write_text('')
    monkeypatch.setenv('AMENT_PREFIX_PATH', str(prefix))
    monkeypatch.setenv('XDG_DATA_HOME', str(tmp_path / 'data'))
    monkeypatch.delenv(default_model.MODEL_DIR_ENV, raising=False)
    share = prefix / 'share' / 'resnet_x5_ros' / 'models'
    user = tmp_path / 'data' / 'resnet_x5_ros'
    return share, user


def _installed_copy(monkeypatch, tmp_path):
    # As in a colcon install: the package in site-packages, no package.xml beside it.
    fake = tmp_path / 'site-packages' / 'resnet_x5_ros' / 'backends' / 'default_model.py'
    monkeypatch.setattr(default_model, '__file__', str(fake))


def _put_model(folder):
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CHECKOUT_MODEL, str(folder / NAME))
    shutil.copy(CHECKOUT_MODEL[:-len('.onnx')] + '.json', str(folder / 'efficientnet_lite0.json'))
    return str(folder / NAME)


def test_search_order_is_share_then_user_folder(places):
    share, user = places
    assert backends.cpu_model_dirs() == [str(share), str(user)]


def test_no_place_is_relative_to_the_package_files(places, monkeypatch, tmp_path):
    # An installed copy (site-packages) has no source tree around it to look in.
    share, user = places
    _installed_copy(monkeypatch, tmp_path)
    assert backends.cpu_model_dirs() == [str(share), str(user)]
    assert 'site-packages' not in backends.default_cpu_model()


def test_dev_environment_finds_the_checkout_model_through_its_share_link(monkeypatch):
    # `make setup` links models/ into the venv's share/resnet_x5_ros (what colcon installs).
    monkeypatch.delenv(default_model.MODEL_DIR_ENV, raising=False)
    if not os.path.exists(CHECKOUT_MODEL) or default_model.indexed_share_directory() is None:
        pytest.skip('needs `make setup` and `make model`')
    # The same file through `make setup`'s link; an identical copy in a colcon install.
    assert filecmp.cmp(backends.default_cpu_model(), CHECKOUT_MODEL, shallow=False)


def test_the_override_folder_is_the_only_place(places, monkeypatch, tmp_path):
    monkeypatch.setenv(default_model.MODEL_DIR_ENV, str(tmp_path / 'mine'))
    assert backends.cpu_model_dirs() == [str(tmp_path / 'mine')]


def test_user_folder_defaults_to_local_share(monkeypatch):
    monkeypatch.delenv('XDG_DATA_HOME', raising=False)
    monkeypatch.setenv('HOME', '/home/someone')
    assert default_model.user_models_dir() == '/home/someone/.local/share/resnet_x5_ros'


def test_without_an_ament_index_the_share_folder_is_skipped(places, monkeypatch):
    monkeypatch.delenv('AMENT_PREFIX_PATH')
    share, user = places
    assert str(share) not in backends.cpu_model_dirs()


@needs_model
@pytest.mark.parametrize('where', ['share folder', 'user folder'])
def test_installed_package_finds_the_model(places, monkeypatch, tmp_path, where):
    share, user = places
    _installed_copy(monkeypatch, tmp_path)
    path = _put_model(share if where == 'share folder' else user)
    assert backends.default_cpu_model() == path
    backend = backends.create_backend('cpu', '', warmup=False)
    assert backend.model_path == path
    backend.close()


def test_missing_default_model_says_where_it_looked_and_what_makes_it(
        places, monkeypatch, tmp_path):
    share, user = places
    _installed_copy(monkeypatch, tmp_path)
    with pytest.raises(ModelError) as info:
        backends.create_backend('cpu', '')
    message = str(info.value)
    assert '\n' not in message
    assert str(share) in message and str(user) in message
    assert '`make model`' in message and 'model_path' in message


def test_auto_on_a_machine_without_bpu_says_why_it_chose_cpu(places, monkeypatch, tmp_path):
    _no_runtime()
    _installed_copy(monkeypatch, tmp_path)
    with pytest.raises(ModelError) as info:
        backends.create_backend('auto', '')
    message = str(info.value)
    assert message.startswith('default CPU model efficientnet_lite0.onnx not found')
    assert '`make model`' in message and '\n' not in message
    assert message.endswith(')') and 'backend auto chose cpu (no BPU runtime' in message


# ---- the board YAML's empty model_path with each backend -------------------------------

def _board_yaml_model_path():
    with open(CONFIG, encoding='utf-8') as f:
        return yaml.safe_load(f)['/**']['ros__parameters']['model_path']


@needs_model
def test_board_yaml_with_backend_cpu_loads_the_default_cpu_model(monkeypatch, tmp_path):
    # Without the override: the installed share folder, or else (no ament index, e.g. the
    # board-compat run) the user data folder, which holds the model here.
    monkeypatch.delenv(default_model.MODEL_DIR_ENV, raising=False)
    monkeypatch.setenv('XDG_DATA_HOME', str(tmp_path))
    _put_model(tmp_path / 'resnet_x5_ros')
    backend = backends.create_backend('cpu', _board_yaml_model_path(), warmup=False)
    assert os.path.basename(backend.model_path) == NAME
    backend.close()


def test_board_yaml_with_backend_bpu_loads_the_board_resnet18(tmp_path, monkeypatch):
    board_model = standins.write_fixture_bin(tmp_path / 'resnet18_224x224_nv12.bin')
    monkeypatch.setattr(bpu, 'DEFAULT_BPU_MODEL', board_model)
    with standins.standin_runtime() as pyeasy_dnn:
        pyeasy_dnn.set_scorer(standins.ramp_scorer)
        for kind in ('bpu', 'auto'):
            backend = backends.create_backend(kind, _board_yaml_model_path())
            assert backend.name == 'bpu' and backend.model_path == board_model
            backend.close()


# ---- the other error lines name the next step ---------------------------------------------

def test_a_bin_without_bpu_runtime_names_the_cpu_launch_argument(tmp_path):
    _no_runtime()
    model = standins.write_fixture_bin(tmp_path / 'm.bin')
    with pytest.raises(backends.BackendError) as info:
        backends.create_backend('auto', model)
    message = str(info.value)
    assert 'backend:=cpu' in message and 'model_path empty' in message and '\n' not in message


def test_a_bin_for_the_cpu_backend_says_what_to_use(tmp_path):
    model = standins.write_fixture_bin(tmp_path / 'm.bin')
    with pytest.raises(ModelError) as info:
        backends.create_backend('cpu', model)
    message = str(info.value)
    assert 'backend bpu' in message and 'model_path empty' in message and '\n' not in message


def test_an_onnx_for_the_bpu_backend_says_what_to_use(tmp_path):
    model = tmp_path / 'm.onnx'
    model.write_bytes(b'not really onnx')
    with standins.standin_runtime():
        with pytest.raises(ModelError) as info:
            backends.create_backend('bpu', str(model))
    message = str(info.value)
    assert 'use backend cpu' in message and 'model_path empty' in message


def test_missing_board_model_says_what_to_do_off_the_board():
    if os.path.exists(backends.DEFAULT_BPU_MODEL):
        pytest.skip('the default model exists here (a board)')
    with standins.standin_runtime():
        with pytest.raises(ModelError) as info:
            backends.create_backend('bpu', '')
    assert 'off the board: backend cpu' in str(info.value)
