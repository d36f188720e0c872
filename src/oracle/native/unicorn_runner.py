"""Unicorn-backed oracle runner: the stand-in for the host CPU where the host cannot run a case.

Speaks the host runner's binary protocol (src/oracle/protocol.ts) on stdin/stdout, so the Node side
reuses its encoder, decoder and process handling:

  argv: <mode bits: 32|64> <instruction limit per case>
  out:  a 40-byte ready message ("VRDY", protocol version, mode, seccomp 0, case end 0, and the
        reserved page [textStart, textEnd) that cases cannot use), then one result per case.

Each case runs at CPL 3 (user mode), entered once at start-up through an `iret` over a small GDT
laid out like Linux's (user CS 0x33 / 0x23, user DS/SS 0x2b), so privileged instructions (hlt, cli,
mov cr0) raise #GP as they do for a user process; in/out, which Unicorn lets through, are stopped
by hooks and reported as #GP too. The CPU state after that entry is saved
and restored before every case, so no case sees segment, x87 or SSE state left by another.

Result fields as this runner fills them (the Node side gives them their meaning):
  status    0 completed, 1 fault, 2 timeout (instruction limit), 3 syscall, 4 rejected
  ip        where execution stopped: the faulting instruction, or after a trap-class int3 / int 3
            / into / int 4 (the Node side looks back for those, as for the host runner)
  signal    0 (no Linux signal is involved)
  sigcode   the Unicorn error number (UC_ERR_*) that ended the case, or 0 for a hook
  trapno    the exception vector
  errcode   #PF: the page-fault error code Linux would see (U=4 | W=2 | I/D=0x10 | P=1); `int n`
            (n not 3, 4, 0x80): (n << 3) | 2, as for a gate the user may not call; else 0
  cr2       #PF: the address that could not be accessed
  sigaddr   syscall: the address after the system-call instruction
  detail    syscall: the call number (EAX/RAX); rejected: -errno
"""

import ctypes
import os
import struct
import sys

from unicorn import (
    UC_ARCH_X86,
    UC_ERR_INSN_INVALID,
    UC_HOOK_INSN,
    UC_HOOK_INTR,
    UC_HOOK_MEM_INVALID,
    UC_MEM_FETCH_PROT,
    UC_MEM_FETCH_UNMAPPED,
    UC_MEM_WRITE_PROT,
    UC_MEM_WRITE_UNMAPPED,
    UC_MEM_READ_PROT,
    UC_MODE_32,
    UC_MODE_64,
    UC_PROT_EXEC,
    UC_PROT_READ,
    UC_PROT_WRITE,
    Uc,
    UcError,
)
from unicorn import unicorn as unicorn_module
from unicorn import x86_const as x86

PROTOCOL_VERSION = 1
MAGIC_CASE = 0x53414356
MAGIC_RESULT = 0x53455256
MAGIC_READY = 0x59445256
CASE_HEADER = struct.Struct("<IIII128sQQ")
PAGE_RUN = struct.Struct("<QQI4x")
RANGE = struct.Struct("<QI4x")
PAGE = 0x1000

STATUS_COMPLETED, STATUS_FAULT, STATUS_TIMEOUT, STATUS_SYSCALL, STATUS_REJECTED = range(5)
VECTOR_UD, VECTOR_GP, VECTOR_PF = 6, 13, 14
SYSCALL_INTERRUPT = 0x80
EEXIST = 17
IF = 0x200

# Selectors of a Linux x86-64 GDT: kernel CS 0x10, kernel DS 0x18, user CS32 0x23, user DS 0x2b,
# user CS64 0x33. Descriptors have the accessed bit set, so loading one never writes the GDT.
GDT = [
    0,
    0,
    0x00AF9B000000FFFF,
    0x00CF93000000FFFF,
    0x00CFFB000000FFFF,
    0x00CFF3000000FFFF,
    0x00AFFB000000FFFF,
    0,
]
KERNEL_DS = 0x18
USER_DS = 0x2B
USER_CS = {64: 0x33, 32: 0x23}
# A page no case may use: above the 47-bit user range in 64-bit mode; the top page in 32-bit mode.
RESERVED_PAGE = {64: 0x7FFF_FFFF_F000, 32: 0xFFFF_F000}


def padded(length):
    return (length + 7) & ~7


class Runner:
    def __init__(self, bits, limit):
        self.bits = bits
        self.limit = limit
        self.uc = Uc(UC_ARCH_X86, UC_MODE_64 if bits == 64 else UC_MODE_32)
        self.ip_register = x86.UC_X86_REG_RIP if bits == 64 else x86.UC_X86_REG_EIP
        self.flags_register = x86.UC_X86_REG_RFLAGS if bits == 64 else x86.UC_X86_REG_EFLAGS
        self.reserved = RESERVED_PAGE[bits]
        self.mapped = {}  # address -> (length, protection) of the page runs mapped now
        self.setup_registers()
        self.enter_user_mode()
        self.uc.hook_add(UC_HOOK_INTR, self.on_interrupt)
        self.uc.hook_add(UC_HOOK_MEM_INVALID, self.on_invalid_memory)
        self.uc.hook_add(UC_HOOK_INSN, self.on_syscall, None, 1, 0, x86.UC_X86_INS_SYSCALL)
        self.uc.hook_add(UC_HOOK_INSN, self.on_syscall, None, 1, 0, x86.UC_X86_INS_SYSENTER)
        # Unicorn skips the I/O permission check (IOPL 0 at CPL 3 means #GP), so in/out stop here.
        self.uc.hook_add(UC_HOOK_INSN, self.on_in, None, 1, 0, x86.UC_X86_INS_IN)
        self.uc.hook_add(UC_HOOK_INSN, self.on_out, None, 1, 0, x86.UC_X86_INS_OUT)
        self.context = self.uc.context_save()

    def setup_registers(self):
        """Batch register access through the C API: one call per case instead of 17."""
        lib = unicorn_module._uc
        self.lib = lib
        self.handle = self.uc._uch
        count = 16 if self.bits == 64 else 8
        ids = [getattr(x86, f"UC_X86_REG_{name}") for name in self.register_names()][:count]
        ids.append(self.flags_register)
        self.register_count = len(ids)
        self.register_ids = (ctypes.c_int * len(ids))(*ids)
        self.values = (ctypes.c_uint64 * len(ids))()
        base = ctypes.addressof(self.values)
        self.pointers = (ctypes.c_void_p * len(ids))(*[base + 8 * i for i in range(len(ids))])
        self.value_bytes = memoryview(self.values).cast("B")
        pointer, ints = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)
        pointers = ctypes.POINTER(ctypes.c_void_p)
        arguments = [pointer, ints, pointers, ctypes.c_int]
        lib.uc_reg_write_batch.argtypes = arguments
        lib.uc_reg_read_batch.argtypes = arguments

    def register_names(self):
        if self.bits == 32:
            return ["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"]
        return ["RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI"] + [f"R{i}" for i in range(8, 16)]

    def enter_user_mode(self):
        """Loads the GDT and `iret`s to CPL 3 through a stub on the reserved page."""
        uc = self.uc
        page = self.reserved
        uc.mem_map(page, PAGE, UC_PROT_READ | UC_PROT_WRITE | UC_PROT_EXEC)
        uc.mem_write(page, struct.pack("<8Q", *GDT))
        uc.reg_write(x86.UC_X86_REG_GDTR, (0, page, len(GDT) * 8 - 1, 0))
        stub, target, frame = page + 0x100, page + 0x200, page + 0x800
        if self.bits == 64:
            uc.mem_write(stub, b"\x48\xcf")  # iretq
            uc.mem_write(frame, struct.pack("<5Q", target, USER_CS[64], 0x202, frame, USER_DS))
            uc.reg_write(x86.UC_X86_REG_RSP, frame)
        else:
            # Unicorn starts with a 16-bit SS (the iret frame would be read at SP, not ESP): load
            # the flat 32-bit kernel data segment first.
            uc.reg_write(x86.UC_X86_REG_SS, KERNEL_DS)
            for register in (x86.UC_X86_REG_DS, x86.UC_X86_REG_ES):
                uc.reg_write(register, USER_DS)
            uc.mem_write(stub, b"\xcf")  # iretd
            uc.mem_write(frame, struct.pack("<5I", target, USER_CS[32], 0x202, frame, USER_DS))
            uc.reg_write(x86.UC_X86_REG_ESP, frame)
        uc.emu_start(stub, target, 0, 10)
        if uc.reg_read(x86.UC_X86_REG_CS) != USER_CS[self.bits]:
            raise RuntimeError("could not enter user mode")
        uc.mem_protect(page, PAGE, UC_PROT_READ)

    # --- hooks: record what stopped the case -------------------------------------------------

    def on_interrupt(self, uc, number, _data):
        ip = uc.reg_read(self.ip_register)
        if number == SYSCALL_INTERRUPT:
            self.event = ("syscall", ip, ip)
        else:
            self.event = ("interrupt", number, ip)
        uc.emu_stop()

    def on_syscall(self, uc, _data):
        ip = uc.reg_read(self.ip_register)
        if self.bits == 64:
            # What `syscall` itself does before the kernel (and the host's seccomp filter) sees it.
            uc.reg_write(x86.UC_X86_REG_RCX, ip + 2)
            uc.reg_write(x86.UC_X86_REG_R11, uc.reg_read(self.flags_register))
        self.event = ("syscall", ip, ip + 2)
        uc.emu_stop()

    def on_in(self, uc, _port, size, _data):
        self.event = ("io",)
        uc.emu_stop()
        return uc.reg_read(x86.UC_X86_REG_EAX) & ((1 << (8 * size)) - 1)  # leave EAX as it was

    def on_out(self, uc, _port, _size, _value, _data):
        self.event = ("io",)
        uc.emu_stop()

    def io_instruction_start(self, ip):
        """Where the `in`/`out` that ends at ip starts (the hook only sees the block's address)."""
        for length in (3, 2, 1):
            try:
                data = self.uc.mem_read(ip - length, length)
            except UcError:
                continue
            body = data[1:] if length > 1 and data[0] == 0x66 else data
            if (len(body) == 1 and 0xEC <= body[0] <= 0xEF) or (len(body) == 2 and 0xE4 <= body[0] <= 0xE7):
                return ip - length
        return ip

    def on_invalid_memory(self, _uc, access, address, _size, _value, _data):
        self.event = ("memory", access, address)
        return False

    # --- one case ------------------------------------------------------------------------------

    def layout(self, runs, writes):
        """Maps the case's page runs (keeping runs the previous case had) and sets their bytes."""
        uc = self.uc
        wanted = {address: (length, protection) for address, length, protection in runs}
        for address, shape in list(self.mapped.items()):
            if wanted.get(address) != shape:
                uc.mem_unmap(address, shape[0])
                del self.mapped[address]
        for address, length, protection in runs:
            reserved = address <= self.reserved < address + length
            if reserved:
                return address
            fresh = address not in self.mapped
            if fresh:
                try:
                    uc.mem_map(address, length, protection)
                except UcError:
                    return address
                self.mapped[address] = (length, protection)
            expected = bytearray(length)
            for write_address, data in writes:
                offset = write_address - address
                if 0 <= offset < length and data:
                    expected[offset : offset + len(data)] = data
            # Rewriting code costs a translation-cache flush, so write only what differs. Unicorn
            # 2.0.1 keeps running stale translations of rewritten code unless told to drop them.
            if fresh or uc.mem_read(address, length) != expected:
                if not fresh or any(expected):
                    uc.mem_write(address, bytes(expected))
                if protection & UC_PROT_EXEC:
                    uc.ctl_remove_cache(address, address + length)
        return None

    def run_case(self, header, runs, reads, writes):
        _magic, _runs, _writes, _reads, gprs, rflags, entry = header
        code_end = entry + len(writes[0][1])  # writes[1] is the host runner's jump back: never run
        rejected = self.layout(runs, writes)
        if rejected is not None:
            self.clear_mapping()
            return self.result(
                STATUS_REJECTED, gprs, rflags, entry, reads, detail=-EEXIST, detail_address=rejected
            )
        uc = self.uc
        uc.context_restore(self.context)
        values = self.value_bytes
        count = self.register_count - 1
        for index in range(count):
            values[index * 8 : index * 8 + 8] = gprs[index * 8 : index * 8 + 8]
        self.values[count] = rflags | IF  # IF is always set in user mode (the case's IF is ignored)
        self.lib.uc_reg_write_batch(self.handle, self.register_ids, self.pointers, self.register_count)
        self.event = None
        error = 0
        try:
            uc.emu_start(entry, code_end, 0, self.limit)
        except UcError as failure:
            error = failure.errno
        ip = uc.reg_read(self.ip_register)
        ctypes.memset(self.values, 0, ctypes.sizeof(self.values))  # 32-bit reads fill only 4 bytes
        self.lib.uc_reg_read_batch(self.handle, self.register_ids, self.pointers, self.register_count)
        registers = bytes(values[: count * 8]).ljust(128, b"\0")
        flags = self.values[count]
        contents = [uc.mem_read(address, length) if length else b"" for address, length in reads]
        return self.outcome(error, ip, code_end, registers, flags, contents)

    def outcome(self, error, ip, code_end, registers, flags, contents):
        event = self.event
        if event is not None and event[0] == "syscall":
            number = registers[0:8] if self.bits == 64 else registers[0:4]
            return self.pack(
                STATUS_SYSCALL, registers, flags, event[2], contents,
                signal_address=event[2], detail=int.from_bytes(number, "little"),
            )
        if event is not None and event[0] == "io":
            ip = self.io_instruction_start(ip)
            return self.pack(STATUS_FAULT, registers, flags, ip, contents, trapno=VECTOR_GP)
        if event is not None and event[0] == "interrupt":
            vector, ip = event[1], event[2]
            error_code = 0
            if vector not in (3, 4) and self.software_interrupt(ip, vector):
                # `int n` through a gate the user may not call (Linux: all but 3, 4 and 0x80) is
                # #GP with error code (n << 3) | 2, reported at the instruction.
                vector, error_code, ip = VECTOR_GP, (vector << 3) | 2, ip - 2
            return self.pack(
                STATUS_FAULT, registers, flags, ip, contents, trapno=vector, error_code=error_code
            )
        if error == 0:
            if ip == code_end:
                return self.pack(STATUS_COMPLETED, registers, flags, ip, contents)
            return self.pack(STATUS_TIMEOUT, registers, flags, ip, contents)
        if error == UC_ERR_INSN_INVALID:
            return self.pack(STATUS_FAULT, registers, flags, ip, contents, code=error, trapno=VECTOR_UD)
        if event is not None and event[0] == "memory":
            access, address = event[1], event[2]
            if self.bits == 64 and (address >> 47) not in (0, 0x1FFFF):
                # A non-canonical address is #GP(0) on silicon; Unicorn treats it as unmapped.
                return self.pack(STATUS_FAULT, registers, flags, ip, contents, code=error, trapno=VECTOR_GP)
            error_code = 4
            if access in (UC_MEM_WRITE_UNMAPPED, UC_MEM_WRITE_PROT):
                error_code |= 2
            if access in (UC_MEM_FETCH_UNMAPPED, UC_MEM_FETCH_PROT):
                error_code |= 0x10
                if not (ip <= address < ip + 15):
                    ip = address  # a jump to an unmapped page stops at the target
            if access in (UC_MEM_WRITE_PROT, UC_MEM_READ_PROT, UC_MEM_FETCH_PROT):
                error_code |= 1
            return self.pack(
                STATUS_FAULT, registers, flags, ip, contents,
                code=error, trapno=VECTOR_PF, error_code=error_code, cr2=address,
            )
        # Any other Unicorn error (e.g. an unaligned or exotic access it cannot emulate): #GP.
        return self.pack(STATUS_FAULT, registers, flags, ip, contents, code=error, trapno=VECTOR_GP)

    def software_interrupt(self, ip, vector):
        """True when the interrupt came from an `int n` (CD ib) that ends at ip."""
        try:
            return self.uc.mem_read(ip - 2, 2) == bytes((0xCD, vector))
        except UcError:
            return False

    def result(self, status, gprs, rflags, ip, reads, detail=0, detail_address=0):
        contents = [bytes(length) for _address, length in reads]
        return self.pack(status, gprs, rflags, ip, contents, detail=detail, detail_address=detail_address)

    def clear_mapping(self):
        for address, (length, _protection) in self.mapped.items():
            self.uc.mem_unmap(address, length)
        self.mapped.clear()

    def pack(self, status, registers, flags, ip, contents, code=0, trapno=0, error_code=0, cr2=0,
             signal_address=0, detail=0, detail_address=0):
        parts = [
            struct.pack("<II", MAGIC_RESULT, status),
            registers,
            struct.pack("<QQIiIIQQqQ", flags, ip, 0, code, trapno, error_code, cr2, signal_address, detail,
                        detail_address),
        ]
        for data in contents:
            parts.append(bytes(data).ljust(padded(len(data)), b"\0"))
        return b"".join(parts)


class Input:
    """Reads exact byte counts from fd 0, flushing the pending output before any read that would block."""

    def __init__(self, flush):
        self.buffer = bytearray()
        self.position = 0
        self.flush = flush

    def take(self, size):
        while len(self.buffer) - self.position < size:
            self.flush()
            chunk = os.read(0, 1 << 20)
            if not chunk:
                return None
            del self.buffer[: self.position]
            self.position = 0
            self.buffer += chunk
        start = self.position
        self.position += size
        return bytes(self.buffer[start : self.position])


def main():
    bits, limit = int(sys.argv[1]), int(sys.argv[2])
    runner = Runner(bits, limit)
    pending = []

    def flush():
        if pending:
            data = b"".join(pending)
            pending.clear()
            view = memoryview(data)
            while view:
                view = view[os.write(1, view):]

    reserved_end = runner.reserved + PAGE
    ready = struct.pack("<IIIIQQQ", MAGIC_READY, PROTOCOL_VERSION, bits, 0, 0, runner.reserved, reserved_end)
    pending.append(ready)
    source = Input(flush)
    while True:
        raw = source.take(CASE_HEADER.size)
        if raw is None:
            break
        header = CASE_HEADER.unpack(raw)
        if header[0] != MAGIC_CASE:
            sys.stderr.write(f"bad case magic 0x{header[0]:x}\n")
            sys.exit(2)
        _magic, run_count, write_count, read_count = header[:4]
        runs = [PAGE_RUN.unpack(source.take(PAGE_RUN.size)) for _ in range(run_count)]
        reads = [RANGE.unpack(source.take(RANGE.size)) for _ in range(read_count)]
        writes = []
        for _ in range(write_count):
            address, length = RANGE.unpack(source.take(RANGE.size))
            writes.append((address, source.take(padded(length))[:length]))
        pending.append(runner.run_case(header, runs, reads, writes))
    flush()


if __name__ == "__main__":
    main()
