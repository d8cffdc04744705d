/*
 * AddressSanitizer keeps its own picture of "the current stack" per OS thread. When we move a
 * thread onto another stack behind its back it reports nonsense, so every switch is announced:
 *   before: fiber_switch_begin(&save, target_stack_bottom, target_stack_size)
 *   after:  fiber_switch_end(save, &where_we_came_from_bottom, &where_we_came_from_size)
 * Passing a NULL save to begin() says the stack being left is finished for good (a green
 * thread's last switch), so ASan can drop its fake frames. Without ASan these cost nothing.
 */
#ifndef GT_FIBER_SANITIZER_H
#define GT_FIBER_SANITIZER_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define GT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GT_ASAN 1
#endif
#endif

#ifdef GT_ASAN
/* Declared here rather than through <sanitizer/...> headers, which not every compiler ships
 * (Debian's clang lacks them); these are the sanitizer runtime's stable entry points. */
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define fiber_switch_begin(save, bottom, size) __sanitizer_start_switch_fiber((save), (bottom), (size))
#define fiber_switch_end(save, old_bottom, old_size) __sanitizer_finish_switch_fiber((save), (old_bottom), (old_size))
/* A stack about to be unmapped may still carry poisoned redzones of frames that never
 * returned; clear them, or the next mapping at that address inherits false alarms. */
#define fiber_stack_release(stack, size) __asan_unpoison_memory_region((stack), (size))
#else
#define fiber_switch_begin(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#define fiber_switch_end(save, old_bottom, old_size) ((void)(save), (void)(old_bottom), (void)(old_size))
#define fiber_stack_release(stack, size) ((void)(stack), (void)(size))
#endif

#endif
