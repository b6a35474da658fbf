#!/usr/bin/env bash
# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
# Installs this package, editable, into VENV and makes VENV an ament prefix for it: an
# editable install skips data_files, so the ament index marker and share/ are linked by hand.
#   dev/install_package.sh VENV
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$(cd "$1" && pwd)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
  --no-build-isolation -e "$root"
mkdir -p "$venv/share/ament_index/resource_index/packages" "$venv/share/resnet_x5_ros"
ln -sfn "$root/resource/resnet_x5_ros" "$venv/share/ament_index/resource_index/packages/resnet_x5_ros"
ln -sfn "$root/package.xml" "$venv/share/resnet_x5_ros/package.xml"
ln -sfn "$root/launch" "$venv/share/resnet_x5_ros/launch"
ln -sfn "$root/config" "$venv/share/resnet_x5_ros/config"
ln -sfn "$root/security" "$venv/share/resnet_x5_ros/security"
ln -sfn "$root/models" "$venv/share/resnet_x5_ros/models"
