# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The shipped SROS2 policies name exactly what the node creates, for every input and output.

The node runs here without security (the dev environment's Fast DDS has none) in each
input/output choice; what it publishes, subscribes and serves (read through the ROS graph,
as `ros2 node info` does) must be in security/classifier.policy.xml, resolved for namespace
/ and node classifier, and everything the policy allows must be used by one of the choices.
"""

import importlib.util
import os
import xml.etree.ElementTree as ElementTree

import pytest

from support import REPO
from support.nodes import CPU_MODEL, node_running
from support.rosutil import RosClient

pytestmark = pytest.mark.ros

POLICIES = os.path.join(REPO, 'security')
# (parameters, remaps, the TROS message package the choice needs or None): every input and
# output the node can have.
CHOICES = [
    ({}, {}, None),
    ({'compressed': True}, {}, None),
    ({'io_method': 'shared_mem'}, {}, 'hbm_img_msgs'),
    ({'perception_topic': 'hobot_dnn_detection'}, {}, 'ai_msgs'),
    ({'use_sim_time': True}, {}, None),
    # The launch files' remaps of the input.
    ({}, {'image': '/image_raw'}, None),
    ({'compressed': True}, {'image': '/image_raw'}, None),
]
# What only those choices use, in the policy: unchecked where the package is missing (a ROS 2
# without TROS or its stand-ins), where the node refuses the choice at start-up.
TROS_NAMES = {'hbm_img_msgs': {'/hbmem_img'}, 'ai_msgs': {'/hobot_dnn_detection'}}


def _resolve(name, node='classifier'):
    if name.startswith('~/'):
        return '/{}/{}'.format(node, name[2:])
    return name if name.startswith('/') else '/' + name


def policy_names(path, enclave):
    """{(kind, direction): set of resolved names} ALLOWed in enclave's profile."""
    root = ElementTree.parse(path).getroot()
    [profile] = root.findall("enclaves/enclave[@path='{}']/profiles/profile".format(enclave))
    assert (profile.get('ns'), profile.get('node')) == ('/', enclave.rsplit('/', 1)[1]) or \
        enclave.endswith('reader')
    allowed = {}
    for group in profile:
        kind = group.tag[:-1]  # topic / service
        for direction, verdict in group.attrib.items():
            if verdict == 'ALLOW':
                allowed.setdefault((kind, direction), set()).update(
                    _resolve(e.text.strip(), profile.get('node')) for e in group)
    return allowed


def _endpoints(client):
    node = client.node
    return {('topic', 'subscribe'): {t for t, _ in node.get_subscriber_names_and_types_by_node(
                'classifier', '/')},
            ('topic', 'publish'): {t for t, _ in node.get_publisher_names_and_types_by_node(
                'classifier', '/')},
            ('service', 'reply'): {s for s, _ in node.get_service_names_and_types_by_node(
                'classifier', '/')}}


def _settled(client, choice):
    """Spin until the node's endpoints are known and the same on two reads in a row."""
    seen = []

    def stable():
        if ('classifier', '/') not in client.node.get_node_names_and_namespaces():
            return False
        now = _endpoints(client)
        seen.append(now)
        return (len(seen) > 1 and seen[-2] == now and '/diagnostics' in
                now[('topic', 'publish')] and now[('topic', 'subscribe')] and
                len(now[('service', 'reply')]) >= 6)

    assert client.spin_until(stable, 60.0), (choice, seen[-1:])
    return seen[-1]


@pytest.mark.skipif(not os.path.exists(CPU_MODEL), reason='run `make model` first')
def test_the_node_policy_names_exactly_what_the_node_creates():
    allowed = policy_names(os.path.join(POLICIES, 'classifier.policy.xml'),
                           '/resnet_x5_ros/classifier')
    used = {}
    unchecked = set()
    client = RosClient('policy_probe')
    try:
        for parameters, remaps, package in CHOICES:
            if package and importlib.util.find_spec(package) is None:
                unchecked |= TROS_NAMES[package]
                continue
            parameters = dict(parameters, backend='cpu', qos_reliability='reliable')
            with node_running('/', parameters=parameters, remaps=remaps, params_file=None):
                endpoints = _settled(client, (parameters, remaps))
            # The next choice's node has the same name: wait until this one left the graph.
            assert client.spin_until(lambda: ('classifier', '/') not in
                                     client.node.get_node_names_and_namespaces(), 30.0)
            for key, names in endpoints.items():
                outside = names - allowed.get(key, set())
                assert not outside, '{} {} not in the policy ({}, {})'.format(
                    key, sorted(outside), parameters, remaps)
                used.setdefault(key, set()).update(names)
    finally:
        client.close()
    for key, names in allowed.items():
        # ~/get_type_description: Jazzy and later serve it, Humble does not.
        unused = names - used.get(key, set()) - {'/classifier/get_type_description'} - unchecked
        assert not unused, 'the policy allows {} {} that no choice uses'.format(key, unused)


def test_the_reader_policy_may_only_read_results():
    allowed = policy_names(os.path.join(POLICIES, 'reader.policy.xml'), '/resnet_x5_ros/reader')
    assert allowed[('topic', 'subscribe')] == {'/classification', '/label_info', '/diagnostics'}
    # What every node must publish to exist at all, nothing else.
    assert allowed[('topic', 'publish')] == {'/rosout', '/parameter_events'}
    assert ('service', 'request') not in allowed, 'no service calls, no parameters'
    root = ElementTree.parse(os.path.join(POLICIES, 'reader.policy.xml')).getroot()
    denied = {e.text.strip() for g in root.iter('topics') if g.get('publish') == 'DENY'
              for e in g}
    assert {'image', 'image/compressed', 'hbmem_img', '/image_raw'} <= denied
    # CycloneDDS matches a topic's creation against the first rule naming it in any
    # direction: a topic the reader subscribes must never be named in a DENY rule.
    assert not denied & {'classification', 'label_info', '/diagnostics'}
