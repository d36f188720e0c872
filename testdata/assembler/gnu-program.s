# A hand-written GNU Intel-syntax program using what gcc emits and a little more:
# .p2align with fill and max-skip, .L labels, OFFSET FLAT:, sym[rip], jump tables,
# data directives, .set/=, expressions with `.`, forward and backward branches.
	.file	"program.c"
	.intel_syntax noprefix
	.set	COUNT, 8
	SCALE = 4
	.text
	.p2align 4
	.globl	main
	.type	main, @function
main:
	endbr64
	push	rbp
	mov	rbp, rsp
	sub	rsp, 32
	mov	DWORD PTR [rbp-4], 0
	mov	rax, QWORD PTR fs:40
	mov	QWORD PTR [rbp-16], rax
	xor	eax, eax
	lea	rdi, .LC0[rip]
	lea	rsi, [rip+table]
	mov	eax, OFFSET FLAT:table
	mov	rdx, OFFSET FLAT:table+8
	movabs	rcx, 0x123456789abcdef0
	mov	rax, 1
	mov	rax, -1
	mov	rax, 0x80000000
	mov	ecx, COUNT*SCALE
	add	rax, COUNT
	imul	eax, DWORD PTR [rbp-4], 100
	movsx	rax, DWORD PTR [rdx+rcx*4]
	movzx	eax, BYTE PTR [rdi]
	cmp	eax, 6
	ja	.L2
	lea	rdx, .L4[rip]
	movsxd	rax, DWORD PTR [rdx+rax*4]
	add	rax, rdx
	jmp	rax
	.section	.rodata
	.align 4
.L4:
	.long	.L3-.L4
	.long	.L5-.L4
	.long	.L2-.L4
	.text
	.p2align 4,,10
	.p2align 3
.L3:
	mov	eax, DWORD PTR [rax*2]
	mov	eax, DWORD PTR [rax+rax]
	mov	eax, DWORD PTR [rbp+0]
	mov	eax, DWORD PTR ds:0x1000
	rep stosq
	lock xadd DWORD PTR [rdi], eax
	rep bsf	eax, ecx
	call	helper
	jmp	.L6
.L5:
	.p2align 5
	sete	al
	cmovne	eax, ecx
	shl	eax
	sar	edx, 3
	test	al, 1
	jne	.L3
.L2:
	.zero	3, 0x90
	leave
	ret
.L6:
	.rept 3
	nop
	.endr
	jmp	.L2
	.size	main, .-main
	.p2align 4
	.type	helper, @function
helper:
	xor	eax, eax
	.p2align 4,,2
	ret
	.size	helper, .-helper
	.section	.rodata.str1.1,"aMS",@progbits,1
.LC0:
	.string	"hello"
	.ascii	"raw\n\t\"quoted\"\0"
	.data
	.align 8
table:
	.quad	main, helper
	.long	1, -1, 0xdeadbeef
	.value	0x1234
	.byte	1, 2, 'a, '\n
	.text
	.balign	8, 0xcc
extras:
	.equ	SIXTEEN, 16
	mov	eax, SIXTEEN
	lea	rax, counter[rip]
	mov	rdx, QWORD PTR shared[rip]
	.pushsection .rodata
.Lmsg:	.asciz	"pushed"
	.popsection
	lea	rcx, .Lmsg[rip]
	xchg	edx, edi
	movs	BYTE PTR es:[rdi], BYTE PTR ds:[rsi]
	xlat	BYTE PTR ds:[rbx]
	pushw	0x10
	.skip	4, 0xab
	.2byte	0x1234
	.8byte	extras
	cmp	BYTE PTR [rip+.Lmsg], 'p
	jmp	main
	.local	counter
	.comm	counter,4,4
	.comm	shared,8,8
	.section	.note.GNU-stack,"",@progbits
	.ident	"GCC: (Debian) 12.2.0-14) 12.2.0"
