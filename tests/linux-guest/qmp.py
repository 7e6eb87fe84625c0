# SPDX-License-Identifier: GPL-2.0-or-later
# A minimal QMP client for the Linux guest runners (standard library only).
# Copyright (c) 2026 The qemu-s390x-ism authors
"""Ask a running QEMU over its QMP socket (-qmp unix:PATH,server=on,wait=off).

Used to read the zpci devices' read-only properties io-path and
io-path-reason while the guest runs.
"""

import json
import os
import socket
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, timeout=30.0, alive=None):
        """Connect to path, retrying until QEMU listens (or timeout).

        alive: optional callable; when it returns False the wait stops
        (QEMU exited before it opened the socket)."""
        deadline = time.monotonic() + timeout
        self.sock = None
        while True:
            if os.path.exists(path):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(path)
                    self.sock = s
                    break
                except OSError:
                    s.close()
            if time.monotonic() > deadline or (alive and not alive()):
                raise QmpError('no QMP socket at %s' % path)
            time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.buf = b''
        greeting = self._read()
        if 'QMP' not in greeting:
            raise QmpError('no QMP greeting: %r' % greeting)
        self.cmd('qmp_capabilities')

    def _read(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise QmpError('QMP connection closed')
            self.buf += data
        line, _, self.buf = self.buf.partition(b'\n')
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            r = self._read()
            if 'return' in r:
                return r['return']
            if 'error' in r:
                raise QmpError('%s: %s' % (name, r['error'].get('desc')))
            # events are skipped

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


def io_paths(path, ids, timeout=30.0, alive=None):
    """{id: (io-path, io-path-reason)} of the zpci devices named ids."""
    q = Qmp(path, timeout, alive)
    try:
        out = {}
        for i in ids:
            qom = '/machine/peripheral/%s' % i
            out[i] = (q.cmd('qom-get', path=qom, property='io-path'),
                      q.cmd('qom-get', path=qom, property='io-path-reason'))
        return out
    finally:
        q.close()
