; alu32: a PRNG/CRC-style mixing loop (imul/add/shl/xor/cmp/adc/sub/jnz) on 32-bit registers.
; In: ECX = iterations. Out: EAX. Position-independent; no memory, no stack, no syscalls.
; Count by construction: 5 instructions before the loop + 11 per iteration (the loop's only branch
; is its own jnz; the carry of `cmp` feeds `adc` instead of a data-dependent branch).
bits 32
  xor eax, eax
  mov edx, 0x7F4A7C15
  mov ebx, 1
  test ecx, ecx
  jz .done
.next:
  imul edx, edx, 0x2545F491
  add edx, ebx
  mov edi, edx
  shl edi, 13
  xor edx, edi
  add eax, edx
  cmp eax, edx
  adc ebx, 1
  xor eax, ebx
  sub ecx, 1
  jnz .next
.done:
