"""Unicorn anchor for the VM benchmark (run by bench/anchors/unicorn.mjs with Debian's python3-unicorn).

Reads one JSON request on stdin: {"mode": 64|32, "code": hex, "iterations": n, "runs": r,
"bufferBytes": b}. Maps code, a data buffer and a stack, sets ECX/ESI/ESP as the workload expects,
and times `emu_start` from the first byte to the end of the code (no hooks: hooks would slow
Unicorn down far more than they measure). Prints {"seconds": [...], "result": "hex"} on stdout.
A fresh engine per run, so every run pays the same translation (JIT) cost.
"""

import json
import sys
import time

from unicorn import UC_ARCH_X86, UC_MODE_32, UC_MODE_64, Uc
from unicorn.x86_const import (
    UC_X86_REG_EAX,
    UC_X86_REG_ECX,
    UC_X86_REG_ESI,
    UC_X86_REG_ESP,
    UC_X86_REG_RAX,
    UC_X86_REG_RCX,
    UC_X86_REG_RSI,
    UC_X86_REG_RSP,
)

CODE = 0x10000
BUFFER = 0x100000
STACK = 0x200000
STACK_BYTES = 0x10000


def run_once(request):
    is64 = request["mode"] == 64
    code = bytes.fromhex(request["code"])
    uc = Uc(UC_ARCH_X86, UC_MODE_64 if is64 else UC_MODE_32)
    uc.mem_map(CODE, 0x10000)
    uc.mem_write(CODE, code)
    uc.mem_map(BUFFER, max(0x1000, request["bufferBytes"]))
    uc.mem_map(STACK, STACK_BYTES)
    uc.reg_write(UC_X86_REG_RCX if is64 else UC_X86_REG_ECX, request["iterations"])
    uc.reg_write(UC_X86_REG_RSI if is64 else UC_X86_REG_ESI, BUFFER)
    uc.reg_write(UC_X86_REG_RSP if is64 else UC_X86_REG_ESP, STACK + STACK_BYTES - 64)
    start = time.perf_counter()
    uc.emu_start(CODE, CODE + len(code))
    seconds = time.perf_counter() - start
    return seconds, uc.reg_read(UC_X86_REG_RAX if is64 else UC_X86_REG_EAX)


def main():
    request = json.load(sys.stdin)
    seconds = []
    result = None
    for _ in range(request["runs"]):
        elapsed, result = run_once(request)
        seconds.append(elapsed)
    json.dump({"seconds": seconds, "result": format(result, "x")}, sys.stdout)


if __name__ == "__main__":
    main()
