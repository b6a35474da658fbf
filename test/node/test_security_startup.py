# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Start-up with SROS2 switched on but not usable: one `security:` line, exit 2, no traceback.

The node runs as users start it (its own process) with ROS_SECURITY_ENABLE=true, Enforce and
a FAKE keystore (test/support/keystores.py: the files are there, the certificates are text).
Under the dev environment's Fast DDS, built without security, the line says so; under a DDS
with security the fake certificates are refused instead. The cases without a keystore or
enclave fail before any DDS is asked, so they hold under every ROS 2.
"""

import glob
import os
import sys

import pytest

from resnet_x5_ros.launch_args import security_settings
from support.keystores import ENCLAVE, fake_keystore
from support.nodes import ERROR_PREFIX, needs_model, refused_start_up, start_node

pytestmark = [pytest.mark.ros, needs_model]


def _fast_dds_without_security():
    """True when the RMW is Fast DDS and its library has no security plugins built in."""
    if os.environ.get('RMW_IMPLEMENTATION', 'rmw_fastrtps_cpp') != 'rmw_fastrtps_cpp':
        return False
    folders = os.environ.get('LD_LIBRARY_PATH', '').split(os.pathsep)
    libraries = [path for folder in [os.path.join(sys.prefix, 'lib')] + folders if folder
                 for path in glob.glob(os.path.join(folder, 'libfastrtps.so.*'))]
    if not libraries:
        return False
    with open(libraries[0], 'rb') as f:
        # The built-in authentication plugin's name is in every Fast DDS built with security.
        return b'PKI-DH' not in f.read()


def _secured(keystore):
    """The environment the launch files' enclave and keystore arguments give the node."""
    return security_settings(ENCLAVE, str(keystore))[1]


def _refused(node):
    line, _ = refused_start_up(node, timeout=90.0)
    return line.split(ERROR_PREFIX + ' ', 1)[1]


def test_a_dds_without_security_or_unusable_files_is_one_line(tmp_path):
    keystore = fake_keystore(tmp_path, domain=int(os.environ['ROS_DOMAIN_ID']))
    node = start_node('/t_sec_fake', '--enclave', ENCLAVE, env=_secured(keystore))
    message = _refused(node)
    assert message.startswith('security: '), message
    if _fast_dds_without_security():
        # E.g. the pinned wheels' Fast DDS.
        assert 'built without DDS security' in message, message
        assert 'rmw_fastrtps_cpp' in message, message
    else:
        # The DDS has security and refuses the fake certificates.
        assert "refused the enclave's security files" in message, message


@pytest.mark.parametrize('case, names', [
    ('no keystore variable', 'ROS_SECURITY_KEYSTORE is not set'),
    ('keystore missing', 'create_keystore'),
    ('enclave missing', 'create_enclave'),
    ('no enclave given', '--enclave ' + ENCLAVE),
], ids=lambda value: value.replace(' ', '-') if ' ' in value else None)
def test_missing_security_files_are_one_line_naming_the_fix(tmp_path, case, names):
    keystore = fake_keystore(tmp_path, domain=int(os.environ['ROS_DOMAIN_ID']))
    args = ['--enclave', ENCLAVE]
    env = _secured(keystore)
    if case == 'no keystore variable':
        env['ROS_SECURITY_KEYSTORE'] = ''
    elif case == 'keystore missing':
        env['ROS_SECURITY_KEYSTORE'] = str(tmp_path / 'no_keystore_here')
    elif case == 'enclave missing':
        args = ['--enclave', '/resnet_x5_ros/somebody_else']
    else:
        args = []
    node = start_node('/t_sec_' + case.replace(' ', '_'), *args, env=env)
    message = _refused(node)
    assert message.startswith('security: '), message
    assert names in message, message
