; Memory expectations: bytes in little-endian order, ?? for a byte that must stay undefined.
; @mode 64
; @map 0x2000:0x1000:rw
; @mem 0x2000=0011aabb

; @case increment a doubleword in place, store a byte after it
; @set al=0x42
; @expect [0x2000]=0111aabb [0x2004]=42000000

; @case a byte copied from an undefined register stays undefined
; @set al=?
; @expect [0x2000]=0111aabb [0x2004]=??000000 al=?

    inc dword [0x2000]
    mov [0x2004], al
