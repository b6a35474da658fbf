# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Print the pytest arguments that run the tests which need no ROS; reasons go to stderr.

A test file (test/**/test_*.py) is left out when it imports ROS at module level (rclpy,
message packages, or our modules that import them, also through the test helpers it imports:
test/support or a module beside it), or is a lint check (the linters are dev-machine tools,
not board software). In the files that remain, a test function that imports ROS in its body,
or calls a helper of its module (or one of our modules or test helpers) that does, is
deselected (`--deselect`); tests marked `ros` are deselected by run.sh with `-m "not ros"`.
Reads the files with ast; imports nothing. Output: one argument per line.
"""

import ast
import glob
import os
import sys

ROS_MODULES = ('rclpy', 'rcl_interfaces', 'sensor_msgs', 'vision_msgs', 'diagnostic_msgs',
               'std_msgs', 'builtin_interfaces', 'launch', 'launch_ros', 'ament_index_python',
               'ai_msgs', 'hbm_img_msgs', 'resnet_x5_ros.node', 'resnet_x5_ros.params',
               'resnet_x5_dev.demo', 'resnet_x5_ros.tros.perception',
               'resnet_x5_ros.tros.shared_mem')
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINT_TESTS = ('test_flake8.py', 'test_pep257.py', 'test_copyright.py')


def _module_level_imports(tree):
    """Modules imported at module level, pytest.importorskip('name') included."""
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and \
                getattr(node.value.func, 'attr', None) == 'importorskip' and \
                node.value.args and isinstance(node.value.args[0], ast.Constant):
            yield node.value.args[0].value
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            for alias in node.names:
                yield node.module + '.' + alias.name


def _is_ros(name):
    return any(name == m or name.startswith(m + '.') for m in ROS_MODULES)


def _helper_file(module, importer, test_dir):
    """Return the file of a test helper module importer imports (beside it, or in test_dir)."""
    for base in (os.path.dirname(importer), test_dir):
        path = os.path.join(base, *module.split('.'))
        for candidate in (path + '.py', os.path.join(path, '__init__.py')):
            if os.path.exists(candidate):
                return candidate
    return None


def ros_reason(path, test_dir, seen=None):
    """Why path needs ROS at import (following our own test helper modules), or None."""
    seen = set() if seen is None else seen
    if path in seen:
        return None
    seen.add(path)
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    for name in _module_level_imports(tree):
        if _is_ros(name):
            return 'imports ' + name
        local = _helper_file(name, path, test_dir)
        if local:
            reason = ros_reason(local, test_dir, seen)
            if reason:
                return '{} ({})'.format(os.path.relpath(local, test_dir), reason)
    return None


def _imports_in(node):
    for sub in ast.walk(node):
        if isinstance(sub, ast.Import):
            for alias in sub.names:
                yield alias.name
        elif isinstance(sub, ast.ImportFrom) and sub.module and not sub.level:
            yield sub.module


def _our_module_file(module):
    path = os.path.join(REPO, *module.split('.')) + '.py'
    return path if module.startswith('resnet_x5_ros.') and os.path.exists(path) else None


class _RosFunctions:
    """Which functions (by module file and name) import ROS when they run."""

    def __init__(self, test_dir):
        self._test_dir = test_dir
        self._trees = {}
        self._memo = {}

    def tree(self, path):
        if path not in self._trees:
            with open(path, encoding='utf-8') as f:
                self._trees[path] = ast.parse(f.read(), path)
        return self._trees[path]

    def definitions(self, path):
        """Module-level functions and classes of path, and names imported from our modules."""
        defs, imported = {}, {}
        for node in self.tree(path).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defs[node.name] = node
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                target = _our_module_file(node.module) or _helper_file(
                    node.module, path, self._test_dir)
                if target:
                    for alias in node.names:
                        imported[alias.asname or alias.name] = (target, alias.name)
        return defs, imported

    def needs_ros(self, path, node, depth=0):
        """Whether running node (a function/class body) imports ROS, following calls."""
        key = (path, node.name, depth)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = False  # recursion guard
        result = any(_is_ros(name) for name in _imports_in(node))
        if not result and depth < 4:
            defs, imported = self.definitions(path)
            for sub in ast.walk(node):
                name = sub.id if isinstance(sub, ast.Name) else None
                if name is None or name == node.name:
                    continue
                if name in defs and self.needs_ros(path, defs[name], depth + 1):
                    result = True
                    break
                if name in imported:
                    target, attr = imported[name]
                    target_defs, _ = self.definitions(target)
                    if attr in target_defs and self.needs_ros(target, target_defs[attr],
                                                              depth + 1):
                        result = True
                        break
        self._memo[key] = result
        return result


def main(test_dir):
    test_dir = os.path.abspath(test_dir)
    functions = _RosFunctions(test_dir)
    for path in sorted(glob.glob(os.path.join(test_dir, '**', 'test_*.py'), recursive=True)):
        name = os.path.relpath(path, test_dir)
        if os.path.basename(path) in LINT_TESTS:
            print('skip {}: lint check (dev tools)'.format(name), file=sys.stderr)
            continue
        reason = ros_reason(path, test_dir)
        if reason:
            print('skip {}: needs ROS: {}'.format(name, reason), file=sys.stderr)
            continue
        print(path)
        for node in functions.tree(path).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    node.name.startswith('test') and functions.needs_ros(path, node):
                print('skip {}::{}: imports ROS when it runs'.format(name, node.name),
                      file=sys.stderr)
                print('--deselect')
                print('{}::{}'.format(os.path.relpath(path, REPO), node.name))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else 'test'))
