# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The README and docs/ say what is true: sample outputs, links, paths and the Layout section.

A sample output is a code block whose first line is `$ COMMAND`. Each one is run here (the
installed tool's module for `ros2 run resnet_x5_ros TOOL` and `scripts/devenv TOOL`, the demo
for `make demo`) in a fresh folder, and its output is compared with the block line by line,
with every number masked (timings and scores vary) and runs of blank space collapsed:
- a line `...` stands for any number of output lines (so a block not ending with it ends
  where the output ends, and one not starting with it starts where the output starts);
- `...` inside a line stands for any text (a path, a host name);
- every other line must be the output's next line.
The command must succeed, unless its line ends with `# exit N`: then it must exit with N.
"""

import collections
import functools
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(REPO, 'README.md')
DOCS = os.path.join(REPO, 'docs')
# The files users read: the README, every page in docs/ and the models folder's README.
DOC_FILES = [README, os.path.join(REPO, 'models', 'README.md')] + sorted(
    os.path.join(DOCS, name) for name in os.listdir(DOCS) if name.endswith('.md'))
GAP = '...'
# The installed console tools (setup.py) as modules; `make demo` runs the dev demo.
TOOL_MODULES = {
    'classifier_node': 'resnet_x5_ros.node',
    'classify': 'resnet_x5_ros.tools.classify',
    'evaluate': 'resnet_x5_ros.tools.evaluate',
    'bench': 'resnet_x5_ros.tools.bench',
    'board_check': 'resnet_x5_ros.tools.board_check',
    'demo': 'resnet_x5_dev.demo',
}
# What a terminal shows of each: these print their status lines on stderr; evaluate's
# progress bar (stderr) redraws itself and the demo's node logs there with timestamps.
SHOWS_STDERR = {'classifier_node', 'classify', 'bench', 'board_check'}
# These start ROS (a node, or a DDS look-up for a camera).
NEEDS_ROS = {'classifier_node', 'board_check', 'demo'}

Sample = collections.namedtuple('Sample', 'path line command expected')


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def code_blocks(text):
    """Yield (line number of the opening fence, body) of each fenced code block."""
    for match in re.finditer(r'^```[^\n]*\n(.*?)^```', text, re.S | re.M):
        yield text.count('\n', 0, match.start()) + 1, match.group(1)


def sample_outputs():
    """Every code block of the docs that starts with `$ COMMAND`: a command and its output."""
    samples = []
    for path in DOC_FILES:
        for line, body in code_blocks(read(path)):
            lines = body.rstrip('\n').split('\n')
            if lines[0].startswith('$ '):
                samples.append(Sample(os.path.relpath(path, REPO), line, lines[0][2:],
                                      lines[1:]))
    return samples


def tool_and_args(command):
    """(tool, arguments) of a documented command line; its `  # comment` left out."""
    words = shlex.split(command.split('  #')[0])
    if words == ['make', 'demo']:
        return 'demo', []
    if words[:3] == ['ros2', 'run', 'resnet_x5_ros']:
        return words[3], words[4:]
    if words[0] == 'scripts/devenv':
        return words[1], words[2:]
    raise ValueError('no way to run this documented command here: ' + command)


def _normal(text):
    """Text with every number masked and blank runs collapsed."""
    return ' '.join(re.sub(r'\d+(\.\d+)?', '#', text).split())


def _line_pattern(expected):
    parts = [re.escape(_normal(part)) for part in expected.split(GAP)]
    return re.compile('^' + '.*'.join(parts) + '$')


def first_mismatch(expected, output):
    """None if output (lines) fits the documented lines, else the first line that does not.

    The rules are the module docstring's.
    """
    output = [_normal(line) for line in output]

    def fit(e, o):
        if e == len(expected):
            return None if o == len(output) else 'output goes on: {!r}'.format(output[o])
        if expected[e].strip() == GAP:
            best = None
            for start in range(o, len(output) + 1):
                problem = fit(e + 1, start)
                if problem is None:
                    return None
                best = best or problem
            return best
        if o < len(output) and _line_pattern(expected[e]).match(output[o]):
            return fit(e + 1, o + 1)
        return 'documented {!r}, printed {!r}'.format(
            expected[e], output[o] if o < len(output) else '(end of output)')

    return fit(0, 0)


def test_first_mismatch_tells_a_different_output():
    assert first_mismatch(['a 1', GAP, 'c'], ['a 22', 'b', 'c']) is None
    assert first_mismatch(['model .../x.onnx, 3 classes'], ['model /p/q/x.onnx, 7 classes']) \
        is None
    assert first_mismatch(['a', 'c'], ['a', 'b', 'c']) is not None  # no gap documented
    assert first_mismatch(['a', GAP], ['a', 'b', 'c']) is None
    assert first_mismatch(['a'], ['a', 'b']) is not None  # the output goes on
    assert first_mismatch(['top-3 espresso'], ['top-3 cup']) is not None
    assert first_mismatch([GAP, 'x'], ['a', 'b']) is not None


def _prepare_inputs(tool, args, folder):
    """Make the inputs a documented command names (they are described next to it)."""
    if tool == 'classify' and '--bag' in args:
        from resnet_x5_ros.tools.bench.bag_replay import write_camera_bag
        # `rec: 150 VGA bgr8 frames` on /image_raw, as its comment says.
        write_camera_bag(os.path.join(folder, args[args.index('--bag') + 1]), 'sqlite3',
                         'bgr8', 150)
    if tool == 'evaluate' and args[:1] == ['photos']:
        from resnet_x5_ros.tools.samples import sample_path
        for label, photo in (('espresso', 'coffee.png'), ('tiger_cat', 'chelsea.png'),
                             ('657', 'rocket.jpg')):
            os.makedirs(os.path.join(folder, 'photos', label))
            shutil.copy(sample_path(photo), os.path.join(folder, 'photos', label, photo))


SAMPLES = sample_outputs()


@functools.lru_cache(maxsize=None)
def _bpu_runtime_in_a_fresh_process():
    # Not in this process: other tests may have imported a runtime's stand-in here.
    out = subprocess.run([sys.executable, '-c', 'from resnet_x5_ros.backends import '
                          'bpu_runtime_available; print(bpu_runtime_available())'],
                         capture_output=True, text=True, timeout=120, check=True)
    return out.stdout.strip() == 'True'


def test_the_sample_outputs_are_found():
    # The ones the README promises to keep true, at least.
    commands = [tool_and_args(s.command)[0] for s in SAMPLES]
    for tool in ('classify', 'board_check', 'demo'):
        assert tool in commands, tool
    assert all(tool in TOOL_MODULES for tool in commands), commands


def _marks(sample):
    tool = tool_and_args(sample.command)[0]
    return [pytest.mark.ros] if tool in NEEDS_ROS else []


@pytest.mark.slow
@pytest.mark.parametrize('sample', [pytest.param(s, marks=_marks(s), id='{}:{}'.format(
    s.path, s.line)) for s in SAMPLES])
def test_sample_output_is_what_the_command_prints(sample, tmp_path):
    tool, args = tool_and_args(sample.command)
    if not os.path.isfile(os.path.join(REPO, 'models', 'efficientnet_lite0.onnx')):
        pytest.skip('no CPU model: run `make model`')
    if _bpu_runtime_in_a_fresh_process():
        pytest.skip('the samples show the CPU backend; here the tools would pick the BPU')
    _prepare_inputs(tool, args, str(tmp_path))
    env = dict(os.environ)  # conftest's: the run's own ROS domain, DDS on loopback
    # dev/python for the demo (resnet_x5_dev), as scripts/devenv gives it.
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (os.path.join(REPO, 'dev', 'python'), env.get('PYTHONPATH')) if p)
    out = subprocess.run([sys.executable, '-m', TOOL_MODULES[tool]] + args, cwd=str(tmp_path),
                         env=env,
                         stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT if tool in SHOWS_STDERR else subprocess.PIPE,
                         text=True, timeout=600)
    exit_code = re.search(r'  # exit (\d+)$', sample.command)
    assert out.returncode == int(exit_code.group(1) if exit_code else 0), \
        out.stdout + (out.stderr or '')
    # OpenCV 4.5's libpng (the board's) warns about the sample PNGs' colour profile on
    # stderr; it says nothing about the command.
    printed = [line for line in out.stdout.rstrip('\n').split('\n')
               if not line.startswith('libpng warning:')]
    problem = first_mismatch(sample.expected, printed)
    assert problem is None, '{}:{} `{}`: {}\nprinted:\n{}'.format(
        sample.path, sample.line, sample.command, problem, out.stdout)


def _slug(heading):
    """The anchor GitHub gives a heading."""
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower())
    return text.replace(' ', '-')


def _anchors(path):
    text = re.sub(r'^```.*?^```', '', read(path), flags=re.S | re.M)
    return {_slug(m.group(1)) for m in re.finditer(r'^#+ (.*)$', text, re.M)}


def _links(path):
    """Relative link targets of a Markdown file, outside code blocks."""
    text = re.sub(r'^```.*?^```', '', read(path), flags=re.S | re.M)
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if not re.match(r'[a-z]+:', target):
            yield target


@pytest.mark.parametrize('path', DOC_FILES, ids=lambda p: os.path.relpath(p, REPO))
def test_every_link_resolves(path):
    for target in _links(path):
        file_part, _, anchor = target.partition('#')
        linked = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) \
            if file_part else path
        assert os.path.exists(linked), '{} links to {}: no such file'.format(path, target)
        if anchor:
            assert anchor in _anchors(linked), '{} links to {}: no such heading'.format(
                path, target)


def test_the_readme_links_every_docs_page():
    linked = {os.path.normpath(os.path.join(REPO, t.partition('#')[0]))
              for t in _links(README)}
    for name in os.listdir(DOCS):
        assert os.path.join(DOCS, name) in linked, 'README does not link docs/' + name


def layout_paths():
    """Every path the README's Layout block names (two spaces of indent per folder level)."""
    section = read(README).split('\n## Layout\n', 1)[1].split('\n## ', 1)[0]
    block = next(body for _, body in code_blocks(section))
    paths, parents = [], []
    for line in block.splitlines():
        indent = (len(line) - len(line.lstrip(' '))) // 2
        names = re.split(r'\s{2,}', line.strip())[0].split()
        del parents[indent:]
        for name in names:
            paths.append('/'.join(parents + [name.rstrip('/')]))
        if len(names) == 1 and names[0].endswith('/'):
            parents.append(names[0].rstrip('/'))
    return paths


def test_every_layout_path_exists():
    paths = layout_paths()
    assert len(paths) > 20
    for path in paths:
        assert os.path.exists(os.path.join(REPO, path)), 'Layout names {}: not there'.format(path)


def test_the_layout_names_every_module_and_folder():
    named = set(layout_paths())
    package = os.path.join(REPO, 'resnet_x5_ros')
    for name in os.listdir(package):
        full = os.path.join(package, name)
        if name.endswith('.py') and name != '__init__.py' or \
                os.path.isdir(full) and not name.startswith(('_', '.')):
            assert 'resnet_x5_ros/' + name in named, 'Layout misses resnet_x5_ros/' + name
    listed = subprocess.run(['git', 'ls-files'], cwd=REPO, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip('not a git checkout: the tracked folders are unknown')
    folders = {p.split('/')[0] for p in listed.stdout.split() if '/' in p}
    folders |= {'dev/' + p.split('/')[1] for p in listed.stdout.split() if
                p.startswith('dev/') and p.count('/') > 1}
    folders.discard('dev/python')  # named by its two packages
    for folder in folders:
        assert any(n == folder or n.startswith(folder + '/') for n in named), \
            'Layout misses ' + folder


# Paths in backquotes that start with a folder of the repository, e.g. `config/classifier.yaml`.
PATH_IN_TEXT = re.compile(r'`((?:config|dev|docs|launch|models|resnet_x5_ros|scripts|test)/'
                          r'[^`\s]*)`')
# Files a user makes, named as examples (models/README.md: using another ONNX model).
EXAMPLE_PATHS = {'models/resnet18.onnx', 'models/resnet18.json'}


@pytest.mark.parametrize('path', DOC_FILES, ids=lambda p: os.path.relpath(p, REPO))
def test_every_repository_path_named_exists(path):
    for named in PATH_IN_TEXT.findall(read(path)):
        if re.search(r'[*<>{}]', named) or named in EXAMPLE_PATHS:  # not a path of ours
            continue
        assert os.path.exists(os.path.join(REPO, named.rstrip('/'))), \
            '{} names {}: not in the repository'.format(os.path.relpath(path, REPO), named)


def test_ros2_run_lines_name_no_path_of_the_source_tree():
    # A colcon workspace has no source tree where the tools run (cf. the README's examples).
    for path in DOC_FILES:
        for _, body in code_blocks(read(path)):
            for line in body.splitlines():
                line = line.lstrip('$ ').split('  #')[0].strip()
                if not line.startswith('ros2 run resnet_x5_ros '):
                    continue
                for word in shlex.split(line):
                    assert not word.startswith(('resnet_x5_ros/', 'test/', 'dev/', 'models/')), \
                        '{}: {}'.format(os.path.relpath(path, REPO), line)
