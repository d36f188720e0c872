; A 16-bit boot-sector style program (bits 16, org 0x7c00, times to pad to 510 bytes, signature),
; then a 32-bit part: mode switches in one file. Compared byte for byte with nasm -f bin.
bits 16
org 0x7c00
start:
        cld
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 0x7c00
        std
        mov     si, banner
.print:
        lodsb
        or      al, al
        jz      .halt
        mov     ah, 0x0e
        int     0x10
        jmp     .print
.halt:
        hlt
        jmp     .halt
        mov     bx, [bp+si+4]
        lea     di, [bx+di-2]
        mov     word [0x1234], 5
        push    word 0x1234
        call    near far_code
banner: db      "vial boot", 13, 10, 0
        times 510-($-$$) db 0
        dw      0xaa55
bits 32
far_code:
        mov     eax, [esp+4]
        lea     ecx, [eax*4+eax]
        pushad
        popad
        loop    far_code
        jecxz   far_code
        ret     8
