	.file	"checksum.c"
	.intel_syntax noprefix
	.text
	.p2align 4
	.globl	sat_add32
	.type	sat_add32, @function
sat_add32:
.LFB0:
	.cfi_startproc
	movsx	rdi, edi
	movsx	rsi, esi
	mov	eax, 2147483647
	add	rdi, rsi
	cmp	rdi, 2147483647
	jg	.L1
	cmp	rdi, -2147483648
	mov	eax, -2147483648
	cmovge	eax, edi
.L1:
	ret
	.cfi_endproc
.LFE0:
	.size	sat_add32, .-sat_add32
	.p2align 4
	.globl	gcd64
	.type	gcd64, @function
gcd64:
.LFB1:
	.cfi_startproc
	mov	rax, rdi
	mov	rdx, rsi
	test	rsi, rsi
	je	.L9
	.p2align 4,,10
	.p2align 3
.L8:
	mov	rcx, rdx
	xor	edx, edx
	div	rcx
	mov	rax, rcx
	test	rdx, rdx
	jne	.L8
	mov	rax, rcx
	ret
	.p2align 4,,10
	.p2align 3
.L9:
	mov	rcx, rdi
	mov	rax, rcx
	ret
	.cfi_endproc
.LFE1:
	.size	gcd64, .-gcd64
	.p2align 4
	.globl	fletcher16
	.type	fletcher16, @function
fletcher16:
.LFB2:
	.cfi_startproc
	test	rsi, rsi
	je	.L14
	lea	r9, [rdi+rsi]
	xor	eax, eax
	xor	edx, edx
	mov	r8d, 2155905153
	.p2align 4,,10
	.p2align 3
.L13:
	movzx	ecx, BYTE PTR [rdi]
	add	rdi, 1
	add	edx, ecx
	mov	rcx, rdx
	imul	rdx, r8
	shr	rdx, 39
	mov	esi, edx
	sal	esi, 8
	sub	esi, edx
	sub	ecx, esi
	add	eax, ecx
	mov	edx, ecx
	mov	eax, eax
	mov	rsi, rax
	imul	rax, r8
	shr	rax, 39
	mov	ecx, eax
	sal	ecx, 8
	sub	ecx, eax
	mov	eax, esi
	sub	eax, ecx
	cmp	r9, rdi
	jne	.L13
	sal	eax, 8
	or	eax, edx
	ret
	.p2align 4,,10
	.p2align 3
.L14:
	xor	eax, eax
	ret
	.cfi_endproc
.LFE2:
	.size	fletcher16, .-fletcher16
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
