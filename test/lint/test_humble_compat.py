# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Static check: the node's code must run on the board (ROS 2 Humble, Python 3.10, numpy 1.21).

Development machines run rclpy from Jazzy, Python 3.11 and numpy 2, so code can pass every
test here and still fail on the board. This reads every Python file of the package and of
launch/ with `ast` (nothing is imported) and fails on:

* rclpy APIs that Humble does not have (Humble's rclpy is 3.x: its humble branch,
  https://github.com/ros2/rclpy/tree/humble, API reference
  https://docs.ros.org/en/humble/p/rclpy/; the modules below are also absent from the
  Humble that `make test-humble` runs): `with rclpy.init()`, nodes and publishers as context
  managers, pre/post set-parameters callbacks, BEST_AVAILABLE QoS, create_timer(autostart=),
  callbacks taking MessageInfo/TimerInfo, content filters, the modules rclpy.event_handler,
  clock_type, parameter_client, parameter_event_handler, experimental and type_hash; and
  logger.warn() (deprecated in Humble's own rcutils_logger in favour of warning());
* syntax newer than Python 3.10 (parsed with feature_version=(3, 10), plus explicit checks for
  match statements, except*, PEP 695 type parameters and `type` aliases), and, when a
  Python 3.10 interpreter is at hand, its own compile() of every file;
* Python 3.11+ standard library names (tomllib, ExceptionGroup, typing.Self, enum.StrEnum,
  datetime.UTC, ...) and numpy 2-only names (np.concat, np.astype, np.trapezoid, ...).

The checker itself is tested on small snippets, so a check that silently stopped matching
would fail too.
"""

import ast
import glob
import os
import shutil
import subprocess

import pytest

from support import REPO

SCANNED = ('resnet_x5_ros', 'launch')
PYENV_310 = '/root/.pyenv/versions/3.10.13/bin/python'

# Modules Humble's rclpy does not have (rclpy.qos_event is Humble's name for event_handler).
MISSING_MODULES = ('rclpy.event_handler', 'rclpy.clock_type', 'rclpy.parameter_client',
                   'rclpy.parameter_event_handler', 'rclpy.experimental', 'rclpy.type_hash')
# Names that only exist in newer rclpy; any use (attribute, import, bare name) is flagged.
MISSING_NAMES = {
    'add_pre_set_parameters_callback': 'pre-set parameter callbacks are Iron+',
    'add_post_set_parameters_callback': 'post-set parameter callbacks are Iron+',
    'BEST_AVAILABLE': 'QoS BEST_AVAILABLE is Iron+',
    'qos_profile_best_available': 'QoS BEST_AVAILABLE is Iron+',
    'MessageInfo': 'callbacks taking MessageInfo are Iron+',
    'TimerInfo': 'callbacks taking TimerInfo are Jazzy+',
    'ContentFilterOptions': 'content filtered topics are Iron+ in rclpy',
    'TypeHash': 'type hashes are Iron+',
    'get_type_hash': 'type hashes are Iron+',
    'type_hash': 'type hashes are Iron+',
}
# Keywords that only newer rclpy functions take: call-name -> keyword.
MISSING_KEYWORDS = {
    ('create_timer', 'autostart'): 'create_timer(autostart=) is Jazzy+',
    ('Timer', 'autostart'): 'Timer(autostart=) is Jazzy+',
    ('create_subscription', 'content_filter_options'): 'content filters are Iron+ in rclpy',
}
# Calls that return something usable as a context manager only in newer rclpy.
CONTEXT_MANAGER_CALLS = ('init', 'create_node', 'Node', 'create_publisher',
                         'create_subscription', 'create_client', 'create_service',
                         'create_timer', 'create_guard_condition', 'create_rate')

# Python 3.11+ standard library.
NEW_STDLIB_MODULES = {'tomllib': '3.11', 'wsgiref.types': '3.11'}
NEW_STDLIB_NAMES = {'ExceptionGroup': '3.11', 'BaseExceptionGroup': '3.11',
                    'aiter_sync': '3.13'}
NEW_STDLIB_ATTRS = {
    'typing': {'Self': '3.11', 'LiteralString': '3.11', 'Never': '3.11',
               'assert_never': '3.11', 'assert_type': '3.11', 'reveal_type': '3.11',
               'TypeVarTuple': '3.11', 'Unpack': '3.11', 'Required': '3.11',
               'NotRequired': '3.11', 'dataclass_transform': '3.11', 'override': '3.12',
               'TypeAliasType': '3.12', 'get_overloads': '3.11', 'clear_overloads': '3.11',
               'ReadOnly': '3.13', 'TypeIs': '3.13'},
    'enum': {'StrEnum': '3.11', 'ReprEnum': '3.11', 'EnumCheck': '3.11', 'verify': '3.11',
             'member': '3.11', 'nonmember': '3.11', 'global_enum': '3.11',
             'show_flag_values': '3.11', 'FlagBoundary': '3.11', 'property': '3.11'},
    'datetime': {'UTC': '3.11'},
    'asyncio': {'TaskGroup': '3.11', 'timeout': '3.11', 'timeout_at': '3.11',
                'Runner': '3.11', 'Barrier': '3.11'},
    'contextlib': {'chdir': '3.11'},
    'hashlib': {'file_digest': '3.11'},
    'operator': {'call': '3.11'},
    'math': {'cbrt': '3.11', 'exp2': '3.11', 'sumprod': '3.12'},
    'itertools': {'batched': '3.12'},
    'logging': {'getLevelNamesMapping': '3.11', 'getHandlerByName': '3.12'},
    'sys': {'exception': '3.11', 'monitoring': '3.12'},
    're': {'NOFLAG': '3.11'},
    'inspect': {'getmembers_static': '3.11', 'markcoroutinefunction': '3.12'},
    'os': {'process_cpu_count': '3.13'},
    'shutil': {},
}
# numpy names that numpy 1.21 (Ubuntu 22.04) does not have, or has with another meaning.
NUMPY_2_ONLY = {
    'concat', 'permute_dims', 'matrix_transpose', 'astype', 'isdtype', 'unique_values',
    'unique_counts', 'unique_inverse', 'unique_all', 'vecdot', 'cumulative_sum',
    'cumulative_prod', 'unstack', 'trapezoid', 'pow', 'acos', 'asin', 'atan', 'acosh',
    'asinh', 'atanh', 'atan2', 'bitwise_left_shift', 'bitwise_right_shift', 'bitwise_invert',
    'long', 'ulong', 'exceptions', 'dtypes', 'bool', 'vecmat', 'matvec', 'linalg.vector_norm',
    'linalg.matrix_norm', 'linalg.vecdot', 'linalg.outer', 'linalg.svdvals',
    'linalg.diagonal', 'linalg.trace', 'linalg.cross', 'linalg.matrix_transpose',
}
# Keywords numpy 1.21 does not accept: function -> keyword.
NUMPY_NEW_KEYWORDS = {('percentile', 'method'): '1.22', ('quantile', 'method'): '1.22',
                      ('nanpercentile', 'method'): '1.22', ('nanquantile', 'method'): '1.22',
                      ('asarray', 'copy'): '2.0', ('reshape', 'copy'): '2.1',
                      ('unique', 'equal_nan'): '1.24', ('sort', 'stable'): '2.0'}


def _dotted(node):
    """'a.b.c' for Name/Attribute chains, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return '.'.join(reversed(parts))
    return None


def _call_name(call):
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _positional_params(func, skip_self):
    args = func.args.posonlyargs + func.args.args
    if skip_self and args and args[0].arg in ('self', 'cls'):
        args = args[1:]
    return len(args) + (1 if func.args.vararg else 0)


class _Checker(ast.NodeVisitor):
    """Collects (line, message) problems of one module."""

    def __init__(self, tree):
        self.problems = []
        self.aliases = {}  # local name -> module or module.attr it stands for
        self.methods = {}  # method name -> FunctionDef (any class in the module)
        self.node_classes = {'Node'}
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.methods.setdefault(item.name, item)
                if any(_dotted(b) in ('Node', 'rclpy.node.Node') for b in node.bases):
                    self.node_classes.add(node.name)
        self.functions = {n.name: n for n in tree.body
                          if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def flag(self, node, message):
        self.problems.append((getattr(node, 'lineno', 0), message))

    # -- imports ---------------------------------------------------------------------------

    def _check_module(self, node, module):
        for missing in MISSING_MODULES:
            if module == missing or module.startswith(missing + '.'):
                self.flag(node, '{} does not exist in Humble'.format(module))
        if module in NEW_STDLIB_MODULES:
            self.flag(node, '{} is Python {}+'.format(module, NEW_STDLIB_MODULES[module]))

    def visit_Import(self, node):
        for alias in node.names:
            self._check_module(node, alias.name)
            self.aliases[alias.asname or alias.name.split('.')[0]] = \
                alias.name if alias.asname else alias.name.split('.')[0]
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        module = node.module or ''
        self._check_module(node, module)
        for alias in node.names:
            full = module + '.' + alias.name if module else alias.name
            self._check_module(node, full)
            self._check_name(node, alias.name)
            attrs = NEW_STDLIB_ATTRS.get(module, {})
            if alias.name in attrs:
                self.flag(node, '{}.{} is Python {}+'.format(module, alias.name,
                                                             attrs[alias.name]))
            if module == 'numpy' and alias.name in NUMPY_2_ONLY:
                self.flag(node, 'numpy.{} does not exist in numpy 1.21'.format(alias.name))
            self.aliases[alias.asname or alias.name] = full
        self.generic_visit(node)

    # -- names and attributes ----------------------------------------------------------------

    def _check_name(self, node, name):
        if name in MISSING_NAMES:
            self.flag(node, '{}: {}'.format(name, MISSING_NAMES[name]))
        if name in NEW_STDLIB_NAMES:
            self.flag(node, '{} is Python {}+'.format(name, NEW_STDLIB_NAMES[name]))

    def visit_Name(self, node):
        self._check_name(node, node.id)
        self.generic_visit(node)

    def visit_Attribute(self, node):
        self._check_name(node, node.attr)
        dotted = _dotted(node)
        if dotted:
            head, _, rest = dotted.partition('.')
            full = self.aliases.get(head, head) + ('.' + rest if rest else '')
            self._check_module(node, full)
            module, _, attr = full.rpartition('.')
            if attr in NEW_STDLIB_ATTRS.get(module, {}):
                self.flag(node, '{} is Python {}+'.format(
                    full, NEW_STDLIB_ATTRS[module][attr]))
            if full.startswith('numpy.'):
                name = full[len('numpy.'):]
                if name in NUMPY_2_ONLY:
                    self.flag(node, '{} does not exist in numpy 1.21'.format(full))
        # Only descend into the value: the chain is checked once, from its outermost node.
        if not isinstance(node.value, ast.Attribute):
            self.generic_visit(node)
        else:
            self.visit(node.value)

    def visit_keyword(self, node):
        if node.arg == 'content_filter_options':
            self.flag(node, 'content_filter_options: content filters are Iron+ in rclpy')
        self.generic_visit(node)

    # -- calls -------------------------------------------------------------------------------

    def visit_Call(self, node):
        name = _call_name(node)
        for kw in node.keywords:
            message = MISSING_KEYWORDS.get((name, kw.arg))
            if message:
                self.flag(node, message)
        target = _dotted(node.func) or ''
        head, _, rest = target.partition('.')
        full = self.aliases.get(head, head) + ('.' + rest if rest else '')
        if full.startswith('numpy.') or isinstance(node.func, ast.Attribute):
            for kw in node.keywords:
                since = NUMPY_NEW_KEYWORDS.get((name, kw.arg))
                if since and (full.startswith('numpy.') or name in ('percentile', 'quantile')):
                    self.flag(node, '{}({}=) needs numpy {}'.format(name, kw.arg, since))
        if name == 'warn' and isinstance(node.func, ast.Attribute) and \
                _dotted(node.func.value) != 'warnings':
            self.flag(node, 'logger.warn() is deprecated/removed: use logger.warning()')
        if name == 'create_subscription':
            callback = node.args[2] if len(node.args) > 2 else next(
                (k.value for k in node.keywords if k.arg == 'callback'), None)
            self._check_callback(node, callback, 1, 'subscription callback taking '
                                 'MessageInfo (a second parameter) is Iron+')
        if name == 'create_timer':
            callback = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == 'callback'), None)
            self._check_callback(node, callback, 0, 'timer callback taking TimerInfo '
                                 '(a parameter) is Jazzy+')
        self.generic_visit(node)

    def _check_callback(self, call, callback, allowed, message):
        if callback is None:
            return
        if isinstance(callback, ast.Lambda):
            count = _positional_params(callback, skip_self=False)
        elif isinstance(callback, ast.Attribute) and callback.attr in self.methods:
            count = _positional_params(self.methods[callback.attr], skip_self=True)
        elif isinstance(callback, ast.Name) and callback.id in self.functions:
            count = _positional_params(self.functions[callback.id], skip_self=False)
        else:
            return
        if count > allowed:
            self.flag(call, message)

    # -- context managers and new syntax -------------------------------------------------

    def _check_with(self, node):
        for item in node.items:
            expr = item.context_expr
            if isinstance(expr, ast.Call):
                name = _call_name(expr)
                if name in CONTEXT_MANAGER_CALLS or name in self.node_classes:
                    self.flag(node, '`with {}(...)`: rclpy objects are context managers only '
                                    'after Humble'.format(name))
        self.generic_visit(node)

    visit_With = _check_with
    visit_AsyncWith = _check_with

    def visit_Match(self, node):
        self.flag(node, 'match statement: not allowed (project rule: no match)')
        self.generic_visit(node)

    def visit_TryStar(self, node):
        self.flag(node, 'except* is Python 3.11+')
        self.generic_visit(node)

    def visit_TypeAlias(self, node):
        self.flag(node, '`type` alias statement is Python 3.12+')
        self.generic_visit(node)

    def _check_type_params(self, node):
        if getattr(node, 'type_params', None):
            self.flag(node, 'PEP 695 type parameters are Python 3.12+')
        self.generic_visit(node)

    visit_FunctionDef = _check_type_params
    visit_AsyncFunctionDef = _check_type_params
    visit_ClassDef = _check_type_params


def check_source(source, filename='<snippet>'):
    """Return a list of 'file:line: problem' strings for one module's source."""
    problems = []
    try:
        ast.parse(source, filename, feature_version=(3, 10))
    except SyntaxError as exc:
        problems.append('{}:{}: not Python 3.10 syntax: {}'.format(filename, exc.lineno,
                                                                   exc.msg))
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as exc:
        return problems or ['{}:{}: syntax error: {}'.format(filename, exc.lineno, exc.msg)]
    checker = _Checker(tree)
    checker.visit(tree)
    problems += ['{}:{}: {}'.format(filename, line, msg)
                 for line, msg in sorted(set(checker.problems))]
    return problems


def node_code_files():
    files = []
    for folder in SCANNED:
        files += glob.glob(os.path.join(REPO, folder, '**', '*.py'), recursive=True)
    return sorted(files)


def test_there_is_node_code_to_check():
    names = [os.path.relpath(f, REPO) for f in node_code_files()]
    assert os.path.join('resnet_x5_ros', 'node.py') in names
    assert os.path.join('launch', 'classify.launch.py') in names


def test_node_code_uses_only_humble_rclpy_and_python_310():
    problems = []
    for path in node_code_files():
        with open(path, encoding='utf-8') as f:
            problems += check_source(f.read(), os.path.relpath(path, REPO))
    assert not problems, '\n'.join(problems)


def _python310():
    """A working Python 3.10 interpreter, or None (pyenv shims may exist but not work)."""
    for candidate in (os.environ.get('PYTHON310'), PYENV_310, shutil.which('python3.10')):
        if not candidate or not os.path.exists(candidate):
            continue
        try:
            version = subprocess.run([candidate, '-I', '-c', 'import sys; print(sys.version)'],
                                     capture_output=True, text=True, timeout=60).stdout
        except OSError:
            continue
        if version.startswith('3.10.'):
            return candidate
    return None


def test_node_code_compiles_with_a_real_python_310():
    python = _python310()
    if python is None:
        pytest.skip('no Python 3.10 interpreter (set PYTHON310, or install pyenv 3.10.13)')
    script = ('import sys\n'
              'bad = []\n'
              'for path in sys.argv[1:]:\n'
              '    try:\n'
              '        compile(open(path, encoding="utf-8").read(), path, "exec")\n'
              '    except SyntaxError as exc:\n'
              '        bad.append("%s:%s: %s" % (path, exc.lineno, exc.msg))\n'
              'print("\\n".join(bad))\n'
              'sys.exit(1 if bad else 0)\n')
    result = subprocess.run([python, '-I', '-c', script] + node_code_files(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# ---- the checker flags what it must, and only that ------------------------------------------

BAD_SNIPPETS = {
    'init as context manager': 'import rclpy\nwith rclpy.init():\n    pass\n',
    'node as context manager': 'import rclpy\nwith rclpy.create_node("n") as n:\n    pass\n',
    'subclass as context manager': ('from rclpy.node import Node\nclass C(Node):\n    pass\n'
                                    'with C() as c:\n    pass\n'),
    'publisher as context manager': 'with node.create_publisher(T, "t", 1) as p:\n    pass\n',
    'pre-set callback': 'node.add_pre_set_parameters_callback(f)\n',
    'post-set callback': 'node.add_post_set_parameters_callback(f)\n',
    'best available': ('from rclpy.qos import ReliabilityPolicy\n'
                       'r = ReliabilityPolicy.BEST_AVAILABLE\n'),
    'timer autostart': 'node.create_timer(1.0, f, autostart=False)\n',
    'subscription lambda with info': 'node.create_subscription(T, "t", lambda m, i: 0, 1)\n',
    'subscription method with info': ('class N:\n    def cb(self, msg, info):\n        pass\n'
                                      '    def go(self):\n'
                                      '        self.create_subscription(T, "t", self.cb, 1)\n'),
    'timer callback with info': ('def tick(info):\n    pass\n'
                                 'node.create_timer(1.0, tick)\n'),
    'message info import': 'from rclpy.type_support import MessageInfo\n',
    'content filter': 'node.create_subscription(T, "t", f, 1, content_filter_options=o)\n',
    'event_handler module': 'from rclpy.event_handler import SubscriptionEventCallbacks\n',
    'clock_type module': 'import rclpy.clock_type\n',
    'parameter_client module': 'from rclpy.parameter_client import AsyncParameterClient\n',
    'parameter_event_handler': 'from rclpy import parameter_event_handler\n',
    'experimental': 'from rclpy.experimental import EventsExecutor\n',
    'type hash': 'from rclpy.type_hash import TypeHash\n',
    'logger warn': 'node.get_logger().warn("x")\n',
    'match': 'match x:\n    case 1:\n        pass\n',
    'except star': 'try:\n    pass\nexcept* ValueError:\n    pass\n',
    'type params': 'def f[T](x: T) -> T:\n    return x\n',
    'type alias': 'type Point = tuple[int, int]\n',
    'tomllib': 'import tomllib\n',
    'exception group': 'raise ExceptionGroup("x", [ValueError()])\n',
    'typing self': 'from typing import Self\n',
    'enum strenum': 'import enum\nclass E(enum.StrEnum):\n    A = "a"\n',
    'datetime utc': 'import datetime\nnow = datetime.datetime.now(datetime.UTC)\n',
    'numpy concat': 'import numpy as np\nx = np.concat([a, b])\n',
    'numpy astype': 'import numpy as np\nx = np.astype(a, np.float32)\n',
    'numpy bool': 'import numpy as np\nx = np.zeros(3, np.bool)\n',
    'numpy from-import': 'from numpy import trapezoid\n',
    'numpy percentile method': 'import numpy as np\nnp.percentile(a, 99, method="linear")\n',
    'numpy asarray copy': 'import numpy as np\nnp.asarray(a, copy=False)\n',
}

GOOD_SNIPPETS = {
    'humble node': ('import rclpy\nfrom rclpy.node import Node\nclass N(Node):\n'
                    '    def __init__(self):\n        super().__init__("n")\n'
                    '        self.create_subscription(T, "t", self.on_msg, 1)\n'
                    '        self.create_timer(1.0, self.tick)\n'
                    '        self.get_logger().warning("ok")\n'
                    '    def on_msg(self, msg):\n        pass\n'
                    '    def tick(self):\n        pass\n'),
    'warnings.warn': 'import warnings\nwarnings.warn("deprecated")\n',
    'qos_event is humble': 'from rclpy.qos_event import SubscriptionEventCallbacks\n',
    'reliable qos': ('from rclpy.qos import ReliabilityPolicy\n'
                     'r = ReliabilityPolicy.BEST_EFFORT\n'),
    'with a lock': 'import threading\nlock = threading.Lock()\nwith lock:\n    pass\n',
    'numpy 1.21': ('import numpy as np\nx = np.concatenate([a, b]).astype(np.float32)\n'
                   'y = np.percentile(x, 99)\nz = np.bool_(True)\n'),
    'dataclass slots (3.10)': ('import dataclasses\n@dataclasses.dataclass(slots=True)\n'
                               'class D:\n    x: int = 0\n'),
    'union types (3.10)': 'def f(x: int | None) -> list[int]:\n    return []\n',
    'parenthesised with (3.10)': 'with (open("a") as a,\n      open("b") as b):\n    pass\n',
}


@pytest.mark.parametrize('name', sorted(BAD_SNIPPETS))
def test_checker_flags(name):
    assert check_source(BAD_SNIPPETS[name]), name


@pytest.mark.parametrize('name', sorted(GOOD_SNIPPETS))
def test_checker_accepts(name):
    assert check_source(GOOD_SNIPPETS[name]) == [], name
