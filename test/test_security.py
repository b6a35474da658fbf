# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""security.check: every way an SROS2 set-up can be wrong ends in one line, before ROS starts.

The keystores here are FAKE: folders with the files rmw_dds_common looks for, and signed XML
stand-ins naming a domain id. What DDS security itself does with real ones is tested under a
security-capable ROS 2 (test_security_enforced.py, `make test-security`).
"""


import pytest

from resnet_x5_ros import security
from support.keystores import ENCLAVE, fake_keystore

ARGV = ['classifier_node', '--ros-args', '--enclave', ENCLAVE]


def env_for(keystore, strategy='Enforce', domain='42', **more):
    env = {'ROS_SECURITY_ENABLE': 'true', 'ROS_SECURITY_STRATEGY': strategy,
           'ROS_SECURITY_KEYSTORE': keystore, 'ROS_DOMAIN_ID': domain}
    env.update(more)
    return env


def test_security_off_is_not_checked():
    assert security.check({}, ARGV) is None
    assert security.check({'ROS_SECURITY_ENABLE': 'false'}, ARGV) is None
    assert not security.enabled({})


def test_a_keystore_made_for_this_domain_passes(tmp_path):
    keystore = fake_keystore(tmp_path)
    assert security.check(env_for(keystore), ARGV) is None
    assert security.enabled(env_for(keystore))


@pytest.mark.parametrize('case, expected', [
    ('ROS_SECURITY_ENABLE True', "ROS_SECURITY_ENABLE is 'True'"),
    ('strategy enforce', "ROS_SECURITY_STRATEGY is 'enforce'"),
    ('no keystore variable', 'ROS_SECURITY_KEYSTORE is not set'),
    ('keystore missing', 'is not a keystore (no enclaves/ folder): make one with: ros2 '
                         'security create_keystore'),
    ('no enclave argument', 'the node has no enclave (no --enclave given)'),
    ('enclave typo', 'enclave /resnet_x5_ros/clasifier (--enclave) is not in keystore'),
    ('enclave relative', "enclave 'resnet_x5_ros/classifier' (--enclave) must start with /"),
    ('enclave without key', 'lacks key.pem'),
    ('another domain', 'the governance of enclave /resnet_x5_ros/classifier is for '
                       'ROS_DOMAIN_ID 7, not 42'),
    ('domain too large', 'ROS_DOMAIN_ID 231 is above 230'),
    ('override names a missing enclave', 'enclave /elsewhere (ROS_SECURITY_ENCLAVE_OVERRIDE)'),
])
def test_each_mistake_is_one_line_naming_it(tmp_path, case, expected):
    keystore = fake_keystore(tmp_path / 'ks', domain=7 if case == 'another domain' else 42,
                             missing=('key.pem',) if case == 'enclave without key' else ())
    env, argv = env_for(keystore), list(ARGV)
    if case == 'ROS_SECURITY_ENABLE True':
        env['ROS_SECURITY_ENABLE'] = 'True'
    elif case == 'strategy enforce':
        env['ROS_SECURITY_STRATEGY'] = 'enforce'
    elif case == 'no keystore variable':
        del env['ROS_SECURITY_KEYSTORE']
    elif case == 'keystore missing':
        env['ROS_SECURITY_KEYSTORE'] = str(tmp_path / 'nowhere')
    elif case == 'no enclave argument':
        argv = ['classifier_node']
    elif case == 'enclave typo':
        argv[-1] = '/resnet_x5_ros/clasifier'
    elif case == 'enclave relative':
        argv[-1] = 'resnet_x5_ros/classifier'
    elif case == 'domain too large':
        env['ROS_DOMAIN_ID'] = '231'
    elif case == 'override names a missing enclave':
        env['ROS_SECURITY_ENCLAVE_OVERRIDE'] = '/elsewhere'
    with pytest.raises(security.SecurityError) as info:
        security.check(env, argv)
    text = str(info.value)
    assert expected in text, text
    assert '\n' not in text


def test_permissive_runs_without_security_and_says_so(tmp_path):
    # rcl starts a Permissive node without security when its files are missing.
    note = security.check(env_for(str(tmp_path), strategy='Permissive'), ARGV)
    assert note.startswith('ROS_SECURITY_STRATEGY is Permissive: the node runs WITHOUT '
                           'security: ROS_SECURITY_KEYSTORE')


def test_the_enclave_comes_from_the_override_then_the_last_argument():
    argv = ['x', '--ros-args', '-e', '/a', '--', '--enclave', '/not_ros', '--ros-args',
            '--enclave=/b']
    assert security.enclave_of({}, argv) == ('/b', '--enclave')
    assert security.enclave_of({'ROS_SECURITY_ENCLAVE_OVERRIDE': '/o'}, argv)[0] == '/o'
    assert security.enclave_of({}, ['x']) == ('/', 'no --enclave given')


def test_the_dds_errors_become_one_line():
    fast_dds = ("error creating node: This Fast DDS version doesn't have the security "
                'libraries Please compile Fast DDS using the -DSECURITY=ON CMake option')
    line = security.participant_error(fast_dds, 'rmw_fastrtps_cpp')
    assert line.startswith('security: this ROS 2 DDS (rmw_fastrtps_cpp) is built without DDS '
                           'security'), line
    line = security.participant_error('rmw_create_node: authentication failed', 'rmw_x')
    assert "refused the enclave's security files (rmw_create_node: authentication" in line
    line = security.endpoint_error('publisher', '/overlay', ENCLAVE)
    assert line.startswith('security: the permissions of enclave /resnet_x5_ros/classifier '
                           'do not allow publishing on /overlay')
