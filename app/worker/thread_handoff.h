// Makes the hand-over of values between the GUI thread and the training thread visible to
// ThreadSanitizer. Qt's event queues synchronise with futexes inside the Qt libraries, which
// ThreadSanitizer cannot see unless Qt itself is built with it, so without these marks every
// value passed through a queued signal would be reported as a race. In normal builds they
// compile to nothing.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define GRADSCOPE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GRADSCOPE_TSAN 1
#endif
#endif

#ifdef GRADSCOPE_TSAN
extern "C" void __tsan_acquire(void* address);
extern "C" void __tsan_release(void* address);
#endif

namespace gradscope::app {

// The channel of one direction of hand-over (one address per direction).
enum class Handoff { ToWorker, ToGui };

#ifdef GRADSCOPE_TSAN
inline char g_handoffChannels[2];
#endif

// Call before posting a value to the other thread...
inline void handoffRelease([[maybe_unused]] Handoff channel) {
#ifdef GRADSCOPE_TSAN
  __tsan_release(&g_handoffChannels[int(channel)]);
#endif
}

// ...and on receiving it, before reading it.
inline void handoffAcquire([[maybe_unused]] Handoff channel) {
#ifdef GRADSCOPE_TSAN
  __tsan_acquire(&g_handoffChannels[int(channel)]);
#endif
}

}  // namespace gradscope::app
