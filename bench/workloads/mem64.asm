; mem64: fills a 32-element buffer of 32-bit integers from an LCG, sorts it (signed, branchless
; bubble sort: cmp + two cmovg per compare-exchange) and checksums it, in a loop.
; In: ECX = iterations, RSI = a writable buffer of at least 132 bytes. Out: EAX (the same value as mem32: 64-bit addressing, 32-bit data).
; Count by construction: 5 before the loop + 5444 per iteration:
;   1 reload state + 1 + 32*6 fill + 1 save state + 1 + 31*3 outer + 496*10 inner
;   + 1 + 32*6 checksum + 2 loop. No branch depends on the data.
bits 64
  mov ebp, ecx
  xor eax, eax
  mov dword [rsi+128], 12345
  test ebp, ebp
  jz .done
.iter:
  mov edx, [rsi+128]
  xor ecx, ecx
.fill:
  imul edx, edx, 1103515245
  add edx, 12345
  mov [rsi+rcx*4], edx
  add ecx, 1
  cmp ecx, 32
  jne .fill
  mov [rsi+128], edx
  mov ebx, 31
.outer:
  xor ecx, ecx
.inner:
  mov edi, [rsi+rcx*4]
  mov edx, [rsi+rcx*4+4]
  cmp edi, edx
  cmovg edi, edx
  cmovg edx, [rsi+rcx*4]
  mov [rsi+rcx*4], edi
  mov [rsi+rcx*4+4], edx
  add ecx, 1
  cmp ecx, ebx
  jne .inner
  sub ebx, 1
  jnz .outer
  xor ecx, ecx
.sum:
  imul eax, eax, 31
  add eax, [rsi+rcx*4]
  xor eax, ecx
  add ecx, 1
  cmp ecx, 32
  jne .sum
  sub ebp, 1
  jnz .iter
.done:
