#!/usr/bin/env python3
"""Writes or checks manifest.json for the parts of an engine bundle, and unpacks a checked bundle.

  bundle_manifest.py write PARTS_DIR --max-bytes N   sizes and SHA-256 of every part and of the whole
  bundle_manifest.py unpack PARTS_DIR INTO_DIR       verifies every part, then extracts the tar.xz they make
"""
import hashlib
import json
import lzma
import os
import sys
import tarfile

CHUNK = 1 << 20


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(CHUNK), b''):
            h.update(block)
    return h.hexdigest()


def part_names(parts_dir):
    return sorted(n for n in os.listdir(parts_dir) if n.startswith('part-'))


def write(parts_dir, max_bytes):
    whole = hashlib.sha256()
    parts = []
    for name in part_names(parts_dir):
        path = os.path.join(parts_dir, name)
        size = os.path.getsize(path)
        if size > max_bytes:
            sys.exit(f'{name} is {size} bytes, over the limit of {max_bytes}')
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(CHUNK), b''):
                whole.update(block)
        parts.append({'name': name, 'bytes': size, 'sha256': sha256(path)})
    manifest = {'format': 'tar.xz split into parts', 'parts': parts,
                'total_bytes': sum(p['bytes'] for p in parts), 'sha256': whole.hexdigest()}
    with open(os.path.join(parts_dir, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
    print(f'{len(parts)} parts, {manifest["total_bytes"] / 2**20:.1f} MiB, sha256 {manifest["sha256"][:16]}...')


class Joined:
    """The parts read one after the other as a single stream."""

    def __init__(self, paths):
        self.paths = list(paths)
        self.current = None

    def read(self, n=-1):
        out = b''
        while n < 0 or len(out) < n:
            if self.current is None:
                if not self.paths:
                    break
                self.current = open(self.paths.pop(0), 'rb')
            block = self.current.read(-1 if n < 0 else n - len(out))
            if not block:
                self.current.close()
                self.current = None
                continue
            out += block
        return out


def unpack(parts_dir, into):
    with open(os.path.join(parts_dir, 'manifest.json')) as f:
        manifest = json.load(f)
    present = part_names(parts_dir)
    expected = [p['name'] for p in manifest['parts']]
    if present != expected:
        sys.exit(f'parts present {present} do not match the manifest {expected}')
    whole = hashlib.sha256()
    for p in manifest['parts']:
        path = os.path.join(parts_dir, p['name'])
        if os.path.getsize(path) != p['bytes'] or sha256(path) != p['sha256']:
            sys.exit(f'{p["name"]} is damaged: size or SHA-256 differs from the manifest')
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(CHUNK), b''):
                whole.update(block)
    if whole.hexdigest() != manifest['sha256']:
        sys.exit('the joined parts do not match the manifest checksum')
    os.makedirs(into, exist_ok=True)
    stream = lzma.LZMAFile(Joined(os.path.join(parts_dir, n) for n in expected))
    with tarfile.open(fileobj=stream, mode='r|') as tar:
        tar.extractall(into, filter='tar') if hasattr(tarfile, 'data_filter') else tar.extractall(into)
    print(f'verified {len(expected)} parts and unpacked into {into}')


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'write':
        write(sys.argv[2], int(sys.argv[sys.argv.index('--max-bytes') + 1]) if '--max-bytes' in sys.argv else 1 << 62)
    elif len(sys.argv) == 4 and sys.argv[1] == 'unpack':
        unpack(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
