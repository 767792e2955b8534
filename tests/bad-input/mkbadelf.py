#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the malformed guest kernels the boot tests feed to x2hv.

usage: mkbadelf.py OUTDIR
  overlap.elf    two PT_LOAD segments whose guest-physical ranges overlap
  outside.elf    a valid PVH kernel whose segment lies above guest RAM
  notelf.bin     no ELF header at all
All carry a correct XEN_ELFNOTE_PHYS32_ENTRY note where they are ELF, so
the loader must reject them for the stated reason and nothing else.
"""
import os
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4
XEN_ELFNOTE_PHYS32_ENTRY = 18


def note(entry):
    name = b"Xen\0"
    desc = struct.pack("<I", entry)
    return struct.pack("<III", len(name), len(desc),
                       XEN_ELFNOTE_PHYS32_ENTRY) + name + desc


def elf64(segments, entry):
    """segments: [(paddr, data)]. One PT_NOTE plus a PT_LOAD each."""
    phnum = len(segments) + 1
    ehsize, phentsize = 64, 56
    off = ehsize + phnum * phentsize
    n = note(entry)
    body, phdrs = n, []
    phdrs.append(struct.pack("<IIQQQQQQ", PT_NOTE, 4, off, 0, 0, len(n),
                             len(n), 4))
    pos = off + len(n)
    for paddr, data in segments:
        phdrs.append(struct.pack("<IIQQQQQQ", PT_LOAD, 7, pos, paddr, paddr,
                                 len(data), len(data), 0x1000))
        body += data
        pos += len(data)
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, ehsize, 0, 0,
                      ehsize, phentsize, phnum, 0, 0, 0)
    return eh + b"".join(phdrs) + body


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    code = b"\xf4" * 0x2000  # hlt
    files = {
        "overlap.elf": elf64([(0x100000, code), (0x101000, code)], 0x100000),
        "outside.elf": elf64([(0x7ff00000, code)], 0x7ff00000),
        "notelf.bin": b"this is not a kernel\n" * 64,
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
