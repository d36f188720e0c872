; alu64: a PRNG/CRC-style mixing loop (imul/add/shl/xor/cmp/adc/sub/jnz) on 64-bit registers.
; In: ECX = iterations. Out: RAX. Position-independent; no memory, no stack, no syscalls.
; Count by construction: 5 instructions before the loop + 11 per iteration (the loop's only branch
; is its own jnz; the carry of `cmp` feeds `adc` instead of a data-dependent branch).
bits 64
  xor eax, eax
  mov rdx, 0x9E3779B97F4A7C15
  mov ebx, 1
  test ecx, ecx
  jz .done
.next:
  imul rdx, rdx, 0x2545F491
  add rdx, rbx
  mov rdi, rdx
  shl rdi, 13
  xor rdx, rdi
  add rax, rdx
  cmp rax, rdx
  adc rbx, 1
  xor rax, rbx
  sub ecx, 1
  jnz .next
.done:
