# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A classifier_node in a process of its own, started and stopped as users do. No ROS here.

    with NodeProcess(params_file, namespace='/bench', parameters={'top_k': 3}) as node:
        ...                                  # talk to it over DDS
    code, output = node.stop()               # SIGINT, as Ctrl-C and ros2 launch do

The one way the tools (bench node, soak, shared_mem; the dev demo) and the tests start a
node: the installed `classifier_node` executable when it is on PATH (what `ros2 run` runs),
else `python -m resnet_x5_ros.node`. stop() sends SIGINT and kills the process if it has not
ended within the timeout.
"""

import os
import shutil
import signal
import subprocess
import sys

from resnet_x5_ros.params import yaml_text

EXECUTABLE = 'classifier_node'
MODULE = 'resnet_x5_ros.node'
# Output: left to the caller's terminal, kept to be read at stop(), dropped, or a log file.
INHERIT, CAPTURE, DISCARD = 'inherit', 'capture', 'discard'


def node_command(params_file=None, *, namespace=None, remaps=None, parameters=None,
                 ros_args=(), executable=None):
    """Return the argv that starts the node with these ROS arguments.

    remaps: {from: to}; parameters: {name: value} (written as -p name:=value, as YAML reads
    it); ros_args: more arguments for --ros-args. executable: the argv prefix (default: the
    installed classifier_node, or this Python running the module).
    """
    if executable is None:
        executable = installed_or_module(EXECUTABLE, MODULE)
    cmd = list(executable) + ['--ros-args']
    if params_file:
        cmd += ['--params-file', os.fspath(params_file)]
    if namespace:
        cmd += ['-r', '__ns:=' + namespace]
    for source, target in (remaps or {}).items():
        cmd += ['-r', '{}:={}'.format(source, target)]
    for name, value in (parameters or {}).items():
        cmd += ['-p', '{}:={}'.format(name, yaml_text(value))]
    return cmd + list(ros_args)


def installed_or_module(name, module):
    """Return the argv prefix of console tool name: installed on PATH, else python -m module."""
    found = shutil.which(name)
    return [found] if found else [sys.executable, '-m', module]


def stop_process(process, sig=signal.SIGINT, timeout=10.0):
    """Signal a child (sig None: none) and wait for it; kill it after timeout.

    Return (exit code, captured output).
    """
    if sig is not None and process.poll() is None:
        process.send_signal(sig)
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return process.returncode, out


class NodeProcess:
    """A running classifier_node child; see the module docstring.

    output: INHERIT, CAPTURE (read by stop() or finished()), DISCARD, or a path to log to.
    env: the child's environment (default: this process's). The other arguments go to
    node_command().
    """

    def __init__(self, params_file=None, *, output=CAPTURE, env=None, cwd=None, **command):
        self.command = node_command(params_file, **command)
        self.log_path = None
        log = None
        if output == CAPTURE:
            stdout = subprocess.PIPE
        elif output == DISCARD:
            stdout = subprocess.DEVNULL
        elif output == INHERIT:
            stdout = None
        else:
            self.log_path = os.fspath(output)
            stdout = log = open(self.log_path, 'w', encoding='utf-8')
        try:
            self.process = subprocess.Popen(
                self.command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout,
                stderr=None if output == INHERIT else subprocess.STDOUT, text=True)
        finally:
            if log is not None:
                log.close()  # the child has its own copy

    @property
    def pid(self):
        return self.process.pid

    def poll(self):
        """Return the exit code, or None while the node runs."""
        return self.process.poll()

    def stop(self, sig=signal.SIGINT, timeout=10.0):
        """Signal the node (Ctrl-C by default), wait for it; return (exit code, output)."""
        return stop_process(self.process, sig, timeout)

    def finished(self, timeout=60.0):
        """Wait for a node that ends by itself (a refused start-up); (exit code, output)."""
        return stop_process(self.process, None, timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
        return False
