# Get and set the C shadow stack pointer (__stack_pointer), which C cannot
# name. Used by coro_asyncify.c to give every coroutine its own stack.
	.globaltype __stack_pointer, i32

	.globl wa__sp_get
	.type wa__sp_get,@function
wa__sp_get:
	.functype wa__sp_get () -> (i32)
	global.get __stack_pointer
	end_function

	.globl wa__sp_set
	.type wa__sp_set,@function
wa__sp_set:
	.functype wa__sp_set (i32) -> ()
	local.get 0
	global.set __stack_pointer
	end_function
