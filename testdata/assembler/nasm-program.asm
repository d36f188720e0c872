; A whole NASM program exercising the front end: labels, local labels, forward and backward
; branches that need relaxation, times, align, db/dw/dd/dq with strings, equ, %define,
; $ and $$, size keywords, rel/abs, default rel, sections. Compared byte for byte with nasm -f bin.
%define ELEMENT_SIZE 8
%define COUNT 16
BUFSIZE equ COUNT * ELEMENT_SIZE
NEWLINE equ 10

bits 64
org 0x401000

section .text
global _start
_start:
        lea     rsi, [rel message]
        mov     edx, message_length
        mov     eax, 1
        mov     edi, eax
        syscall
        xor     ecx, ecx
.fill:
        mov     qword [buffer + rcx*ELEMENT_SIZE], rcx
        inc     ecx
        cmp     ecx, COUNT
        jb      .fill                   ; short, backward
        call    checksum
        test    eax, eax
        jz      .far_away               ; forward: needs the long form
        jmp     .done
.padding:
        times 200 nop
.far_away:
        mov     eax, -1
.done:
        mov     edi, eax
        mov     eax, 60
        syscall

checksum:
        push    rbx
        xor     eax, eax
        xor     ebx, ebx
.loop:  add     rax, [buffer + rbx*8]
        rol     rax, 5
        inc     rbx
        cmp     rbx, BUFSIZE / ELEMENT_SIZE
        jne     .loop
        pop     rbx
        ret

        align 16
table:  dq      _start, checksum, checksum.loop, table
        dd      table - _start, $ - $$
        dw      0x1234, -1, 'ab'
        db      'vial', 0, NEWLINE, "two", `esc\n`
        db      $ - table
length_check equ $ - table

section .data
message:        db "hello from vial", NEWLINE
message_length  equ $ - message
        align 8, db 0
counters:       dd 1, 2, 3
        times 3 dw 0xbeef
mixed:  dq      0xfedcba9876543210, -2
        default rel
more_code:
        mov     rax, [counters]
        mov     ebx, [abs 0x1000]
        mov     cl, byte [rel mixed + 3]

section .bss
buffer: resq    COUNT
flag:   resb    1

section .text
extras:
%assign LIMIT 3
%define TMP 7
        mov     eax, TMP
%undef TMP
        add     eax, strict dword 1
        push    strict byte 2
        mov     ecx, [byte rbx+1]
        mov     edx, [dword rbx+1]
        lea     rsi, [nosplit rcx*2]
        lea     rdi, [rcx*2]
        lea     r8, [rcx*3+LIMIT]
        o16 rep movsb
        a32 lodsb
        lock xadd [rsp+8], eax
        rep stosq
        repne scasb
        mov     ax, 'hi'
        cmp     byte [rel message], 'h'
        mov     rax, strict qword 1
        mov     rbx, -5
        mov     rcx, 0xffffffff
        mov     [fs:0x28], rax
        jmp     short extras
        jmp     near extras
        times 3 db 0x90
        alignb  8
