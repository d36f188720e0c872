; call64: an iteration calls a recursive function 20 levels deep; on the way back up each level
; mixes its depth and the iteration number into the accumulator and reduces it with a 64-bit div.
; In: ECX = iterations, ESP = a usable stack (21 frames of 8 bytes). Out: EAX.
; Count by construction: 6 before the loop + 267 per iteration (mov + call + sub + jnz, plus
; f(20): 20 levels of 13 instructions and a leaf of 3).
bits 32
  jmp .start
.f:
  test edi, edi
  jz .leaf
  push edi
  sub edi, 1
  call .f
  pop edi
  imul eax, eax, 7
  add eax, edi
  add eax, ebp
  xor edx, edx
  div ebx
  add eax, edx
  ret
.leaf:
  ret
.start:
  mov ebp, ecx
  xor eax, eax
  mov ebx, 1000003
  test ebp, ebp
  jz .done
.iter:
  mov edi, 20
  call .f
  sub ebp, 1
  jnz .iter
.done:
