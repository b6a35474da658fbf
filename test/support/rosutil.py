# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Helpers for tests that talk to other processes over real DDS (on loopback)."""

import os
import subprocess
import sys
import time

from resnet_x5_ros.tools.node_process import stop_process
from support import REPO

# Development-only packages (dev/python: x5_simulator, resnet_x5_dev), for children as for
# this process (pytest.ini). Only Python packages live there: dev/ itself holds
# message-package folders (ai_msgs, ...) that would import as empty namespace packages.
DEV_PYTHON = os.path.join(REPO, 'dev', 'python')


# Search paths a sourced ROS install (setup.bash, /opt/tros/humble) sets up: a child given its
# own entries must keep the inherited ones too, or it cannot import rclpy or the messages.
SEARCH_PATH_VARIABLES = ('PYTHONPATH', 'LD_LIBRARY_PATH', 'AMENT_PREFIX_PATH')


def prepend_paths(entries, inherited):
    """Join entries (an os.pathsep string) in front of inherited ones, dropping empties."""
    # An empty PYTHONPATH entry would mean the current directory: never produce one.
    joined = [p for p in (entries or '').split(os.pathsep) + (inherited or '').split(os.pathsep)
              if p]
    return os.pathsep.join(joined)


def child_env(**extra):
    """Environment for a child process: the test run's domain, loopback DDS, field checks.

    PYTHONPATH: the repository and dev/python in front of the inherited entries. extra values
    replace inherited ones, except the SEARCH_PATH_VARIABLES: their entries are put in front
    of the search path.
    """
    env = dict(os.environ)
    for key in ('ROS_DOMAIN_ID', 'ROS_PYTHON_CHECK_FIELDS', 'ROS_HOME'):
        assert key in env, key + ' must be set by conftest before starting ROS processes'
    assert env.get('ROS_AUTOMATIC_DISCOVERY_RANGE') == 'LOCALHOST' or \
        env.get('ROS_LOCALHOST_ONLY') == '1', 'conftest keeps discovery on loopback'
    env['PYTHONPATH'] = prepend_paths(os.pathsep.join([REPO, DEV_PYTHON]),
                                      env.get('PYTHONPATH'))
    env['PYTHONUNBUFFERED'] = '1'
    for key, value in extra.items():
        if key in SEARCH_PATH_VARIABLES:
            env[key] = prepend_paths(str(value), env.get(key))
        else:
            env[key] = str(value)
    return env


def start_process(args, **env_extra):
    """Start a Python child (module or script args) with its output captured."""
    return subprocess.Popen([sys.executable] + list(args), cwd=REPO, env=child_env(**env_extra),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for_exit(proc, timeout=60.0):
    """Wait for a child that ends by itself; return (exit code, output).

    The timeout only bounds a failing test: a child still running then is stopped and the
    wait raises subprocess.TimeoutExpired.
    """
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        stop_process(proc)
    return proc.returncode, out


def spin_until(executor, predicate, timeout):
    """Spin until predicate() is true; returns whether it became true before the timeout.

    The timeout only bounds a failing test: the loop returns as soon as the event happens.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        executor.spin_once(timeout_sec=min(0.05, remaining))
    return True


class RosClient:
    """A test-side rclpy node with its own context, spun on demand from the test thread."""

    def __init__(self, name='test_client', namespace=''):
        import rclpy
        from rclpy.executors import SingleThreadedExecutor
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        self.node = rclpy.create_node(name, namespace=namespace, context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def spin_until(self, predicate, timeout=20.0):
        return spin_until(self.executor, predicate, timeout)

    def close(self):
        self.executor.shutdown()
        self.node.destroy_node()
        self.context.try_shutdown()

    def set_parameters(self, target_node, **values):
        """Set parameters through the node's set_parameters service, like `ros2 param set`.

        Returns the list of SetParametersResult.
        """
        from rcl_interfaces.srv import SetParameters
        from rclpy.parameter import Parameter
        client = self.node.create_client(SetParameters, target_node + '/set_parameters')
        try:
            assert self.spin_until(client.service_is_ready, 20.0), 'no parameter service'
            request = SetParameters.Request(parameters=[
                Parameter(k, value=v).to_parameter_msg() for k, v in values.items()])
            future = client.call_async(request)
            assert self.spin_until(future.done, 20.0), 'set_parameters did not answer'
            return future.result().results
        finally:
            self.node.destroy_client(client)
