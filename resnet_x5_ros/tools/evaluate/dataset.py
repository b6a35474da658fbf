# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Labelled image sets for `evaluate`: class folders or a file list, labels resolved to indices.

A label (a class folder's name, or the label column of a list file) may be written as
* the class index: `967` (leading zeros allowed: `0967`);
* the class name from the labels file, case-insensitive, `_` for spaces: `espresso`,
  `tiger_cat`, `Tiger cat`; a name that two classes share (possible in other label lists;
  the bundled ImageNet list has none) is refused, use the index;
* a WordNet id such as `n07920052`, when a synsets file is given (ImageNet's
  LOC_synset_mapping.txt: line N = `<wnid> <names>` of class N), which is how ImageNet's
  train/val folders are named.

Layouts:
* FOLDER: every sub-folder is one class; the images directly inside it are its samples.
* list file: one sample per line, `path<TAB>label` or `path label` (the label is then the last
  field when it is an index or wnid, so paths may contain spaces); blank lines and `#` comments
  are ignored; relative paths are relative to --root (default: the list file's folder).
"""

import os
import re

from resnet_x5_ros.tools.images import IMAGE_SUFFIXES

_WNID = re.compile(r'^n\d{8}$')


class DatasetError(ValueError):
    """A labelled set that cannot be used; str() says which file/folder/line and why."""


def normalise(name):
    """Canonical form of a class name for matching: lower case, `_` as space, single spaces."""
    return ' '.join(name.replace('_', ' ').lower().split())


def load_synsets(path):
    """Read the WordNet ids of a synsets file (line N = `<wnid> ...` of class N)."""
    try:
        with open(path, encoding='utf-8') as f:
            lines = [line.split() for line in f if line.strip()]
    except OSError as exc:
        raise DatasetError('synsets file {}: {}'.format(path, exc.strerror or exc)) from None
    wnids = [fields[0] for fields in lines]
    bad = [w for w in wnids if not _WNID.match(w)]
    if bad:
        raise DatasetError('synsets file {}: {!r} is not a WordNet id (nXXXXXXXX)'.format(
            path, bad[0]))
    return wnids


class LabelResolver(object):
    """Turns label text (index, class name or wnid) into a class index."""

    def __init__(self, labels, wnids=None):
        if wnids is not None and len(wnids) != len(labels):
            raise DatasetError('the synsets file has {} entries but the labels file {}'.format(
                len(wnids), len(labels)))
        self.labels = list(labels)
        self._by_name = {}
        for index, label in enumerate(self.labels):
            self._by_name.setdefault(normalise(label), []).append(index)
        self._by_wnid = {w: i for i, w in enumerate(wnids or ())}

    def resolve(self, text):
        """Return the class index text names; DatasetError if none or ambiguous."""
        text = text.strip()
        if text.isdigit():
            index = int(text)
            if index >= len(self.labels):
                raise DatasetError('class index {} out of range (the model has {} classes)'
                                   .format(index, len(self.labels)))
            return index
        if _WNID.match(text):
            if not self._by_wnid:
                raise DatasetError('{!r} looks like a WordNet id: pass --synsets '
                                   'LOC_synset_mapping.txt to map it to a class'.format(text))
            if text not in self._by_wnid:
                raise DatasetError('WordNet id {!r} is not in the synsets file'.format(text))
            return self._by_wnid[text]
        matches = self._by_name.get(normalise(text), [])
        if len(matches) > 1:
            raise DatasetError('class name {!r} is ambiguous (classes {}); use the index'.format(
                text, ', '.join(str(i) for i in matches)))
        if not matches:
            raise DatasetError('{!r} is not a class name, index or WordNet id of this model'
                               .format(text))
        return matches[0]


def _images_in(folder):
    return sorted(os.path.join(folder, n) for n in os.listdir(folder)
                  if n.lower().endswith(IMAGE_SUFFIXES)
                  and os.path.isfile(os.path.join(folder, n)))


def folder_samples(root, resolver):
    """[(image path, class index)] from class sub-folders of root, sorted by folder name."""
    if not os.path.isdir(root):
        raise DatasetError('{}: not a folder'.format(root))
    classes = sorted(n for n in os.listdir(root) if os.path.isdir(os.path.join(root, n))
                     and not n.startswith('.'))
    if not classes:
        raise DatasetError('{}: no class sub-folders (expected FOLDER/<class>/<image>)'.format(
            root))
    samples = []
    problems = []
    for name in classes:
        try:
            index = resolver.resolve(name)
        except DatasetError as exc:
            problems.append('{}/: {}'.format(name, exc))
            continue
        samples += [(path, index) for path in _images_in(os.path.join(root, name))]
    if problems:
        raise DatasetError('{}: {} class folder(s) not understood: {}'.format(
            root, len(problems), '; '.join(problems[:5])))
    if not samples:
        raise DatasetError('{}: the class folders hold no images ({})'.format(
            root, ', '.join(IMAGE_SUFFIXES)))
    return samples


def _split_line(line):
    if '\t' in line:
        path, label = line.rsplit('\t', 1)
        return path.strip(), label.strip()
    fields = line.split()
    if len(fields) < 2:
        return None
    if fields[-1].isdigit() or _WNID.match(fields[-1]):
        return line.rsplit(None, 1)[0].strip(), fields[-1]
    path, label = line.split(None, 1)
    return path, label.strip()


def list_samples(list_file, resolver, root=None):
    """[(image path, class index)] from a `path label` list file."""
    root = root if root is not None else os.path.dirname(os.path.abspath(list_file))
    try:
        with open(list_file, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except OSError as exc:
        raise DatasetError('list file {}: {}'.format(list_file, exc.strerror or exc)) from None
    samples = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        fields = _split_line(line)
        if fields is None:
            raise DatasetError('{}:{}: expected `path label`, got {!r}'.format(
                list_file, number, line))
        path, label = fields
        try:
            index = resolver.resolve(label)
        except DatasetError as exc:
            raise DatasetError('{}:{}: {}'.format(list_file, number, exc)) from None
        samples.append((os.path.join(root, path), index))
    if not samples:
        raise DatasetError('list file {} has no samples'.format(list_file))
    return samples
