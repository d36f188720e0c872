; call64: an iteration calls a recursive function 20 levels deep; on the way back up each level
; mixes its depth and the iteration number into the accumulator and reduces it with a 64-bit div.
; In: ECX = iterations, RSP = a usable stack (21 frames of 16 bytes). Out: RAX.
; Count by construction: 6 before the loop + 267 per iteration (mov + call + sub + jnz, plus
; f(20): 20 levels of 13 instructions and a leaf of 3).
bits 64
  jmp .start
.f:
  test edi, edi
  jz .leaf
  push rdi
  sub edi, 1
  call .f
  pop rdi
  imul rax, rax, 7
  add rax, rdi
  add rax, rbp
  xor edx, edx
  div rbx
  add rax, rdx
  ret
.leaf:
  ret
.start:
  mov ebp, ecx
  xor eax, eax
  mov rbx, 0x100000001B3
  test ebp, ebp
  jz .done
.iter:
  mov edi, 20
  call .f
  sub ebp, 1
  jnz .iter
.done:
