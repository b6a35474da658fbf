# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""FAKE SROS2 keystores: folders shaped like one, for the start-up checks. Not real security.

The files rmw_dds_common looks for are there, and the signed governance and permissions are
text stand-ins naming a domain id; no DDS accepts them as certificates.
"""

import os

from resnet_x5_ros import security

ENCLAVE = '/resnet_x5_ros/classifier'


def fake_keystore(folder, domain=42, enclave=ENCLAVE, missing=()):
    """Write a keystore-shaped folder whose governance and permissions name domain."""
    path = os.path.join(str(folder), 'enclaves', enclave.lstrip('/'))
    os.makedirs(path)
    for name in security.ENCLAVE_FILES:
        if name in missing:
            continue
        with open(os.path.join(path, name), 'w', encoding='utf-8') as f:
            if name.endswith('.p7s'):
                f.write('MIME-Version: 1.0\n<domains><id>{}</id></domains>\n'.format(domain))
            else:
                f.write('not a real certificate\n')
    return str(folder)
