#!/usr/bin/env python3
"""Zero the GPU machine code a shared library carries for architectures other than the target one.

libtorch_cuda.so embeds, for every CUDA kernel, one cubin per supported architecture (sm_75, 80, 90, 100, 103,
120, 121 in libtorch 2.10: 275 of its 504 MB serve other GPUs than an H100/H200). The CUDA runtime picks the
entry matching the device from each fat binary's entry headers and never reads the others, so their payloads
can be zeroed in place: the file keeps its size and layout (headers, offsets, ELF sections untouched) and
compresses to a fraction. Entries for the target architecture and any PTX are kept byte for byte.

Usage: prune_fatbin.py LIB --keep-sm 90 [--out OUT]   (prints what it kept and zeroed)
"""
import argparse
import mmap
import shutil
import struct
import sys

MAGIC = struct.pack('<I', 0xBA55ED50)
KIND_PTX = 1


def entries(buf):
    """Yields (kind, sm, payload_offset, payload_length) for every entry of every fat binary in buf."""
    pos = 0
    while True:
        i = buf.find(MAGIC, pos)
        if i < 0:
            return
        version, header_size, fat_size = struct.unpack_from('<HHQ', buf, i + 4)
        if version != 1 or header_size != 16 or fat_size == 0 or i + 16 + fat_size > len(buf):
            pos = i + 4
            continue
        e = i + 16
        end = e + fat_size
        while e + 32 <= end:
            kind, _, entry_header, padded = struct.unpack_from('<HHIQ', buf, e)
            if entry_header < 32 or entry_header > 4096 or e + entry_header + padded > end:
                break
            sm = struct.unpack_from('<I', buf, e + 28)[0]
            yield kind, sm, e + entry_header, padded
            e += entry_header + padded
        pos = end


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('lib')
    p.add_argument('--keep-sm', type=int, action='append', required=True,
                   help='architecture to keep, e.g. 90 for H100/H200 (repeatable)')
    p.add_argument('--out', help='write the pruned copy here instead of editing LIB in place')
    a = p.parse_args()
    target = a.lib
    if a.out:
        shutil.copyfile(a.lib, a.out)
        target = a.out
    kept = zeroed = 0
    kept_sms = set()
    with open(target, 'r+b') as f, mmap.mmap(f.fileno(), 0) as buf:
        found = list(entries(buf))
        for kind, sm, offset, length in found:
            if kind == KIND_PTX or sm in a.keep_sm:
                kept += length
                kept_sms.add(sm)
            else:
                buf[offset:offset + length] = bytes(length)
                zeroed += length
        buf.flush()
    missing = set(a.keep_sm) - kept_sms
    print(f'{target}: {len(found)} fat-binary entries; kept {kept / 1e6:.1f} MB (sm {sorted(kept_sms)}),'
          f' zeroed {zeroed / 1e6:.1f} MB')
    if found and missing:
        print(f'error: no code for sm {sorted(missing)} in {target}; the GPU could not run it', file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
