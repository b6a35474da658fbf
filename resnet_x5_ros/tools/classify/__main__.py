# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""python -m resnet_x5_ros.tools.classify: the `classify` command."""

import sys

from resnet_x5_ros.tools.classify.cli import main

sys.exit(main())
