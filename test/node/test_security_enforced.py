# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The node under SROS2 with ROS_SECURITY_STRATEGY=Enforce, against real DDS security.

Needs a ROS 2 whose DDS has security and sros2 (`make test-security HUMBLE_PREFIX=...`: a
Humble with CycloneDDS built with security, docs/testing.md); skipped elsewhere, e.g. under
the dev environment's Fast DDS, which is built without it (test/test_security.py covers the
one line the node gives there). Two keystores are made for this run's ROS_DOMAIN_ID with the
shipped policies: ours (enclaves classifier, reader, camera) and another CA's. The node runs
in the classifier enclave with best-effort input, so it would take frames from anyone DDS let
through. Participants are test/support/peers/secure_peer.py processes.
"""

import glob
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

from support import REPO
from support.nodes import refused_start_up, start_node
from support.rosutil import child_env

pytestmark = [pytest.mark.ros, pytest.mark.slow, pytest.mark.security]

POLICIES = os.path.join(REPO, 'security')
PEER = os.path.join(REPO, 'test', 'support', 'peers', 'secure_peer.py')
CLASSIFIER, READER, CAMERA = ('/resnet_x5_ros/classifier', '/resnet_x5_ros/reader',
                              '/resnet_x5_ros/camera')
SECURITY_VARIABLES = ('ROS_SECURITY_ENABLE', 'ROS_SECURITY_STRATEGY', 'ROS_SECURITY_KEYSTORE',
                      'ROS_SECURITY_ENCLAVE_OVERRIDE')


def _dds_security_missing():
    """Why this ROS 2 cannot run secured nodes here, or '' if it can."""
    try:
        import sros2.keystore  # noqa: F401
    except ImportError as exc:
        return 'sros2 is not installed ({})'.format(exc)
    if os.environ.get('RMW_IMPLEMENTATION') != 'rmw_cyclonedds_cpp':
        return 'the RMW is not CycloneDDS (the pinned Fast DDS has no security)'
    dirs = os.environ.get('LD_LIBRARY_PATH', '').split(os.pathsep)
    if not any(glob.glob(os.path.join(d, 'libdds_security_ac.so*')) for d in dirs if d):
        return 'CycloneDDS here is built without its security plugins'
    return ''


pytestmark.append(pytest.mark.skipif(bool(_dds_security_missing()),
                                     reason=_dds_security_missing() or 'security available'))


def secure_settings(keystore):
    return {'ROS_SECURITY_ENABLE': 'true', 'ROS_SECURITY_STRATEGY': 'Enforce',
            'ROS_SECURITY_KEYSTORE': str(keystore)}


def plain_env():
    env = child_env()
    for name in SECURITY_VARIABLES:
        env.pop(name, None)
    return env


def secure_env(keystore):
    return dict(plain_env(), **secure_settings(keystore))


def _keystore(folder, policies):
    """Make a keystore (a CA of its own) for this run's domain; policies: {enclave: file}."""
    from sros2.keystore import create_enclave, create_keystore, create_permission
    create_keystore(folder)
    for enclave, policy in policies.items():
        create_enclave(folder, enclave)
        if policy:
            create_permission(folder, enclave, policy)
    return folder


@pytest.fixture(scope='module')
def keystores(tmp_path_factory):
    import pathlib
    base = pathlib.Path(str(tmp_path_factory.mktemp('keystores')))
    ours = _keystore(base / 'ours', {
        CLASSIFIER: pathlib.Path(POLICIES, 'classifier.policy.xml'),
        READER: pathlib.Path(POLICIES, 'reader.policy.xml'),
        CAMERA: None})  # create_enclave's default permissions: a camera may publish anything
    theirs = _keystore(base / 'theirs', {CLASSIFIER: None, READER: None, CAMERA: None})
    return {'ours': ours, 'theirs': theirs, 'base': base}


def start_secured(keystore, log_path, enclave=CLASSIFIER):
    return start_node('/', '-p', 'backend:=cpu', '-p', 'qos_reliability:=best_effort',
                      '-p', 'diagnostics_period:=0.5', '--enclave', enclave, params_file=None,
                      env=secure_settings(keystore), log=log_path)


@pytest.fixture(scope='module')
def secured_node(keystores):
    log = keystores['base'] / 'node.log'
    node = start_secured(keystores['ours'], log)
    # Ready once a reader of our keystore hears its diagnostics.
    status = peer(secure_env(keystores['ours']), READER, '--read', '--seconds', '60',
                  until_diagnostics=True)
    assert status['node_received'] is not None, (status, log.read_text())
    yield node, log
    node.stop()


def peer(env, enclave, *args, until_diagnostics=False, timeout=120):
    """Run secure_peer.py; return its JSON."""
    cmd = [sys.executable, PEER] + list(args)
    if until_diagnostics:
        cmd += ['--until-diagnostics']
    if enclave:
        cmd += ['--ros-args', '--enclave', enclave]
    out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=timeout)
    lines = [line for line in out.stdout.splitlines() if line.startswith('{')]
    assert out.returncode == 0 and lines, out.stdout + out.stderr
    return json.loads(lines[-1])


def node_received(keystores):
    """The node's `received` counter, read by a reader of our keystore."""
    status = peer(secure_env(keystores['ours']), READER, '--read', '--seconds', '30',
                  until_diagnostics=True)
    assert status['node_received'] is not None, status
    return status['node_received']


def test_the_read_only_client_receives_classifications(keystores, secured_node):
    camera = subprocess.Popen(
        [sys.executable, PEER, '--camera', 'image', '--seconds', '60', '--ros-args',
         '--enclave', CAMERA], cwd=REPO, env=secure_env(keystores['ours']),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        status = peer(secure_env(keystores['ours']), READER, '--read', '--until-results', '3',
                      '--seconds', '60')
    finally:
        camera.kill()
        camera.communicate()
    assert status['results'] >= 3, status


@pytest.mark.parametrize('who', ['no credentials', 'another CA'])
def test_outsiders_see_nothing_and_their_frames_never_reach_the_node(
        keystores, secured_node, who):
    env = plain_env() if who == 'no credentials' else secure_env(keystores['theirs'])
    enclave = None if who == 'no credentials' else CAMERA
    before = node_received(keystores)
    # An outsider camera that also reads: 40 frames at 10 Hz on the node's input.
    status = peer(env, enclave, '--camera', 'image', '--frames', '40', '--read',
                  '--seconds', '60')
    after = node_received(keystores)
    assert status['sent'] == 40, status
    assert after == before, 'the node received outsider frames: {} -> {}'.format(before, after)
    assert status['results'] == 0 and status['node_received'] is None, status
    # Not even the node: discovery of the node and its endpoints is protected too.
    assert 'classifier' not in status['nodes'], status
    assert set(status['publishers'].values()) == {0}, status
    if who == 'another CA':
        _, log = secured_node
        assert 'handshake' in log.read_text().lower(), 'no failed handshake in the node log'


def test_the_read_only_client_cannot_send_frames_or_set_parameters(keystores, secured_node):
    before = node_received(keystores)
    status = peer(secure_env(keystores['ours']), READER, '--try-publish', 'image',
                  '--try-set', 'score_threshold=0.9', '--seconds', '1')
    attempts = status['attempts']
    assert attempts['create_node'] == 'ok', attempts
    assert attempts['publish image'] != 'ok' and 'image' in attempts['publish image'], attempts
    assert attempts.get('set_parameters client', '') != 'ok' or \
        attempts.get('set score_threshold') != 'ok', attempts
    assert node_received(keystores) == before


def _narrowed_policy(folder, drop_topic, enclave):
    """A copy of the classifier policy for enclave without drop_topic."""
    tree = ElementTree.parse(os.path.join(POLICIES, 'classifier.policy.xml'))
    root = tree.getroot()
    root.find('enclaves/enclave').set('path', enclave)
    for group in root.iter('topics'):
        for topic in list(group):
            if topic.text.strip() == drop_topic:
                group.remove(topic)
    path = os.path.join(str(folder), 'narrowed.policy.xml')
    tree.write(path)
    return path


def test_the_node_cannot_publish_outside_its_policy(keystores, tmp_path):
    import pathlib
    from sros2.keystore import create_enclave, create_permission
    enclave = '/resnet_x5_ros/narrowed'
    keystore = keystores['ours']
    create_enclave(keystore, enclave)
    create_permission(keystore, enclave, pathlib.Path(_narrowed_policy(tmp_path, 'overlay',
                                                                       enclave)))
    node = start_secured(keystore, tmp_path / 'narrowed.log', enclave=enclave)
    line, _ = refused_start_up(node)
    assert line.endswith('do not allow publishing on /overlay: add it to the policy and run '
                         'ros2 security create_permission again (see docs/security.md)'), line


@pytest.mark.parametrize('enclave, expected', [
    ('/resnet_x5_ros/not_made', 'is not in keystore'),
    (None, 'the node has no enclave'),
])
def test_a_missing_enclave_is_one_line(keystores, tmp_path, enclave, expected):
    args = ['--enclave', enclave] if enclave else []
    node = start_node('/', '-p', 'backend:=cpu', *args, params_file=None,
                      env=secure_settings(keystores['ours']))
    line, _ = refused_start_up(node)
    assert expected in line, line
