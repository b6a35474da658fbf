# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
from glob import glob
import os

from setuptools import find_packages, setup

package_name = 'resnet_x5_ros'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test', 'test.*', 'dev', 'dev.*']),
    package_data={package_name: ['data/*.txt', 'data/*.md', 'data/samples/*']},
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        (os.path.join('share', package_name, 'launch'), glob('launch/*.launch.py')),
        (os.path.join('share', package_name, 'config'),
         glob('config/*.yaml') + glob('config/*.xml')),
        # SROS2 policies: the node's enclave, and a client that may only read results.
        (os.path.join('share', package_name, 'security'), glob('security/*.policy.xml')),
        # The default CPU model, when `make model` made it before the build (not in git);
        # backends/default_model.py looks for it here.
        (os.path.join('share', package_name, 'models'),
         sorted(glob('models/*.onnx') + glob('models/*.json'))),
    ],
    install_requires=['setuptools'],
    # Data files (labels, samples) are read through __file__.
    zip_safe=False,
    maintainer='resnet_x5_ros developers',
    maintainer_email='dev@resnet-x5-ros.invalid',
    description='ResNet18 image classification node for the RDK X5 BPU, with a CPU fallback.',
    license='Apache-2.0',
    tests_require=['pytest'],
    entry_points={
        'console_scripts': [
            'classifier_node = resnet_x5_ros.node:main',
            'image_publisher = resnet_x5_ros.tools.image_publisher.cli:main',
            'classify = resnet_x5_ros.tools.classify.cli:main',
            'evaluate = resnet_x5_ros.tools.evaluate.cli:main',
            'bench = resnet_x5_ros.tools.bench.cli:main',
            'board_check = resnet_x5_ros.tools.board_check.cli:main',
        ],
    },
)
