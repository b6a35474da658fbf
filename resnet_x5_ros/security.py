# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The node's SROS2 set-up, checked before ROS starts: one line for each way it can be wrong.

With ROS_SECURITY_ENABLE=true, rcl and the DDS fail late and obscurely on a missing keystore
or enclave ("error not set", "rcl node's rmw handle is invalid", a traceback), and silently
run WITHOUT security on some mistakes (ROS_SECURITY_ENABLE=True, a strategy spelled other
than Enforce with files missing). check() reads the environment, the node's arguments and the
keystore the way rcl (rcl/src/rcl/security.c) and rmw_dds_common (security files) will, and
names what to fix. No ROS imports: it runs before rclpy.init.
"""

import os
import re

# What rmw_dds_common requires in an enclave folder (crl.pem is optional).
ENCLAVE_FILES = ('identity_ca.cert.pem', 'cert.pem', 'key.pem', 'permissions_ca.cert.pem',
                 'governance.p7s', 'permissions.p7s')
# The DDS Security specification's domain ids (its governance schema): 0..230.
MAX_DOMAIN_ID = 230
DEFAULT_ENCLAVE = '/resnet_x5_ros/classifier'
# Where the shipped policy is, for the hints (colcon install / apt layout).
POLICY = '$(ros2 pkg prefix resnet_x5_ros)/share/resnet_x5_ros/security/classifier.policy.xml'
HOW_TO = 'docs/security.md'


class SecurityError(Exception):
    """The SROS2 set-up cannot work; str() is the one line the node prints (exit code 2)."""


def enabled(env=None):
    """Whether rcl will switch security on: ROS_SECURITY_ENABLE is exactly 'true'."""
    env = os.environ if env is None else env
    return env.get('ROS_SECURITY_ENABLE', '') == 'true'


def enclave_argument(argv):
    """Return the last --enclave/-e value inside argv's --ros-args sections, or None."""
    inside, value = False, None
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == '--ros-args':
            inside = True
        elif arg == '--' and inside:
            inside = False
        elif inside and arg in ('--enclave', '-e') and i + 1 < len(args):
            value = args[i + 1]
        elif inside and arg.startswith('--enclave='):
            value = arg.split('=', 1)[1]
    return value


def enclave_of(env, argv):
    """Return (the enclave the node will use, where that comes from)."""
    override = env.get('ROS_SECURITY_ENCLAVE_OVERRIDE', '')
    if override:
        return override, 'ROS_SECURITY_ENCLAVE_OVERRIDE'
    given = enclave_argument(argv)
    if given:
        return given, '--enclave'
    return '/', 'no --enclave given'


def check(env, argv):
    """Check the SROS2 set-up; return None or a warning to log; raise SecurityError.

    env: the environment (os.environ); argv: the node's command line.
    """
    flag = env.get('ROS_SECURITY_ENABLE', '')
    if flag != 'true':
        if flag.strip().lower() in ('true', '1', 'yes', 'on'):
            raise SecurityError(
                'ROS_SECURITY_ENABLE is {!r}: ROS 2 switches security on only for exactly '
                "'true', so the node would run without it; set it to true, or unset it"
                .format(flag))
        return None
    strategy = env.get('ROS_SECURITY_STRATEGY', '')
    if strategy not in ('Enforce', 'Permissive', ''):
        raise SecurityError(
            'ROS_SECURITY_STRATEGY is {!r}: it must be Enforce or Permissive (ROS 2 takes '
            'anything but exactly Enforce as Permissive, which starts without security when '
            'files are missing)'.format(strategy))
    try:
        _check_keystore(env, argv)
    except SecurityError as exc:
        if strategy == 'Enforce':
            raise
        return 'ROS_SECURITY_STRATEGY is Permissive: the node runs WITHOUT security: {}'.format(
            exc)
    return None


def _check_keystore(env, argv):
    keystore = env.get('ROS_SECURITY_KEYSTORE', '')
    enclave, source = enclave_of(env, argv)
    if not keystore:
        raise SecurityError(
            'ROS_SECURITY_ENABLE=true but ROS_SECURITY_KEYSTORE is not set: point it at a '
            'keystore (make one with: ros2 security create_keystore DIR; see {})'.format(HOW_TO))
    if not enclave.startswith('/'):
        raise SecurityError('enclave {!r} ({}) must start with /, e.g. {}'.format(
            enclave, source, DEFAULT_ENCLAVE))
    if not os.path.isdir(os.path.join(keystore, 'enclaves')):
        raise SecurityError(
            'ROS_SECURITY_KEYSTORE {} is not a keystore (no enclaves/ folder): make one with: '
            'ros2 security create_keystore {}'.format(keystore, keystore))
    if enclave == '/':
        raise SecurityError(
            'security is on but the node has no enclave ({}): start it with --ros-args '
            '--enclave {} (launch argument enclave:={})'.format(
                source, DEFAULT_ENCLAVE, DEFAULT_ENCLAVE))
    folder = os.path.join(keystore, 'enclaves', enclave.lstrip('/'))
    if not os.path.isdir(folder):
        raise SecurityError(
            'enclave {} ({}) is not in keystore {}: make it with: ros2 security create_enclave '
            '{} {} && ros2 security create_permission {} {} {}'.format(
                enclave, source, keystore, keystore, enclave, keystore, enclave, POLICY))
    missing = [f for f in ENCLAVE_FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        raise SecurityError('enclave {} in {} lacks {}: make it again with: ros2 security '
                            'create_enclave {} {}'.format(enclave, keystore, ', '.join(missing),
                                                          keystore, enclave))
    domain = _domain_id(env)
    if domain > MAX_DOMAIN_ID:
        raise SecurityError('ROS_DOMAIN_ID {} is above {}, the largest DDS security allows'
                            .format(domain, MAX_DOMAIN_ID))
    for name in ('governance.p7s', 'permissions.p7s'):
        named = domains_named(os.path.join(folder, name))
        if not any(low <= domain <= high for low, high in named):
            raise SecurityError(
                'the {} of enclave {} is for ROS_DOMAIN_ID {}, not {}: make the keystore and '
                'its enclaves with ROS_DOMAIN_ID={} set'.format(
                    name.split('.')[0], enclave,
                    ', '.join(str(a) if a == b else '{}..{}'.format(a, b)
                              for a, b in named) or '(none)', domain, domain))


def _domain_id(env):
    text = env.get('ROS_DOMAIN_ID', '').strip()
    try:
        return int(text) if text else 0
    except ValueError:
        raise SecurityError('ROS_DOMAIN_ID {!r} is not a number'.format(text)) from None


def domains_named(signed_xml_path):
    """Return the (low, high) domain id ranges a signed governance/permissions file names."""
    with open(signed_xml_path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    named = [(int(v), int(v)) for v in re.findall(r'<id>\s*(\d+)\s*</id>', text)]
    named += [(int(a), int(b)) for a, b in re.findall(
        r'<id_range>\s*<min>\s*(\d+)\s*</min>\s*<max>\s*(\d+)\s*</max>\s*</id_range>', text)]
    return named


def participant_error(text, rmw):
    """Return the one line for the DDS refusing the node's participant under security.

    text: rcl's reason; rmw: the RMW implementation's identifier, e.g. rmw_fastrtps_cpp.
    """
    if "doesn't have the security libraries" in text:
        return ('security: this ROS 2 DDS ({}) is built without DDS security, so '
                'ROS_SECURITY_ENABLE=true cannot work here (see {}: which DDS has it)'.format(
                    rmw, HOW_TO))
    return ("security: the DDS refused the enclave's security files ({}): check that the "
            'keystore was made with this ROS_DOMAIN_ID and that the enclave and its '
            'permissions come from the same keystore'.format(text))


def endpoint_error(kind, topic, enclave):
    """Return the one line for a publisher or subscription the enclave's permissions refuse."""
    return ('security: the permissions of enclave {} do not allow {} {}: add it to the policy '
            'and run ros2 security create_permission again (see {})'.format(
                enclave, 'publishing on' if kind == 'publisher' else 'subscribing to', topic,
                HOW_TO))
