#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""trim-elf.py IN OUT: the same memory image in a smaller ELF.

Debian's vmlinux is 66 MB, and GRUB reads every byte of a module from
the boot disk: under QEMU's emulated BIOS disk that took seconds
(issue 14). Of the file, 21 MB are the zeros of .bss, .brk and
.init.scratch stored as file data (the last PT_LOAD has p_filesz ==
p_memsz because .init.scratch comes after .bss), and 4 MB are section
headers, symbols and padding that no loader reads.

OUT keeps the ELF header (no section headers) and every program header
with its file data, with each PT_LOAD's trailing zero bytes moved from
p_filesz to the part the loader zero-fills (p_memsz stays: gABI,
"Program Header"; x2hv's loader/pvh.c and QEMU's PVH loader both clear
[p_filesz, p_memsz)). So the memory a loader builds from OUT is the
memory it builds from IN, byte for byte; the script checks that before
writing. ELF64 little-endian only (x86-64 kernels).
"""

import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD = 1
PAGE = 4096


def parse(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("trim-elf: not a little-endian ELF64 file")
    eh = list(EHDR.unpack_from(data, 0))
    phoff, phentsize, phnum = eh[5], eh[9], eh[10]
    if phentsize != PHDR.size or phoff + phnum * phentsize > len(data):
        sys.exit("trim-elf: bad program headers")
    phs = [list(PHDR.unpack_from(data, phoff + i * phentsize))
           for i in range(phnum)]
    for ph in phs:
        if ph[2] + ph[5] > len(data) or ph[5] > ph[6] and ph[0] == PT_LOAD:
            sys.exit("trim-elf: segment outside the file")
    return eh, phs


def trim(data):
    """The trimmed image of data (bytes)."""
    eh, phs = parse(data)
    out_phs, body = [], bytearray()
    start = -(-(EHDR.size + len(phs) * PHDR.size) // PAGE) * PAGE
    for ph in phs:
        ptype, flags, off, vaddr, paddr, filesz, memsz, align = ph
        part = data[off:off + filesz]
        if ptype == PT_LOAD:
            part = part.rstrip(b"\0")
            # Loaded data starts on a page, as the linker placed it.
            align = PAGE
        else:
            memsz = len(part)
        body += b"\0" * (-(start + len(body)) % max(align, 1))
        out_phs.append((ptype, flags, start + len(body), vaddr, paddr,
                        len(part), memsz, align))
        body += part
    eh[5], eh[6] = EHDR.size, 0  # program headers follow; no sections
    eh[9], eh[10], eh[11], eh[12], eh[13] = PHDR.size, len(out_phs), 0, 0, 0
    out = bytearray(EHDR.pack(*eh))
    for ph in out_phs:
        out += PHDR.pack(*ph)
    out += b"\0" * (start - len(out))
    return bytes(out + body)


def memory(data):
    """{paddr: bytes} of every PT_LOAD as a loader fills it."""
    _, phs = parse(data)
    return {ph[4]: data[ph[2]:ph[2] + ph[5]] + b"\0" * (ph[6] - ph[5])
            for ph in phs if ph[0] == PT_LOAD}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: trim-elf.py IN OUT")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    out = trim(data)
    if memory(out) != memory(data):
        sys.exit("trim-elf: the trimmed image would load differently")
    with open(sys.argv[2], "wb") as f:
        f.write(out)
    print(f"trim-elf: {sys.argv[2]}: {len(out) >> 20} MiB "
          f"(from {len(data) >> 20} MiB), same loaded memory")


if __name__ == "__main__":
    main()
