# Context switch for native x86-64 (System V): saves the callee-saved
# registers on the current stack, stores the stack pointer in *from and
# continues on the stack `to`. About 15 ns a switch, where glibc's
# swapcontext makes a syscall (~330 ns).
#
#   void wa__ctx_switch(void **from, void *to);
#   wa__ctx_boot: first "return" of a new context; calls r12(r13).
	.text
	.globl wa__ctx_switch
	.type wa__ctx_switch,@function
wa__ctx_switch:
	.cfi_startproc
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.cfi_endproc
	.size wa__ctx_switch, .-wa__ctx_switch

	.globl wa__ctx_boot
	.type wa__ctx_boot,@function
wa__ctx_boot:
	.cfi_startproc
	.cfi_undefined rip
	movq %r13, %rdi
	callq *%r12
	ud2
	.cfi_endproc
	.size wa__ctx_boot, .-wa__ctx_boot

	.section .note.GNU-stack,"",@progbits
